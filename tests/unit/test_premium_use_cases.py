"""The premium features over the in-memory unit of work: premium only, the daily limits
(at the edge, and for requests racing for the last one), a failed provider not charged,
the month's usage and its rollover, and answers built from the courses' text with their
citations."""

import asyncio
from datetime import UTC, datetime

import pytest

from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from domain.courses import premium, progress, quizzes, subscriptions
from domain.courses.access import PREMIUM_REQUIRED
from domain.courses.premium import PremiumModel
from domain.courses.quizzes import SubmitQuiz
from domain.courses.rules import DAILY_LIMITS, month_of
from domain.courses.subscriptions import GrantSubscription
from domain.errors import Forbidden, NotFound, QuotaExceeded, ServiceUnavailable
from ports.courses import Plan, PremiumFeature
from ports.language_model import ChatMessage
from tests.support.courses import add_corpus
from tests.support.memory import given, learner

ANA = learner("Ana")
BEN = learner("Ben")


class NotesModel:
    """Answers with its notes' first line and an unfinished sentence, as a model cut short
    by its token budget would; remembers what it was asked."""

    provider = "notes"

    def __init__(self) -> None:
        self.asked: list[list[ChatMessage]] = []

    async def complete(self, messages, *, max_tokens=256, temperature=0.7, json_schema=None):
        self.asked.append(messages)
        await asyncio.sleep(0)  # a real model call yields to other requests
        return "Practise these chapters. Start with the first one. Then the"


class DownModel:
    provider = "down"

    async def complete(self, messages, *, max_tokens=256, temperature=0.7, json_schema=None):
        await asyncio.sleep(0)
        raise ServiceUnavailable("The model is down")


PRICE = 0.027


@pytest.fixture
async def database() -> InMemoryDatabase:
    database = InMemoryDatabase()
    await given(database, ANA, BEN)
    await add_corpus(lambda: InMemoryUnitOfWork(database))
    await subscriptions.grant_subscription(
        ANA.id, GrantSubscription(Plan.PREMIUM), InMemoryUnitOfWork(database)
    )
    return database


@pytest.fixture
def uow(database):
    return lambda: InMemoryUnitOfWork(database)


@pytest.fixture
def model() -> NotesModel:
    return NotesModel()


@pytest.fixture
def notes(model) -> PremiumModel:
    return PremiumModel(model, PRICE)


async def test_a_free_user_is_told_premium_is_required_and_not_counted(uow, notes):
    with pytest.raises(Forbidden) as refused:
        await premium.synthesize_chapters(BEN.id, "vowel sounds", notes, uow())
    assert refused.value.message == PREMIUM_REQUIRED
    report = await premium.get_usage(BEN.id, BEN.id, uow())
    assert report.used_today == {} and report.usage.cost_micro_usd == 0


async def test_a_synthesis_is_built_from_the_chapters_it_cites(uow, notes, model):
    found = await premium.synthesize_chapters(ANA.id, "vowel sounds", notes, uow())
    assert [s.chapter_id for s in found.sources][0] == "sounds-1"
    assert any("vowel" in sentence for sentence in found.sources[0].excerpt)
    # The course's own sentences that answer best come first, apart from the model's.
    assert found.key_points[0].startswith("English has short and long vowel sounds.")
    # The model's part is cut to whole sentences, and it saw the retrieved text.
    assert found.summary == "Practise these chapters. Start with the first one."
    assert "English has short and long vowel sounds" in model.asked[0][1].content


async def test_the_daily_limit_is_reached_then_429_until_tomorrow(uow, notes):
    limit = DAILY_LIMITS[PremiumFeature.SYNTHESIS]
    for _ in range(limit):
        await premium.synthesize_chapters(ANA.id, "vowel", notes, uow())
    with pytest.raises(QuotaExceeded) as refused:
        await premium.synthesize_chapters(ANA.id, "vowel", notes, uow())
    assert 0 < refused.value.retry_after_seconds <= 24 * 3600
    report = await premium.get_usage(ANA.id, ANA.id, uow())
    assert report.usage.counts[PremiumFeature.SYNTHESIS] == limit
    assert report.usage.cost_micro_usd == limit * 27_000
    assert report.used_today == {PremiumFeature.SYNTHESIS: limit}
    # Other features keep their own allowance.
    await premium.ask_mentor(ANA.id, "word stress", notes, uow())


async def test_of_two_requests_racing_for_the_last_one_one_passes(uow, notes):
    for _ in range(DAILY_LIMITS[PremiumFeature.MENTOR_SESSION] - 1):
        await premium.ask_mentor(ANA.id, "articles", notes, uow())
    answers = await asyncio.gather(
        premium.ask_mentor(ANA.id, "articles", notes, uow()),
        premium.ask_mentor(ANA.id, "articles", notes, uow()),
        return_exceptions=True,
    )
    assert sorted(type(a).__name__ for a in answers) == ["MentorReply", "QuotaExceeded"]


async def test_a_request_whose_provider_fails_is_not_charged(uow):
    down = PremiumModel(DownModel(), PRICE)
    for _ in range(DAILY_LIMITS[PremiumFeature.MENTOR_SESSION] + 1):
        with pytest.raises(ServiceUnavailable):
            await premium.ask_mentor(ANA.id, "articles", down, uow())
    report = await premium.get_usage(ANA.id, ANA.id, uow())
    assert report.used_today == {} and report.usage.cost_micro_usd == 0


async def test_a_question_no_chapter_covers_is_404_and_not_counted(uow, notes):
    with pytest.raises(NotFound):
        await premium.ask_mentor(ANA.id, "elephants", notes, uow())
    assert (await premium.get_usage(ANA.id, ANA.id, uow())).used_today == {}


async def test_last_months_usage_is_not_this_months(uow, notes):
    async with uow() as work:
        await work.hybrid_usage.charge(
            ANA.id, "2020-01", PremiumFeature.SYNTHESIS, 27_000, datetime(2020, 1, 31, tzinfo=UTC)
        )
        await work.commit()
    await premium.ask_mentor(ANA.id, "articles", notes, uow())
    report = await premium.get_usage(ANA.id, ANA.id, uow())
    assert report.month_year == month_of(datetime.now(UTC))
    assert report.usage.counts[PremiumFeature.SYNTHESIS] == 0
    assert report.usage.counts[PremiumFeature.MENTOR_SESSION] == 1
    with pytest.raises(Forbidden):
        await premium.get_usage(BEN.id, ANA.id, uow())


async def test_the_learning_path_reviews_failed_quizzes_then_goes_on(uow, notes):
    await progress.complete_chapter(ANA.id, ANA.id, "sounds", "sounds-1", uow())
    await quizzes.submit_quiz(ANA.id, SubmitQuiz("sounds-1-quiz", {"q1": 1}), uow())
    path = await premium.plan_learning_path(ANA.id, "sounds", None, notes, uow())
    assert [(s.source.chapter_id, s.reason) for s in path.steps] == [
        ("sounds-1", "review: best quiz score 10%"),
        ("sounds-2", "next: not completed yet"),
        ("sounds-3", "next: not completed yet"),
    ]
    with_goal = await premium.plan_learning_path(ANA.id, "sounds", "articles", notes, uow())
    assert with_goal.steps[-1].source.chapter_id == "grammar-2"


async def test_an_assessment_measures_the_answer_against_the_chapter(uow, notes):
    found = await premium.assess_answer(
        ANA.id,
        "grammar-2",
        "When do we use an?",
        "We use an before a vowel sound, like an apple.",
        notes,
        uow(),
    )
    assert found.chapter.chapter_id == "grammar-2"
    assert 0 < found.coverage < 1 and "introduce" in found.missing_points
