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


@dataclass(frozen=True)
class ScoredRecording:
    """What scoring one recording measured: the scores and how long the learner spoke."""

    reference_text: str
    language: str
    duration_seconds: float
    result: ScoringResult


async def score_pronunciation(
    cmd: ScorePronunciation, decoder: AudioDecoder, scorer: SpeechScorer
) -> ScoredRecording:
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
    result = await scorer.score(audio, reference, language)
    return ScoredRecording(reference, language, audio.duration_seconds, result)
