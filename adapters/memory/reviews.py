"""The review item repository over the in-memory tables."""

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from adapters.memory.learning import newest_first
from adapters.memory.tables import Tables, insert, loaded, page, update
from domain.errors import NotFound
from ports.reviews import ReviewCounts, ReviewItem, ReviewPhase


def _key(item: ReviewItem) -> tuple[UUID, str]:
    return item.user_id, item.key


class InMemoryReviewItemRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, item: ReviewItem) -> None:
        insert(self._tables.review_items, item.id, item, "vocabulary item", _key)

    async def get(self, item_id: UUID) -> ReviewItem | None:
        return loaded(self._tables.review_items.get(item_id))

    async def keys(self, user_id: UUID, keys: list[str]) -> set[str]:
        wanted = set(keys)
        return {i.key for i in self._mine(user_id) if i.key in wanted}

    async def update(self, item: ReviewItem) -> None:
        current = self._tables.review_items.get(item.id)
        if current is None:
            raise NotFound("vocabulary item not found")
        changed = replace(current, schedule=item.schedule, reviews=item.reviews, lapses=item.lapses)
        update(self._tables.review_items, item.id, changed, "vocabulary item")

    async def delete(self, item_id: UUID) -> None:
        if self._tables.review_items.pop(item_id, None) is None:
            raise NotFound("vocabulary item not found")

    async def list_for_user(
        self, user_id: UUID, offset: int, limit: int
    ) -> tuple[list[ReviewItem], int]:
        return newest_first(self._mine(user_id), offset, limit)

    async def due(self, user_id: UUID, now: datetime, limit: int) -> tuple[list[ReviewItem], int]:
        due = sorted(
            (i for i in self._mine(user_id) if i.schedule.due <= now),
            key=lambda i: (i.schedule.due, i.id),
        )
        return loaded(page(due, 0, limit)), len(due)

    async def counts(self, user_id: UUID, now: datetime) -> ReviewCounts:
        items = self._mine(user_id)
        return ReviewCounts(
            items=len(items),
            learned=sum(1 for i in items if i.schedule.phase is not ReviewPhase.LEARNING),
            due=sum(1 for i in items if i.schedule.due <= now),
        )

    def _mine(self, user_id: UUID) -> list[ReviewItem]:
        return [i for i in self._tables.review_items.values() if i.user_id == user_id]
