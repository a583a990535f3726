"""Statistics at their edges: a streak not yet broken today, days in the learner's time zone,
and what the statistics read from a record kept in memory."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from domain.errors import InvalidInput
from domain.learning.history import record_pronunciation
from domain.learning.statistics import (
    MAX_TREND_DAYS,
    DayAverage,
    averages_by_day,
    current_streak,
    learner_statistics,
    time_zone,
)
from domain.pronunciation.scoring import ScoredRecording
from ports.learning import AnalysisSource, ScoreAt
from ports.scoring import ScoringResult
from tests.support.memory import given, learner

TODAY = date(2025, 12, 10)


def days_before(*offsets: int) -> list[date]:
    return [TODAY - timedelta(days=n) for n in offsets]


def test_a_streak_counts_consecutive_days_up_to_today():
    assert current_streak(days_before(0, 1, 2, 4), TODAY) == 3
    assert current_streak([], TODAY) == 0


def test_a_streak_is_not_broken_before_today_is_over():
    assert current_streak(days_before(1, 2), TODAY) == 2
    assert current_streak(days_before(2, 3), TODAY) == 0


def test_scores_are_averaged_by_the_learners_local_day():
    late = datetime(2025, 12, 9, 23, 30, tzinfo=UTC)
    scores = [ScoreAt(late, 60.0), ScoreAt(late - timedelta(hours=2), 71.0)]

    assert averages_by_day(scores, ZoneInfo("UTC")) == [DayAverage(date(2025, 12, 9), 65.5, 2)]
    # 08:30 and 06:30 of the next day in Tokyo; 22:30 of the 9th is still the 9th in UTC-1.
    assert averages_by_day(scores, ZoneInfo("Asia/Tokyo")) == [
        DayAverage(date(2025, 12, 10), 65.5, 2)
    ]
    assert averages_by_day(scores, ZoneInfo("Atlantic/Azores")) == [
        DayAverage(date(2025, 12, 9), 65.5, 2)
    ]


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "../etc/passwd", "x" * 65])
def test_a_time_zone_is_an_iana_name(name):
    with pytest.raises(InvalidInput) as refused:
        time_zone(name)
    assert refused.value.details == {"field": "tz"}


async def test_statistics_read_the_record_in_the_learners_time_zone():
    database = InMemoryDatabase()
    ana = learner()
    await given(database, ana)
    result = ScoringResult("I like tea", 80.0, 80.0, 90.0, 100.0, [], "offline")
    scored = ScoredRecording("I like tea.", "en-US", 1.5, result)
    await record_pronunciation(
        ana.id, AnalysisSource.SPEECH_SCORE, scored, InMemoryUnitOfWork(database)
    )
    now = datetime.now(UTC)

    tokyo = await learner_statistics(ana.id, "Asia/Tokyo", 7, InMemoryUnitOfWork(database))
    # The next day (and the one after) in the learner's zone: still a streak, then broken.
    tomorrow = await learner_statistics(
        ana.id, "UTC", 7, InMemoryUnitOfWork(database), now + timedelta(days=1)
    )
    later = await learner_statistics(
        ana.id, "UTC", 7, InMemoryUnitOfWork(database), now + timedelta(days=2)
    )

    assert tokyo.streak_days == 1 and tokyo.active_days == 1 and tokyo.time_zone == "Asia/Tokyo"
    assert tokyo.totals.speaking_seconds == 1.5 and tokyo.totals.words_spoken == 3
    (average,) = tokyo.pronunciation_by_day
    assert (
        average.average_score == 80.0
        and average.day == now.astimezone(ZoneInfo("Asia/Tokyo")).date()
    )
    assert (tomorrow.streak_days, later.streak_days) == (1, 0)
    with pytest.raises(InvalidInput):
        await learner_statistics(ana.id, "UTC", MAX_TREND_DAYS + 1, InMemoryUnitOfWork(database))
