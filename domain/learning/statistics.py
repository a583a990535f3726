"""002's statistics: totals, the streak and the pronunciation score over time, computed by
queries over the learner's stored record whenever they are asked for."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidInput, Unauthenticated
from ports.learning import PracticeTotals, ScoreAt
from ports.reviews import ReviewCounts
from ports.unit_of_work import LearningUnitOfWork

# How far back a streak is counted: a year and a day covers every date of the year before
# today; a longer streak shows as this many days, and the query reads a bounded window.
STREAK_WINDOW_DAYS = 366
# The pronunciation curve covers at most the streak's window, for the same reason.
MAX_TREND_DAYS = STREAK_WINDOW_DAYS
MAX_TIME_ZONE_CHARS = 64


@dataclass(frozen=True)
class DayAverage:
    day: date
    average_score: float
    analyses: int


@dataclass(frozen=True)
class Statistics:
    totals: PracticeTotals
    vocabulary: ReviewCounts
    streak_days: int
    active_days: int
    """Days with practice in the last `trend_days` days (today included)."""
    pronunciation_by_day: list[DayAverage]
    time_zone: str


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`; InvalidInput when there is none of that name."""
    try:
        if not 1 <= len(name) <= MAX_TIME_ZONE_CHARS:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            "tz must be an IANA time zone such as Europe/Rome", {"field": "tz"}
        ) from None


def current_streak(days: Iterable[date], today: date) -> int:
    """Consecutive days with practice ending today, or yesterday when the learner has not
    practised yet today (the streak is not broken before the day is over)."""
    practised = set(days)
    day = today if today in practised else today - timedelta(days=1)
    streak = 0
    while day in practised:
        streak += 1
        day -= timedelta(days=1)
    return streak


def averages_by_day(scores: Iterable[ScoreAt], zone: ZoneInfo) -> list[DayAverage]:
    """The mean pronunciation score of each local day that has one, oldest first."""
    by_day: defaultdict[date, list[float]] = defaultdict(list)
    for score in scores:
        by_day[score.at.astimezone(zone).date()].append(score.pronunciation_score)
    return [
        DayAverage(day, round(sum(values) / len(values), 1), len(values))
        for day, values in sorted(by_day.items())
    ]


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


async def learner_statistics(
    user_id: UUID, tz: str, trend_days: int, uow: LearningUnitOfWork, now: datetime | None = None
) -> Statistics:
    """The learner's statistics with days in time zone `tz`; the curve and the active days
    cover the last `trend_days` days (1 to MAX_TREND_DAYS)."""
    zone = time_zone(tz)
    if not 1 <= trend_days <= MAX_TREND_DAYS:
        raise InvalidInput(f"days must be between 1 and {MAX_TREND_DAYS}", {"field": "days"})
    now = now or datetime.now(UTC)
    today = now.astimezone(zone).date()
    streak_since = _local_midnight(today - timedelta(days=STREAK_WINDOW_DAYS - 1), zone)
    trend_start = today - timedelta(days=trend_days - 1)
    async with uow:
        if await uow.users.get(user_id) is None:
            raise Unauthenticated("Account no longer exists")
        totals = await uow.statistics.totals(user_id)
        vocabulary = await uow.review_items.counts(user_id, now)
        times = await uow.statistics.practice_times(user_id, streak_since)
        scores = await uow.statistics.pronunciation_scores(
            user_id, _local_midnight(trend_start, zone)
        )
    days = {moment.astimezone(zone).date() for moment in times}
    return Statistics(
        totals=totals,
        vocabulary=vocabulary,
        streak_days=current_streak(days, today),
        active_days=sum(1 for day in days if day >= trend_start),
        pronunciation_by_day=averages_by_day(scores, zone),
        time_zone=zone.key,
    )
