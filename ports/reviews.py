"""Ports of spaced repetition: the words and phrases a learner reviews, when each is due,
and the scheduler that decides it (FSRS)."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID


class ItemOrigin(StrEnum):
    """Where the learner met the item."""

    CORRECTION = "correction"
    """A tutor's correction of the learner's turn: the corrected form."""
    MISPRONOUNCED = "mispronounced"
    """A word the pronunciation scorer flagged as mispronounced."""
    ADDED = "added"
    """Added by the learner."""


class ReviewPhase(StrEnum):
    """FSRS's card states."""

    LEARNING = "learning"
    REVIEW = "review"
    RELEARNING = "relearning"


class Grade(StrEnum):
    """How well the learner recalled the item (FSRS's ratings)."""

    AGAIN = "again"
    HARD = "hard"
    GOOD = "good"
    EASY = "easy"


@dataclass(frozen=True)
class ReviewSchedule:
    """Where an item stands in its schedule: FSRS's memory state and its next due instant."""

    phase: ReviewPhase
    step: int | None
    """The learning or relearning step; None in the review phase."""
    stability: float | None
    """Days until recall falls to 90%; None before the first review."""
    difficulty: float | None
    """1 (easy) to 10 (hard); None before the first review."""
    due: datetime
    last_review: datetime | None


@dataclass
class ReviewItem:
    id: UUID
    user_id: UUID
    text: str
    key: str
    """The text as compared: one learner has one item per key (case-folded text)."""
    note: str | None
    origin: ItemOrigin
    schedule: ReviewSchedule
    reviews: int
    lapses: int
    """Times a learned item was forgotten (graded again in the review phase)."""
    created_at: datetime


@dataclass(frozen=True)
class ReviewCounts:
    items: int
    learned: int
    """Items that left the learning phase (reviewed at intervals of days)."""
    due: int


class ReviewScheduler(Protocol):
    def review(self, schedule: ReviewSchedule, grade: Grade, now: datetime) -> ReviewSchedule:
        """The schedule after a review graded `grade` at the aware instant `now`. Raises
        ValueError for a naive `now`."""


class ReviewItemRepository(Protocol):
    async def add(self, item: ReviewItem) -> None:
        """Raises domain.errors.Conflict when the learner has an item of that key."""

    async def get(self, item_id: UUID) -> ReviewItem | None: ...

    async def keys(self, user_id: UUID, keys: list[str]) -> set[str]:
        """Those of `keys` the learner has an item of."""

    async def update(self, item: ReviewItem) -> None:
        """Stores schedule, reviews and lapses; domain.errors.NotFound when it is gone."""

    async def delete(self, item_id: UUID) -> None:
        """domain.errors.NotFound when it is gone."""

    async def list_for_user(
        self, user_id: UUID, offset: int, limit: int
    ) -> tuple[list[ReviewItem], int]:
        """One page, newest first, and the total count."""

    async def due(self, user_id: UUID, now: datetime, limit: int) -> tuple[list[ReviewItem], int]:
        """Up to `limit` items due at or before `now`, the longest due first, and how many are
        due in all."""

    async def counts(self, user_id: UUID, now: datetime) -> ReviewCounts: ...
