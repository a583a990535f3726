"""Real-time fan-out to the WebSockets connected to this Gateway replica.

Who is connected is live state of this replica, kept in memory. The replica subscribes on the
event bus to the conversations its sockets joined ("conversation.<id>.>"), to the inbox of
each connected user ("inbox.<user id>.>") and to status changes, and forwards each event to
its own sockets. With NATS as the bus, an event caused on any replica reaches the sockets of
every replica; events of one conversation arrive in the order they were published, since
each replica has one subscription per conversation."""

import asyncio
import logging
from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import WebSocket
from starlette.websockets import WebSocketState

from adapters.http.messaging_schemas import MessageOut
from domain.events.validation import schema_name
from domain.messaging import events
from ports.blobs import BlobStore
from ports.events import Event, EventBus, Subscription

logger = logging.getLogger(__name__)

# A socket that falls this far behind is closed rather than buffered without bound.
_MAX_QUEUED_PUSHES = 1000
_CLOSE_TOO_SLOW = 1013  # "try again later"
_CLOSE_INTERNAL_ERROR = 1011


# What the fan-out pushes to the messaging sockets (docs/asyncapi.yaml documents each).
PUSHES = (
    "message_new",
    "message_edited",
    "message_deleted",
    "message_status",
    "conversation_read",
    "typing_start",
    "typing_stop",
    "conversation_updated",
    "participant_added",
    "participant_updated",
    "participant_removed",
    "conversation_joined",
    "user_status_change",
)


class Connection:
    """One client's socket. Pushes are queued and written by one task, so that a slow client
    never holds up the bus or other clients."""

    def __init__(self, websocket: WebSocket, user_id: UUID) -> None:
        self.websocket = websocket
        self.user_id = user_id
        self.conversations: set[UUID] = set()
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(_MAX_QUEUED_PUSHES)
        self._writer = asyncio.create_task(self._write())
        self._closing: asyncio.Task[None] | None = None

    def push(self, message: dict[str, Any]) -> None:
        if self._closing is not None:
            return
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            logger.warning("Closing the socket of user %s: too slow to keep up", self.user_id)
            self._writer.cancel()
            self._closing = asyncio.create_task(self._close(_CLOSE_TOO_SLOW))

    async def _close(self, code: int) -> None:
        if self.websocket.application_state is WebSocketState.CONNECTED:
            try:
                await self.websocket.close(code)
            except Exception:  # the client went away meanwhile
                pass

    async def _write(self) -> None:
        while True:
            message = await self._queue.get()
            try:
                await self.websocket.send_json(message)
            except Exception as error:
                # The client went away (the receive loop notices and cleans up), or the push
                # could not be sent: then the socket is closed, never left open and silent.
                logger.warning("Closing the socket of user %s: %r", self.user_id, error)
                await self._close(_CLOSE_INTERNAL_ERROR)
                return

    async def close(self) -> None:
        self._writer.cancel()
        await asyncio.wait({self._writer})


class SocketFanout:
    """Connections of this replica, by user and by conversation, and the bus subscriptions
    that feed them. Start it with the bus before accepting sockets."""

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs
        self._bus: EventBus | None = None
        self._by_user: dict[UUID, set[Connection]] = {}
        self._by_conversation: dict[UUID, set[Connection]] = {}
        self._subscriptions: dict[str, Subscription] = {}
        self._releases: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()

    @property
    def bus(self) -> EventBus:
        if self._bus is None:
            raise RuntimeError("The socket fan-out has not been started")
        return self._bus

    async def start(self, bus: EventBus) -> None:
        self._bus = bus
        await self._subscribe("user_status.*.changed", self._on_status)

    async def stop(self) -> None:
        for task in list(self._releases):
            task.cancel()
        async with self._lock:
            for subscription in self._subscriptions.values():
                await subscription.stop()
            self._subscriptions.clear()
        for connection in [c for group in self._by_user.values() for c in group]:
            await connection.close()

    def connected(self, user_id: UUID) -> bool:
        return bool(self._by_user.get(user_id))

    async def connect(self, connection: Connection, conversation_ids: list[UUID]) -> None:
        """Registers the connection and joins it to the user's conversations."""
        self._by_user.setdefault(connection.user_id, set()).add(connection)
        await self._subscribe(f"inbox.{connection.user_id}.>", self._on_inbox)
        for conversation_id in conversation_ids:
            await self.join(connection, conversation_id)

    async def disconnect(self, connection: Connection) -> None:
        await connection.close()
        for conversation_id in list(connection.conversations):
            await self.leave(connection, conversation_id)
        users = self._by_user.get(connection.user_id, set())
        users.discard(connection)
        if not users:
            self._by_user.pop(connection.user_id, None)
            self._release(f"inbox.{connection.user_id}.>", connection.user_id)

    async def join(self, connection: Connection, conversation_id: UUID) -> None:
        """The caller has checked that the user takes part in the conversation."""
        connection.conversations.add(conversation_id)
        self._by_conversation.setdefault(conversation_id, set()).add(connection)
        await self._subscribe(f"conversation.{conversation_id}.>", self._on_conversation)

    async def leave(self, connection: Connection, conversation_id: UUID) -> None:
        connection.conversations.discard(conversation_id)
        members = self._by_conversation.get(conversation_id, set())
        members.discard(connection)
        if not members:
            self._by_conversation.pop(conversation_id, None)
            self._release(f"conversation.{conversation_id}.>", conversation_id)

    async def _subscribe(self, pattern: str, handler: Callable[[Event], Any]) -> None:
        async with self._lock:
            if pattern not in self._subscriptions:
                self._subscriptions[pattern] = await self.bus.subscribe(pattern, handler)

    def _release(self, pattern: str, key: UUID) -> None:
        """Ends the subscription to `pattern` unless someone joined again meanwhile. In a task
        of its own, since `leave` may run inside that very subscription's handler."""

        async def release() -> None:
            async with self._lock:
                if key in self._by_user or key in self._by_conversation:
                    return
                subscription = self._subscriptions.pop(pattern, None)
                if subscription is not None:
                    await subscription.stop()

        task = asyncio.create_task(release())
        self._releases.add(task)
        task.add_done_callback(self._releases.discard)

    def _push_to_conversation(
        self, conversation_id: UUID, message: dict[str, Any], skip_user: UUID | None = None
    ) -> None:
        for connection in list(self._by_conversation.get(conversation_id, ())):
            if connection.user_id != skip_user:
                connection.push(message)

    async def _on_conversation(self, event: Event) -> None:
        payload = event.payload
        name = schema_name(event.type).removeprefix("conversation.*.")
        conversation_id = UUID(event.type.split(".")[1])
        base = {"conversation_id": str(conversation_id), "event_id": event.id}
        if name in ("message_sent", "message_edited", "message_deleted"):
            message = events.message_from_document(payload["message"])
            kind = {"message_sent": "message_new"}.get(name, name)
            # The sender's name is not in the event: clients have it from the participants.
            out = MessageOut.of(message, [], self._blobs, {}).model_dump(mode="json")
            self._push_to_conversation(conversation_id, {"type": kind, **base, "message": out})
        elif name == "message_status":
            self._push_to_conversation(conversation_id, {"type": "message_status", **payload})
        elif name == "read":
            self._push_to_conversation(conversation_id, {"type": "conversation_read", **payload})
        elif name == "typing":
            kind = "typing_start" if payload["is_typing"] else "typing_stop"
            self._push_to_conversation(
                conversation_id,
                {"type": kind, **base, "user_id": payload["user_id"]},
                skip_user=UUID(payload["user_id"]),
            )
        elif name == "updated":
            self._push_to_conversation(
                conversation_id, {"type": "conversation_updated", **base, **payload}
            )
            if payload["conversation"]["is_deleted"]:
                for connection in list(self._by_conversation.get(conversation_id, ())):
                    await self.leave(connection, conversation_id)
        elif name.startswith("participant_"):
            self._push_to_conversation(conversation_id, {"type": name, **base, **payload})
            if name == "participant_removed":
                removed = UUID(payload["participant"]["user_id"])
                for connection in list(self._by_user.get(removed, ())):
                    await self.leave(connection, conversation_id)

    async def _on_inbox(self, event: Event) -> None:
        if schema_name(event.type) != "inbox.*.conversation_joined":
            return
        user_id = UUID(event.payload["user_id"])
        conversation_id = UUID(event.payload["conversation_id"])
        for connection in list(self._by_user.get(user_id, ())):
            if conversation_id not in connection.conversations:
                await self.join(connection, conversation_id)
                connection.push(
                    {"type": "conversation_joined", "conversation_id": str(conversation_id)}
                )

    async def _on_status(self, event: Event) -> None:
        payload = event.payload
        user_id = UUID(payload["user_id"])
        push = {
            "type": "user_status_change",
            "user_id": payload["user_id"],
            "status": payload["status"],
            "last_seen_at": payload["last_seen_at"],
        }
        reached: set[Connection] = set()
        for conversation_id in payload["conversation_ids"]:
            reached.update(self._by_conversation.get(UUID(conversation_id), ()))
        for connection in reached:
            if connection.user_id != user_id:
                connection.push(push)
