"""000's messaging WebSocket: /ws/{token}, or /ws with the access token in the Authorization
header or in a first message {"type": "auth", "token": ...}.

Once authenticated the socket joins every conversation of the user and gets
{"type": "connection_established", "user_id", "conversations"}. The client sends
join_conversation, leave_conversation, typing_start, typing_stop ({"conversation_id"}),
message_delivered, message_read ({"message_id"}), user_status_change ({"status"}) and ping.
The server pushes message_new, message_edited, message_deleted, message_status,
conversation_read, typing_start, typing_stop, user_status_change, conversation_updated,
conversation_joined and participant_added/updated/removed. A request that fails gets
{"type": "error", "error", "message", "detail", "details", "request"} and the socket stays open."""

import asyncio
import logging
from typing import Any
from uuid import UUID

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from adapters.http import socket_fanout
from adapters.http.services import HttpServices
from adapters.http.socket_fanout import Connection
from adapters.http.sockets import (
    InternalError,
    accept_authenticated,
    bearer_token,
    count_message,
    error_message,
    parse_request,
    receive_text,
)
from domain.errors import DomainError, InvalidInput
from domain.messaging import conversations, messages, presence
from ports.messaging import DeliveryStatus, Presence

logger = logging.getLogger(__name__)
router = APIRouter(tags=["messaging"])

MAX_CLIENT_MESSAGE_CHARS = 4096
# The protocol, documented message by message in docs/asyncapi.yaml (with the shared "auth"
# and "error"): what the client sends once authenticated, and what the socket sends.
CLIENT_MESSAGES = (
    "join_conversation",
    "leave_conversation",
    "typing_start",
    "typing_stop",
    "message_delivered",
    "message_read",
    "user_status_change",
    "ping",
)
SERVER_MESSAGES = (
    "connection_established",
    "joined_conversation",
    "left_conversation",
    "pong",
    *socket_fanout.PUSHES,
)


@router.websocket("/ws/{token}")
async def socket_with_token(websocket: WebSocket, token: str) -> None:
    await _serve(websocket, token)


@router.websocket("/ws")
async def socket(websocket: WebSocket) -> None:
    await _serve(websocket, bearer_token(websocket))


async def _serve(websocket: WebSocket, token: str | None) -> None:
    services: HttpServices = websocket.app.state.services
    claims = await accept_authenticated(
        websocket, token, services.credentials, services.rate_limits
    )
    if claims is None:
        return
    user_id = claims.user_id
    fanout = services.fanout
    joined = await conversations.conversation_ids(user_id, services.unit_of_work())
    connection = Connection(websocket, user_id)
    first_here = not fanout.connected(user_id)
    await fanout.connect(connection, joined)
    connection.push(
        {
            "type": "connection_established",
            "user_id": str(user_id),
            "conversations": [str(c) for c in joined],
        }
    )
    try:
        if first_here:
            await presence.set_status(user_id, Presence.ONLINE, services.unit_of_work())
        while True:
            text = await receive_text(websocket)
            request = None
            try:
                document = _parse(text)
                request = document["type"]
                await count_message(websocket, services.rate_limits, claims)
                await _handle(services, connection, request, document)
            except DomainError as error:
                connection.push(error_message(error, request))
            except Exception:  # as over HTTP: logged, answered, and the socket stays usable
                logger.exception("Unhandled error on a messaging socket request %r", request)
                connection.push(error_message(InternalError("Internal server error"), request))
    except WebSocketDisconnect:
        pass
    finally:
        await fanout.disconnect(connection)
        if not fanout.connected(user_id):
            # Shielded: the socket is gone, but its user must not stay "online".
            await asyncio.shield(
                presence.set_status(user_id, Presence.OFFLINE, services.unit_of_work())
            )


def _parse(text: str | None) -> dict[str, Any]:
    return parse_request(text, MAX_CLIENT_MESSAGE_CHARS)


def _uuid(document: dict[str, Any], field: str) -> UUID:
    try:
        return UUID(str(document[field]))
    except (KeyError, ValueError):
        raise InvalidInput(f"{field} must be a UUID", {"field": field}) from None


async def _handle(
    services: HttpServices, connection: Connection, request: str, document: dict[str, Any]
) -> None:
    user_id = connection.user_id
    uow = services.unit_of_work()
    if request == "join_conversation":
        conversation_id = _uuid(document, "conversation_id")
        await conversations.get_conversation(user_id, conversation_id, uow)
        await services.fanout.join(connection, conversation_id)
        connection.push({"type": "joined_conversation", "conversation_id": str(conversation_id)})
    elif request == "leave_conversation":
        conversation_id = _uuid(document, "conversation_id")
        await services.fanout.leave(connection, conversation_id)
        connection.push({"type": "left_conversation", "conversation_id": str(conversation_id)})
    elif request in ("typing_start", "typing_stop"):
        conversation_id = _uuid(document, "conversation_id")
        is_typing = request == "typing_start"
        await presence.signal_typing(user_id, conversation_id, is_typing, uow, services.fanout.bus)
    elif request in ("message_delivered", "message_read"):
        status = DeliveryStatus.READ if request == "message_read" else DeliveryStatus.DELIVERED
        await messages.acknowledge(user_id, _uuid(document, "message_id"), status, uow)
    elif request == "user_status_change":
        try:
            status = Presence(document.get("status"))
        except ValueError:
            raise InvalidInput(
                f"status must be one of {[p.value for p in Presence]}", {"field": "status"}
            ) from None
        await presence.set_status(user_id, status, uow)
    elif request == "ping":
        connection.push({"type": "pong"})
    else:
        raise InvalidInput(
            f"Unknown message type {request!r}; one of {', '.join(CLIENT_MESSAGES)}",
            {"field": "type"},
        )
