"""Domain events and the bus that carries them between use cases, replicas and projections.

A use case publishes an event after its state change is committed. Two kinds of delivery:

- Fan-out (`subscribe`): every live subscriber in every process gets the event, e.g. to push
  it over a WebSocket. Nothing is stored: a subscriber gets only events published after its
  `subscribe` returned, and misses those published while it or the bus was disconnected.
- Durable (`consume`): events published with `durable=True` are stored until every durable
  consumer has handled them. Each named consumer (e.g. "progress-projection") may run in many
  instances that compete: each event goes to ONE instance. Delivery is at-least-once, so
  handlers must be idempotent, keyed on `Event.id`.

Event types and patterns are dot-separated tokens of letters, digits, '_' and '-'
("game_session.completed", "conversation.42.message_sent"). A pattern token may also be
`*`, matching exactly one token ("message.*" matches "message.sent" but not "message" or
"message.sent.late"), or, as the last token only, `>`, matching one or more remaining tokens
("conversation.42.>" matches "conversation.42.message_sent" and "conversation.42.a.b").
"""

import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Event:
    """Something that happened, as JSON: `payload`'s shape is fixed by (`type`, `version`), so
    consumers can keep reading old versions while publishers move to new ones."""

    id: str
    type: str
    version: int
    occurred_at: datetime
    payload: dict[str, Any]

    def __post_init__(self) -> None:
        if not self.id or any(c.isspace() for c in self.id):
            raise ValueError(f"An event id must be non-empty without spaces: {self.id!r}")
        if not all(_TOKEN.fullmatch(token) for token in self.type.split(".")):
            raise ValueError(f"Invalid event type: {self.type!r}")
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 1:
            raise ValueError(f"An event version must be a positive integer: {self.version!r}")
        if self.occurred_at.utcoffset() is None:
            raise ValueError("occurred_at must be timezone-aware")
        if not isinstance(self.payload, dict):
            raise ValueError("An event payload must be a JSON object")
        object.__setattr__(self, "occurred_at", self.occurred_at.astimezone(UTC))

    @classmethod
    def create(cls, type: str, payload: dict[str, Any], *, version: int = 1) -> "Event":
        """A new event with a fresh id, occurring now."""
        return cls(str(uuid.uuid4()), type, version, datetime.now(UTC), payload)

    def to_json(self) -> bytes:
        """Raises TypeError or ValueError when the payload is not JSON-compatible."""
        document = {
            "id": self.id,
            "type": self.type,
            "version": self.version,
            "occurred_at": self.occurred_at.isoformat(),
            "payload": self.payload,
        }
        return json.dumps(document, ensure_ascii=False, allow_nan=False).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "Event":
        """Raises ValueError when `data` is not an event."""
        try:
            document = json.loads(data)
            return cls(
                id=document["id"],
                type=document["type"],
                version=document["version"],
                occurred_at=datetime.fromisoformat(document["occurred_at"]),
                payload=document["payload"],
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"Not an event: {error!r}") from error


def validate_event_type_pattern(pattern: str) -> str:
    """Returns `pattern` if it follows the syntax in this module's docstring, else ValueError."""
    tokens = pattern.split(".")
    for position, token in enumerate(tokens):
        is_tail = token == ">" and position == len(tokens) - 1
        if not (token == "*" or is_tail or _TOKEN.fullmatch(token)):
            raise ValueError(f"Invalid event type pattern: {pattern!r}")
    return pattern


def validate_consumer_name(consumer: str) -> str:
    """Returns `consumer` if it is one token (letters, digits, '_', '-'), else ValueError."""
    if not _TOKEN.fullmatch(consumer):
        raise ValueError(f"Invalid consumer name: {consumer!r}")
    return consumer


EventHandler = Callable[[Event], Awaitable[None]]


class Subscription(Protocol):
    async def stop(self) -> None:
        """Ends delivery: once this returns the handler is not called again. A durable event
        whose handling was interrupted is redelivered to another (or a later) instance.
        Stopping twice is harmless."""


class EventBus(Protocol):
    """Delivery guarantees:

    - Order: events published by one process on one event type reach a fan-out subscriber,
      and a durable consumer running as a single instance, in publication order. A retried
      event comes after the events published behind it, and competing instances interleave.
    - Fan-out is at-most-once per publish: nothing is retried or stored.
    - Durable consumption is at-least-once: an event may be handled again after a crash, a
      lost acknowledgement or a slow handler (one exceeding the adapter's ack wait), so a
      handler must apply each `Event.id` once (e.g. record applied ids in the same
      transaction as the effect).
    """

    async def publish(self, event: Event, *, durable: bool = False) -> None:
        """Sends `event` to the fan-out subscribers whose pattern matches its type.

        With `durable=True` the event is also stored until every durable consumer whose
        pattern matches has handled it, and this returns only once it is stored. Publishing
        the same `Event.id` durably again within a de-duplication window (two minutes) stores
        nothing more: consumers handle it once, though fan-out subscribers see it again.
        Raises ValueError/TypeError for a payload that is not JSON, and
        domain.errors.ServiceUnavailable when the bus cannot take the event."""

    async def subscribe(self, event_type_pattern: str, handler: EventHandler) -> Subscription:
        """Fan-out: `handler` gets every matching event published, by any process, after this
        returns, durable or not. Handlers of one subscription run one at a time; an exception
        is logged and the event is dropped. Raises ValueError for an invalid pattern."""

    async def consume(
        self, consumer: str, event_type_pattern: str, handler: EventHandler
    ) -> Subscription:
        """Durable, competing consumption by the consumer named `consumer`.

        The consumer is created on first use and then receives every matching durable event
        published from then on, including those published while none of its instances runs.
        Each event goes to one running instance; it is acknowledged when `handler` returns.
        When `handler` raises, the event is redelivered after a growing delay; after the
        adapter's maximum number of deliveries it is moved to the dead letters (with the
        consumer's name and the error) and no longer redelivered.

        A consumer's pattern is fixed when it is created: reusing the name with another
        pattern raises ValueError, as do invalid names (one token) and patterns."""

    async def close(self) -> None:
        """Stops every subscription, cancelling running handlers, and releases the
        connection after sending what was published."""
