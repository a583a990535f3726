"""The courses context's rules at their edges: grading against 003's passing score,
streaks across days, premium plans in and out of force, and what a search query may be."""

from dataclasses import replace
from datetime import date, timedelta
from uuid import uuid4

import pytest

from domain.courses.rules import (
    MAX_QUERY_CHARS,
    MAX_QUERY_TERMS,
    extended_streak,
    grade,
    is_premium,
    reset_streak,
    search_terms,
    stem,
)
from domain.errors import InvalidInput
from ports.courses import Plan, Streak, Subscription
from tests.support.courses import NOW, SOUNDS_CHAPTERS, quiz_for

TEN = quiz_for(SOUNDS_CHAPTERS[0], 10)
THREE = quiz_for(SOUNDS_CHAPTERS[0], 3)


def answers(right: int, total: int) -> dict[str, int]:
    return {f"q{n}": 1 if n <= right else 0 for n in range(1, total + 1)}


def test_seven_of_ten_passes_exactly_at_the_passing_score():
    result = grade(TEN, answers(7, 10))
    assert (result.score, result.passed, result.correct_count) == (0.7, True, 7)


def test_six_of_ten_and_two_of_three_fail():
    assert not grade(TEN, answers(6, 10)).passed
    assert not grade(THREE, answers(2, 3)).passed
    assert grade(THREE, answers(3, 3)).score == 1.0


def test_an_unanswered_question_is_wrong():
    result = grade(THREE, {"q1": 1, "q2": 1})
    assert result.correct_count == 2
    assert [r.correct for r in result.results] == [True, True, False]


def test_answers_to_unknown_questions_or_choices_out_of_range_are_refused():
    with pytest.raises(InvalidInput):
        grade(THREE, {"q9": 1})
    with pytest.raises(InvalidInput):
        grade(THREE, {"q1": 3})
    with pytest.raises(InvalidInput):
        grade(THREE, {"q1": -1})


def streak(days: int, last: date | None) -> Streak:
    return Streak(uuid4(), days, days, last, NOW)


def test_a_streak_grows_on_the_next_day_and_stays_on_the_same_day():
    today = NOW.date()
    assert extended_streak(streak(3, today - timedelta(days=1)), today, NOW).current_days == 4
    assert extended_streak(streak(3, today), today, NOW).current_days == 3


def test_a_missed_day_starts_the_streak_again_but_keeps_the_longest():
    today = NOW.date()
    after_gap = extended_streak(streak(5, today - timedelta(days=2)), today, NOW)
    assert (after_gap.current_days, after_gap.longest_days) == (1, 5)
    assert extended_streak(streak(0, None), today, NOW).current_days == 1


def test_a_reset_streak_is_zero_and_the_next_completion_starts_at_one():
    reset = reset_streak(streak(5, NOW.date()), NOW)
    assert (reset.current_days, reset.longest_days, reset.last_active_on) == (0, 5, None)
    assert extended_streak(reset, NOW.date(), NOW).current_days == 1


def subscription(**changes: object) -> Subscription:
    made = Subscription(uuid4(), uuid4(), Plan.PREMIUM, NOW, None, True, NOW, NOW)
    return replace(made, **changes)


def test_premium_is_in_force_from_its_start_until_its_end_while_active():
    assert is_premium(subscription(), NOW)
    assert not is_premium(subscription(), NOW - timedelta(seconds=1))
    ending = subscription(end_date=NOW + timedelta(days=30))
    assert is_premium(ending, NOW + timedelta(days=29))
    assert not is_premium(ending, NOW + timedelta(days=30))
    assert not is_premium(subscription(is_active=False), NOW)
    assert not is_premium(subscription(plan=Plan.FREE), NOW)


def test_search_terms_are_the_query_words_lower_cased_once_each():
    assert search_terms("  Vowel sounds, VOWEL  ") == ["vowel", "sounds"]
    assert search_terms("don't") == ["don", "t"]


def test_common_words_are_left_out_of_search_terms_unless_they_are_all_there_is():
    assert search_terms("How do I ask for the bill?") == ["ask", "bill"]
    assert search_terms("The") == ["the"]


def test_stems_meet_across_common_endings():
    assert {stem(w) for w in ("vowel", "vowels", "Vowel's")} == {"vowel"}
    assert stem("stressed") == stem("stress") and stem("linking") == stem("link")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "...",
        "x" * (MAX_QUERY_CHARS + 1),
        " ".join(f"w{n}" for n in range(MAX_QUERY_TERMS + 1)),
        'vowel"',
        "vowel*",
        "title:vowel",
        "vowel & stress",
        "vowel | stress",
        "!vowel",
        "(vowel)",
        "vowel <-> stress",
        "NEAR(vowel stress)",
    ],
)
def test_empty_long_or_operator_laden_queries_are_refused(query):
    with pytest.raises(InvalidInput) as refused:
        search_terms(query)
    assert refused.value.details["field"] == "q"
