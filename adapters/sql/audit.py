"""The audit log over one AsyncSession."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.rows import column_values, from_row, to_row
from adapters.sql.statements import insert_row, insert_rows
from adapters.sql.tables import AuditEntryRow
from ports.audit import AuditAction, AuditEntry, AuditFilter


class SqlAuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, entry: AuditEntry) -> None:
        row = to_row(AuditEntryRow, entry, action=AuditAction(entry.action).value)
        await insert_row(self._session, "audit entry", row)

    async def add_many(self, entries: list[AuditEntry]) -> None:
        values = [
            column_values(
                e,
                "id",
                "actor_id",
                "entity",
                "entity_id",
                "before",
                "after",
                "at",
                action=AuditAction(e.action).value,
            )
            for e in entries
        ]
        await insert_rows(self._session, AuditEntryRow, values)

    async def find(
        self, filter: AuditFilter, offset: int, limit: int
    ) -> tuple[list[AuditEntry], int]:
        conditions: list[Any] = []
        if filter.actor_id is not None:
            conditions.append(AuditEntryRow.actor_id == filter.actor_id)
        if filter.entity is not None:
            conditions.append(AuditEntryRow.entity == filter.entity)
        if filter.entity_id is not None:
            conditions.append(AuditEntryRow.entity_id == filter.entity_id)
        if filter.action is not None:
            conditions.append(AuditEntryRow.action == AuditAction(filter.action).value)
        if filter.at_from is not None:
            conditions.append(AuditEntryRow.at >= filter.at_from)
        if filter.at_to is not None:
            conditions.append(AuditEntryRow.at <= filter.at_to)
        total = await self._session.scalar(
            select(func.count()).select_from(AuditEntryRow).where(*conditions)
        )
        rows = await self._session.scalars(
            select(AuditEntryRow)
            .where(*conditions)
            .order_by(AuditEntryRow.at.desc(), AuditEntryRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        entries = [from_row(AuditEntry, row, action=AuditAction(row.action)) for row in rows]
        return entries, total or 0
