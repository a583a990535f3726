"""Speech ports: synthesis (text to audio)."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    language: str
    gender: str | None = None


@dataclass(frozen=True)
class SynthesizedSpeech:
    audio: bytes
    media_type: str
    sample_rate: int


class SpeechSynthesizer(Protocol):
    async def synthesize(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> SynthesizedSpeech:
        """Speech for `text`; `speed` 1.0 is the voice's normal rate (0.5..2.0).
        Raises domain.errors.InvalidInput for empty text or an unknown voice."""

    async def voices(self) -> list[Voice]: ...
