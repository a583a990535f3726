"""Curriculum progress use cases over the in-memory unit of work: starting progress,
recording attempts with their day, streak and achievements, who may read progress, and
that a refused attempt writes nothing, not even an event."""

from datetime import timedelta

import pytest

from adapters.grammar.harper import HarperGrammarChecker
from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from adapters.vocabulary.cefrpy_levels import CefrpyVocabularyLevels
from deployments.demo.curriculum import read_curriculum
from domain.curriculum.evaluation import Answer, AttemptEvaluators
from domain.curriculum.progress import (
    AttemptTopic,
    InitializeProgress,
    attempt_topic,
    check_unlocks,
    get_comprehensive_progress,
    get_current_topic,
    get_progress,
    initialize_progress,
    record_topic_attempt,
)
from domain.curriculum.rules import Achievements, FluencyTrend, Streak, TopicAttempt
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unprocessable
from ports.identity import Role
from tests.support.memory import NOW, given, learner

COUNTS = read_curriculum().topic_counts
ANA, BEN = learner("Ana"), learner("Ben")


@pytest.fixture
async def database() -> InMemoryDatabase:
    database = InMemoryDatabase()
    await given(database, ANA, BEN)
    return database


def attempt(topic=1, score=80.0, at=NOW, exercise=1):
    return TopicAttempt(1, exercise, topic, score, 20, False, at)


async def test_initializing_twice_keeps_the_first_progress(database):
    first = await initialize_progress(
        ANA.id, InitializeProgress("Asia/Karachi", False), NOW, InMemoryUnitOfWork(database)
    )
    again = await initialize_progress(
        ANA.id, InitializeProgress("UTC", True), NOW, InMemoryUnitOfWork(database)
    )
    assert again == first and again.time_zone == "Asia/Karachi" and not again.urdu_enabled


async def test_an_unknown_time_zone_starts_nothing(database):
    with pytest.raises(InvalidInput):
        await initialize_progress(
            ANA.id, InitializeProgress("Nowhere/Else"), NOW, InMemoryUnitOfWork(database)
        )
    assert database.tables.learner_progress == {}


async def test_attempts_on_consecutive_learner_days_make_a_streak(database):
    zone = InitializeProgress("Asia/Karachi")
    await initialize_progress(ANA.id, zone, NOW, InMemoryUnitOfWork(database))
    # 23:00 and 00:30 in Karachi: two days there, although 90 minutes apart.
    late = NOW.replace(hour=18)
    first = await record_topic_attempt(
        ANA.id, attempt(1, 96, late), COUNTS, InMemoryUnitOfWork(database)
    )
    assert first.streak == Streak(1, 1)
    assert set(first.earned) == {Achievements.FIRST_ATTEMPT, Achievements.PERFECT_SCORE}
    second = await record_topic_attempt(
        ANA.id, attempt(2, 70, late + timedelta(minutes=90)), COUNTS, InMemoryUnitOfWork(database)
    )
    assert second.streak == Streak(2, 2) and second.earned == []
    assert second.outcome.topic_completed and second.progress.current_topic == 3
    view = await get_progress(
        ANA.id, Role.STUDENT, ANA.id, late + timedelta(hours=2), InMemoryUnitOfWork(database)
    )
    assert [d.attempts for d in view.recent_days] == [1, 1]
    assert [a.code for a in view.achievements] == [
        Achievements.FIRST_ATTEMPT,
        Achievements.PERFECT_SCORE,
    ]
    assert view.progress.exercises[(1, 1)].attempts == 2


async def test_a_retry_on_the_same_day_adds_to_that_day(database):
    for score in (40, 75):
        await record_topic_attempt(ANA.id, attempt(1, score), COUNTS, InMemoryUnitOfWork(database))
    (day,) = database.tables.daily_activity.values()
    assert (day.attempts, day.topics_completed, day.average_score) == (2, 1, 57.5)


async def test_maturing_three_exercises_unlocks_stage_two(database):
    for exercise in (1, 2, 3):
        for topic in range(1, COUNTS[(1, exercise)] + 1):
            record = await record_topic_attempt(
                ANA.id, attempt(topic, 85, exercise=exercise), COUNTS, InMemoryUnitOfWork(database)
            )
    assert record.outcome.stage_completed and record.outcome.unlocked == [(2, 1)]
    assert Achievements.stage_completed(1) in record.earned
    assert record.progress.unlocked_stages == [1, 2]
    events = [e.type for e in database.outbox]
    assert events == ["curriculum.topic_attempt_recorded"] * sum(COUNTS[(1, n)] for n in (1, 2, 3))


@pytest.mark.parametrize(
    "bad, error",
    [
        (TopicAttempt(1, 2, 1, 80, 20, False, NOW), Conflict),  # locked
        (TopicAttempt(1, 1, 99, 80, 20, False, NOW), NotFound),
        (TopicAttempt(1, 1, 1, 101, 20, False, NOW), InvalidInput),
    ],
)
async def test_a_refused_attempt_writes_nothing(database, bad, error):
    await initialize_progress(ANA.id, InitializeProgress(), NOW, InMemoryUnitOfWork(database))
    before = database.tables.copy()
    with pytest.raises(error):
        await record_topic_attempt(ANA.id, bad, COUNTS, InMemoryUnitOfWork(database))
    assert database.tables == before and database.outbox == []


async def test_a_stale_save_is_a_conflict(database):
    await initialize_progress(ANA.id, InitializeProgress(), NOW, InMemoryUnitOfWork(database))
    async with InMemoryUnitOfWork(database) as uow:
        stale = await uow.learner_progress.get(ANA.id)
    await record_topic_attempt(ANA.id, attempt(), COUNTS, InMemoryUnitOfWork(database))
    async with InMemoryUnitOfWork(database) as uow:
        with pytest.raises(Conflict):
            await uow.learner_progress.save(stale)


async def test_only_the_learner_or_an_admin_reads_progress(database):
    await record_topic_attempt(ANA.id, attempt(), COUNTS, InMemoryUnitOfWork(database))
    for role in (Role.STUDENT, Role.TEACHER):
        with pytest.raises(Forbidden):
            await get_progress(BEN.id, role, ANA.id, NOW, InMemoryUnitOfWork(database))
    view = await get_progress(BEN.id, Role.ADMIN, ANA.id, NOW, InMemoryUnitOfWork(database))
    assert view.progress.user_id == ANA.id
    with pytest.raises(NotFound):
        await get_progress(BEN.id, Role.STUDENT, BEN.id, NOW, InMemoryUnitOfWork(database))


# --- attempts evaluated -----------------------------------------------------------------------


class Unreachable:
    """Audio ports that fail the test when a typed answer or a refused attempt reaches them."""

    provider = "none"

    async def decode(self, *args: object) -> None:
        raise AssertionError("the decoder was called")

    async def score(self, *args: object) -> None:
        raise AssertionError("the scorer was called")

    async def transcribe(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("the recognizer was called")


CURRICULUM = read_curriculum()
TYPED = AttemptEvaluators(
    Unreachable(), Unreachable(), Unreachable(), HarperGrammarChecker(), CefrpyVocabularyLevels()
)


async def unlock_quick_response(database):
    for topic in range(1, COUNTS[(1, 1)] + 1):
        await record_topic_attempt(ANA.id, attempt(topic, 85), COUNTS, InMemoryUnitOfWork(database))


def typed(text, topic=5, key=None):
    return AttemptTopic(1, 2, topic, Answer(text=text), 30, False, key)


async def test_a_typed_answer_is_rated_and_recorded(database):
    await unlock_quick_response(database)
    result = await attempt_topic(
        ANA.id,
        typed("My favourite food is biryani with rice."),
        CURRICULUM,
        TYPED,
        NOW,
        InMemoryUnitOfWork(database),
    )
    assert result.evaluation.relevance.share == 1.0 and result.evaluation.score == 100.0
    assert result.recorded.topic_completed and not result.replayed
    off_topic = await attempt_topic(
        ANA.id,
        typed("I live in a big house in Lahore.", topic=6),
        CURRICULUM,
        TYPED,
        NOW,
        InMemoryUnitOfWork(database),
    )
    assert off_topic.evaluation.score == 50.0 and not off_topic.recorded.topic_completed


async def test_a_retried_attempt_is_counted_once(database):
    await unlock_quick_response(database)
    cmd = typed("My favourite food is biryani with rice.", key="attempt-1")
    first = await attempt_topic(ANA.id, cmd, CURRICULUM, TYPED, NOW, InMemoryUnitOfWork(database))
    before = database.tables.copy()
    unused = AttemptEvaluators(*[Unreachable()] * 5)
    retry = await attempt_topic(ANA.id, cmd, CURRICULUM, unused, NOW, InMemoryUnitOfWork(database))
    assert retry.replayed and retry.recorded == first.recorded
    assert database.tables == before


@pytest.mark.parametrize(
    "cmd, error",
    [
        (AttemptTopic(1, 2, 1, Answer(text="My name is Ali Khan, thanks.")), Conflict),  # locked
        (AttemptTopic(1, 1, 99, Answer(audio=b"RIFF")), NotFound),
        (AttemptTopic(7, 1, 1, Answer(text="My name is Ali Khan, thanks.")), NotFound),
        (AttemptTopic(1, 1, 1, Answer(text="Hello, how are you today?")), InvalidInput),
        (AttemptTopic(1, 1, 1, Answer()), InvalidInput),
        (AttemptTopic(1, 1, 1, Answer(b"RIFF", "Hello there")), InvalidInput),
        (AttemptTopic(1, 1, 1, Answer(audio=b"RIFF"), idempotency_key=""), InvalidInput),
    ],
)
async def test_a_refused_attempt_is_not_evaluated_and_writes_nothing(database, cmd, error):
    await initialize_progress(ANA.id, InitializeProgress(), NOW, InMemoryUnitOfWork(database))
    before = database.tables.copy()
    with pytest.raises(error):
        await attempt_topic(ANA.id, cmd, CURRICULUM, TYPED, NOW, InMemoryUnitOfWork(database))
    assert database.tables == before


async def test_a_typed_answer_too_short_to_rate_writes_nothing(database):
    await unlock_quick_response(database)
    before = database.tables.copy()
    with pytest.raises(Unprocessable):
        await attempt_topic(
            ANA.id, typed("Biryani."), CURRICULUM, TYPED, NOW, InMemoryUnitOfWork(database)
        )
    assert database.tables == before


# --- reading unlocks, the current topic and the comprehensive view ----------------------------


async def test_the_current_topic_follows_the_attempts(database):
    await initialize_progress(ANA.id, InitializeProgress(), NOW, InMemoryUnitOfWork(database))
    for topic in (1, 2):
        await record_topic_attempt(ANA.id, attempt(topic), COUNTS, InMemoryUnitOfWork(database))
    current = await get_current_topic(
        ANA.id, Role.STUDENT, ANA.id, (1, 1), CURRICULUM, InMemoryUnitOfWork(database)
    )
    assert current.topic == CURRICULUM.exercise(1, 1).topic(3) and current.exercise.attempts == 2
    with pytest.raises(Conflict):
        await get_current_topic(
            ANA.id, Role.STUDENT, ANA.id, (1, 2), CURRICULUM, InMemoryUnitOfWork(database)
        )
    with pytest.raises(NotFound):
        await get_current_topic(
            ANA.id, Role.STUDENT, ANA.id, (1, 4), CURRICULUM, InMemoryUnitOfWork(database)
        )
    with pytest.raises(Forbidden):
        await get_current_topic(
            BEN.id, Role.STUDENT, ANA.id, (1, 1), CURRICULUM, InMemoryUnitOfWork(database)
        )


async def test_unlocks_and_the_trend_of_recent_scores(database):
    scores = [60, 62, 61, 63, 60, 80, 82, 85, 81, 84]
    for minute, score in enumerate(scores):
        at = NOW + timedelta(minutes=minute)
        await record_topic_attempt(
            ANA.id, attempt(minute % 6 + 1, score, at), COUNTS, InMemoryUnitOfWork(database)
        )
    unlocks = await check_unlocks(
        ANA.id, Role.STUDENT, ANA.id, COUNTS, InMemoryUnitOfWork(database)
    )
    assert unlocks.progress.unlocked == [(1, 1), (1, 2)] and unlocks.next.exercise == (1, 3)
    full = await get_comprehensive_progress(
        ANA.id, Role.STUDENT, ANA.id, NOW, COUNTS, InMemoryUnitOfWork(database)
    )
    assert full.recent_scores == scores and full.fluency_trend is FluencyTrend.IMPROVING
    assert full.next == unlocks.next and full.view.progress == unlocks.progress
