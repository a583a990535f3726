"""The curriculum's progress rules at their edges: completion and maturity thresholds,
retries, ties for the current topic, unlocking in order, the last curriculum stage, days in
several time zones and across daylight-saving changes, and streaks from days that come late,
twice or out of order."""

import copy
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from deployments.demo.curriculum import read_curriculum
from domain.curriculum.rules import (
    COMPLETION_SCORE,
    MATURITY_SCORE,
    MATURITY_WINDOW,
    PERFECT_SCORE,
    Achievements,
    FluencyTrend,
    Streak,
    TopicAttempt,
    achievements_for,
    check_time_zone,
    current_topic,
    fluency_trend,
    local_day,
    new_progress,
    next_unlock,
    overall_percentage,
    record_attempt,
    streak,
)
from domain.errors import Conflict, InvalidInput, NotFound

COUNTS = read_curriculum().topic_counts
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def learner():
    return new_progress(uuid4(), "Asia/Karachi", True, T0)


def attempt(stage=1, exercise=1, topic=1, score=80.0, at=T0, seconds=20, urdu=False):
    return TopicAttempt(stage, exercise, topic, score, seconds, urdu, at)


def master(progress, stage, exercise, score=90.0):
    """Every topic of the exercise once at `score`: enough to mature it at a passing score."""
    outcomes = [
        record_attempt(progress, attempt(stage, exercise, topic, score), COUNTS)
        for topic in range(1, COUNTS[(stage, exercise)] + 1)
    ]
    return outcomes[-1]


# --- initialization and attempts ----------------------------------------------------------


def test_a_new_learner_starts_at_the_first_topic_with_one_exercise_unlocked():
    progress = learner()
    assert (progress.current_stage, progress.current_exercise, progress.current_topic) == (1, 1, 1)
    assert progress.unlocked == [(1, 1)] and progress.unlocked_stages == [1]
    assert progress.overall_percentage == 0.0


def test_unknown_time_zone_is_refused():
    with pytest.raises(InvalidInput):
        check_time_zone("Mars/Olympus")
    with pytest.raises(InvalidInput):
        check_time_zone("../../etc/passwd")


def test_completion_starts_at_its_threshold():
    progress = learner()
    below = record_attempt(progress, attempt(score=COMPLETION_SCORE - 0.1), COUNTS)
    assert not below.topic_completed and progress.current_topic == 1
    at = record_attempt(progress, attempt(score=COMPLETION_SCORE), COUNTS)
    assert at.topic_completed and progress.current_topic == 2


def test_a_retry_counts_but_completes_a_topic_once():
    progress = learner()
    record_attempt(progress, attempt(score=90), COUNTS)
    again = record_attempt(progress, attempt(score=40, urdu=True), COUNTS)
    topic = progress.exercises[(1, 1)].topics[1]
    assert not again.topic_completed
    assert (topic.attempts, topic.best_score, topic.last_score, topic.urdu_used) == (
        2,
        90,
        40,
        True,
    )
    assert topic.completed


@pytest.mark.parametrize(
    "bad, error",
    [
        (attempt(stage=7), NotFound),
        (attempt(exercise=4), NotFound),
        (attempt(topic=0), NotFound),
        (attempt(topic=COUNTS[(1, 1)] + 1), NotFound),
        (attempt(score=100.5), InvalidInput),
        (attempt(score=-1), InvalidInput),
        (attempt(seconds=-1), InvalidInput),
        (attempt(stage=1, exercise=2), Conflict),
        (attempt(stage=2, exercise=1), Conflict),
    ],
)
def test_a_refused_attempt_changes_nothing(bad, error):
    progress = learner()
    before = copy.deepcopy(progress)
    with pytest.raises(error):
        record_attempt(progress, bad, COUNTS)
    assert progress == before


# --- maturity and unlocking -----------------------------------------------------------------


def test_maturity_needs_every_topic_and_the_last_five_scores():
    progress = learner()
    count = COUNTS[(1, 1)]
    # Every topic passed, but the last five average just under the maturity score.
    low = (MATURITY_SCORE * MATURITY_WINDOW - 0.5) / MATURITY_WINDOW
    for topic in range(1, count + 1):
        outcome = record_attempt(progress, attempt(topic=topic, score=low), COUNTS)
    assert not outcome.exercise_matured and progress.unlocked == [(1, 1)]
    # One strong retry lifts the window's average over the line.
    outcome = record_attempt(progress, attempt(topic=1, score=MATURITY_SCORE + 5), COUNTS)
    assert outcome.exercise_matured and outcome.unlocked == [(1, 2)]
    assert (progress.current_stage, progress.current_exercise, progress.current_topic) == (1, 2, 1)


def test_high_scores_on_too_few_topics_do_not_mature():
    progress = learner()
    for _ in range(MATURITY_WINDOW + 2):
        outcome = record_attempt(progress, attempt(topic=1, score=100), COUNTS)
    assert not outcome.exercise_matured


def test_once_all_topics_are_done_the_weakest_is_next_and_ties_go_to_the_earliest():
    progress = learner()
    count = COUNTS[(1, 1)]
    for topic in range(1, count + 1):
        score = 61.0 if topic in (3, 5) else 65.0
        record_attempt(progress, attempt(topic=topic, score=score), COUNTS)
    exercise = progress.exercises[(1, 1)]
    assert not exercise.matured
    assert current_topic(exercise, count) == 3 == progress.current_topic


def test_stage_completion_unlocks_the_next_stage_in_order():
    progress = learner()
    assert master(progress, 1, 1).unlocked == [(1, 2)]
    assert master(progress, 1, 2).unlocked == [(1, 3)]
    last = master(progress, 1, 3)
    assert last.stage_completed and last.unlocked == [(2, 1)]
    assert progress.unlocked_stages == [1, 2]
    assert progress.stages[1].completed_at == T0
    assert (progress.current_stage, progress.current_exercise) == (2, 1)
    assert progress.overall_percentage == round(100 * 3 / 18, 1)


def test_practice_after_maturity_unlocks_nothing_again():
    progress = learner()
    master(progress, 1, 1)
    again = master(progress, 1, 1)
    assert not again.exercise_matured and again.unlocked == []
    assert progress.unlocked == [(1, 1), (1, 2)]


def test_the_last_stage_completes_the_curriculum_and_unlocks_nothing():
    progress = learner()
    for key in sorted(COUNTS)[:-1]:
        master(progress, *key)
    last = master(progress, 6, 3)
    assert last.stage_completed and last.curriculum_completed and last.unlocked == []
    assert progress.curriculum_completed_at == T0
    assert progress.overall_percentage == 100.0
    assert (progress.current_stage, progress.current_exercise) == (6, 3)


def test_the_next_unlock_waits_for_the_exercise_before_it():
    progress = learner()
    first = next_unlock(progress, COUNTS)
    assert (first.exercise, first.after, first.topics_completed) == ((1, 2), (1, 1), 0)
    assert first.topic_count == COUNTS[(1, 1)] and first.recent_average is None
    for topic in range(1, MATURITY_WINDOW + 1):
        record_attempt(progress, attempt(topic=topic, score=50.0 + topic), COUNTS)
    waiting = next_unlock(progress, COUNTS)
    assert waiting.exercise == (1, 2) and waiting.recent_average == 53.0
    assert waiting.topics_completed == 0  # 51 to 55: none reached COMPLETION_SCORE
    for exercise in (1, 2, 3):
        master(progress, 1, exercise)
    across = next_unlock(progress, COUNTS)
    assert (across.exercise, across.after) == ((2, 2), (2, 1))


def test_nothing_unlocks_next_once_everything_is_open():
    progress = learner()
    for stage, exercise in sorted(COUNTS)[:-1]:
        master(progress, stage, exercise)
    assert next_unlock(progress, COUNTS) is None


def test_overall_percentage_gives_unmatured_work_partial_credit():
    progress = learner()
    record_attempt(progress, attempt(topic=1, score=90), COUNTS)
    expected = round(100 * 0.9 * (1 / COUNTS[(1, 1)]) / len(COUNTS), 1)
    assert overall_percentage(progress, COUNTS) == expected == progress.overall_percentage


def test_out_of_order_attempts_keep_the_span_of_activity():
    progress = learner()
    record_attempt(progress, attempt(at=T0), COUNTS)
    record_attempt(progress, attempt(at=T0 - timedelta(hours=3)), COUNTS)
    assert progress.first_activity_at == T0 - timedelta(hours=3)
    assert progress.last_activity_at == T0


# --- days, time zones, streaks ------------------------------------------------------------


@pytest.mark.parametrize(
    "instant, zone, day",
    [
        # 23:30 in Karachi (UTC+5) is still 1 March there; Kiritimati (UTC+14) is ahead of all.
        (datetime(2026, 3, 1, 18, 30, tzinfo=UTC), "Asia/Karachi", date(2026, 3, 1)),
        (datetime(2026, 3, 1, 19, 0, tzinfo=UTC), "Asia/Karachi", date(2026, 3, 2)),
        (datetime(2026, 3, 2, 4, 59, tzinfo=UTC), "America/New_York", date(2026, 3, 1)),
        (datetime(2026, 3, 1, 9, 59, tzinfo=UTC), "Pacific/Kiritimati", date(2026, 3, 1)),
        (datetime(2026, 3, 1, 10, 0, tzinfo=UTC), "Pacific/Kiritimati", date(2026, 3, 2)),
        (datetime(2026, 3, 1, 0, 0, tzinfo=UTC), "UTC", date(2026, 3, 1)),
    ],
)
def test_a_day_is_the_learners_day(instant, zone, day):
    assert local_day(instant, zone) == day


def test_days_across_daylight_saving_changes():
    # New York springs forward on 8 March 2026 (a 23-hour day) and falls back on 1 November
    # (25 hours): the last minute of each local day stays on it.
    assert local_day(datetime(2026, 3, 9, 3, 59, tzinfo=UTC), "America/New_York") == date(
        2026, 3, 8
    )
    assert local_day(datetime(2026, 3, 9, 4, 0, tzinfo=UTC), "America/New_York") == date(2026, 3, 9)
    assert local_day(datetime(2026, 11, 2, 4, 59, tzinfo=UTC), "America/New_York") == date(
        2026, 11, 1
    )
    assert local_day(datetime(2026, 11, 2, 5, 0, tzinfo=UTC), "America/New_York") == date(
        2026, 11, 2
    )
    # Practice at 23:30 before the change and 00:30 after it: two days in a row.
    days = [
        local_day(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "Europe/London"),  # 01:30 BST 25th
        local_day(datetime(2026, 10, 24, 22, 30, tzinfo=UTC), "Europe/London"),  # 23:30 BST 24th
    ]
    assert streak(days, date(2026, 10, 25)) == Streak(2, 2)


def test_a_streak_counts_consecutive_days_up_to_yesterday():
    days = [date(2026, 3, d) for d in (1, 2, 3, 5, 6)]
    assert streak(days, date(2026, 3, 6)) == Streak(2, 3)
    assert streak(days, date(2026, 3, 7)) == Streak(2, 3)  # today is still to come
    assert streak(days, date(2026, 3, 8)) == Streak(0, 3)  # a day missed
    assert streak([], date(2026, 3, 8)) == Streak(0, 0)


def test_late_and_repeated_days_give_the_same_streak():
    in_order = [date(2026, 3, d) for d in (1, 2, 3, 4)]
    shuffled = [date(2026, 3, d) for d in (4, 2, 2, 1, 3, 4)]
    assert streak(in_order, date(2026, 3, 4)) == streak(shuffled, date(2026, 3, 4)) == Streak(4, 4)
    # A day that arrives late joins two runs into one.
    gap = [date(2026, 3, d) for d in (1, 2, 4, 5)]
    assert streak(gap, date(2026, 3, 5)) == Streak(2, 2)
    assert streak([*gap, date(2026, 3, 3)], date(2026, 3, 5)) == Streak(5, 5)


def test_a_streak_across_a_year_and_a_leap_day():
    days = [date(2027, 12, 31), date(2028, 1, 1), date(2028, 2, 28), date(2028, 2, 29)]
    assert streak(days, date(2028, 3, 1)) == Streak(2, 2)


# --- achievements and trend ---------------------------------------------------------------


def test_achievements_at_their_thresholds():
    assert achievements_for(Streak(2, 2), first_attempt=True) == {Achievements.FIRST_ATTEMPT}
    assert achievements_for(Streak(1, 3)) == {Achievements.streak(3)}
    assert achievements_for(Streak(7, 7)) == {Achievements.streak(3), Achievements.streak(7)}
    assert Achievements.streak(30) in achievements_for(Streak(30, 30))
    assert achievements_for(Streak(0, 0), best_score=PERFECT_SCORE - 0.1) == set()
    assert achievements_for(Streak(0, 0), best_score=PERFECT_SCORE) == {Achievements.PERFECT_SCORE}
    progress = learner()
    master(progress, 1, 1)
    master(progress, 1, 2)
    outcome = master(progress, 1, 3)
    assert Achievements.stage_completed(1) in achievements_for(
        Streak(0, 0), outcome=outcome, stage=1
    )


@pytest.mark.parametrize(
    "scores, trend",
    [
        ([60.0] * 9, FluencyTrend.UNKNOWN),
        ([60.0] * 5 + [65.0] * 5, FluencyTrend.IMPROVING),
        ([60.0] * 5 + [64.9] * 5, FluencyTrend.STEADY),
        ([70.0] * 5 + [65.0] * 5, FluencyTrend.DECLINING),
    ],
)
def test_fluency_trend(scores, trend):
    assert fluency_trend(scores) == trend
