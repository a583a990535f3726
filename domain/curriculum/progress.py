"""Use cases on a learner's progress: start it, record an evaluated topic attempt, read it."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from domain.curriculum import events
from domain.curriculum.content import Curriculum, Topic
from domain.curriculum.evaluation import Answer, AttemptEvaluation, AttemptEvaluators
from domain.curriculum.rules import (
    DEFAULT_TIME_ZONE,
    FIRST,
    MATURITY_WINDOW,
    AttemptOutcome,
    FluencyTrend,
    NextUnlock,
    Streak,
    TopicAttempt,
    achievements_for,
    check_attempt,
    check_time_zone,
    count_attempt,
    empty_day,
    fluency_trend,
    local_day,
    new_progress,
    next_unlock,
    record_attempt,
    streak,
)
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from ports.curriculum import (
    Achievement,
    DailyActivity,
    ExerciseKey,
    ExerciseProgress,
    LearnerProgress,
    RecordedAttempt,
)
from ports.identity import Role
from ports.unit_of_work import CurriculumUnitOfWork

# How many days of daily activity a progress read shows: four weeks and today.
RECENT_DAYS = 28
# Room for a UUID or any client's request id, short enough to index.
MAX_IDEMPOTENCY_KEY_CHARS = 100


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
    recorded: RecordedAttempt


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


async def change_time_zone(
    user_id: UUID, time_zone: str, now: datetime, uow: CurriculumUnitOfWork
) -> LearnerProgress:
    """The learner's calendar from now on: days already counted keep their date (a streak
    is not rewritten by a move); progress not started yet starts in that zone."""
    check_time_zone(time_zone)
    async with uow:
        await _existing_user(uow, user_id)
        progress = await uow.learner_progress.get(user_id)
        if progress is None:
            progress = new_progress(user_id, time_zone, True, now)
            await uow.learner_progress.add(progress)
        else:
            progress.time_zone = time_zone
            await uow.learner_progress.save(progress)
        await uow.commit()
    return progress


def check_idempotency_key(key: str | None) -> None:
    if key is not None and not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_CHARS:
        raise InvalidInput(
            f"idempotency_key must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} characters",
            {"field": "idempotency_key"},
        )


async def record_topic_attempt(
    user_id: UUID,
    attempt: TopicAttempt,
    topic_counts: Mapping[ExerciseKey, int],
    uow: CurriculumUnitOfWork,
    idempotency_key: str | None = None,
) -> AttemptRecord:
    """Applies an evaluated attempt (its score from the scorer or the assessment) to the
    learner's progress, their day's activity, streak and achievements, in one transaction
    with the attempt's record and its event. A learner without progress starts it here
    (time zone UTC). Conflict when an attempt under `idempotency_key` is recorded already:
    nothing is written."""
    check_attempt(attempt, topic_counts)
    check_idempotency_key(idempotency_key)
    async with uow:
        await _existing_user(uow, user_id)
        progress = await uow.learner_progress.get(user_id)
        if progress is None:
            progress = new_progress(user_id, DEFAULT_TIME_ZONE, True, attempt.attempted_at)
            await uow.learner_progress.add(progress)
        first_attempt = progress.first_activity_at is None
        outcome = record_attempt(progress, attempt, topic_counts)
        day = local_day(attempt.attempted_at, progress.time_zone)
        counted = empty_day(user_id, day)
        count_attempt(counted, attempt, outcome.topic_completed)
        await uow.daily_activity.add(counted)
        current = streak(await uow.daily_activity.active_days(user_id), day)
        held = {a.code for a in await uow.achievements.list_for_user(user_id)}
        earned = (
            achievements_for(current, attempt.score, first_attempt, outcome, attempt.stage) - held
        )
        for code in sorted(earned):
            await uow.achievements.add(Achievement(user_id, code, attempt.attempted_at))
        recorded = RecordedAttempt(
            id=uuid4(),
            user_id=user_id,
            idempotency_key=idempotency_key,
            stage=attempt.stage,
            exercise=attempt.exercise,
            topic=attempt.topic,
            score=attempt.score,
            time_seconds=attempt.time_seconds,
            urdu_used=attempt.urdu_used,
            attempted_at=attempt.attempted_at,
            topic_completed=outcome.topic_completed,
            exercise_matured=outcome.exercise_matured,
            stage_completed=outcome.stage_completed,
            curriculum_completed=outcome.curriculum_completed,
            unlocked=list(outcome.unlocked),
            earned=sorted(earned),
        )
        await uow.topic_attempts.add(recorded)
        await uow.learner_progress.save(progress)
        await uow.outbox.add(events.topic_attempt_recorded(user_id, attempt, outcome))
        await uow.commit()
    return AttemptRecord(outcome, progress, current, sorted(earned), recorded)


@dataclass(frozen=True)
class AttemptTopic:
    stage: int
    exercise: int
    topic: int
    answer: Answer
    time_seconds: int = 0
    urdu_used: bool = False
    idempotency_key: str | None = None


@dataclass(frozen=True)
class TopicAttemptResult:
    recorded: RecordedAttempt
    evaluation: AttemptEvaluation | None
    """None when the attempt was recorded before under the same idempotency key."""

    @property
    def replayed(self) -> bool:
        return self.evaluation is None


async def attempt_topic(
    user_id: UUID,
    cmd: AttemptTopic,
    curriculum: Curriculum,
    evaluators: AttemptEvaluators,
    now: datetime,
    uow: CurriculumUnitOfWork,
) -> TopicAttemptResult:
    """Evaluates the learner's answer to a topic and records it (record_topic_attempt).
    NotFound for a topic the curriculum lacks, Conflict for an exercise still locked (both
    before anything is evaluated), Unprocessable for audio without speech; nothing is written
    then. An attempt under an idempotency key already used is not evaluated again: the
    answer is what the first one recorded."""
    exercise = curriculum.exercise(cmd.stage, cmd.exercise)
    topic = exercise.topic(cmd.topic)
    key: ExerciseKey = (cmd.stage, cmd.exercise)
    check_idempotency_key(cmd.idempotency_key)
    # The cheap checks first: an evaluation costs recognition and scoring.
    async with uow:
        await _existing_user(uow, user_id)
        if cmd.idempotency_key is not None:
            earlier = await uow.topic_attempts.by_key(user_id, cmd.idempotency_key)
            if earlier is not None:
                return TopicAttemptResult(earlier, None)
        progress = await uow.learner_progress.get(user_id)
        unlocked = progress.unlocked if progress is not None else [FIRST]
        if key not in unlocked:
            raise Conflict(
                f"exercise {cmd.exercise} of curriculum stage {cmd.stage} is locked",
                {"stage": cmd.stage, "exercise": cmd.exercise},
            )
    level = curriculum.stage(cmd.stage).level
    evaluation = await evaluators.evaluate(exercise, topic, level, cmd.answer)
    attempt = TopicAttempt(
        cmd.stage, cmd.exercise, cmd.topic, evaluation.score, cmd.time_seconds, cmd.urdu_used, now
    )
    record = await record_topic_attempt(
        user_id, attempt, curriculum.topic_counts, uow, cmd.idempotency_key
    )
    return TopicAttemptResult(record.recorded, evaluation)


async def _readable_progress(
    uow: CurriculumUnitOfWork, viewer_id: UUID, viewer_role: Role, learner_id: UUID
) -> LearnerProgress:
    """The learner's progress, for the learner, a teacher of a class they joined or an
    admin: Forbidden for anyone else, NotFound before it started."""
    if viewer_id != learner_id and viewer_role is not Role.ADMIN:
        teaches = viewer_role is Role.TEACHER and await uow.class_members.teaches(
            viewer_id, learner_id
        )
        if not teaches:
            raise Forbidden("This progress belongs to another learner")
    progress = await uow.learner_progress.get(learner_id)
    if progress is None:
        raise NotFound("This learner has not started the curriculum")
    return progress


async def get_progress(
    viewer_id: UUID,
    viewer_role: Role,
    learner_id: UUID,
    now: datetime,
    uow: CurriculumUnitOfWork,
) -> ProgressView:
    """The learner's progress with their streak as of `now` on their calendar, their
    achievements and the last RECENT_DAYS days of activity. NotFound before it started."""
    async with uow:
        progress = await _readable_progress(uow, viewer_id, viewer_role, learner_id)
        today: date = local_day(now, progress.time_zone)
        days = await uow.daily_activity.active_days(learner_id)
        achievements = await uow.achievements.list_for_user(learner_id)
        recent = await uow.daily_activity.between(
            learner_id, today - timedelta(days=RECENT_DAYS), today
        )
    return ProgressView(progress, streak(days, today), achievements, recent)


@dataclass(frozen=True)
class UnlockView:
    progress: LearnerProgress
    next: NextUnlock | None


async def check_unlocks(
    viewer_id: UUID,
    viewer_role: Role,
    learner_id: UUID,
    topic_counts: Mapping[ExerciseKey, int],
    uow: CurriculumUnitOfWork,
) -> UnlockView:
    """What the learner has unlocked and what opens next. Unlocks happen when an attempt is
    recorded, so this reads and writes nothing."""
    async with uow:
        progress = await _readable_progress(uow, viewer_id, viewer_role, learner_id)
    return UnlockView(progress, next_unlock(progress, topic_counts))


@dataclass(frozen=True)
class CurrentTopic:
    exercise: ExerciseProgress
    topic: Topic


async def get_current_topic(
    viewer_id: UUID,
    viewer_role: Role,
    learner_id: UUID,
    key: ExerciseKey,
    curriculum: Curriculum,
    uow: CurriculumUnitOfWork,
) -> CurrentTopic:
    """The topic the learner should take next in that exercise (rules.current_topic).
    NotFound for an exercise the curriculum lacks, Conflict for one still locked."""
    exercise = curriculum.exercise(*key)
    async with uow:
        progress = await _readable_progress(uow, viewer_id, viewer_role, learner_id)
    if key not in progress.exercises:
        raise Conflict(
            f"exercise {key[1]} of curriculum stage {key[0]} is locked",
            {"stage": key[0], "exercise": key[1]},
        )
    held = progress.exercises[key]
    return CurrentTopic(held, exercise.topic(held.current_topic))


@dataclass(frozen=True)
class ComprehensiveProgress:
    view: ProgressView
    next: NextUnlock | None
    recent_scores: list[float]
    """The last 2 * MATURITY_WINDOW attempts' scores, oldest first."""
    fluency_trend: FluencyTrend


async def get_comprehensive_progress(
    viewer_id: UUID,
    viewer_role: Role,
    learner_id: UUID,
    now: datetime,
    topic_counts: Mapping[ExerciseKey, int],
    uow: CurriculumUnitOfWork,
) -> ComprehensiveProgress:
    """get_progress with what opens next and the trend of the learner's recent scores."""
    view = await get_progress(viewer_id, viewer_role, learner_id, now, uow)
    async with uow:
        scores = await uow.topic_attempts.recent_scores(learner_id, 2 * MATURITY_WINDOW)
    return ComprehensiveProgress(
        view, next_unlock(view.progress, topic_counts), scores, fluency_trend(scores)
    )
