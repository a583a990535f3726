"""What every WebSocket endpoint shares: authentication by token (in the path or query, the
Authorization header, or a first message {"type": "auth", "token": ...}), JSON requests with
a "type", and errors as {"type": "error", "error", "message", "detail", "details", "request"}."""

import asyncio
import json
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect

from adapters.http.middleware import escapes_lone_surrogate
from adapters.http.rate_limits import SOCKET_CONNECTIONS, RateLimits, route_limit
from domain.errors import DomainError, InvalidInput, TooManyRequests, Unauthenticated
from domain.identity.authentication import Credentials, authenticate
from ports.identity import TokenClaims

# The message types every socket shares (docs/asyncapi.yaml): the client's first message
# when its token is not in the URL or a header, and the answer to a request that failed.
AUTH = "auth"
ERROR = "error"
AUTH_TIMEOUT_SECONDS = 10.0
# An application close code: 4000 plus the HTTP status it stands for.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_TOO_MANY_REQUESTS = 4429


class InternalError(DomainError):
    code = "InternalError"


def error_message(error: DomainError, request: str | None) -> dict[str, Any]:
    """The error body's fields, as a push; `request` is the type of the failed message."""
    return {
        "type": ERROR,
        "error": error.code,
        "message": error.message,
        "detail": error.message,
        "details": error.details,
        "request": request,
    }


def bearer_token(websocket: WebSocket) -> str | None:
    scheme, _, credentials = websocket.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


async def receive_text(websocket: WebSocket) -> str | None:
    """The next text frame; None for a binary one. Raises WebSocketDisconnect."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    return message.get("text")


async def _first_message_token(websocket: WebSocket) -> str:
    try:
        text = await asyncio.wait_for(receive_text(websocket), AUTH_TIMEOUT_SECONDS)
    except TimeoutError:
        raise Unauthenticated("No token within 10 s") from None
    try:
        document = json.loads(text or "")
    except ValueError:
        document = None
    if not isinstance(document, dict) or document.get("type") != AUTH:
        raise Unauthenticated('Authenticate first: {"type": "auth", "token": "<access token>"}')
    token = document.get("token")
    if not isinstance(token, str):
        raise Unauthenticated("Missing token")
    return token


async def accept_authenticated(
    websocket: WebSocket, token: str | None, credentials: Credentials, rate_limits: RateLimits
) -> TokenClaims | None:
    """Accepts the socket, authenticates it and counts the connection against the user's
    socket_connections limit; None once a socket has been told why it is refused and closed,
    or the client has gone."""
    await websocket.accept()
    try:
        claims = await authenticate(token or await _first_message_token(websocket), credentials)
        await rate_limits.check(websocket, SOCKET_CONNECTIONS, str(claims.user_id))
        return claims
    except Unauthenticated as error:
        await websocket.send_json(error_message(error, AUTH))
        await websocket.close(CLOSE_UNAUTHENTICATED)
    except TooManyRequests as error:
        await websocket.send_json(error_message(error, AUTH))
        await websocket.close(CLOSE_TOO_MANY_REQUESTS)
    except WebSocketDisconnect:
        pass
    return None


async def count_message(websocket: WebSocket, rate_limits: RateLimits, claims: TokenClaims) -> None:
    """Counts a message of an open socket against its route's limit; TooManyRequests (to
    answer with an error message, the socket staying open) once it is spent."""
    name = route_limit(websocket.scope, "WS")
    if name is not None:
        await rate_limits.check(websocket, name, str(claims.user_id))


def parse_request(text: str | None, max_chars: int) -> dict[str, Any]:
    """The request of a text frame; InvalidInput for anything else, so that the error
    answering it can always be sent."""
    if text is None:
        raise InvalidInput("Send JSON in text frames")
    if len(text) > max_chars:
        raise InvalidInput(f"Messages are limited to {max_chars} characters")
    if escapes_lone_surrogate(text):
        raise InvalidInput("Text must be Unicode: the message escapes a lone surrogate")
    try:
        document = json.loads(text)
    except RecursionError:  # nested deeper than the interpreter's recursion limit
        raise InvalidInput("Malformed JSON: nested too deeply") from None
    except ValueError:
        raise InvalidInput("Malformed JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        raise InvalidInput('A message is a JSON object with a "type"', {"field": "type"})
    return document
