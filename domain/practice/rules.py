"""What makes a finished game session consistent."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.errors import InvalidInput
from ports.cefr import CefrLevel
from ports.content import SpeechType
from ports.practice import GameMode, UserResponse

MAX_SENTENCES = 200
MAX_DURATION_SECONDS = 24 * 3600
MAX_RESPONSE_TIME_MS = MAX_DURATION_SECONDS * 1000
# No learner played before the product existed: an earlier start is a wrong clock or a
# made-up body, as is a session that ends ahead of the server's clock by more than a
# device's clock can be off.
EARLIEST_START = datetime(2020, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(minutes=5)
# duration_seconds is the session's total duration (004), so it agrees with
# completed_at - started_at up to rounding and the moments a client reads its clock.
DURATION_TOLERANCE = timedelta(minutes=1)


@dataclass(frozen=True)
class ResultEntry:
    speech_id: UUID
    sequence_number: int
    user_response: UserResponse
    pronunciation_score: float | None
    recognized_text: str | None
    response_time_ms: int


@dataclass(frozen=True)
class SaveGameSession:
    mode: GameMode
    level: CefrLevel
    sentence_type: SpeechType
    selected_tags: list[UUID]
    total_sentences: int
    correct_count: int
    max_streak: int
    avg_pronunciation_score: float | None
    duration_seconds: int
    started_at: datetime
    completed_at: datetime
    results: list[ResultEntry]


def longest_correct_streak(responses: Sequence[UserResponse]) -> int:
    """The longest run of consecutive correct responses, in sequence order."""
    best = run = 0
    for response in responses:
        run = run + 1 if response is UserResponse.CORRECT else 0
        best = max(best, run)
    return best


def _invalid(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, {"field": field})


def _check_score(score: float | None, field: str) -> None:
    if score is not None and not 0 <= score <= 100:
        raise _invalid(f"{field} must be between 0 and 100", field)


def _check_times(cmd: SaveGameSession, now: datetime) -> None:
    if cmd.started_at < EARLIEST_START:
        raise _invalid(f"started_at must not be before {EARLIEST_START.date()}", "started_at")
    if cmd.completed_at > now + CLOCK_SKEW:
        raise _invalid("completed_at must not be in the future", "completed_at")
    if cmd.completed_at < cmd.started_at:
        raise _invalid("completed_at must not be before started_at", "completed_at")
    if not 0 <= cmd.duration_seconds <= MAX_DURATION_SECONDS:
        raise _invalid("duration_seconds is out of range", "duration_seconds")
    elapsed = cmd.completed_at - cmd.started_at
    if abs(elapsed - timedelta(seconds=cmd.duration_seconds)) > DURATION_TOLERANCE:
        raise _invalid(
            f"duration_seconds is {cmd.duration_seconds} but completed_at - started_at is "
            f"{elapsed.total_seconds():.0f} s",
            "duration_seconds",
        )


def check_game_session(cmd: SaveGameSession, now: datetime) -> None:
    """Raises InvalidInput unless the session's totals agree with its results and its times
    are plausible at `now` and agree with its duration."""
    if not 1 <= cmd.total_sentences <= MAX_SENTENCES:
        raise _invalid(f"total_sentences must be between 1 and {MAX_SENTENCES}", "total_sentences")
    if len(cmd.results) != cmd.total_sentences:
        raise _invalid(
            f"results has {len(cmd.results)} entries but total_sentences is {cmd.total_sentences}",
            "results",
        )
    ordered = sorted(cmd.results, key=lambda r: r.sequence_number)
    if [r.sequence_number for r in ordered] != list(range(1, cmd.total_sentences + 1)):
        raise _invalid("sequence_number must run from 1 to total_sentences, once each", "results")
    _check_times(cmd, now)
    responses = [r.user_response for r in ordered]
    correct = responses.count(UserResponse.CORRECT)
    if cmd.correct_count != correct:
        raise _invalid(
            f"correct_count is {cmd.correct_count} but {correct} results are correct",
            "correct_count",
        )
    streak = longest_correct_streak(responses)
    if cmd.max_streak != streak:
        raise _invalid(
            f"max_streak is {cmd.max_streak} but the longest correct run is {streak}",
            "max_streak",
        )
    listen_only = cmd.mode is GameMode.LISTEN_ONLY
    if listen_only and cmd.avg_pronunciation_score is not None:
        raise _invalid(
            "avg_pronunciation_score must be null in listen_only mode", "avg_pronunciation_score"
        )
    _check_score(cmd.avg_pronunciation_score, "avg_pronunciation_score")
    for result in ordered:
        if not 0 <= result.response_time_ms <= MAX_RESPONSE_TIME_MS:
            raise _invalid(
                f"response_time_ms must be between 0 and {MAX_RESPONSE_TIME_MS}", "response_time_ms"
            )
        if listen_only and result.pronunciation_score is not None:
            raise _invalid(
                "pronunciation_score must be null in listen_only mode", "pronunciation_score"
            )
        _check_score(result.pronunciation_score, "pronunciation_score")
