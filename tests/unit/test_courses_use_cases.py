"""The courses context's use cases over the in-memory unit of work: navigation and its
ends, premium gating, grading and attempts, completion, progress and streaks, and who may
read whose records."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from domain.courses import catalog, progress, quizzes, subscriptions
from domain.courses.access import PREMIUM_REQUIRED
from domain.courses.quizzes import SubmitQuiz
from domain.courses.subscriptions import GrantSubscription
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from ports.courses import Plan
from tests.support.courses import add_corpus
from tests.support.memory import given, learner

ANA = learner("Ana")
BEN = learner("Ben")


@pytest.fixture
async def database() -> InMemoryDatabase:
    database = InMemoryDatabase()
    await given(database, ANA, BEN)
    await add_corpus(lambda: InMemoryUnitOfWork(database))
    return database


@pytest.fixture
def uow(database):
    return lambda: InMemoryUnitOfWork(database)


async def test_courses_are_listed_by_title_with_their_chapter_counts(uow):
    listed = await catalog.list_courses(uow())
    assert [(s.course.id, s.chapter_count) for s in listed] == [
        ("business", 1),
        ("grammar", 2),
        ("sounds", 3),
    ]


async def test_chapters_lead_to_each_other_and_end_at_either_end(uow):
    first = await catalog.get_chapter("sounds-1", None, uow())
    assert (first.previous_id, first.next_id) == (None, "sounds-2")
    second = await catalog.next_chapter("sounds-1", None, uow())
    assert second.chapter.id == "sounds-2"
    assert (await catalog.previous_chapter("sounds-2", None, uow())).chapter.id == "sounds-1"
    assert (await catalog.next_chapter("sounds-2", None, uow())).next_id is None
    with pytest.raises(NotFound):
        await catalog.previous_chapter("sounds-1", None, uow())
    with pytest.raises(NotFound):
        await catalog.next_chapter("sounds-3", None, uow())
    with pytest.raises(NotFound):
        await catalog.get_chapter("nowhere", None, uow())


async def test_a_premium_course_needs_a_signed_in_premium_learner(uow):
    with pytest.raises(Unauthenticated):
        await catalog.get_chapter("business-1", None, uow())
    with pytest.raises(Forbidden) as refused:
        await quizzes.get_quiz("business-1-quiz", ANA.id, uow())
    assert refused.value.message == PREMIUM_REQUIRED
    await subscriptions.grant_subscription(ANA.id, GrantSubscription(Plan.PREMIUM), uow())
    assert (await catalog.get_chapter("business-1", ANA.id, uow())).chapter.position == 1
    await subscriptions.end_subscriptions(ANA.id, uow())
    with pytest.raises(Forbidden):
        await catalog.list_chapters("business", ANA.id, uow())


async def test_a_new_grant_ends_the_running_subscription(uow):
    await subscriptions.grant_subscription(ANA.id, GrantSubscription(Plan.PREMIUM), uow())
    await subscriptions.grant_subscription(ANA.id, GrantSubscription(Plan.FREE), uow())
    status = await subscriptions.get_subscriptions(ANA.id, ANA.role, ANA.id, uow())
    assert status.plan is Plan.FREE
    assert [(s.plan, s.is_active) for s in status.subscriptions] == [
        (Plan.FREE, True),
        (Plan.PREMIUM, False),
    ]
    with pytest.raises(InvalidInput):
        past = datetime.now(UTC) - timedelta(days=1)
        await subscriptions.grant_subscription(ANA.id, GrantSubscription(Plan.PREMIUM, past), uow())


async def test_a_submission_is_graded_kept_and_published(uow, database):
    answers = {f"q{n}": 1 if n <= 7 else 0 for n in range(1, 11)}
    result = await quizzes.submit_quiz(ANA.id, SubmitQuiz("sounds-1-quiz", answers), uow())
    assert (result.attempt.score, result.attempt.passed) == (0.7, True)
    failed = await quizzes.submit_quiz(ANA.id, SubmitQuiz("sounds-1-quiz", {"q1": 1}), uow())
    assert (failed.attempt.score, failed.attempt.passed) == (0.1, False)
    history = await quizzes.list_attempts(ANA.id, ANA.id, "sounds-1-quiz", uow())
    assert [a.id for a in history] == [failed.attempt.id, result.attempt.id]
    assert [e.type for e in database.outbox] == ["quiz.submitted", "quiz.submitted"]


async def test_a_refused_submission_keeps_nothing(uow, database):
    with pytest.raises(InvalidInput):
        await quizzes.submit_quiz(ANA.id, SubmitQuiz("sounds-1-quiz", {"q1": 7}), uow())
    assert await quizzes.list_attempts(ANA.id, ANA.id, "sounds-1-quiz", uow()) == []
    assert database.outbox == []


async def test_learners_read_only_their_own_records(uow):
    with pytest.raises(Forbidden):
        await quizzes.list_attempts(BEN.id, ANA.id, "sounds-1-quiz", uow())
    with pytest.raises(Forbidden):
        await progress.get_course_progress(BEN.id, ANA.id, "sounds", uow())
    with pytest.raises(Forbidden):
        await progress.complete_chapter(BEN.id, ANA.id, "sounds", "sounds-1", uow())
    with pytest.raises(Forbidden):
        await progress.reset_learning_streak(BEN.id, ANA.id, uow())
    with pytest.raises(Forbidden):
        await subscriptions.get_subscriptions(BEN.id, BEN.role, ANA.id, uow())


async def test_completing_chapters_counts_each_once_and_keeps_the_streak(uow, database):
    first = await progress.complete_chapter(ANA.id, ANA.id, "sounds", "sounds-1", uow())
    again = await progress.complete_chapter(ANA.id, ANA.id, "sounds", "sounds-1", uow())
    assert first.completed_chapters == again.completed_chapters == ["sounds-1"]
    assert (again.percent, again.total_chapters, again.streak.current_days) == (33.3, 3, 1)
    await progress.complete_chapter(ANA.id, ANA.id, "sounds", "sounds-2", uow())
    done = await progress.complete_chapter(ANA.id, ANA.id, "sounds", "sounds-3", uow())
    assert done.completed and done.percent == 100.0
    assert done.streak.current_days == 1  # all on one day
    assert [e.type for e in database.outbox] == ["chapter.completed"] * 3
    reset = await progress.reset_learning_streak(ANA.id, ANA.id, uow())
    assert (reset.current_days, reset.longest_days) == (0, 1)


async def test_a_chapter_of_another_course_is_not_found(uow):
    with pytest.raises(NotFound):
        await progress.complete_chapter(ANA.id, ANA.id, "grammar", "sounds-1", uow())


async def test_progress_across_courses_covers_the_started_ones_with_best_quiz_scores(uow):
    await progress.complete_chapter(ANA.id, ANA.id, "grammar", "grammar-1", uow())
    await quizzes.submit_quiz(ANA.id, SubmitQuiz("grammar-1-quiz", {"q1": 1}), uow())
    await quizzes.submit_quiz(ANA.id, SubmitQuiz("grammar-1-quiz", {"q1": 1, "q2": 1}), uow())
    await quizzes.submit_quiz(ANA.id, SubmitQuiz("sounds-1-quiz", {"q1": 1}), uow())
    listed = await progress.list_course_progress(ANA.id, ANA.id, uow())
    assert [(p.course.id, p.completed_chapters, p.quiz_scores) for p in listed] == [
        ("grammar", ["grammar-1"], {"grammar-1-quiz": 0.2})
    ]
    assert await progress.list_course_progress(BEN.id, BEN.id, uow()) == []


async def test_a_course_waits_for_its_prerequisites(uow):
    await subscriptions.grant_subscription(ANA.id, GrantSubscription(Plan.PREMIUM), uow())
    with pytest.raises(Conflict) as refused:
        await progress.complete_chapter(ANA.id, ANA.id, "business", "business-1", uow())
    assert refused.value.details == {"prerequisites": ["grammar"]}
    for chapter_id in ("grammar-1", "grammar-2"):
        await progress.complete_chapter(ANA.id, ANA.id, "grammar", chapter_id, uow())
    done = await progress.complete_chapter(ANA.id, ANA.id, "business", "business-1", uow())
    assert done.completed


async def test_a_course_refuses_chapters_out_of_order_or_of_other_courses(uow):
    from tests.support.courses import GRAMMAR_CHAPTERS, course

    extra = course("extra", "Extra", "More.")
    with pytest.raises(InvalidInput):
        await catalog.add_course(extra, GRAMMAR_CHAPTERS, [], uow())
    with pytest.raises(NotFound):
        await catalog.add_course(course("x", "X", "x", prerequisites=[str(uuid4())]), [], [], uow())
