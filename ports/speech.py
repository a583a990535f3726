"""Speech ports: synthesis (text to audio) and recognition (audio to text)."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from ports.scoring import PcmAudio


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


STREAM_MEDIA_TYPE = "audio/mpeg"
"""Every streamed reply is MP3: its frames can be played as they arrive and concatenated."""


@runtime_checkable
class SpeechSynthesizer(Protocol):
    provider: str

    async def synthesize(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> SynthesizedSpeech:
        """Speech for `text`; `speed` 1.0 is the voice's normal rate (0.5..2.0).
        Raises domain.errors.InvalidInput for empty text or an unknown voice, and
        ServiceUnavailable when the provider fails."""

    def stream(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> AsyncIterator[bytes]:
        """The same speech as MP3 (STREAM_MEDIA_TYPE) chunks, yielded as they are produced,
        so that playback can start before the whole reply is synthesized. Raises as
        synthesize does, before the first chunk when the input is wrong."""

    async def voices(self) -> list[Voice]: ...


class RecognitionTask(StrEnum):
    TRANSCRIBE = "transcribe"
    """Text in the language spoken."""
    TRANSLATE = "translate"
    """English text of speech in another language (Whisper's translate task)."""


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str | None
    """ISO 639-1 code of the language heard (or asked for), when the provider reports it."""
    duration_seconds: float
    provider: str
    confidence: float | None = None
    """0..1 when the provider reports one."""


@runtime_checkable
class SpeechRecognizer(Protocol):
    provider: str

    async def transcribe(
        self,
        audio: PcmAudio,
        *,
        language: str | None = None,
        task: RecognitionTask = RecognitionTask.TRANSCRIBE,
    ) -> Transcript:
        """What was said. `language` (ISO 639-1) is a hint; None lets the provider detect it.
        Raises domain.errors.Unprocessable when no speech is heard, InvalidInput for a
        language or task the provider does not offer, ServiceUnavailable when it fails or
        cannot do the task (details name the setting that enables a provider that can)."""
