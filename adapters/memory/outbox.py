"""The outbox and the handled-event claims over the in-memory tables."""

from datetime import UTC, datetime

from adapters.memory.tables import Tables, stored
from ports.events import Event


class InMemoryOutbox:
    """Implements ports.outbox.Outbox: events join `InMemoryDatabase.outbox` on commit."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        self.added = False

    async def add(self, event: Event) -> None:
        self._tables.outbox.append(stored(event))
        self.added = True


class InMemoryHandledEvents:
    """Implements ports.outbox.HandledEvents."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def claim(self, consumer: str, event_id: str) -> bool:
        claims = self._tables.handled_events
        if (consumer, event_id) in claims:
            return False
        claims[consumer, event_id] = datetime.now(UTC)
        return True
