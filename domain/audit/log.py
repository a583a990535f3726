"""Use cases of the audit log: recording an admin write beside it, and reading the record."""

import dataclasses
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

from domain.errors import InvalidInput
from domain.paging import Page, page_offset
from ports.audit import AuditAction, AuditEntry, AuditFilter, AuditLog
from ports.unit_of_work import AuditUnitOfWork


def snapshot(value: Any) -> Any:
    """`value` as plain JSON values: what an entry keeps of an entity before and after."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: snapshot(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [snapshot(item) for item in value]
    if isinstance(value, dict):
        return {str(key): snapshot(item) for key, item in value.items()}
    if isinstance(value, Enum):
        return snapshot(value.value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


async def record(
    log: AuditLog,
    actor_id: UUID,
    action: AuditAction,
    entity: str,
    entity_id: UUID,
    before: Any = None,
    after: Any = None,
) -> None:
    """Adds the entry to the caller's open unit of work, so that it commits with the write."""
    await log.add(
        AuditEntry(
            id=uuid4(),
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=snapshot(before) if before is not None else None,
            after=snapshot(after) if after is not None else None,
            at=datetime.now(UTC),
        )
    )


async def list_audit_entries(
    filter: AuditFilter, page: int, limit: int, uow: AuditUnitOfWork
) -> Page[AuditEntry]:
    """The entries matching `filter`, newest first, one page at a time."""
    offset = page_offset(page, limit)
    if filter.at_from and filter.at_to and filter.at_from > filter.at_to:
        raise InvalidInput("at_from must not be after at_to", {"field": "at_from"})
    async with uow:
        entries, total = await uow.audit_log.find(filter, offset, limit)
    return Page(entries, page, limit, total)
