"""The review item repository over one AsyncSession."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.learning import newest_page
from adapters.sql.rows import column_values, from_row, to_row
from adapters.sql.statements import insert_row, update_row
from adapters.sql.tables import ReviewItemRow
from domain.errors import NotFound
from ports.reviews import ItemOrigin, ReviewCounts, ReviewItem, ReviewPhase, ReviewSchedule


def _schedule_values(item: ReviewItem) -> dict[str, Any]:
    schedule = item.schedule
    return column_values(
        schedule,
        "step",
        "stability",
        "difficulty",
        "due",
        "last_review",
        phase=ReviewPhase(schedule.phase).value,
    )


def _item(row: ReviewItemRow) -> ReviewItem:
    schedule = from_row(ReviewSchedule, row, phase=ReviewPhase(row.phase))
    return from_row(ReviewItem, row, origin=ItemOrigin(row.origin), schedule=schedule)


class SqlReviewItemRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, item: ReviewItem) -> None:
        row = to_row(
            ReviewItemRow,
            item,
            origin=ItemOrigin(item.origin).value,
            **_schedule_values(item),
        )
        await insert_row(self._session, "vocabulary item", row)

    async def get(self, item_id: UUID) -> ReviewItem | None:
        row = await self._session.get(ReviewItemRow, item_id)
        return None if row is None else _item(row)

    async def keys(self, user_id: UUID, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        found = await self._session.scalars(
            select(ReviewItemRow.key).where(
                ReviewItemRow.user_id == user_id, ReviewItemRow.key.in_(keys)
            )
        )
        return set(found)

    async def update(self, item: ReviewItem) -> None:
        values = column_values(item, "reviews", "lapses", **_schedule_values(item))
        await update_row(self._session, "vocabulary item", ReviewItemRow, item.id, values)

    async def delete(self, item_id: UUID) -> None:
        result = await self._session.execute(
            delete(ReviewItemRow).where(ReviewItemRow.id == item_id)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound("vocabulary item not found")

    async def list_for_user(
        self, user_id: UUID, offset: int, limit: int
    ) -> tuple[list[ReviewItem], int]:
        rows, total = await newest_page(self._session, ReviewItemRow, user_id, offset, limit)
        return [_item(row) for row in rows], total

    async def due(self, user_id: UUID, now: datetime, limit: int) -> tuple[list[ReviewItem], int]:
        conditions = (ReviewItemRow.user_id == user_id, ReviewItemRow.due <= now)
        total = await self._session.scalar(select(func.count()).where(*conditions))
        rows = await self._session.scalars(
            select(ReviewItemRow)
            .where(*conditions)
            .order_by(ReviewItemRow.due, ReviewItemRow.id)
            .limit(max(limit, 0))
        )
        return [_item(row) for row in rows], total or 0

    async def counts(self, user_id: UUID, now: datetime) -> ReviewCounts:
        learned = case((ReviewItemRow.phase != ReviewPhase.LEARNING.value, 1), else_=0)
        due = case((ReviewItemRow.due <= now, 1), else_=0)
        items, learned_count, due_count = (
            await self._session.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(learned), 0),
                    func.coalesce(func.sum(due), 0),
                ).where(ReviewItemRow.user_id == user_id)
            )
        ).one()
        return ReviewCounts(items, int(learned_count), int(due_count))
