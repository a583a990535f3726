"""The persistence contract of the courses ports, on SQLite, PostgreSQL and in memory:
what is stored reads back the same, completions count once, subscriptions end, the search
finds and orders a small fixed corpus the same way on every backend, and premium usage is
claimed atomically against its daily limit and charged per month."""

import asyncio
from dataclasses import replace
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from domain.errors import Conflict
from ports.courses import (
    ChapterCompletion,
    Plan,
    PremiumFeature,
    QuizAttempt,
    SearchKind,
    Streak,
    Subscription,
)
from tests.contract.conftest import UowFactory
from tests.contract.test_messaging_repositories import users
from tests.support.courses import (
    GRAMMAR,
    NOW,
    SOUNDS,
    SOUNDS_CHAPTERS,
    add_corpus,
    chapter,
    course,
    quiz_for,
)


async def test_courses_chapters_and_quizzes_read_back_as_stored(uow_factory: UowFactory):
    await add_corpus(uow_factory)
    async with uow_factory() as uow:
        assert await uow.courses.get("sounds") == SOUNDS
        assert [c.id for c in await uow.courses.list()] == ["business", "grammar", "sounds"]
        assert (await uow.courses.get("business")).prerequisites == ["grammar"]
        assert await uow.chapters.list_for_course("sounds") == SOUNDS_CHAPTERS
        assert await uow.chapters.get("sounds-2") == SOUNDS_CHAPTERS[1]
        assert await uow.chapters.count_by_course() == {"sounds": 3, "grammar": 2, "business": 1}
        assert await uow.quizzes.get("sounds-1-quiz") == quiz_for(SOUNDS_CHAPTERS[0])
        listed = await uow.quizzes.list_for_course("sounds")
        assert [q.id for q in listed] == ["sounds-1-quiz", "sounds-2-quiz", "sounds-3-quiz"]
        assert await uow.courses.get("nowhere") is None
        assert await uow.quizzes.get("nowhere") is None


async def test_ids_and_positions_are_unique(uow_factory: UowFactory):
    await add_corpus(uow_factory)
    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.courses.add(GRAMMAR)
        with pytest.raises(Conflict):
            await uow.chapters.add(replace(SOUNDS_CHAPTERS[0], id="another"))
        with pytest.raises(Conflict):
            await uow.chapters.add(SOUNDS_CHAPTERS[1])


async def test_attempts_are_listed_newest_first_and_best_scores_kept(uow_factory: UowFactory):
    await add_corpus(uow_factory)
    (ana,) = await users(uow_factory, 1)
    attempts = [
        QuizAttempt(uuid4(), ana, "sounds-1-quiz", {"q1": 1}, 0.1, False, NOW),
        QuizAttempt(
            uuid4(), ana, "sounds-1-quiz", {"q1": 1, "q2": 1}, 0.8, True, NOW + timedelta(1)
        ),
        QuizAttempt(uuid4(), ana, "sounds-2-quiz", {}, 0.0, False, NOW),
    ]
    async with uow_factory() as uow:
        for attempt in attempts:
            await uow.quiz_attempts.add(attempt)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.quiz_attempts.list_for(ana, "sounds-1-quiz") == attempts[1::-1]
        assert await uow.quiz_attempts.best_scores(ana) == {
            "sounds-1-quiz": 0.8,
            "sounds-2-quiz": 0,
        }
        assert await uow.quiz_attempts.list_for(uuid4(), "sounds-1-quiz") == []


async def test_a_chapter_is_completed_once_and_streaks_are_replaced(uow_factory: UowFactory):
    await add_corpus(uow_factory)
    (ana,) = await users(uow_factory, 1)
    first = ChapterCompletion(ana, "sounds", "sounds-2", NOW)
    async with uow_factory() as uow:
        assert await uow.course_progress.complete(first)
        assert not await uow.course_progress.complete(
            replace(first, completed_at=NOW + timedelta(1))
        )
        assert await uow.course_progress.complete(ChapterCompletion(ana, "sounds", "sounds-1", NOW))
        assert await uow.course_progress.streak(ana) is None
        await uow.course_progress.save_streak(Streak(ana, 1, 1, date(2025, 12, 10), NOW))
        await uow.course_progress.save_streak(Streak(ana, 2, 4, date(2025, 12, 11), NOW))
        await uow.commit()
    async with uow_factory() as uow:
        assert [c.chapter_id for c in await uow.course_progress.completions(ana)] == [
            "sounds-1",
            "sounds-2",
        ]
        assert await uow.course_progress.streak(ana) == Streak(ana, 2, 4, date(2025, 12, 11), NOW)


async def test_subscriptions_are_listed_newest_first_and_ended(uow_factory: UowFactory):
    (ana,) = await users(uow_factory, 1)
    old = Subscription(uuid4(), ana, Plan.FREE, NOW, None, True, NOW, NOW)
    new = replace(old, id=uuid4(), plan=Plan.PREMIUM, start_date=NOW + timedelta(days=1))
    async with uow_factory() as uow:
        await uow.subscriptions.add(old)
        await uow.subscriptions.add(new)
        ended = replace(new, end_date=NOW + timedelta(days=2), is_active=False, plan=Plan.FREE)
        await uow.subscriptions.update(ended)
        await uow.commit()
    async with uow_factory() as uow:
        # The plan is not the update's to change.
        assert await uow.subscriptions.list_for_user(ana) == [
            replace(ended, plan=Plan.PREMIUM),
            old,
        ]


# The fixed corpus the relevance order is pinned on: titles weigh more than bodies, more
# matches more than fewer, a body full of other words less than a short one.
SEARCH_CORPUS = [
    course("vowels", "Vowels", "Short and long vowels."),
    course("stress", "Word stress", "Stress in words, with a note on vowels."),
    course("linking", "Linking", "Linking words in fast speech."),
]
SEARCH_CHAPTERS = [
    chapter("vowels", 1, "Vowel pairs", "Ship and sheep: the vowel makes the word."),
    chapter("vowels", 2, "Long sounds", "Long sounds last longer. Say each slowly."),
    chapter("stress", 1, "Stress in nouns", "Nouns of two syllables stress the first one."),
]


async def _searchable(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        for added in SEARCH_CORPUS:
            await uow.courses.add(added)
        for added in SEARCH_CHAPTERS:
            await uow.chapters.add(added)
        await uow.commit()


async def test_search_orders_title_matches_before_body_matches(uow_factory: UowFactory):
    await _searchable(uow_factory)
    async with uow_factory() as uow:
        hits = await uow.course_search.search_courses(["vowels"], 10)
        assert [h.id for h in hits] == ["vowels", "stress"]
        assert all(h.kind is SearchKind.COURSE and h.course_id == h.id for h in hits)
        assert hits[0].rank > hits[1].rank
        chapters = await uow.course_search.search_chapters(["stress"], 10)
        assert [(h.id, h.course_id, h.title) for h in chapters] == [
            ("stress-1", "stress", "Stress in nouns")
        ]


async def test_search_matches_any_term_and_stems_words(uow_factory: UowFactory):
    await _searchable(uow_factory)
    async with uow_factory() as uow:
        hits = await uow.course_search.search_chapters(["vowel", "syllables"], 10)
        assert [h.id for h in hits] == ["vowels-1", "stress-1"]
        assert [h.id for h in await uow.course_search.search_courses(["link"], 10)] == ["linking"]
        assert await uow.course_search.search_courses(["elephant"], 10) == []


async def test_search_snippets_highlight_the_matched_words(uow_factory: UowFactory):
    await _searchable(uow_factory)
    async with uow_factory() as uow:
        (hit,) = await uow.course_search.search_chapters(["sheep"], 10)
        assert "<b>sheep</b>" in hit.snippet
        assert "the vowel makes" in hit.snippet  # with words around it


async def test_search_takes_its_limit_and_words_that_are_query_syntax(uow_factory: UowFactory):
    await _searchable(uow_factory)
    async with uow_factory() as uow:
        assert len(await uow.course_search.search_courses(["vowels"], 1)) == 1
        # Operators of either syntax, as plain words: no error, no match.
        for words in (["or"], ["and", "not"], ["near"], ["or", "vowels"]):
            hits = await uow.course_search.search_courses(words, 10)
            assert {h.id for h in hits} <= {"vowels", "stress"}


async def test_the_search_follows_changes_to_courses_and_chapters(uow_factory: UowFactory):
    await _searchable(uow_factory)
    async with uow_factory() as uow:
        await uow.chapters.add(chapter("linking", 1, "Elephant sounds", "Trunks."))
        await uow.commit()
    async with uow_factory() as uow:
        assert [h.id for h in await uow.course_search.search_chapters(["elephant"], 5)] == [
            "linking-1"
        ]


DAY = date(2025, 12, 10)
SYNTHESIS = PremiumFeature.SYNTHESIS


async def _claim(uow_factory: UowFactory, user: UUID, limit: int, day: date = DAY) -> bool:
    async with uow_factory() as uow:
        claimed = await uow.hybrid_usage.claim(user, SYNTHESIS, day, limit)
        await uow.commit()
    return claimed


async def test_claims_stop_at_the_daily_limit_and_a_release_gives_one_back(
    uow_factory: UowFactory,
):
    (ana,) = await users(uow_factory, 1)
    assert [await _claim(uow_factory, ana, 2) for _ in range(3)] == [True, True, False]
    assert await _claim(uow_factory, ana, 2, DAY + timedelta(days=1))  # a new day
    async with uow_factory() as uow:
        assert await uow.hybrid_usage.used_on(ana, DAY) == {SYNTHESIS: 2}
        await uow.hybrid_usage.release(ana, SYNTHESIS, DAY)
        await uow.commit()
    assert await _claim(uow_factory, ana, 2)
    async with uow_factory() as uow:
        for _ in range(3):  # never below zero
            await uow.hybrid_usage.release(ana, PremiumFeature.MENTOR_SESSION, DAY)
        assert await uow.hybrid_usage.used_on(ana, DAY) == {SYNTHESIS: 2}


async def test_of_concurrent_claims_for_the_last_request_one_passes(uow_factory: UowFactory):
    (ana,) = await users(uow_factory, 1)
    assert await _claim(uow_factory, ana, 3)
    claimed = await asyncio.gather(*(_claim(uow_factory, ana, 3) for _ in range(5)))
    assert sorted(claimed) == [False, False, False, True, True]
    async with uow_factory() as uow:
        assert await uow.hybrid_usage.used_on(ana, DAY) == {SYNTHESIS: 3}


async def test_charges_add_up_per_month_exactly(uow_factory: UowFactory):
    (ana,) = await users(uow_factory, 1)

    async def charge(month: str, feature: PremiumFeature, cost: int) -> None:
        async with uow_factory() as uow:
            await uow.hybrid_usage.charge(ana, month, feature, cost, NOW)
            await uow.commit()

    await asyncio.gather(*(charge("2025-12", SYNTHESIS, 27_000) for _ in range(3)))
    await charge("2025-12", PremiumFeature.MENTOR_SESSION, 90_000)
    await charge("2026-01", SYNTHESIS, 27_000)
    async with uow_factory() as uow:
        december = await uow.hybrid_usage.monthly(ana, "2025-12")
        january = await uow.hybrid_usage.monthly(ana, "2026-01")
        assert await uow.hybrid_usage.monthly(ana, "2025-11") is None
    assert december.counts == {
        PremiumFeature.ADAPTIVE_LEARNING: 0,
        PremiumFeature.LLM_ASSESSMENT: 0,
        SYNTHESIS: 3,
        PremiumFeature.MENTOR_SESSION: 1,
    }
    assert december.cost_micro_usd == 171_000 and december.month_year == "2025-12"
    assert (january.counts[SYNTHESIS], january.cost_micro_usd) == (1, 27_000)
