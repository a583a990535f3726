"""The use case behind POST /speech/score."""

from dataclasses import dataclass

from domain.errors import InvalidInput
from domain.languages import language_tag
from domain.recordings import check_recording, decode_recording
from ports.scoring import AudioDecoder, ScoringResult, SpeechScorer

MAX_REFERENCE_CHARS = 500


@dataclass(frozen=True)
class ScorePronunciation:
    audio: bytes
    reference_text: str
    language: str = "en-US"


async def score_pronunciation(
    cmd: ScorePronunciation, decoder: AudioDecoder, scorer: SpeechScorer
) -> ScoringResult:
    """Decodes the recording (never stored) and scores it against the reference text."""
    check_recording(cmd.audio)
    reference = " ".join(cmd.reference_text.split())
    if not reference or len(reference) > MAX_REFERENCE_CHARS:
        raise InvalidInput(
            f"reference_text must be 1 to {MAX_REFERENCE_CHARS} characters",
            {"field": "reference_text"},
        )
    language = language_tag(cmd.language)
    audio = await decode_recording(cmd.audio, decoder)
    return await scorer.score(audio, reference, language)
