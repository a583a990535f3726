"""What every kind of record in a learner's record shares: it is the learner's own, and it is
listed a page at a time, newest first."""

from collections.abc import Callable
from typing import Protocol, TypeVar
from uuid import UUID

from domain.errors import Forbidden, NotFound
from domain.paging import Page, page_offset
from ports.unit_of_work import LearningUnitOfWork


class Owned(Protocol):
    @property
    def user_id(self) -> UUID | None: ...


R = TypeVar("R", bound=Owned)


class LearnerRecords(Protocol[R]):
    async def list_for_user(
        self, user_id: UUID, offset: int, limit: int
    ) -> tuple[list[R], int]: ...


def require_own(record: R | None, user_id: UUID, what: str) -> R:
    """The record; NotFound when there is none, Forbidden when it is another learner's.
    `what` names it in the message ("Learning plan")."""
    if record is None:
        raise NotFound(f"{what} not found")
    if record.user_id != user_id:
        raise Forbidden(f"This {what.lower()} belongs to another user")
    return record


async def learner_page(
    records: Callable[[LearningUnitOfWork], LearnerRecords[R]],
    user_id: UUID,
    page: int,
    limit: int,
    uow: LearningUnitOfWork,
) -> Page[R]:
    """One page of the learner's records of the repository `records` picks from the unit of
    work."""
    offset = page_offset(page, limit)
    async with uow:
        found, total = await records(uow).list_for_user(user_id, offset, limit)
    return Page(found, page, limit, total)
