"""Pronunciation scoring: how well a recording matches the sentence the learner meant to say."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable


class WordError(StrEnum):
    """Azure's miscue vocabulary."""

    NONE = "None"
    OMISSION = "Omission"
    INSERTION = "Insertion"
    MISPRONUNCIATION = "Mispronunciation"


@dataclass(frozen=True)
class PcmAudio:
    """16-bit little-endian mono PCM."""

    samples: bytes
    sample_rate: int

    @property
    def duration_seconds(self) -> float:
        return len(self.samples) / 2 / self.sample_rate


@dataclass(frozen=True)
class PhonemeScore:
    """One phone of the reference pronunciation. `error_type` is Mispronunciation when
    another phone was said in its place (`heard`, e.g. "s" for "th"), Omission when it was
    left out; both score 0."""

    phoneme: str
    score: float
    error_type: WordError = WordError.NONE
    heard: str | None = None


@dataclass(frozen=True)
class WordScore:
    word: str
    score: float
    error_type: WordError = WordError.NONE
    phonemes: list[PhonemeScore] = field(default_factory=list)


@dataclass(frozen=True)
class ScoringResult:
    """Scores are 0-100. Word scores follow the reference text in order, with inserted
    words placed where they were spoken."""

    recognized_text: str
    pronunciation_score: float
    accuracy_score: float
    fluency_score: float
    completeness_score: float
    word_scores: list[WordScore]
    provider: str


class AudioDecoder(Protocol):
    async def decode(self, data: bytes, max_seconds: float) -> PcmAudio:
        """16 kHz mono PCM of an uploaded recording (WAV, MP3, M4A, WebM/Ogg Opus), of at
        most `max_seconds` and one sample: decoding stops there, so a longer recording (a
        small file can hold hours of silence) costs no more than the limit and shows by its
        duration. Raises domain.errors.InvalidInput for corrupt or unsupported audio."""


@runtime_checkable
class SpeechScorer(Protocol):
    provider: str

    async def score(self, audio: PcmAudio, reference_text: str, language: str) -> ScoringResult:
        """`language` is a canonical language tag (domain.languages.language_tag): "en-US", or
        "en" for the scorer's main locale of a language. Raises domain.errors.Unprocessable
        when the audio holds no usable speech,
        InvalidInput for an unsupported language or an empty reference, and
        ServiceUnavailable when the provider fails."""
