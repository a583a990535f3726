"""The persistence contract of the curriculum ports, on every SQL database we support and in
memory: a learner's progress read back whole, a stale save refused, a day's activity
replaced, achievements held once."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from deployments.demo.curriculum import read_curriculum
from domain.curriculum.rules import TopicAttempt, empty_day, new_progress, record_attempt
from domain.errors import Conflict
from ports.curriculum import Achievement, DailyActivity, RecordedAttempt
from tests.contract.conftest import UowFactory
from tests.contract.test_messaging_repositories import users

NOW = datetime(2025, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)
COUNTS = read_curriculum().topic_counts


async def test_progress_is_read_back_whole_and_saved_by_version(uow_factory: UowFactory):
    (ana,) = await users(uow_factory, 1)
    progress = new_progress(ana, "America/New_York", False, NOW)
    async with uow_factory() as uow:
        await uow.learner_progress.add(progress)
        await uow.commit()
    for topic in range(1, COUNTS[(1, 1)] + 1):
        later = NOW + timedelta(minutes=topic)
        record_attempt(progress, TopicAttempt(1, 1, topic, 88.25, 17, True, later), COUNTS)
    async with uow_factory() as uow:
        stale = await uow.learner_progress.get(ana)
        await uow.learner_progress.save(progress)
        await uow.commit()
    assert progress.version == 1 and progress.unlocked == [(1, 1), (1, 2)]
    async with uow_factory() as uow:
        assert await uow.learner_progress.get(ana) == progress
        with pytest.raises(Conflict):
            await uow.learner_progress.save(stale)
        with pytest.raises(Conflict):
            await uow.learner_progress.add(new_progress(ana, "UTC", True, NOW))


async def test_a_days_activity_adds_up_and_days_are_listed_in_order(uow_factory: UowFactory):
    ana, ben = await users(uow_factory, 2)
    async with uow_factory() as uow:
        for day in (date(2025, 3, 3), date(2025, 3, 1), date(2025, 3, 2)):
            await uow.daily_activity.add(empty_day(ana, day))
        await uow.daily_activity.add(empty_day(ben, date(2025, 3, 4)))
        await uow.commit()
    played, attempted = empty_day(ana, date(2025, 3, 2)), empty_day(ana, date(2025, 3, 2))
    played.game_sessions, played.total_score, played.scored, played.time_seconds = 1, 70.5, 1, 90
    attempted.attempts, attempted.total_score, attempted.scored = 2, 151.5, 2
    attempted.topics_completed, attempted.tutor_turns = 1, 3
    for counted in (played, attempted):
        async with uow_factory() as uow:
            await uow.daily_activity.add(counted)
            await uow.commit()
    async with uow_factory() as uow:
        assert await uow.daily_activity.active_days(ana) == [date(2025, 3, d) for d in (1, 2, 3)]
        between = await uow.daily_activity.between(ana, date(2025, 3, 2), date(2025, 3, 3))
        assert [a.day for a in between] == [date(2025, 3, 2), date(2025, 3, 3)]
        assert between[0] == DailyActivity(
            ana, date(2025, 3, 2), 2, 222.0, 3, 90, 1, 1, 3
        )  # fmt: skip
        assert await uow.daily_activity.between(ana, date(2025, 3, 4), date(2025, 3, 9)) == []


async def test_an_achievement_is_held_once(uow_factory: UowFactory):
    (ana,) = await users(uow_factory, 1)
    later = Achievement(ana, "streak_3_days", NOW + timedelta(days=2))
    first = Achievement(ana, "first_attempt", NOW)
    async with uow_factory() as uow:
        await uow.achievements.add(later)
        await uow.achievements.add(first)
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.achievements.add(Achievement(ana, "first_attempt", NOW))
        assert await uow.achievements.list_for_user(ana) == [first, later]


def recorded(user_id, key, score, at):
    return RecordedAttempt(
        uuid4(), user_id, key, 1, 2, 3, score, 25, True, at, True, True, True, False,
        [(1, 3)], ["first_attempt"],
    )  # fmt: skip


async def test_an_attempt_is_found_by_its_key_and_a_key_is_used_once(uow_factory: UowFactory):
    ana, ben = await users(uow_factory, 2)
    keyed = recorded(ana, "retry-me", 81.5, NOW)
    async with uow_factory() as uow:
        await uow.topic_attempts.add(keyed)
        # Without a key, attempts never collide; another learner may use the same key.
        await uow.topic_attempts.add(recorded(ana, None, 60.0, NOW - timedelta(minutes=2)))
        await uow.topic_attempts.add(recorded(ana, None, 70.0, NOW - timedelta(minutes=1)))
        await uow.topic_attempts.add(recorded(ben, "retry-me", 10.0, NOW))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.topic_attempts.by_key(ana, "retry-me") == keyed
        assert await uow.topic_attempts.by_key(ana, "other") is None
        with pytest.raises(Conflict):
            await uow.topic_attempts.add(recorded(ana, "retry-me", 90.0, NOW))
        assert await uow.topic_attempts.recent_scores(ana, 2) == [70.0, 81.5]
        assert await uow.topic_attempts.recent_scores(ana, 10) == [60.0, 70.0, 81.5]
