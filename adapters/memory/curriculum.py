"""Repositories of the curriculum context over the in-memory tables."""

from dataclasses import fields, replace
from datetime import date
from uuid import UUID

from adapters.memory.tables import Tables, insert, loaded, stored
from domain.errors import Conflict
from ports.curriculum import Achievement, DailyActivity, LearnerProgress, RecordedAttempt


class InMemoryLearnerProgressRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def get(self, user_id: UUID) -> LearnerProgress | None:
        return loaded(self._tables.learner_progress.get(user_id))

    async def add(self, progress: LearnerProgress) -> None:
        insert(self._tables.learner_progress, progress.user_id, progress, "progress")

    async def save(self, progress: LearnerProgress) -> None:
        current = self._tables.learner_progress.get(progress.user_id)
        if current is None or current.version != progress.version:
            raise Conflict("This progress changed meanwhile; try again")
        progress.version += 1
        self._tables.learner_progress[progress.user_id] = stored(progress)


class InMemoryDailyActivityRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, activity: DailyActivity) -> None:
        key = (activity.user_id, activity.day)
        held = self._tables.daily_activity.get(key)
        if held is not None:
            activity = replace(
                activity,
                **{
                    f.name: getattr(held, f.name) + getattr(activity, f.name)
                    for f in fields(activity)
                    if f.name not in ("user_id", "day")
                },
            )
        self._tables.daily_activity[key] = stored(activity)

    async def active_days(self, user_id: UUID) -> list[date]:
        return sorted(day for owner, day in self._tables.daily_activity if owner == user_id)

    async def between(self, user_id: UUID, first: date, last: date) -> list[DailyActivity]:
        rows = [
            row
            for (owner, day), row in sorted(self._tables.daily_activity.items())
            if owner == user_id and first <= day <= last
        ]
        return loaded(rows)


class InMemoryAchievementRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def list_for_user(self, user_id: UUID) -> list[Achievement]:
        held = [a for (owner, _), a in self._tables.achievements.items() if owner == user_id]
        return loaded(sorted(held, key=lambda a: (a.earned_at, a.code)))

    async def add(self, achievement: Achievement) -> None:
        key = (achievement.user_id, achievement.code)
        insert(self._tables.achievements, key, replace(achievement), "achievement")


class InMemoryTopicAttemptRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, attempt: RecordedAttempt) -> None:
        insert(
            self._tables.topic_attempts,
            attempt.id,
            attempt,
            "an attempt under this idempotency key",
            lambda a: None if a.idempotency_key is None else (a.user_id, a.idempotency_key),
        )

    async def by_key(self, user_id: UUID, idempotency_key: str) -> RecordedAttempt | None:
        found = (
            a
            for a in self._tables.topic_attempts.values()
            if (a.user_id, a.idempotency_key) == (user_id, idempotency_key)
        )
        return loaded(next(found, None))

    async def recent_scores(self, user_id: UUID, limit: int) -> list[float]:
        mine = sorted(
            (a for a in self._tables.topic_attempts.values() if a.user_id == user_id),
            key=lambda a: (a.attempted_at, a.id),
        )
        return [a.score for a in mine[-limit:]] if limit > 0 else []
