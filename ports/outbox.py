"""The outbox: events written in the same transaction as the change that implies them; and
its counterpart for consumers, the events they have already handled."""

from typing import Protocol

from ports.events import Event


class Outbox(Protocol):
    """Events added here are published durably (with `Event.id` as the de-duplication id)
    after the unit of work commits, and never if it rolls back. Publication is
    at-least-once and in the order the events were added."""

    async def add(self, event: Event) -> None: ...


class HandledEvents(Protocol):
    """What makes a durable consumer's handler idempotent: it claims the event in the unit of
    work that applies its effect, and applies nothing when the claim fails."""

    async def claim(self, consumer: str, event_id: str) -> bool:
        """True the first time `consumer` claims `event_id`; the claim is committed or rolled
        back with the unit of work."""
