"""The in-memory database's tables: one dict per table, keyed like the SQL table's primary
key, holding copies that no caller can reach."""

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID

from domain.errors import Conflict, NotFound
from ports.audit import AuditEntry
from ports.classes import ClassMember, Classroom
from ports.content import Speech, Tag, UploadBatch, UploadedAudio
from ports.courses import (
    Chapter,
    ChapterCompletion,
    Course,
    HybridUsage,
    PremiumFeature,
    Quiz,
    QuizAttempt,
    Streak,
    Subscription,
)
from ports.curriculum import Achievement, DailyActivity, LearnerProgress, RecordedAttempt
from ports.events import Event
from ports.identity import LoginSession, PasswordReset, User
from ports.learning import (
    Assessment,
    LearningPlan,
    LearningProfile,
    LearningSettings,
    PronunciationAnalysis,
)
from ports.messaging import Conversation, Message, Participant, Receipt, UserStatus
from ports.practice import GameSession
from ports.reviews import ReviewItem
from ports.tutoring import TutorMessage, TutorSession

T = TypeVar("T")


@dataclass
class Tables:
    users: dict[UUID, User] = field(default_factory=dict)
    login_sessions: dict[UUID, LoginSession] = field(default_factory=dict)
    password_resets: dict[UUID, PasswordReset] = field(default_factory=dict)
    tags: dict[UUID, Tag] = field(default_factory=dict)
    # Speeches are kept without their tags: `speech_tags` links them, as in SQL.
    speeches: dict[UUID, Speech] = field(default_factory=dict)
    speech_tags: dict[tuple[UUID, UUID], None] = field(default_factory=dict)
    game_sessions: dict[UUID, GameSession] = field(default_factory=dict)
    conversations: dict[UUID, Conversation] = field(default_factory=dict)
    participants: dict[tuple[UUID, UUID], Participant] = field(default_factory=dict)
    messages: dict[UUID, Message] = field(default_factory=dict)
    receipts: dict[tuple[UUID, UUID], Receipt] = field(default_factory=dict)
    user_statuses: dict[UUID, UserStatus] = field(default_factory=dict)
    tutor_sessions: dict[UUID, TutorSession] = field(default_factory=dict)
    tutor_messages: dict[UUID, TutorMessage] = field(default_factory=dict)
    learning_profiles: dict[UUID, LearningProfile] = field(default_factory=dict)
    pronunciation_analyses: dict[UUID, PronunciationAnalysis] = field(default_factory=dict)
    assessments: dict[UUID, Assessment] = field(default_factory=dict)
    learning_settings: dict[UUID, LearningSettings] = field(default_factory=dict)
    review_items: dict[UUID, ReviewItem] = field(default_factory=dict)
    learning_plans: dict[UUID, LearningPlan] = field(default_factory=dict)
    learner_progress: dict[UUID, LearnerProgress] = field(default_factory=dict)
    daily_activity: dict[tuple[UUID, date], DailyActivity] = field(default_factory=dict)
    achievements: dict[tuple[UUID, str], Achievement] = field(default_factory=dict)
    topic_attempts: dict[UUID, RecordedAttempt] = field(default_factory=dict)
    classrooms: dict[UUID, Classroom] = field(default_factory=dict)
    class_members: dict[tuple[UUID, str], ClassMember] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    chapters: dict[str, Chapter] = field(default_factory=dict)
    quizzes: dict[str, Quiz] = field(default_factory=dict)
    quiz_attempts: dict[UUID, QuizAttempt] = field(default_factory=dict)
    chapter_completions: dict[tuple[UUID, str], ChapterCompletion] = field(default_factory=dict)
    streaks: dict[UUID, Streak] = field(default_factory=dict)
    subscriptions: dict[UUID, Subscription] = field(default_factory=dict)
    premium_daily_usage: dict[tuple[UUID, date, PremiumFeature], int] = field(default_factory=dict)
    hybrid_usage: dict[tuple[UUID, str], HybridUsage] = field(default_factory=dict)
    handled_events: dict[tuple[str, str], datetime] = field(default_factory=dict)
    audit_entries: dict[UUID, AuditEntry] = field(default_factory=dict)
    # Batches are kept without their files: `uploaded_files` holds them, as in SQL.
    upload_batches: dict[UUID, UploadBatch] = field(default_factory=dict)
    uploaded_files: dict[UUID, UploadedAudio] = field(default_factory=dict)
    outbox: list[Event] = field(default_factory=list)
    """Committed events, in the order they were added; nothing relays them."""

    def copy(self) -> "Tables":
        return copy.deepcopy(self)

    def apply(self, base: "Tables", changed: "Tables") -> None:
        """Applies to these tables the writes that turned `base` into `changed`: rows that
        one unit of work did not touch keep what other units of work committed meanwhile."""
        for table in fields(self):
            if table.name == "outbox":
                self.outbox.extend(changed.outbox[len(base.outbox) :])
                continue
            rows, before, after = (getattr(t, table.name) for t in (self, base, changed))
            for key in before.keys() - after.keys():
                rows.pop(key, None)
            for key, row in after.items():
                if key not in before or before[key] != row:
                    rows[key] = row


def stored(value: T) -> T:
    """A copy fit to keep: datetimes in UTC, naive ones refused (as SQL refuses them)."""
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: persist aware datetimes only")
        return value.astimezone(UTC)  # type: ignore[return-value]
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: stored(getattr(value, f.name)) for f in fields(value) if f.init}
        return replace(value, **changes)  # type: ignore[return-value]
    if isinstance(value, list):
        return [stored(item) for item in value]  # type: ignore[return-value]
    if isinstance(value, dict):
        return {key: stored(item) for key, item in value.items()}  # type: ignore[return-value]
    return value


def loaded(value: T) -> T:
    """A copy for a caller, which may change it without changing the table."""
    return copy.deepcopy(value)


def insert(rows: dict[Any, T], key: Any, row: T, what: str, *unique: Callable[[T], Any]) -> None:
    """Adds a row, or raises Conflict (writing nothing) when its key or one of its `unique`
    values is taken. A None value is never taken, as NULLs are distinct in SQL."""
    if key in rows or _taken(rows.values(), row, unique):
        raise Conflict(f"{what} already exists")
    rows[key] = stored(row)


def update(
    rows: dict[Any, T],
    key: Any,
    row: T,
    what: str,
    *unique: Callable[[T], Any],
    keep: tuple[str, ...] = (),
) -> None:
    """Replaces a row but for its `keep` fields, which the SQL UPDATE leaves alone too;
    NotFound when it is gone, Conflict when it would take another row's `unique` value."""
    current = rows.get(key)
    if current is None:
        raise NotFound(f"{what} not found")
    row = replace(row, **{name: getattr(current, name) for name in keep})  # type: ignore[type-var]
    others = (other for other_key, other in rows.items() if other_key != key)
    if _taken(others, row, unique):
        raise Conflict(f"{what} conflicts with an existing one")
    rows[key] = stored(row)


def _taken(rows: Iterable[T], row: T, unique: tuple[Callable[[T], Any], ...]) -> bool:
    others = list(rows)
    for key in unique:
        value = key(row)
        if value is not None and any(key(other) == value for other in others):
            return True
    return False


def delete_where(rows: dict[Any, T], doomed: Callable[[T], bool]) -> None:
    for key in [key for key, row in rows.items() if doomed(row)]:
        del rows[key]


def page(rows: list[T], offset: int, limit: int) -> list[T]:
    """One page, as OFFSET and LIMIT give it (negative values count as zero)."""
    start = max(offset, 0)
    return rows[start : start + max(limit, 0)]
