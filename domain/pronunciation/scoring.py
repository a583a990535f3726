"""The use case behind POST /speech/score."""

import re
from dataclasses import dataclass

from domain.errors import InvalidInput, PayloadTooLarge
from ports.scoring import AudioDecoder, ScoringResult, SpeechScorer

MAX_AUDIO_BYTES = 10 * 1024 * 1024
# Azure's short-audio pronunciation assessment stops at 30 seconds; so do we.
MAX_AUDIO_SECONDS = 30.0
MAX_REFERENCE_CHARS = 500
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$")


@dataclass(frozen=True)
class ScorePronunciation:
    audio: bytes
    reference_text: str
    language: str = "en-US"


async def score_pronunciation(
    cmd: ScorePronunciation, decoder: AudioDecoder, scorer: SpeechScorer
) -> ScoringResult:
    """Decodes the recording (never stored) and scores it against the reference text."""
    if not cmd.audio:
        raise InvalidInput("audio is empty", {"field": "audio"})
    if len(cmd.audio) > MAX_AUDIO_BYTES:
        raise PayloadTooLarge(
            f"audio exceeds {MAX_AUDIO_BYTES // (1024 * 1024)} MB", {"limit_bytes": MAX_AUDIO_BYTES}
        )
    reference = " ".join(cmd.reference_text.split())
    if not reference or len(reference) > MAX_REFERENCE_CHARS:
        raise InvalidInput(
            f"reference_text must be 1 to {MAX_REFERENCE_CHARS} characters",
            {"field": "reference_text"},
        )
    if not _LANGUAGE.match(cmd.language):
        raise InvalidInput("language must be a language tag such as en-US", {"field": "language"})
    audio = await decoder.decode(cmd.audio)
    if audio.duration_seconds > MAX_AUDIO_SECONDS:
        raise PayloadTooLarge(
            f"audio is {audio.duration_seconds:.1f} s long; the limit is {MAX_AUDIO_SECONDS:.0f} s",
            {"limit_seconds": MAX_AUDIO_SECONDS},
        )
    return await scorer.score(audio, reference, cmd.language)
