"""The persistence contract of the curriculum ports, on every SQL database we support and in
memory: a learner's progress read back whole, a stale save refused, a day's activity
replaced, achievements held once."""

from datetime import UTC, date, datetime, timedelta

import pytest

from deployments.demo.curriculum import read_curriculum
from domain.curriculum.rules import TopicAttempt, empty_day, new_progress, record_attempt
from domain.errors import Conflict
from ports.curriculum import Achievement
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


async def test_a_days_activity_is_replaced_and_days_listed_in_order(uow_factory: UowFactory):
    ana, ben = await users(uow_factory, 2)
    async with uow_factory() as uow:
        for day in (date(2025, 3, 3), date(2025, 3, 1), date(2025, 3, 2)):
            await uow.daily_activity.save(empty_day(ana, day))
        await uow.daily_activity.save(empty_day(ben, date(2025, 3, 4)))
        await uow.commit()
    changed = empty_day(ana, date(2025, 3, 2))
    changed.attempts, changed.total_score, changed.scored = 2, 151.5, 2
    async with uow_factory() as uow:
        await uow.daily_activity.save(changed)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.daily_activity.active_days(ana) == [date(2025, 3, d) for d in (1, 2, 3)]
        assert await uow.daily_activity.get(ana, date(2025, 3, 2)) == changed
        assert await uow.daily_activity.get(ana, date(2025, 3, 4)) is None
        between = await uow.daily_activity.between(ana, date(2025, 3, 2), date(2025, 3, 3))
        assert [a.day for a in between] == [date(2025, 3, 2), date(2025, 3, 3)]


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
