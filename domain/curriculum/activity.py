"""Learning done outside the curriculum counts too: a finished game session and a tutor turn
add to the learner's day (daily analytics), and so to their streak and achievements.

Each is a durable consumer of the other context's event. It applies an event once: the
event is claimed in handled_events in the transaction of the effect, so a redelivery (a
crash before the acknowledgement, a retry) finds the claim and changes nothing, and a
consumer killed before committing leaves the event to be delivered again. Days and streaks
do not depend on the order events arrive in (rules.streak takes days in any order)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.curriculum.rules import (
    DEFAULT_TIME_ZONE,
    achievements_for,
    count_game_session,
    count_tutor_turn,
    empty_day,
    local_day,
    streak,
)
from ports.curriculum import Achievement, DailyActivity
from ports.events import Event
from ports.unit_of_work import LearningActivityUnitOfWork

GAME_SESSIONS_CONSUMER = "learning-activity-games"
TUTOR_TURNS_CONSUMER = "learning-activity-tutor"


async def _count_once(
    consumer: str,
    event: Event,
    user_id: UUID,
    at: datetime,
    count: Callable[[LearningActivityUnitOfWork, DailyActivity], Awaitable[None]],
    uow: LearningActivityUnitOfWork,
) -> bool:
    """Counts on the learner's day of `at` (their time zone; UTC before they set one), then
    awards the streak achievements the day earns, in the transaction that claims the event.
    False when the event was applied before (or its learner is gone): nothing changes."""
    async with uow:
        if not await uow.handled_events.claim(consumer, event.id):
            return False
        if await uow.users.get(user_id) is None:
            await uow.commit()
            return False
        progress = await uow.learner_progress.get(user_id)
        day = local_day(at, progress.time_zone if progress is not None else DEFAULT_TIME_ZONE)
        counted = empty_day(user_id, day)
        await count(uow, counted)
        await uow.daily_activity.add(counted)
        current = streak(await uow.daily_activity.active_days(user_id), day)
        held = {a.code for a in await uow.achievements.list_for_user(user_id)}
        for code in sorted(achievements_for(current) - held):
            await uow.achievements.add(Achievement(user_id, code, at))
        await uow.commit()
    return True


async def count_finished_game(event: Event, uow: LearningActivityUnitOfWork) -> bool:
    """game_session.completed: one game session on that day, its average pronunciation
    score as one scored activity (none for listen-only) and its duration."""
    payload = event.payload

    async def game(uow: LearningActivityUnitOfWork, day: DailyActivity) -> None:
        session = await uow.game_sessions.get(UUID(payload["session_id"]))
        # A session deleted since keeps its count, not its time.
        seconds = session.duration_seconds if session is not None else 0
        count_game_session(day, payload["avg_pronunciation_score"], seconds)

    at = datetime.fromisoformat(payload["completed_at"])
    user_id = UUID(payload["user_id"])
    return await _count_once(GAME_SESSIONS_CONSUMER, event, user_id, at, game, uow)


async def count_tutor_turn_taken(event: Event, uow: LearningActivityUnitOfWork) -> bool:
    """tutor_session.turn_taken: one tutor turn on that day."""

    async def turn(uow: LearningActivityUnitOfWork, day: DailyActivity) -> None:
        count_tutor_turn(day)

    at = datetime.fromisoformat(event.payload["taken_at"])
    user_id = UUID(event.payload["user_id"])
    return await _count_once(TUTOR_TURNS_CONSUMER, event, user_id, at, turn, uow)


@dataclass(frozen=True)
class ActivityConsumer:
    name: str
    event_type: str
    apply: Callable[[Event, LearningActivityUnitOfWork], Awaitable[bool]]


ACTIVITY_CONSUMERS = (
    ActivityConsumer(GAME_SESSIONS_CONSUMER, "game_session.completed", count_finished_game),
    ActivityConsumer(TUTOR_TURNS_CONSUMER, "tutor_session.turn_taken", count_tutor_turn_taken),
)
"""The durable consumers the composition root starts on the event bus."""
