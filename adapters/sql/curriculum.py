"""Repositories of the curriculum context over one AsyncSession."""

from dataclasses import asdict
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.rows import from_row, to_row
from adapters.sql.statements import insert_row, upsert_adding
from adapters.sql.tables import (
    AchievementRow,
    DailyActivityRow,
    LearnerProgressRow,
    TopicAttemptRow,
)
from domain.errors import Conflict
from ports.curriculum import (
    Achievement,
    DailyActivity,
    ExerciseProgress,
    LearnerProgress,
    RecordedAttempt,
    StageProgress,
    TopicProgress,
)

_TIMES = ("started_at", "completed_at", "matured_at")


def _to_json(entity: Any) -> dict[str, Any]:
    """An entity of the progress document, its instants as ISO 8601 strings."""
    document = asdict(entity)
    for name in _TIMES:
        if isinstance(document.get(name), datetime):
            document[name] = document[name].isoformat()
    return document


def _times(document: dict[str, Any]) -> dict[str, Any]:
    return document | {
        name: datetime.fromisoformat(document[name])
        for name in _TIMES
        if document.get(name) is not None
    }


def _exercise_to_json(exercise: ExerciseProgress) -> dict[str, Any]:
    return _to_json(exercise) | {"topics": [_to_json(t) for t in exercise.topics.values()]}


def _exercise(document: dict[str, Any]) -> ExerciseProgress:
    topics = [TopicProgress(**_times(t)) for t in document["topics"]]
    return ExerciseProgress(**_times(document) | {"topics": {t.topic: t for t in topics}})


def _document(progress: LearnerProgress) -> dict[str, Any]:
    return {
        "unlocked": [list(key) for key in progress.unlocked],
        "stages": [_to_json(s) for s in progress.stages.values()],
        "exercises": [_exercise_to_json(e) for e in progress.exercises.values()],
    }


def _progress(row: LearnerProgressRow) -> LearnerProgress:
    stages = [StageProgress(**_times(s)) for s in row.stages]
    exercises = [_exercise(e) for e in row.exercises]
    return from_row(
        LearnerProgress,
        row,
        unlocked=[(stage, exercise) for stage, exercise in row.unlocked],
        stages={s.stage: s for s in stages},
        exercises={(e.stage, e.exercise): e for e in exercises},
    )


class SqlLearnerProgressRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: UUID) -> LearnerProgress | None:
        row = await self._session.get(LearnerProgressRow, user_id, populate_existing=True)
        return None if row is None else _progress(row)

    async def add(self, progress: LearnerProgress) -> None:
        row = to_row(LearnerProgressRow, progress, **_document(progress))
        await insert_row(self._session, "progress", row)

    async def save(self, progress: LearnerProgress) -> None:
        values = {
            name: getattr(progress, name)
            for name in LearnerProgressRow.__mapper__.column_attrs.keys()
            if name not in ("user_id", "version", "unlocked", "stages", "exercises")
        }
        statement = (
            update(LearnerProgressRow)
            .where(
                LearnerProgressRow.user_id == progress.user_id,
                LearnerProgressRow.version == progress.version,
            )
            .values(**values, **_document(progress), version=progress.version + 1)
            .execution_options(synchronize_session=False)
        )
        result = await self._session.execute(statement)
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("This progress changed meanwhile; try again")
        progress.version += 1


class SqlDailyActivityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, activity: DailyActivity) -> None:
        values = {c: getattr(activity, c) for c in DailyActivityRow.__mapper__.column_attrs.keys()}
        await self._session.execute(
            upsert_adding(self._session, DailyActivityRow, values, ["user_id", "day"])
        )

    async def active_days(self, user_id: UUID) -> list[date]:
        days = await self._session.scalars(
            select(DailyActivityRow.day)
            .where(DailyActivityRow.user_id == user_id)
            .order_by(DailyActivityRow.day)
        )
        return list(days)

    async def between(self, user_id: UUID, first: date, last: date) -> list[DailyActivity]:
        rows = await self._session.scalars(
            select(DailyActivityRow)
            .where(
                DailyActivityRow.user_id == user_id,
                DailyActivityRow.day >= first,
                DailyActivityRow.day <= last,
            )
            .order_by(DailyActivityRow.day)
            .execution_options(populate_existing=True)
        )
        return [from_row(DailyActivity, row) for row in rows]


class SqlAchievementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_for_user(self, user_id: UUID) -> list[Achievement]:
        rows = await self._session.scalars(
            select(AchievementRow)
            .where(AchievementRow.user_id == user_id)
            .order_by(AchievementRow.earned_at, AchievementRow.code)
        )
        return [from_row(Achievement, row) for row in rows]

    async def add(self, achievement: Achievement) -> None:
        await insert_row(self._session, "achievement", to_row(AchievementRow, achievement))


class SqlTopicAttemptRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, attempt: RecordedAttempt) -> None:
        row = to_row(TopicAttemptRow, attempt, unlocked=[list(key) for key in attempt.unlocked])
        await insert_row(self._session, "an attempt under this idempotency key", row)

    async def by_key(self, user_id: UUID, idempotency_key: str) -> RecordedAttempt | None:
        row = await self._session.scalar(
            select(TopicAttemptRow).where(
                TopicAttemptRow.user_id == user_id,
                TopicAttemptRow.idempotency_key == idempotency_key,
            )
        )
        if row is None:
            return None
        return from_row(
            RecordedAttempt, row, unlocked=[(stage, exercise) for stage, exercise in row.unlocked]
        )

    async def recent_scores(self, user_id: UUID, limit: int) -> list[float]:
        scores = await self._session.scalars(
            select(TopicAttemptRow.score)
            .where(TopicAttemptRow.user_id == user_id)
            .order_by(TopicAttemptRow.attempted_at.desc(), TopicAttemptRow.id.desc())
            .limit(limit)
        )
        return list(reversed(list(scores)))
