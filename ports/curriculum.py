"""Ports of the curriculum context: a learner's progress through the curriculum (000's
progress summary, curriculum stage, exercise and topic progress), their daily learning
analytics and achievements.

Curriculum stages, exercises and topics are numbered from 1 as in 000; an exercise is named
by (curriculum stage, exercise number)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

ExerciseKey = tuple[int, int]
"""(curriculum stage, exercise number within it)."""


@dataclass
class TopicProgress:
    topic: int
    attempts: int
    best_score: float
    last_score: float
    urdu_used: bool
    """Whether the learner asked for the Urdu hint on any attempt."""
    completed: bool
    time_seconds: int
    completed_at: datetime | None


@dataclass
class ExerciseProgress:
    stage: int
    exercise: int
    current_topic: int
    attempts: int
    total_score: float
    """The sum of every attempt's score (the average's numerator)."""
    last_scores: list[float]
    """The newest scores, oldest first, at most rules.MATURITY_WINDOW of them."""
    best_score: float
    time_seconds: int
    matured: bool
    started_at: datetime
    matured_at: datetime | None
    topics: dict[int, TopicProgress] = field(default_factory=dict)

    @property
    def average_score(self) -> float:
        return self.total_score / self.attempts if self.attempts else 0.0


@dataclass
class StageProgress:
    stage: int
    attempts: int
    total_score: float
    started_at: datetime
    completed_at: datetime | None

    @property
    def average_score(self) -> float:
        return self.total_score / self.attempts if self.attempts else 0.0


@dataclass
class LearnerProgress:
    """000's progress summary with the curriculum stages and exercises it holds: one
    aggregate, changed as a whole by one attempt."""

    user_id: UUID
    time_zone: str
    """The IANA zone whose calendar days count streaks and daily analytics."""
    urdu_enabled: bool
    current_stage: int
    current_exercise: int
    current_topic: int
    unlocked: list[ExerciseKey]
    """Unlocked exercises in curriculum order; a curriculum stage is unlocked with its first."""
    overall_percentage: float
    time_seconds: int
    curriculum_completed_at: datetime | None
    first_activity_at: datetime | None
    last_activity_at: datetime | None
    created_at: datetime
    version: int
    """Bumped by every save: a save of a stale read is a Conflict, not a lost attempt."""
    stages: dict[int, StageProgress] = field(default_factory=dict)
    exercises: dict[ExerciseKey, ExerciseProgress] = field(default_factory=dict)

    @property
    def unlocked_stages(self) -> list[int]:
        return sorted({stage for stage, _ in self.unlocked})


@dataclass
class DailyActivity:
    """000's daily learning analytics: one learner's activity on one day of their calendar."""

    user_id: UUID
    day: date
    attempts: int
    total_score: float
    """The sum of the scores of scored activity (attempts, game sessions)."""
    scored: int
    time_seconds: int
    topics_completed: int
    game_sessions: int
    tutor_turns: int

    @property
    def average_score(self) -> float | None:
        return self.total_score / self.scored if self.scored else None


@dataclass(frozen=True)
class RecordedAttempt:
    """One evaluated topic attempt as it was recorded: what a retry under the same
    idempotency key is answered with, and the history of the learner's scores."""

    id: UUID
    user_id: UUID
    idempotency_key: str | None
    """Chosen by the client, unique per learner: a retried attempt is not counted twice."""
    stage: int
    exercise: int
    topic: int
    score: float
    time_seconds: int
    urdu_used: bool
    attempted_at: datetime
    topic_completed: bool
    exercise_matured: bool
    stage_completed: bool
    curriculum_completed: bool
    unlocked: list[ExerciseKey]
    earned: list[str]
    """Achievements this attempt earned."""


@dataclass(frozen=True)
class Achievement:
    user_id: UUID
    code: str
    """What was achieved (rules.Achievements), once per learner."""
    earned_at: datetime


class LearnerProgressRepository(Protocol):
    async def get(self, user_id: UUID) -> LearnerProgress | None:
        """The learner's progress with its curriculum stages, exercises and topics."""

    async def add(self, progress: LearnerProgress) -> None:
        """Stores new progress; Conflict when the learner has some already."""

    async def save(self, progress: LearnerProgress) -> None:
        """Writes the whole aggregate with version `progress.version + 1` and bumps
        `progress.version`; Conflict when the stored version is no longer `progress.version`
        (another attempt was saved since this one was read)."""


class DailyActivityRepository(Protocol):
    async def add(self, activity: DailyActivity) -> None:
        """Adds the counts of `activity` to the learner's row of that day, creating it, in one
        step: an attempt and a consumer counting on the same day both count."""

    async def active_days(self, user_id: UUID) -> list[date]:
        """Every day with a row, in order."""

    async def between(self, user_id: UUID, first: date, last: date) -> list[DailyActivity]:
        """The rows from `first` to `last` inclusive, in day order."""


class AchievementRepository(Protocol):
    async def list_for_user(self, user_id: UUID) -> list[Achievement]:
        """Oldest first; the code breaks ties."""

    async def add(self, achievement: Achievement) -> None:
        """Conflict when the learner holds that achievement already."""


class TopicAttemptRepository(Protocol):
    async def add(self, attempt: RecordedAttempt) -> None:
        """Conflict when the learner has recorded an attempt under that idempotency key."""

    async def by_key(self, user_id: UUID, idempotency_key: str) -> RecordedAttempt | None:
        """The learner's attempt recorded under that key, if any."""

    async def recent_scores(self, user_id: UUID, limit: int) -> list[float]:
        """The scores of the learner's last `limit` attempts, oldest first (by attempted_at,
        then id)."""
