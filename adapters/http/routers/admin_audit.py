"""/admin/audit: the record of every admin write, for admins to read."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from adapters.http.inputs import PageNumber, PageSize, UtcDatetime
from adapters.http.routers.game import Pagination
from adapters.http.security import AdminUser
from adapters.http.services import Services
from domain.audit import log as audit_log
from ports.audit import AuditAction, AuditFilter

router = APIRouter(prefix="/admin/audit", tags=["admin"])


class AuditEntryOut(BaseModel):
    id: UUID
    actor_id: UUID
    action: AuditAction
    entity: str
    entity_id: UUID
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime


class AuditEntryList(BaseModel):
    entries: list[AuditEntryOut]
    pagination: Pagination


@router.get("", response_model=AuditEntryList)
async def list_audit_entries(
    admin: AdminUser,
    services: Services,
    page: PageNumber = 1,
    limit: PageSize = 50,
    actor_id: UUID | None = None,
    entity: Annotated[str | None, Query(max_length=50)] = None,
    entity_id: UUID | None = None,
    action: AuditAction | None = None,
    at_from: UtcDatetime | None = None,
    at_to: UtcDatetime | None = None,
) -> AuditEntryList:
    """Newest first; `entity` is "speech", "tag" or "user" (the panel's); both time bounds
    are inclusive."""
    filter = AuditFilter(actor_id, entity, entity_id, action, at_from, at_to)
    result = await audit_log.list_audit_entries(filter, page, limit, services.unit_of_work())
    return AuditEntryList(
        entries=[AuditEntryOut.model_validate(e, from_attributes=True) for e in result.items],
        pagination=Pagination.of(result),
    )
