"""The persistence contract of the learning ports, on every SQL database we support and in
memory."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.errors import Conflict, NotFound
from ports.cefr import CefrLevel
from ports.grammar import Dialect
from ports.learning import (
    ActivityKind,
    AnalysisSource,
    Assessment,
    AssessmentKind,
    LearningPlan,
    LearningProfile,
    LearningSettings,
    PlanActivity,
    PlanWeek,
    PracticeTotals,
    PronunciationAnalysis,
    ScoreAt,
    WordResult,
)
from ports.reviews import ItemOrigin, ReviewCounts, ReviewItem, ReviewPhase, ReviewSchedule
from ports.tutoring import InputMode, Speaker
from tests.contract.conftest import UowFactory
from tests.contract.test_messaging_repositories import users
from tests.contract.test_repositories import make_game_session
from tests.contract.test_tutoring_repositories import turn, tutor_session

NOW = datetime(2025, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)
AUDIO = InputMode.AUDIO


def profile(user_id: UUID, language: str = "en", **changes) -> LearningProfile:
    return replace(LearningProfile(uuid4(), user_id, language, CefrLevel.B1, NOW, NOW), **changes)


def analysis(user_id: UUID, at: datetime = NOW) -> PronunciationAnalysis:
    words = [WordResult("I", 91.5, "None"), WordResult("apples", 40.0, "Mispronunciation")]
    return PronunciationAnalysis(
        uuid4(), user_id, AnalysisSource.SPEECH_SCORE, "I like apples.", "I like apples",
        "en-US", 80.0, 81.0, 90.0, 100.0, 2.25, "offline", at, words,
    )  # fmt: skip


def assessment(user_id: UUID, at: datetime = NOW) -> Assessment:
    details = {"transcript": "I like apples", "skills": {"fluency": {"score": 70.5}}}
    return Assessment(uuid4(), user_id, AssessmentKind.SPEAKING, CefrLevel.B2, 71.5, details, at)


async def test_profiles_are_one_per_language_listed_oldest_first(uow_factory: UowFactory):
    ana, ben = await users(uow_factory, 2)
    english = profile(ana, "en", created_at=NOW + timedelta(hours=1))
    spanish = profile(ana, "es")
    async with uow_factory() as uow:
        for made in (english, spanish, profile(ben, "en")):
            await uow.learning_profiles.add(made)
        await uow.commit()

    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.learning_profiles.add(profile(ana, "en"))
        # The refused insert leaves the unit of work usable.
        assert await uow.learning_profiles.list_for_user(ana) == [spanish, english]
        assert await uow.learning_profiles.get(english.id) == english
        assert await uow.learning_profiles.get(uuid4()) is None


async def test_a_profile_changes_its_level_and_is_deleted(uow_factory: UowFactory):
    (ana,) = await users(uow_factory, 1)
    made = profile(ana)
    session = tutor_session(ana, profile_id=made.id)
    async with uow_factory() as uow:
        await uow.learning_profiles.add(made)
        await uow.tutor_sessions.add(session)
        await uow.commit()
    changed = replace(made, level=CefrLevel.C1, updated_at=NOW + timedelta(days=1))

    async with uow_factory() as uow:
        await uow.learning_profiles.update(changed)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.learning_profiles.get(made.id) == changed
        assert (await uow.tutor_sessions.get(session.id)).profile_id == made.id
        await uow.learning_profiles.delete(made.id)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.learning_profiles.get(made.id) is None
        # The session stays, without the profile.
        assert (await uow.tutor_sessions.get(session.id)).profile_id is None
        with pytest.raises(NotFound):
            await uow.learning_profiles.delete(made.id)
        with pytest.raises(NotFound):
            await uow.learning_profiles.update(changed)


async def test_analyses_keep_their_words_and_are_paged_newest_first(uow_factory: UowFactory):
    ana, ben = await users(uow_factory, 2)
    kept = [analysis(ana, NOW + timedelta(minutes=n)) for n in range(3)]
    async with uow_factory() as uow:
        for made in [*kept, analysis(ben)]:
            await uow.pronunciation_analyses.add(made)
        await uow.commit()

    async with uow_factory() as uow:
        first, total = await uow.pronunciation_analyses.list_for_user(ana, 0, 2)
        rest, _ = await uow.pronunciation_analyses.list_for_user(ana, 2, 2)

    assert total == 3 and first + rest == kept[::-1]


async def test_assessments_keep_their_details_and_the_profile_they_set(uow_factory: UowFactory):
    (ana,) = await users(uow_factory, 1)
    made, older = assessment(ana), assessment(ana, NOW - timedelta(days=1))
    target = profile(ana)
    async with uow_factory() as uow:
        await uow.learning_profiles.add(target)
        await uow.assessments.add(made)
        await uow.assessments.add(older)
        await uow.commit()
    async with uow_factory() as uow:
        await uow.assessments.update(replace(made, applied_to=target.id))
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.assessments.get(made.id) == replace(made, applied_to=target.id)
        page, total = await uow.assessments.list_for_user(ana, 0, 10)
        assert [a.id for a in page] == [made.id, older.id] and total == 2
        await uow.learning_profiles.delete(target.id)
        with pytest.raises(NotFound):
            await uow.assessments.update(assessment(ana))
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.assessments.get(made.id)).applied_to is None


async def test_settings_default_until_saved_and_go_with_the_account(uow_factory: UowFactory):
    (ana,) = await users(uow_factory, 1)
    async with uow_factory() as uow:
        assert await uow.learning_settings.get(ana) == LearningSettings(ana, True)
        await uow.learning_settings.save(LearningSettings(ana, False))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.learning_settings.get(ana) == LearningSettings(ana, False)
        await uow.learning_settings.save(LearningSettings(ana, False, Dialect.AMERICAN))
        assert await uow.learning_settings.get(ana) == LearningSettings(
            ana, False, Dialect.AMERICAN
        )
        await uow.learning_profiles.add(profile(ana))
        await uow.pronunciation_analyses.add(analysis(ana))
        await uow.assessments.add(assessment(ana))
        await uow.review_items.add(review_item(ana, "apples"))
        await uow.users.delete(ana)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.learning_settings.get(ana) == LearningSettings(ana, True)
        assert await uow.learning_profiles.list_for_user(ana) == []
        assert (await uow.pronunciation_analyses.list_for_user(ana, 0, 10))[1] == 0
        assert (await uow.assessments.list_for_user(ana, 0, 10))[1] == 0
        assert (await uow.review_items.counts(ana, NOW)).items == 0


async def test_statistics_count_what_the_learner_stored(uow_factory: UowFactory):
    ana, ben, cleo = await users(uow_factory, 3)
    day = timedelta(days=1)
    session, others = tutor_session(ana), tutor_session(ben)
    spoken = replace(turn(session, 2, Speaker.LEARNER), text="I like green tea", input_mode=AUDIO)
    typed = replace(turn(session, 4, Speaker.LEARNER), text="Hello there")
    older = analysis(ana, NOW - 2 * day)
    async with uow_factory() as uow:
        await uow.tutor_sessions.add(session)
        await uow.tutor_sessions.add(others)
        for message in (turn(session, 1), spoken, turn(session, 3), typed):
            await uow.tutor_messages.add(message)
        await uow.tutor_messages.add(replace(turn(others, 1, Speaker.LEARNER), input_mode=AUDIO))
        await uow.pronunciation_analyses.add(older)
        await uow.pronunciation_analyses.add(replace(analysis(ana), pronunciation_score=60.0))
        await uow.pronunciation_analyses.add(analysis(ben))
        await uow.game_sessions.add(make_game_session(ana, [], completed_at=NOW - 3 * day))
        await uow.assessments.add(assessment(ana, NOW - 4 * day))
        await uow.commit()

    async with uow_factory() as uow:
        totals = await uow.statistics.totals(ana)
        times = await uow.statistics.practice_times(ana, NOW - 3 * day)
        scores = await uow.statistics.pronunciation_scores(ana, NOW - 2 * day)
        nothing = await uow.statistics.totals(cleo)

    assert totals == PracticeTotals(
        speaking_seconds=4.5,
        tutor_sessions=1,
        game_sessions=1,
        turns=2,
        # "I like green tea" spoken, and "I like apples" recognized twice; typed turns are not.
        words_spoken=4 + 3 + 3,
        pronunciation_analyses=2,
        average_pronunciation_score=70.0,
        assessments=1,
    )
    assert sorted(times) == [
        NOW - 3 * day,
        NOW - 2 * day,
        NOW,
        spoken.created_at,
        typed.created_at,
    ]
    assert scores == [ScoreAt(NOW - 2 * day, 80.0), ScoreAt(NOW, 60.0)]
    assert nothing == PracticeTotals(0.0, 0, 0, 0, 0, 0, None, 0)


def review_item(user_id: UUID, text: str, due: datetime = NOW, **changes) -> ReviewItem:
    schedule = ReviewSchedule(ReviewPhase.LEARNING, 0, None, None, due, None)
    item = ReviewItem(
        uuid4(), user_id, text, text.casefold(), None, ItemOrigin.ADDED, schedule, 0, 0, NOW
    )
    return replace(item, **changes)


async def test_review_items_are_one_per_key_and_keep_their_schedule(uow_factory: UowFactory):
    ana, ben = await users(uow_factory, 2)
    apples = review_item(ana, "Apples", note="a fruit", origin=ItemOrigin.MISPRONOUNCED)
    async with uow_factory() as uow:
        await uow.review_items.add(apples)
        await uow.review_items.add(review_item(ben, "apples"))
        await uow.commit()
    learned = ReviewSchedule(
        ReviewPhase.REVIEW, None, 8.2956, 1.0, NOW + timedelta(days=8), NOW + timedelta(hours=1)
    )
    changed = replace(apples, schedule=learned, reviews=3, lapses=1)

    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.review_items.add(review_item(ana, "APPLES"))
        assert await uow.review_items.keys(ana, ["apples", "pears"]) == {"apples"}
        assert await uow.review_items.keys(ana, []) == set()
        await uow.review_items.update(changed)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.review_items.get(apples.id) == changed
        await uow.review_items.delete(apples.id)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.review_items.get(apples.id) is None
        with pytest.raises(NotFound):
            await uow.review_items.delete(apples.id)
        with pytest.raises(NotFound):
            await uow.review_items.update(changed)


async def test_review_items_due_longest_first_and_counted(uow_factory: UowFactory):
    (ana,) = await users(uow_factory, 1)
    hour = timedelta(hours=1)
    items = [
        review_item(ana, "later", NOW + hour),
        review_item(ana, "now", NOW, created_at=NOW + hour),
        review_item(ana, "overdue", NOW - hour, created_at=NOW + 2 * hour),
    ]
    learned = ReviewSchedule(ReviewPhase.RELEARNING, 0, 2.0, 5.0, NOW + 2 * hour, NOW)
    items.append(review_item(ana, "learned", schedule=learned))
    async with uow_factory() as uow:
        for item in items:
            await uow.review_items.add(item)
        await uow.commit()

    async with uow_factory() as uow:
        due, total = await uow.review_items.due(ana, NOW, 1)
        all_due, _ = await uow.review_items.due(ana, NOW, 10)
        newest, count = await uow.review_items.list_for_user(ana, 0, 2)
        counts = await uow.review_items.counts(ana, NOW)

    assert [i.text for i in due] == ["overdue"] and total == 2
    assert [i.text for i in all_due] == ["overdue", "now"]
    assert [i.text for i in newest] == ["overdue", "now"] and count == 4
    assert counts == ReviewCounts(items=4, learned=1, due=2)


def plan(user_id: UUID, at: datetime = NOW) -> LearningPlan:
    activities = [
        PlanActivity(ActivityKind.TUTOR_SESSION, "Talk about travel", 15, 2),
        PlanActivity(ActivityKind.VOCABULARY_REVIEW, "Review the words that are due", 10, 5),
    ]
    schedule = [PlanWeek(1, "Travel", activities), PlanWeek(2, "Work", activities[:1])]
    return LearningPlan(
        uuid4(), user_id, CefrLevel.B1, ["travel", "business"], 2, "Two weeks.", schedule,
        "rules", at,
    )  # fmt: skip


async def test_plans_keep_their_schedule_and_are_paged_newest_first(uow_factory: UowFactory):
    ana, ben = await users(uow_factory, 2)
    older, newer = plan(ana, NOW - timedelta(days=1)), plan(ana)
    async with uow_factory() as uow:
        for made in (older, newer, plan(ben)):
            await uow.learning_plans.add(made)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.learning_plans.get(older.id) == older
        assert await uow.learning_plans.get(uuid4()) is None
        page, total = await uow.learning_plans.list_for_user(ana, 0, 1)
        rest, _ = await uow.learning_plans.list_for_user(ana, 1, 1)

    assert page + rest == [newer, older] and total == 2
