"""FSRS scheduling at its edges (a first review, a lapse, reviews early and late, instants in
other time zones) and the review use cases over the in-memory unit of work."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from adapters.memory.reviews import InMemoryReviewItemRepository
from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from adapters.reviews.fsrs_scheduler import FsrsScheduler
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.learning.collecting import collect_items, new_schedule
from domain.learning.history import record_pronunciation
from domain.learning.reviews import AddItem, add_item, due_items, list_items, review_item
from domain.learning.rules import item_text, spoken_grade
from domain.pronunciation.scoring import ScoredRecording
from domain.tutor.sessions import start_session, take_turn
from ports.grammar import Dialect
from ports.learning import AnalysisSource
from ports.reviews import Grade, ItemOrigin, ReviewPhase, ReviewSchedule
from ports.scoring import ScoringResult, WordError, WordScore
from ports.tutoring import InputMode
from tests.support.memory import given, learner
from tests.unit.test_tutoring_use_cases import PoliteTutor

NOW = datetime(2025, 12, 10, 9, tzinfo=UTC)
MINUTE, DAY = timedelta(minutes=1), timedelta(days=1)
scheduler = FsrsScheduler(fuzz=False)


def reviewed(*grades: Grade, start: datetime = NOW) -> ReviewSchedule:
    """The schedule after `grades`, each given the moment the item fell due."""
    schedule, moment = new_schedule(start), start
    for grade in grades:
        schedule = scheduler.review(schedule, grade, moment)
        moment = schedule.due
    return schedule


def test_a_new_item_is_due_at_once_in_its_first_learning_step():
    assert new_schedule(NOW) == ReviewSchedule(ReviewPhase.LEARNING, 0, None, None, NOW, None)


def test_a_first_review_steps_through_learning_unless_easy():
    again, good, easy = (scheduler.review(new_schedule(NOW), g, NOW) for g in Grade if g != "hard")

    assert (again.phase, again.step, again.due) == (ReviewPhase.LEARNING, 0, NOW + MINUTE)
    assert (good.phase, good.step, good.due) == (ReviewPhase.LEARNING, 1, NOW + 10 * MINUTE)
    assert easy.phase is ReviewPhase.REVIEW and easy.step is None and easy.due >= NOW + DAY
    assert easy.last_review == NOW and easy.stability > good.stability > again.stability
    assert easy.difficulty < good.difficulty < again.difficulty


def test_intervals_grow_with_each_good_review():
    learned = reviewed(Grade.GOOD, Grade.GOOD)
    later = reviewed(Grade.GOOD, Grade.GOOD, Grade.GOOD)

    assert learned.phase is ReviewPhase.REVIEW and learned.due - learned.last_review >= DAY
    assert later.due - later.last_review > learned.due - learned.last_review


def test_a_lapse_relearns_in_minutes_and_lowers_stability():
    learned = reviewed(Grade.GOOD, Grade.GOOD, Grade.GOOD)
    lapsed = scheduler.review(learned, Grade.AGAIN, learned.due)

    assert (lapsed.phase, lapsed.step) == (ReviewPhase.RELEARNING, 0)
    assert lapsed.due == learned.due + 10 * MINUTE
    assert lapsed.stability < learned.stability and lapsed.difficulty > learned.difficulty
    relearned = scheduler.review(lapsed, Grade.GOOD, lapsed.due)
    assert relearned.phase is ReviewPhase.REVIEW


def test_an_instant_in_any_time_zone_schedules_as_the_same_instant_in_utc():
    learned = reviewed(Grade.GOOD, Grade.GOOD)
    at = learned.due + 3 * DAY
    tokyo = at.astimezone(ZoneInfo("Asia/Tokyo"))
    far_west = at.astimezone(timezone(-timedelta(hours=11)))

    in_utc = scheduler.review(learned, Grade.GOOD, at)
    assert scheduler.review(learned, Grade.GOOD, tokyo) == in_utc
    assert scheduler.review(learned, Grade.GOOD, far_west) == in_utc
    assert in_utc.due.utcoffset() == timedelta(0)
    # A schedule read back in another zone is the same schedule.
    shifted = replace(
        learned, due=tokyo, last_review=learned.last_review.astimezone(far_west.tzinfo)
    )
    assert scheduler.review(shifted, Grade.GOOD, at) == in_utc
    with pytest.raises(ValueError):
        scheduler.review(learned, Grade.GOOD, at.replace(tzinfo=None))


def test_a_review_before_the_item_is_due_counts_the_shorter_interval():
    learned = reviewed(Grade.GOOD, Grade.GOOD)
    early = scheduler.review(learned, Grade.GOOD, learned.last_review + DAY / 2)
    on_time = scheduler.review(learned, Grade.GOOD, learned.due)

    assert early.stability < on_time.stability


def test_a_spoken_score_is_a_grade():
    assert [spoken_grade(s) for s in (0, 49.9, 50, 69.9, 70, 84.9, 85, 100)] == [
        Grade.AGAIN, Grade.AGAIN, Grade.HARD, Grade.HARD, Grade.GOOD, Grade.GOOD,
        Grade.EASY, Grade.EASY,
    ]  # fmt: skip


def test_an_item_is_a_word_or_a_phrase():
    assert item_text("  apples. ") == "apples" and item_text('"a  cup of tea"') == "a cup of tea"
    for wrong in ("", " ... ", "x" * 101):
        with pytest.raises(InvalidInput):
            item_text(wrong)


@pytest.fixture
async def database() -> InMemoryDatabase:
    return InMemoryDatabase()


async def test_an_added_item_is_due_then_rescheduled_by_its_review(database):
    ana, ben = learner(), learner("Ben")
    await given(database, ana, ben)
    item = await add_item(ana.id, AddItem(" Apples ", "a fruit"), InMemoryUnitOfWork(database))
    with pytest.raises(Conflict):
        await add_item(ana.id, AddItem("APPLES"), InMemoryUnitOfWork(database))

    due = await due_items(ana.id, 10, InMemoryUnitOfWork(database))
    assert [i.id for i in due.items] == [item.id] and due.total == 1
    with pytest.raises(Forbidden):
        await review_item(ben.id, item.id, Grade.GOOD, scheduler, InMemoryUnitOfWork(database))
    done = await review_item(ana.id, item.id, Grade.EASY, scheduler, InMemoryUnitOfWork(database))

    assert done.schedule.phase is ReviewPhase.REVIEW and done.reviews == 1 and done.lapses == 0
    assert (await due_items(ana.id, 10, InMemoryUnitOfWork(database))).total == 0
    later = done.schedule.due
    lapsed = await review_item(
        ana.id, item.id, Grade.AGAIN, scheduler, InMemoryUnitOfWork(database), later
    )
    assert (lapsed.reviews, lapsed.lapses) == (2, 1)
    assert lapsed.schedule.phase is ReviewPhase.RELEARNING


async def test_corrections_and_mispronounced_words_become_items_once(database):
    ana = learner()
    await given(database, ana)
    session, _ = await start_session(ana.id, None, None, InMemoryUnitOfWork(database))
    for text in ("He go to school.", "He go home."):
        await take_turn(
            ana.id,
            session.id,
            text,
            InputMode.TEXT,
            PoliteTutor(),
            InMemoryUnitOfWork(database),
            Dialect.BRITISH,
        )
    words = [WordScore("Goes.", 30.0, WordError.MISPRONUNCIATION), WordScore("home", 95.0)]
    result = ScoringResult("goes home", 60.0, 60.0, 80.0, 100.0, words, "offline")
    scored = ScoredRecording("Goes home.", "en-US", 1.0, result)
    await record_pronunciation(
        ana.id, AnalysisSource.SPEECH_SCORE, scored, InMemoryUnitOfWork(database)
    )

    items = (await list_items(ana.id, 1, 10, InMemoryUnitOfWork(database))).items
    # "goes" was corrected twice and mispronounced once: one item, from where it came first.
    assert [(i.text, i.origin) for i in items] == [("goes", ItemOrigin.CORRECTION)]
    assert items[0].note


class LateKeys:
    """Review items that look absent when asked, as they do to a request when another
    request adds them just after."""

    def __init__(self, items: InMemoryReviewItemRepository) -> None:
        self._items = items

    async def keys(self, user_id, keys):
        return set()

    async def add(self, item):
        await self._items.add(item)


async def test_an_item_added_meanwhile_by_another_request_is_passed_over(database):
    ana = learner()
    await given(database, ana)
    existing = await add_item(ana.id, AddItem("goes"), InMemoryUnitOfWork(database))

    async with InMemoryUnitOfWork(database) as uow:
        added = await collect_items(
            LateKeys(uow.review_items),
            ana.id,
            [("goes", None), ("went", None)],
            ItemOrigin.CORRECTION,
            NOW,
        )
        await uow.commit()

    assert [i.text for i in added] == ["went"]
    items = (await list_items(ana.id, 1, 10, InMemoryUnitOfWork(database))).items
    assert {i.text for i in items} == {"goes", "went"} and existing.id in {i.id for i in items}
