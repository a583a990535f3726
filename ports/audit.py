"""Ports of the audit context: the record of every admin write."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True)
class AuditEntry:
    """One admin write: who (`actor_id`, an admin's user id), what (`action` on the
    `entity` kind with `entity_id`), when (`at`), and the entity as plain JSON values
    before and after it (None before a create and after a delete)."""

    id: UUID
    actor_id: UUID
    action: AuditAction
    entity: str
    entity_id: UUID
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime


@dataclass(frozen=True)
class AuditFilter:
    """None matches anything; `at_from` and `at_to` are both inclusive."""

    actor_id: UUID | None = None
    entity: str | None = None
    entity_id: UUID | None = None
    action: AuditAction | None = None
    at_from: datetime | None = None
    at_to: datetime | None = None


class AuditLog(Protocol):
    async def add(self, entry: AuditEntry) -> None:
        """Records the entry in the unit of work's transaction: it is committed with the
        write it describes, or not at all."""

    async def add_many(self, entries: list[AuditEntry]) -> None:
        """Records new entries as `add` does, in one round trip."""

    async def find(
        self, filter: AuditFilter, offset: int, limit: int
    ) -> tuple[list[AuditEntry], int]:
        """One page of the entries matching `filter`, newest first, and how many match."""
