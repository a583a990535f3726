"""Speech through ElevenLabs: multilingual v2 synthesis (MP3) and Scribe recognition.

Retries are the adapter's: the SDK retries only its non-streaming calls (not speech, which it
always streams), only on HTTP errors, and waits at least 1 s. Here every call is retried on
connection failures, timeouts, 408, 409, 429 and 5xx, `backoff_seconds` then twice that and so
on, and speech only until its first chunk has been yielded."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import httpx
from elevenlabs import AsyncElevenLabs, VoiceSettings
from elevenlabs.core import ApiError, ParsingError, RequestOptions

from adapters.speech.codec import encode_wav
from adapters.speech.language_codes import iso_639_1
from domain.errors import InvalidInput, NoSpeech, ServiceUnavailable
from domain.languages import primary_language
from ports.scoring import PcmAudio
from ports.speech import (
    STREAM_MEDIA_TYPE,
    RecognitionTask,
    SynthesizedSpeech,
    Transcript,
    Voice,
)

logger = logging.getLogger(__name__)

OUTPUT_FORMAT = "mp3_44100_128"
GEORGE = "JBFqnCBsd6RMkjVDRZzb"  # a premade voice every account has
# The port's speeds are 0.5..2.0; ElevenLabs voices take 0.7..1.2, so the ends are clamped.
_SPEED_RANGE = (0.7, 1.2)
_PORT_SPEED_RANGE = (0.5, 2.0)
_SDK_FAILURES = (ApiError, ParsingError, httpx.HTTPError)
_RETRIED_STATUSES = {408, 409, 429}
_NO_SDK_RETRIES = RequestOptions(max_retries=0)
T = TypeVar("T")


class _ElevenLabsClient:
    """What the synthesizer and the recognizer share: the client and error translation."""

    provider = "elevenlabs"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        timeout_seconds: float = 30,
        max_retries: int = 2,
        backoff_seconds: float = 0.5,
    ) -> None:
        """`base_url` None is api.elevenlabs.io; other regions, or a local server in tests."""
        if not api_key or not api_key.strip():
            raise ValueError("The ElevenLabs API key is empty")
        if timeout_seconds <= 0 or max_retries < 0 or backoff_seconds < 0:
            raise ValueError("timeout_seconds must be > 0, max_retries and backoff_seconds >= 0")
        self._client = AsyncElevenLabs(api_key=api_key, base_url=base_url, timeout=timeout_seconds)
        self._max_retries = max_retries
        self._backoff = backoff_seconds

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        """`call()`'s result, retried while it fails in a way that another try may not."""
        for attempt in range(self._max_retries + 1):
            try:
                return await call()
            except _SDK_FAILURES as error:
                if not await self._may_retry(error, attempt):
                    raise self._failure(error) from error
        raise AssertionError("unreachable: the last attempt raises")

    async def _may_retry(self, error: Exception, attempt: int) -> bool:
        """Whether to try again after `error` on `attempt` (0-based); waits the backoff."""
        status = getattr(error, "status_code", None)
        transient = isinstance(error, httpx.HTTPError) or (
            status is not None and (status >= 500 or status in _RETRIED_STATUSES)
        )
        if not transient or attempt >= self._max_retries:
            return False
        logger.warning("ElevenLabs attempt %d failed, retrying: %r", attempt + 1, error)
        await asyncio.sleep(self._backoff * 2**attempt)
        return True

    def _failure(self, error: Exception) -> ServiceUnavailable:
        """The domain error for a failed call; the message never holds the key."""
        logger.warning("ElevenLabs failed: %r", error)
        details: dict[str, Any] = {"provider": self.provider}
        if isinstance(error, httpx.TimeoutException):
            return ServiceUnavailable("elevenlabs timed out", details)
        if isinstance(error, httpx.ConnectError):
            return ServiceUnavailable("elevenlabs is unreachable", details)
        if isinstance(error, httpx.HTTPError):
            return ServiceUnavailable("elevenlabs broke off its answer", details)
        status = getattr(error, "status_code", None)
        if status in (401, 403):
            details["settings"] = ["ELEVENLABS_API_KEY"]
            return ServiceUnavailable("elevenlabs refused the configured API key", details)
        if status:
            return ServiceUnavailable(
                f"elevenlabs answered HTTP {status}", {**details, "status": status}
            )
        return ServiceUnavailable("elevenlabs returned an unreadable answer", details)


class ElevenLabsSpeechSynthesizer(_ElevenLabsClient):
    def __init__(
        self,
        api_key: str,
        *,
        model: str = "eleven_multilingual_v2",
        default_voice: str = GEORGE,
        base_url: str | None = None,
        timeout_seconds: float = 30,
        max_retries: int = 2,
        backoff_seconds: float = 0.5,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            timeout_seconds=timeout_seconds,
            max_retries=max_retries,
            backoff_seconds=backoff_seconds,
        )
        self._model = model
        self._default_voice = default_voice

    async def synthesize(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> SynthesizedSpeech:
        chunks = [chunk async for chunk in self._speech("convert", text, voice, speed)]
        return SynthesizedSpeech(b"".join(chunks), STREAM_MEDIA_TYPE, 44100)

    def stream(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> AsyncIterator[bytes]:
        return self._speech("stream", text, voice, speed)

    async def _speech(
        self, endpoint: str, text: str, voice: str | None, speed: float
    ) -> AsyncIterator[bytes]:
        """The audio of `endpoint` ("convert" or "stream", whose first bytes come sooner)."""
        if not text.strip():
            raise InvalidInput("text is empty", {"field": "text"})
        low, high = _PORT_SPEED_RANGE
        if not low <= speed <= high:
            raise InvalidInput(f"speed must be between {low} and {high}", {"field": "speed"})
        voice_id = voice or self._default_voice
        speak = getattr(self._client.text_to_speech, endpoint)
        settings = VoiceSettings(speed=min(max(speed, _SPEED_RANGE[0]), _SPEED_RANGE[1]))
        for attempt in range(self._max_retries + 1):
            started = False
            try:
                async for chunk in speak(
                    voice_id,
                    text=text,
                    model_id=self._model,
                    output_format=OUTPUT_FORMAT,
                    voice_settings=settings,
                    request_options=_NO_SDK_RETRIES,
                ):
                    started = True
                    yield chunk
                return
            except _SDK_FAILURES as error:
                if getattr(error, "status_code", None) == 404:  # the voice id names no voice
                    raise InvalidInput(f"Unknown voice {voice_id!r}", {"field": "voice"}) from error
                if started or not await self._may_retry(error, attempt):
                    raise self._failure(error) from error

    async def voices(self) -> list[Voice]:
        """The account's voices (the first 100): premade, cloned and added from the library."""
        found = await self._retrying(
            lambda: self._client.voices.search(page_size=100, request_options=_NO_SDK_RETRIES)
        )
        return [_voice(voice) for voice in found.voices]


def _voice(voice: Any) -> Voice:
    labels = voice.labels or {}
    return Voice(
        id=voice.voice_id,
        name=voice.name or voice.voice_id,
        language=labels.get("language", "en"),  # premade voices carry only an accent label
        gender=labels.get("gender"),
    )


class ElevenLabsSpeechRecognizer(_ElevenLabsClient):
    def __init__(
        self,
        api_key: str,
        *,
        model: str = "scribe_v1",
        base_url: str | None = None,
        timeout_seconds: float = 30,
        max_retries: int = 2,
        backoff_seconds: float = 0.5,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            timeout_seconds=timeout_seconds,
            max_retries=max_retries,
            backoff_seconds=backoff_seconds,
        )
        self._model = model

    async def transcribe(
        self,
        audio: PcmAudio,
        *,
        language: str | None = None,
        task: RecognitionTask = RecognitionTask.TRANSCRIBE,
    ) -> Transcript:
        if task is RecognitionTask.TRANSLATE:
            raise ServiceUnavailable(
                "ElevenLabs Scribe only transcribes; translation to English needs OpenAI Whisper",
                {"provider": self.provider, "setting": "STT_PROVIDER=openai"},
            )
        if not audio.samples:
            raise NoSpeech()
        if language:
            language = primary_language(language)
        options: dict[str, Any] = {"language_code": language} if language else {}
        wav = encode_wav(audio)
        result = await self._retrying(
            lambda: self._client.speech_to_text.convert(
                model_id=self._model,
                file=("speech.wav", wav, "audio/wav"),
                tag_audio_events=False,  # "(laughter)" is no word the learner said
                request_options=_NO_SDK_RETRIES,
                **options,
            )
        )
        text = (getattr(result, "text", None) or "").strip()
        if not text:
            raise NoSpeech()
        return Transcript(
            text=text,
            language=iso_639_1(getattr(result, "language_code", None)) or language,
            duration_seconds=audio.duration_seconds,
            provider=self.provider,
        )
