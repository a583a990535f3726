"""The audit log over the in-memory tables."""

from adapters.memory.tables import Tables, insert, loaded, page
from ports.audit import AuditEntry, AuditFilter


class InMemoryAuditLog:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, entry: AuditEntry) -> None:
        insert(self._tables.audit_entries, entry.id, entry, "audit entry")

    async def add_many(self, entries: list[AuditEntry]) -> None:
        for entry in entries:
            await self.add(entry)

    async def find(
        self, filter: AuditFilter, offset: int, limit: int
    ) -> tuple[list[AuditEntry], int]:
        matching = [
            entry
            for entry in self._tables.audit_entries.values()
            if filter.actor_id in (None, entry.actor_id)
            and filter.entity in (None, entry.entity)
            and filter.entity_id in (None, entry.entity_id)
            and filter.action in (None, entry.action)
            # Both bounds are inclusive.
            and (filter.at_from is None or entry.at >= filter.at_from)
            and (filter.at_to is None or entry.at <= filter.at_to)
        ]
        matching.sort(key=lambda entry: (entry.at, entry.id), reverse=True)
        return loaded(page(matching, offset, limit)), len(matching)
