"""How a learner moves through the curriculum: every threshold is named here, with why.

A topic attempt scores 0 to 100. A topic is completed by one attempt of at least
COMPLETION_SCORE; an exercise matures when its last MATURITY_WINDOW attempts average at
least MATURITY_SCORE and every one of its topics is completed; a mature exercise unlocks
the next exercise of its curriculum stage, and the third one completes the curriculum stage
and unlocks the next. Streaks and daily analytics count the days of the learner's own
calendar (their time zone), so a lesson at 23:30 in Karachi is that day's lesson there."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import Conflict, InvalidInput, NotFound
from ports.curriculum import (
    DailyActivity,
    ExerciseKey,
    ExerciseProgress,
    LearnerProgress,
    StageProgress,
    TopicProgress,
)

# An attempt scoring this much shows the learner can say it: the pronunciation scorer's
# "fair" band and the speaking assessment's B1-for-the-prompt both start at 60.
COMPLETION_SCORE = 60.0
# Maturity asks for steadiness, not one lucky take: five attempts in a row (000's
# last_5_scores) averaging this, a "good" rather than "fair" band.
MATURITY_WINDOW = 5
MATURITY_SCORE = 70.0
# A score this high is worth an achievement: scorers rarely give a full 100 to real speech.
PERFECT_SCORE = 95.0
# The streak lengths 000's learners are rewarded for.
STREAK_ACHIEVEMENTS = (3, 7, 30)
# Until an exercise matures, finishing its topics is most of the work but not all of it.
UNMATURED_SHARE = 0.9
# A change in the average of the last five scores against the five before that smaller
# than this is noise between takes, not a trend.
TREND_MARGIN = 5.0
# One attempt is one recording (30 s at most) or one typed answer plus the time to prepare
# it: an hour is far beyond any honest value.
MAX_ATTEMPT_SECONDS = 3600
DEFAULT_TIME_ZONE = "UTC"

FIRST = (1, 1)


class Achievements(StrEnum):
    FIRST_ATTEMPT = "first_attempt"
    PERFECT_SCORE = "perfect_score"
    FIRST_EXERCISE_MATURED = "first_exercise_matured"
    CURRICULUM_COMPLETED = "curriculum_completed"

    @staticmethod
    def streak(days: int) -> str:
        return f"streak_{days}_days"

    @staticmethod
    def stage_completed(stage: int) -> str:
        return f"stage_{stage}_completed"


class FluencyTrend(StrEnum):
    IMPROVING = "improving"
    STEADY = "steady"
    DECLINING = "declining"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class TopicAttempt:
    stage: int
    exercise: int
    topic: int
    score: float
    time_seconds: int
    urdu_used: bool
    attempted_at: datetime


@dataclass
class AttemptOutcome:
    """What one attempt changed."""

    topic_completed: bool = False
    exercise_matured: bool = False
    stage_completed: bool = False
    curriculum_completed: bool = False
    unlocked: list[ExerciseKey] = field(default_factory=list)


@dataclass(frozen=True)
class Streak:
    current_days: int
    longest_days: int


def check_time_zone(name: str) -> str:
    """The IANA zone `name`; InvalidInput unless this system knows it."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput(f"unknown time zone {name!r}", {"field": "time_zone"}) from error
    return name


def local_day(instant: datetime, time_zone: str) -> date:
    """The date of `instant` on the calendar of `time_zone`."""
    return instant.astimezone(ZoneInfo(time_zone)).date()


def new_progress(
    user_id: UUID, time_zone: str, urdu_enabled: bool, now: datetime
) -> LearnerProgress:
    """A learner at the first topic of the first exercise, the only one unlocked."""
    progress = LearnerProgress(
        user_id=user_id,
        time_zone=check_time_zone(time_zone),
        urdu_enabled=urdu_enabled,
        current_stage=1,
        current_exercise=1,
        current_topic=1,
        unlocked=[],
        overall_percentage=0.0,
        time_seconds=0,
        curriculum_completed_at=None,
        first_activity_at=None,
        last_activity_at=None,
        created_at=now,
        version=0,
    )
    _unlock(progress, FIRST, now)
    return progress


def _unlock(progress: LearnerProgress, key: ExerciseKey, now: datetime) -> None:
    stage, exercise = key
    progress.unlocked.append(key)
    progress.exercises[key] = ExerciseProgress(
        stage=stage,
        exercise=exercise,
        current_topic=1,
        attempts=0,
        total_score=0.0,
        last_scores=[],
        best_score=0.0,
        time_seconds=0,
        matured=False,
        started_at=now,
        matured_at=None,
    )
    progress.stages.setdefault(stage, StageProgress(stage, 0, 0.0, now, None))


def check_attempt(attempt: TopicAttempt, topic_counts: Mapping[ExerciseKey, int]) -> None:
    """NotFound for a topic the curriculum lacks; InvalidInput for a score or time out of
    range."""
    key = (attempt.stage, attempt.exercise)
    if key not in topic_counts:
        raise NotFound(
            f"the curriculum has no exercise {attempt.exercise} in curriculum stage "
            f"{attempt.stage}",
            {"stage": attempt.stage, "exercise": attempt.exercise},
        )
    if not 1 <= attempt.topic <= topic_counts[key]:
        raise NotFound(
            f"exercise {attempt.exercise} of curriculum stage {attempt.stage} has no topic "
            f"{attempt.topic}",
            {"stage": attempt.stage, "exercise": attempt.exercise, "topic": attempt.topic},
        )
    if not 0 <= attempt.score <= 100:
        raise InvalidInput("score must be between 0 and 100", {"field": "score"})
    if not 0 <= attempt.time_seconds <= MAX_ATTEMPT_SECONDS:
        raise InvalidInput(
            f"time_seconds must be between 0 and {MAX_ATTEMPT_SECONDS}", {"field": "time_seconds"}
        )


def is_mature(exercise: ExerciseProgress, topic_count: int) -> bool:
    done = sum(1 for t in exercise.topics.values() if t.completed)
    window = exercise.last_scores[-MATURITY_WINDOW:]
    return (
        done == topic_count
        and len(window) == MATURITY_WINDOW
        and sum(window) / MATURITY_WINDOW >= MATURITY_SCORE
    )


def current_topic(exercise: ExerciseProgress, topic_count: int) -> int:
    """The first topic not yet completed; once all are, the weakest (lowest best score, the
    earliest on a tie), to be practised until the exercise matures."""
    for number in range(1, topic_count + 1):
        topic = exercise.topics.get(number)
        if topic is None or not topic.completed:
            return number
    return min(exercise.topics.values(), key=lambda t: (t.best_score, t.topic)).topic


def _next_exercise(key: ExerciseKey, topic_counts: Mapping[ExerciseKey, int]) -> ExerciseKey | None:
    later = sorted(k for k in topic_counts if k > key)
    return later[0] if later else None


def record_attempt(
    progress: LearnerProgress,
    attempt: TopicAttempt,
    topic_counts: Mapping[ExerciseKey, int],
) -> AttemptOutcome:
    """Applies one attempt to the learner's progress and says what it changed. Conflict for
    an exercise still locked. Attempts at an exercise that has matured still count (practice)
    but change no unlock."""
    check_attempt(attempt, topic_counts)
    key = (attempt.stage, attempt.exercise)
    if key not in progress.exercises:
        raise Conflict(
            f"exercise {attempt.exercise} of curriculum stage {attempt.stage} is locked",
            {"stage": attempt.stage, "exercise": attempt.exercise},
        )
    now, score = attempt.attempted_at, attempt.score
    outcome = AttemptOutcome()
    exercise = progress.exercises[key]
    topic = exercise.topics.setdefault(
        attempt.topic, TopicProgress(attempt.topic, 0, 0.0, 0.0, False, False, 0, None)
    )
    topic.attempts += 1
    topic.last_score = score
    topic.best_score = max(topic.best_score, score)
    topic.urdu_used = topic.urdu_used or attempt.urdu_used
    topic.time_seconds += attempt.time_seconds
    if not topic.completed and score >= COMPLETION_SCORE:
        topic.completed, topic.completed_at = True, now
        outcome.topic_completed = True

    exercise.attempts += 1
    exercise.total_score += score
    exercise.last_scores = [*exercise.last_scores, score][-MATURITY_WINDOW:]
    exercise.best_score = max(exercise.best_score, score)
    exercise.time_seconds += attempt.time_seconds
    stage = progress.stages[attempt.stage]
    stage.attempts += 1
    stage.total_score += score
    progress.time_seconds += attempt.time_seconds
    # Activity instants may arrive out of order (a client's queue, a retry): keep the span.
    if progress.first_activity_at is None or now < progress.first_activity_at:
        progress.first_activity_at = now
    if progress.last_activity_at is None or now > progress.last_activity_at:
        progress.last_activity_at = now

    count = topic_counts[key]
    if not exercise.matured and is_mature(exercise, count):
        exercise.matured, exercise.matured_at = True, now
        outcome.exercise_matured = True
        _after_maturity(progress, key, topic_counts, now, outcome)
    exercise.current_topic = current_topic(exercise, count)
    _move_to_current(progress, topic_counts)
    progress.overall_percentage = overall_percentage(progress, topic_counts)
    return outcome


def _after_maturity(
    progress: LearnerProgress,
    key: ExerciseKey,
    topic_counts: Mapping[ExerciseKey, int],
    now: datetime,
    outcome: AttemptOutcome,
) -> None:
    stage_number = key[0]
    in_stage = [k for k in topic_counts if k[0] == stage_number]
    if all(k in progress.exercises and progress.exercises[k].matured for k in in_stage):
        progress.stages[stage_number].completed_at = now
        outcome.stage_completed = True
    following = _next_exercise(key, topic_counts)
    if following is None:
        if all(k in progress.exercises and progress.exercises[k].matured for k in topic_counts):
            progress.curriculum_completed_at = now
            outcome.curriculum_completed = True
    elif following not in progress.exercises:
        # The next exercise of this curriculum stage, or the first of the next one once this
        # stage is complete: stages open in order.
        if following[0] == stage_number or outcome.stage_completed:
            _unlock(progress, following, now)
            outcome.unlocked.append(following)


@dataclass(frozen=True)
class NextUnlock:
    """The exercise that opens next and how far the learner is from opening it."""

    exercise: ExerciseKey
    after: ExerciseKey
    """The exercise whose maturity opens it."""
    topics_completed: int
    topic_count: int
    recent_average: float | None
    """The average of the last MATURITY_WINDOW scores at `after`, once there are that many."""


def next_unlock(
    progress: LearnerProgress, topic_counts: Mapping[ExerciseKey, int]
) -> NextUnlock | None:
    """None once every exercise is unlocked. Exercises open in curriculum order, each by the
    maturity of the one before it, so the first locked one waits for its predecessor."""
    locked = [k for k in sorted(topic_counts) if k not in progress.exercises]
    if not locked:
        return None
    after = max(k for k in progress.exercises if k < locked[0])
    before = progress.exercises[after]
    window = before.last_scores[-MATURITY_WINDOW:]
    return NextUnlock(
        exercise=locked[0],
        after=after,
        topics_completed=sum(1 for t in before.topics.values() if t.completed),
        topic_count=topic_counts[after],
        recent_average=(
            round(sum(window) / MATURITY_WINDOW, 1) if len(window) == MATURITY_WINDOW else None
        ),
    )


def _move_to_current(progress: LearnerProgress, topic_counts: Mapping[ExerciseKey, int]) -> None:
    """The learner's place: the first unlocked exercise not yet mature, else the last one."""
    open_ = [k for k in sorted(progress.unlocked) if not progress.exercises[k].matured]
    key = open_[0] if open_ else max(progress.unlocked)
    progress.current_stage, progress.current_exercise = key
    progress.current_topic = progress.exercises[key].current_topic


def overall_percentage(progress: LearnerProgress, topic_counts: Mapping[ExerciseKey, int]) -> float:
    """Each exercise weighs the same; a mature one counts whole, another by the share of its
    topics completed, up to UNMATURED_SHARE. 0.0 to 100.0, one decimal."""
    total = 0.0
    for key, count in topic_counts.items():
        exercise = progress.exercises.get(key)
        if exercise is None:
            continue
        if exercise.matured:
            total += 1.0
        else:
            done = sum(1 for t in exercise.topics.values() if t.completed)
            total += UNMATURED_SHARE * done / count
    return round(100 * total / len(topic_counts), 1)


def streak(active_days: Iterable[date], today: date) -> Streak:
    """The run of consecutive active days ending today or yesterday (the learner may still
    practise today), and the longest run ever. The days may come in any order and repeat."""
    days = sorted(set(active_days))
    longest = run = 0
    previous: date | None = None
    for day in days:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = run if previous is not None and previous >= today - timedelta(days=1) else 0
    return Streak(current_days=current, longest_days=longest)


def fluency_trend(scores: list[float]) -> FluencyTrend:
    """The average of the last MATURITY_WINDOW scores against the window before it."""
    if len(scores) < 2 * MATURITY_WINDOW:
        return FluencyTrend.UNKNOWN
    recent = sum(scores[-MATURITY_WINDOW:]) / MATURITY_WINDOW
    before = sum(scores[-2 * MATURITY_WINDOW : -MATURITY_WINDOW]) / MATURITY_WINDOW
    if recent - before >= TREND_MARGIN:
        return FluencyTrend.IMPROVING
    if before - recent >= TREND_MARGIN:
        return FluencyTrend.DECLINING
    return FluencyTrend.STEADY


def empty_day(user_id: UUID, day: date) -> DailyActivity:
    return DailyActivity(user_id, day, 0, 0.0, 0, 0, 0, 0, 0)


def count_attempt(activity: DailyActivity, attempt: TopicAttempt, topic_completed: bool) -> None:
    activity.attempts += 1
    activity.total_score += attempt.score
    activity.scored += 1
    activity.time_seconds += attempt.time_seconds
    activity.topics_completed += int(topic_completed)


def count_game_session(
    activity: DailyActivity, average_score: float | None, duration_seconds: int
) -> None:
    activity.game_sessions += 1
    activity.time_seconds += duration_seconds
    if average_score is not None:  # listen-only sessions are not scored
        activity.total_score += average_score
        activity.scored += 1


def count_tutor_turn(activity: DailyActivity) -> None:
    activity.tutor_turns += 1


def achievements_for(
    streak: Streak,
    best_score: float | None = None,
    first_attempt: bool = False,
    outcome: AttemptOutcome | None = None,
    stage: int | None = None,
) -> set[str]:
    """The achievements that this activity earns (the caller keeps those already held)."""
    earned = {Achievements.streak(n) for n in STREAK_ACHIEVEMENTS if streak.longest_days >= n}
    if first_attempt:
        earned.add(Achievements.FIRST_ATTEMPT)
    if best_score is not None and best_score >= PERFECT_SCORE:
        earned.add(Achievements.PERFECT_SCORE)
    if outcome is not None:
        if outcome.exercise_matured:
            earned.add(Achievements.FIRST_EXERCISE_MATURED)
        if outcome.stage_completed and stage is not None:
            earned.add(Achievements.stage_completed(stage))
        if outcome.curriculum_completed:
            earned.add(Achievements.CURRICULUM_COMPLETED)
    return earned
