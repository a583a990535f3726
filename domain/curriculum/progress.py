"""Use cases on a learner's progress: start it, record an evaluated topic attempt, read it."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.curriculum import events
from domain.curriculum.rules import (
    DEFAULT_TIME_ZONE,
    AttemptOutcome,
    Streak,
    TopicAttempt,
    achievements_for,
    check_attempt,
    check_time_zone,
    count_attempt,
    empty_day,
    local_day,
    new_progress,
    record_attempt,
    streak,
)
from domain.errors import Forbidden, NotFound, Unauthenticated
from ports.curriculum import Achievement, DailyActivity, ExerciseKey, LearnerProgress
from ports.identity import Role
from ports.unit_of_work import CurriculumUnitOfWork

# How many days of daily activity a progress read shows: four weeks and today.
RECENT_DAYS = 28


@dataclass(frozen=True)
class InitializeProgress:
    time_zone: str = DEFAULT_TIME_ZONE
    urdu_enabled: bool = True


@dataclass(frozen=True)
class AttemptRecord:
    outcome: AttemptOutcome
    progress: LearnerProgress
    streak: Streak
    earned: list[str]
    """Achievements this attempt earned."""


@dataclass(frozen=True)
class ProgressView:
    progress: LearnerProgress
    streak: Streak
    achievements: list[Achievement]
    recent_days: list[DailyActivity]


async def _existing_user(uow: CurriculumUnitOfWork, user_id: UUID) -> None:
    if await uow.users.get(user_id) is None:
        raise Unauthenticated("Account no longer exists")


async def initialize_progress(
    user_id: UUID, cmd: InitializeProgress, now: datetime, uow: CurriculumUnitOfWork
) -> LearnerProgress:
    """Starts the learner at the first topic of A1's first exercise; progress already
    started is returned unchanged, so a client may call this on every sign-in."""
    check_time_zone(cmd.time_zone)
    async with uow:
        await _existing_user(uow, user_id)
        progress = await uow.learner_progress.get(user_id)
        if progress is not None:
            return progress
        progress = new_progress(user_id, cmd.time_zone, cmd.urdu_enabled, now)
        await uow.learner_progress.add(progress)
        await uow.commit()
    return progress


async def record_topic_attempt(
    user_id: UUID,
    attempt: TopicAttempt,
    topic_counts: Mapping[ExerciseKey, int],
    uow: CurriculumUnitOfWork,
) -> AttemptRecord:
    """Applies an evaluated attempt (its score from the scorer or the assessment) to the
    learner's progress, their day's activity, streak and achievements, in one transaction
    with its event. A learner without progress starts it here (time zone UTC)."""
    check_attempt(attempt, topic_counts)
    async with uow:
        await _existing_user(uow, user_id)
        progress = await uow.learner_progress.get(user_id)
        if progress is None:
            progress = new_progress(user_id, DEFAULT_TIME_ZONE, True, attempt.attempted_at)
            await uow.learner_progress.add(progress)
        first_attempt = progress.first_activity_at is None
        outcome = record_attempt(progress, attempt, topic_counts)
        day = local_day(attempt.attempted_at, progress.time_zone)
        activity = await uow.daily_activity.get(user_id, day) or empty_day(user_id, day)
        count_attempt(activity, attempt, outcome.topic_completed)
        await uow.daily_activity.save(activity)
        current = streak(await uow.daily_activity.active_days(user_id), day)
        held = {a.code for a in await uow.achievements.list_for_user(user_id)}
        earned = (
            achievements_for(current, attempt.score, first_attempt, outcome, attempt.stage) - held
        )
        for code in sorted(earned):
            await uow.achievements.add(Achievement(user_id, code, attempt.attempted_at))
        await uow.learner_progress.save(progress)
        await uow.outbox.add(events.topic_attempt_recorded(user_id, attempt, outcome))
        await uow.commit()
    return AttemptRecord(outcome, progress, current, sorted(earned))


def check_may_read(viewer_id: UUID, viewer_role: Role, learner_id: UUID) -> None:
    """A learner reads their own progress, an admin anyone's; Forbidden otherwise."""
    if viewer_id != learner_id and viewer_role is not Role.ADMIN:
        raise Forbidden("This progress belongs to another learner")


async def get_progress(
    viewer_id: UUID,
    viewer_role: Role,
    learner_id: UUID,
    now: datetime,
    uow: CurriculumUnitOfWork,
) -> ProgressView:
    """The learner's progress with their streak as of `now` on their calendar, their
    achievements and the last RECENT_DAYS days of activity. NotFound before it started."""
    check_may_read(viewer_id, viewer_role, learner_id)
    async with uow:
        progress = await uow.learner_progress.get(learner_id)
        if progress is None:
            raise NotFound("This learner has not started the curriculum")
        today: date = local_day(now, progress.time_zone)
        days = await uow.daily_activity.active_days(learner_id)
        achievements = await uow.achievements.list_for_user(learner_id)
        recent = await uow.daily_activity.between(
            learner_id, today - timedelta(days=RECENT_DAYS), today
        )
    return ProgressView(progress, streak(days, today), achievements, recent)
