"""Rules of a finished game session: streaks, counts and consistency."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidInput
from domain.practice.rules import (
    ResultEntry,
    SaveGameSession,
    check_game_session,
    longest_correct_streak,
)
from ports.cefr import CefrLevel
from ports.content import SpeechType
from ports.practice import GameMode, UserResponse

C, X, S = UserResponse.CORRECT, UserResponse.INCORRECT, UserResponse.SKIPPED


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
    check_game_session(session())


def test_results_may_arrive_in_any_order():
    cmd = session("ccicc")
    check_game_session(replace(cmd, results=list(reversed(cmd.results))))


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
        check_game_session(session(**changes))
    assert error.value.details["field"] == field


def test_sequence_numbers_must_cover_one_to_n_once():
    cmd = session("cc")
    duplicated = [cmd.results[0], replace(cmd.results[1], sequence_number=1)]
    with pytest.raises(InvalidInput):
        check_game_session(replace(cmd, results=duplicated))


def test_scores_belong_to_listen_and_repeat_and_stay_within_0_to_100():
    cmd = session("c", mode=GameMode.LISTEN_AND_REPEAT, avg_pronunciation_score=100.0)
    check_game_session(cmd)
    with pytest.raises(InvalidInput):
        check_game_session(replace(cmd, avg_pronunciation_score=100.1))
    scored = [replace(cmd.results[0], pronunciation_score=-0.5)]
    with pytest.raises(InvalidInput):
        check_game_session(replace(cmd, results=scored))
    listen_only = session("c")
    with pytest.raises(InvalidInput):
        check_game_session(
            replace(listen_only, results=[replace(listen_only.results[0], pronunciation_score=50)])
        )
