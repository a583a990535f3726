"""Speech through the OpenAI audio API: Whisper recognition (transcription and translation to
English) and tts-1 synthesis. Any server that serves the same API works through `base_url`."""

from collections.abc import AsyncIterator
from typing import Any

import openai

from adapters.openai_api import PROVIDER_ERRORS, openai_client, provider_failure
from adapters.speech.codec import encode_wav
from adapters.speech.language_codes import iso_639_1
from domain.errors import InvalidInput, NoSpeech
from domain.languages import primary_language
from ports.scoring import PcmAudio
from ports.speech import (
    STREAM_MEDIA_TYPE,
    RecognitionTask,
    SynthesizedSpeech,
    Transcript,
    Voice,
)

VOICES = [
    Voice("alloy", "Alloy", "en"),
    Voice("echo", "Echo", "en", "male"),
    Voice("fable", "Fable", "en", "male"),
    Voice("onyx", "Onyx", "en", "male"),
    Voice("nova", "Nova", "en", "female"),
    Voice("shimmer", "Shimmer", "en", "female"),
]
_TTS_SAMPLE_RATE = 24000  # of tts-1's MP3
_MIN_SPEED, _MAX_SPEED = 0.5, 2.0  # the port's range; the API takes 0.25..4


class OpenAiSpeechRecognizer:
    def __init__(
        self,
        api_key: str,
        *,
        model: str = "whisper-1",
        base_url: str | None = None,
        timeout_seconds: float = 30,
        max_retries: int = 2,
        provider: str = "openai",
    ) -> None:
        self.provider = provider
        self._model = model
        self._client = openai_client(api_key, base_url, timeout_seconds, max_retries)

    async def transcribe(
        self,
        audio: PcmAudio,
        *,
        language: str | None = None,
        task: RecognitionTask = RecognitionTask.TRANSCRIBE,
    ) -> Transcript:
        if not audio.samples:
            raise NoSpeech()
        request: dict[str, Any] = {
            "file": ("speech.wav", encode_wav(audio), "audio/wav"),
            "model": self._model,
            "response_format": "verbose_json",  # adds the language heard and the duration
        }
        language = primary_language(language) if language else None
        if language and task is RecognitionTask.TRANSCRIBE:  # translations detect it anyway
            request["language"] = language
        try:
            if task is RecognitionTask.TRANSLATE:
                result = await self._client.audio.translations.create(**request)
            else:
                result = await self._client.audio.transcriptions.create(**request)
        except openai.BadRequestError as error:
            if "language" not in request:
                raise provider_failure(self.provider, error) from error
            raise InvalidInput(  # what Whisper refuses in a request of ours is the language
                f"{self.provider} does not recognize language {language!r}", {"field": "language"}
            ) from error
        except openai.OpenAIError as error:
            raise provider_failure(self.provider, error) from error
        text = result.text.strip()
        if not text:
            raise NoSpeech()
        return Transcript(
            text=text,
            language=iso_639_1(getattr(result, "language", None)) or language,
            duration_seconds=float(getattr(result, "duration", None) or audio.duration_seconds),
            provider=self.provider,
        )


class OpenAiSpeechSynthesizer:
    def __init__(
        self,
        api_key: str,
        *,
        model: str = "tts-1",
        default_voice: str = "alloy",
        base_url: str | None = None,
        timeout_seconds: float = 30,
        max_retries: int = 2,
        provider: str = "openai",
    ) -> None:
        self.provider = provider
        self._model = model
        self._default_voice = default_voice
        self._client = openai_client(api_key, base_url, timeout_seconds, max_retries)

    async def synthesize(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> SynthesizedSpeech:
        request = self._request(text, voice, speed)
        try:
            response = await self._client.audio.speech.create(**request)
            audio = await response.aread()
        except PROVIDER_ERRORS as error:
            raise provider_failure(self.provider, error) from error
        return SynthesizedSpeech(audio, STREAM_MEDIA_TYPE, _TTS_SAMPLE_RATE)

    async def stream(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> AsyncIterator[bytes]:
        request = self._request(text, voice, speed)
        try:
            speech = self._client.audio.speech.with_streaming_response.create(**request)
            async with speech as response:
                async for chunk in response.iter_bytes():
                    yield chunk
        except PROVIDER_ERRORS as error:
            raise provider_failure(self.provider, error) from error

    async def voices(self) -> list[Voice]:
        return list(VOICES)

    def _request(self, text: str, voice: str | None, speed: float) -> dict[str, Any]:
        """The speech request's parameters, checked before anything is sent."""
        if not text.strip():
            raise InvalidInput("text is empty", {"field": "text"})
        voice = voice or self._default_voice
        if voice not in {v.id for v in VOICES}:
            raise InvalidInput(f"Unknown voice {voice!r}", {"field": "voice"})
        if not _MIN_SPEED <= speed <= _MAX_SPEED:
            raise InvalidInput(
                f"speed must be between {_MIN_SPEED} and {_MAX_SPEED}", {"field": "speed"}
            )
        return {
            "model": self._model,
            "input": text,
            "voice": voice,
            "speed": speed,
            "response_format": "mp3",
        }
