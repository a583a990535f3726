"""Rules of a finished game session: streaks, counts and consistency."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidInput
from domain.practice.rules import (
    CLOCK_SKEW,
    DURATION_TOLERANCE,
    MAX_RESPONSE_TIME_MS,
    ResultEntry,
    SaveGameSession,
    check_game_session,
    longest_correct_streak,
)
from ports.cefr import CefrLevel
from ports.content import SpeechType
from ports.practice import GameMode, UserResponse

C, X, S = UserResponse.CORRECT, UserResponse.INCORRECT, UserResponse.SKIPPED
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("responses", "streak"),
    [([], 0), ([X], 0), ([C], 1), ([C, C, X, C], 2), ([C, S, C, C, C], 3), ([X, C, C, C, C], 4)],
)
def test_longest_correct_streak(responses, streak):
    assert longest_correct_streak(responses) == streak


def session(responses: str = "ccicc", **changes) -> SaveGameSession:
    kinds = {"c": C, "i": X, "s": S}
    start = datetime(2025, 12, 10, 10, tzinfo=UTC)
    results = [
        ResultEntry(uuid.uuid4(), n + 1, kinds[r], None, None, 1000)
        for n, r in enumerate(responses)
    ]
    cmd = SaveGameSession(
        mode=GameMode.LISTEN_ONLY,
        level=CefrLevel.A1,
        sentence_type=SpeechType.QUESTION,
        selected_tags=[uuid.uuid4()],
        total_sentences=len(results),
        correct_count=responses.count("c"),
        max_streak=longest_correct_streak([r.user_response for r in results]),
        avg_pronunciation_score=None,
        duration_seconds=300,
        started_at=start,
        completed_at=start + timedelta(minutes=5),
        results=results,
    )
    return replace(cmd, **changes)


def test_a_consistent_session_passes():
    check_game_session(session(), NOW)


def test_results_may_arrive_in_any_order():
    cmd = session("ccicc")
    check_game_session(replace(cmd, results=list(reversed(cmd.results))), NOW)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"total_sentences": 4}, "results"),
        ({"total_sentences": 0}, "total_sentences"),
        ({"correct_count": 5}, "correct_count"),
        ({"max_streak": 4}, "max_streak"),
        ({"duration_seconds": -1}, "duration_seconds"),
        ({"completed_at": datetime(2025, 12, 10, 9, tzinfo=UTC)}, "completed_at"),
        ({"avg_pronunciation_score": 80.0}, "avg_pronunciation_score"),
    ],
)
def test_inconsistent_sessions_are_refused(changes, field):
    with pytest.raises(InvalidInput) as error:
        check_game_session(session(**changes), NOW)
    assert error.value.details["field"] == field


def test_sequence_numbers_must_cover_one_to_n_once():
    cmd = session("cc")
    duplicated = [cmd.results[0], replace(cmd.results[1], sequence_number=1)]
    with pytest.raises(InvalidInput):
        check_game_session(replace(cmd, results=duplicated), NOW)


def test_scores_belong_to_listen_and_repeat_and_stay_within_0_to_100():
    cmd = session("c", mode=GameMode.LISTEN_AND_REPEAT, avg_pronunciation_score=100.0)
    check_game_session(cmd, NOW)
    with pytest.raises(InvalidInput):
        check_game_session(replace(cmd, avg_pronunciation_score=100.1), NOW)
    scored = [replace(cmd.results[0], pronunciation_score=-0.5)]
    with pytest.raises(InvalidInput):
        check_game_session(replace(cmd, results=scored), NOW)
    listen_only = session("c")
    with pytest.raises(InvalidInput):
        check_game_session(
            replace(listen_only, results=[replace(listen_only.results[0], pronunciation_score=50)]),
            NOW,
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        # Year 1 to year 9999 claimed as a 30-second session.
        (
            {
                "started_at": datetime(1, 1, 1, tzinfo=UTC),
                "completed_at": datetime(9999, 12, 31, tzinfo=UTC),
                "duration_seconds": 30,
            },
            "started_at",
        ),
        (
            {
                "started_at": datetime(2019, 12, 31, 23, 55, tzinfo=UTC),
                "completed_at": datetime(2020, 1, 1, tzinfo=UTC),
            },
            "started_at",
        ),
        (
            {
                "started_at": NOW + timedelta(minutes=5),
                "completed_at": NOW + CLOCK_SKEW + timedelta(minutes=5, seconds=1),
            },
            "completed_at",
        ),
        ({"duration_seconds": 30}, "duration_seconds"),
        ({"duration_seconds": 300 + 61}, "duration_seconds"),
        ({"duration_seconds": 300 - 61}, "duration_seconds"),
    ],
)
def test_times_must_be_plausible_and_agree_with_the_duration(changes, field):
    with pytest.raises(InvalidInput) as error:
        check_game_session(session(**changes), NOW)
    assert error.value.details["field"] == field


def test_the_duration_may_differ_from_the_timestamps_within_the_tolerance():
    tolerance = int(DURATION_TOLERANCE.total_seconds())
    for duration in (300 - tolerance, 300 + tolerance):
        check_game_session(session(duration_seconds=duration), NOW)
    just_now = session(
        completed_at=NOW + CLOCK_SKEW, started_at=NOW + CLOCK_SKEW - timedelta(minutes=5)
    )
    check_game_session(just_now, NOW)


def test_response_times_stay_within_what_a_session_can_last():
    cmd = session("c")
    check_game_session(
        replace(cmd, results=[replace(cmd.results[0], response_time_ms=MAX_RESPONSE_TIME_MS)]), NOW
    )
    for value in (MAX_RESPONSE_TIME_MS + 1, 2**63):
        slow = [replace(cmd.results[0], response_time_ms=value)]
        with pytest.raises(InvalidInput) as error:
            check_game_session(replace(cmd, results=slow), NOW)
        assert error.value.details["field"] == "response_time_ms"
