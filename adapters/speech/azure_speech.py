"""Recognition and synthesis with Azure AI Speech through its Speech SDK
(azure-cognitiveservices-speech).

Recognition and the voices list block in the SDK, so they run in a worker thread bounded by
a timeout; synthesis is read from the SDK's events, so no thread waits on it. Failures that
another attempt may fix are retried with exponential backoff, as in azure_scorer. `host`
(e.g. "wss://<host>") replaces the hosts that `region` implies, for recognition, synthesis and
the voices list alike: sovereign clouds, or a local server in tests."""

import asyncio
import json
import logging
import re
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

import azure.cognitiveservices.speech as speechsdk

from adapters.speech.azure_scorer import AUTH_ERRORS, check_options
from adapters.speech.language_codes import azure_locale
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

PROVIDER_FAILED = "Azure Speech timed out or failed"
DEFAULT_VOICE = "en-US-JennyNeural"
MAX_AUDIO_SECONDS = 30
# Undocumented SDK properties (names from its native library; effect measured with SDK 1.53).
# How long a stop waits for the service to confirm it, which the recognizer's destructor also
# waits (default 10 s): 0, as a stop only comes after this adapter has stopped waiting.
_SDK_STOP_TIMEOUT_S = "SPEECH-StopRecognitionTimeoutInSeconds"
# How often the SDK itself reconnects before it reports a connection failure: 0, as this
# adapter retries with backoff (an unreachable host is reported after 0.5 s instead of 1.5 s).
_SDK_RECONNECTS = "SPEECH-Error-MaxRetryCount"
_VOICE_NAME = re.compile(r"^[a-z]{2,3}-[A-Z]{2}(-[A-Za-z]+)?-[A-Za-z0-9:]+$")
_MP3 = speechsdk.SpeechSynthesisOutputFormat.Audio16Khz32KBitRateMonoMp3
T = TypeVar("T")
C = TypeVar("C", bound=speechsdk.SpeechConfig)


class _AzureSpeech:
    provider = "azure"

    def __init__(
        self,
        key: str,
        region: str,
        *,
        host: str | None = None,
        timeout_seconds: float = 30,
        attempts: int = 3,
        backoff_seconds: float = 0.5,
    ) -> None:
        """Retries wait `backoff_seconds`, then twice that, and so on."""
        check_options(key, region, timeout_seconds, attempts, backoff_seconds)
        self._key = key
        self._region = region
        self._host = host
        self._timeout = timeout_seconds
        self._attempts = attempts
        self._backoff = backoff_seconds

    def _config(self, kind: type[C] = speechsdk.SpeechConfig) -> C:  # type: ignore[assignment]
        """A `kind` of config (speech, or speech translation) for this key and host."""
        if self._host:
            return kind(subscription=self._key, host=self._host)
        return kind(subscription=self._key, region=self._region)

    async def _attempts_of(self, attempt: Callable[[], Awaitable[T]], what: str) -> T:
        """The result of the first `attempt()` that neither times out nor raises _Retry;
        ServiceUnavailable when none does."""
        for number in range(1, self._attempts + 1):
            if number > 1:
                await asyncio.sleep(self._backoff * 2 ** (number - 2))
            try:
                return await attempt()
            except TimeoutError:
                reason = f"timed out after {self._timeout} s"
            except _Retry as retry:
                reason = str(retry)
            logger.warning(
                "Azure Speech %s attempt %d/%d failed: %s", what, number, self._attempts, reason
            )
        raise ServiceUnavailable(PROVIDER_FAILED, {"provider": self.provider})

    async def _in_thread(self, call: Callable[[], T], grace: float = 0) -> T:
        """`call()` in a worker thread, waited for up to the timeout (plus `grace` for calls
        that end by themselves within the timeout, so they are never left beside the next)."""
        return await asyncio.wait_for(asyncio.to_thread(call), self._timeout + grace)


class _Retry(Exception):
    """A failure that another attempt may not have."""


Cancellation = speechsdk.CancellationDetails | speechsdk.SpeechSynthesisCancellationDetails


def _raise_if_final(details: Cancellation, field_name: str, value: str) -> None:
    """Raises the domain error for a cancellation that another attempt would not change;
    returns for one worth retrying."""
    code = _code(details)
    if code in AUTH_ERRORS:
        logger.error("Azure Speech refused the credentials: %s", details.error_details)
        raise ServiceUnavailable(
            "Azure Speech refused the configured key or region",
            {"provider": "azure", "settings": ["AZURE_SPEECH_KEY", "AZURE_SPEECH_REGION"]},
        )
    if code == speechsdk.CancellationErrorCode.BadRequest:
        logger.warning("Azure Speech rejected the request: %s", details.error_details)
        raise InvalidInput(
            f"Azure Speech rejected the request; is {field_name} {value!r} supported?",
            {"field": field_name},
        )


def _retry(details: Cancellation) -> _Retry:
    return _Retry(f"{_code(details).name}: {details.error_details}")


def _code(details: Cancellation) -> speechsdk.CancellationErrorCode:
    """Recognition calls it `code`, synthesis `error_code`."""
    if isinstance(details, speechsdk.SpeechSynthesisCancellationDetails):
        return details.error_code
    return details.code


# --- Recognition ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Phrase:
    text: str
    confidence: float | None


@dataclass
class _Recognition:
    phrases: list[_Phrase] = field(default_factory=list)
    failure: speechsdk.CancellationDetails | None = None


class AzureSpeechRecognizer(_AzureSpeech):
    """Continuous recognition of the whole recording (up to MAX_AUDIO_SECONDS), so that a
    learner's pause does not cut the answer short as one-shot recognition would. Translation
    to English is speech translation, which needs the language spoken."""

    async def transcribe(
        self,
        audio: PcmAudio,
        *,
        language: str | None = None,
        task: RecognitionTask = RecognitionTask.TRANSCRIBE,
    ) -> Transcript:
        translate = task is RecognitionTask.TRANSLATE and primary_language(language or "en") != "en"
        if task is RecognitionTask.TRANSLATE and not language:
            raise ServiceUnavailable(
                "Azure Speech translates only from a language it is told; "
                "OpenAI Whisper detects the language itself",
                {"provider": self.provider, "setting": "STT_PROVIDER=openai"},
            )
        if not audio.samples:
            raise NoSpeech()
        if audio.duration_seconds > MAX_AUDIO_SECONDS:
            raise InvalidInput(
                f"Recordings are recognized up to {MAX_AUDIO_SECONDS} s", {"field": "audio"}
            )
        locale = azure_locale(language or "en")
        phrases = await self._attempts_of(
            lambda: self._in_thread(lambda: self._recognize(audio, locale, translate), grace=1),
            "recognition",
        )
        if not phrases:
            raise NoSpeech()
        confidences = [p.confidence for p in phrases if p.confidence is not None]
        return Transcript(
            text=" ".join(phrase.text for phrase in phrases),
            language=primary_language(locale),
            duration_seconds=audio.duration_seconds,
            provider=self.provider,
            confidence=sum(confidences) / len(confidences) if confidences else None,
        )

    def _recognize(self, audio: PcmAudio, locale: str, translate: bool) -> list[_Phrase]:
        """The phrases recognized (or their English translations) in one blocking attempt;
        run in a worker thread."""
        stream_format = speechsdk.audio.AudioStreamFormat(
            samples_per_second=audio.sample_rate, bits_per_sample=16, channels=1
        )
        stream = speechsdk.audio.PushAudioInputStream(stream_format=stream_format)
        stream.write(audio.samples)
        stream.close()  # end of audio: the session stops once the service has answered it all
        audio_config = speechsdk.audio.AudioConfig(stream=stream)
        recognizer: speechsdk.SpeechRecognizer | speechsdk.translation.TranslationRecognizer
        if translate:
            translation = self._config(speechsdk.translation.SpeechTranslationConfig)
            translation.add_target_language("en")
            config: speechsdk.SpeechConfig = translation
        else:
            config = self._config()
            config.output_format = speechsdk.OutputFormat.Detailed  # adds the confidence
        config.speech_recognition_language = locale
        config.set_property_by_name(_SDK_STOP_TIMEOUT_S, "0")
        config.set_property_by_name(_SDK_RECONNECTS, "0")
        if translate:
            recognizer = speechsdk.translation.TranslationRecognizer(
                translation_config=config, audio_config=audio_config
            )
        else:
            recognizer = speechsdk.SpeechRecognizer(speech_config=config, audio_config=audio_config)
        recognition = _Recognition()
        stopped = threading.Event()

        def recognized(event: speechsdk.SpeechRecognitionEventArgs) -> None:
            if text := _phrase_text(event.result):
                recognition.phrases.append(_Phrase(text, _confidence(event.result)))

        def canceled(event: speechsdk.SpeechRecognitionCanceledEventArgs) -> None:
            if event.cancellation_details.reason == speechsdk.CancellationReason.Error:
                recognition.failure = event.cancellation_details
            stopped.set()

        recognizer.recognized.connect(recognized)
        recognizer.canceled.connect(canceled)
        recognizer.session_stopped.connect(lambda _: stopped.set())
        recognizer.start_continuous_recognition_async()
        finished = stopped.wait(self._timeout)
        if not finished:
            recognizer.stop_continuous_recognition_async()
        if recognition.failure is not None:
            _raise_if_final(recognition.failure, "language", locale)
            raise _retry(recognition.failure)
        if not finished:
            raise _Retry(f"timed out after {self._timeout} s")
        return recognition.phrases


def _phrase_text(result: speechsdk.SpeechRecognitionResult) -> str:
    """What a final result says: the text heard, or its English translation."""
    if result.reason == speechsdk.ResultReason.RecognizedSpeech:
        return result.text
    if result.reason == speechsdk.ResultReason.TranslatedSpeech:
        return result.translations.get("en", "")  # type: ignore[attr-defined]
    return ""


def _confidence(result: speechsdk.SpeechRecognitionResult) -> float | None:
    """The detailed result's confidence (translations come without one)."""
    try:
        detailed = json.loads(result.json)
        return float(detailed["NBest"][0]["Confidence"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


# --- Synthesis --------------------------------------------------------------------------------


class AzureSpeechSynthesizer(_AzureSpeech):
    """Neural voices as 16 kHz 32 kbit/s MP3; speed is SSML prosody rate."""

    def __init__(
        self,
        key: str,
        region: str,
        *,
        default_voice: str = DEFAULT_VOICE,
        host: str | None = None,
        timeout_seconds: float = 30,
        attempts: int = 3,
        backoff_seconds: float = 0.5,
    ) -> None:
        super().__init__(
            key,
            region,
            host=host,
            timeout_seconds=timeout_seconds,
            attempts=attempts,
            backoff_seconds=backoff_seconds,
        )
        self._default_voice = default_voice

    async def synthesize(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> SynthesizedSpeech:
        voice_name, ssml = self._ssml(text, voice, speed)

        async def whole() -> bytes:
            return b"".join([chunk async for chunk in self._chunks(ssml, voice_name)])

        return SynthesizedSpeech(
            await self._attempts_of(whole, "synthesis"), STREAM_MEDIA_TYPE, 16000
        )

    async def stream(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> AsyncIterator[bytes]:
        """Audio as the service sends it; retried only until the first chunk has come."""
        voice_name, ssml = self._ssml(text, voice, speed)
        first, rest = await self._attempts_of(
            lambda: _begun(self._chunks(ssml, voice_name)), "synthesis"
        )
        async with aclosing(rest):
            if first:
                yield first
            try:
                async for chunk in rest:
                    yield chunk
            except (TimeoutError, _Retry) as error:
                logger.warning("Azure Speech synthesis broke off: %r", error)
                raise ServiceUnavailable(PROVIDER_FAILED, {"provider": self.provider}) from error

    async def voices(self) -> list[Voice]:
        """The English neural voices: the tutor speaks English."""
        found = await self._attempts_of(lambda: self._in_thread(self._list_voices), "voices")
        return [
            Voice(
                id=voice.short_name,
                name=voice.local_name or voice.short_name,
                language=voice.locale,
                gender=voice.gender.name.lower()
                if voice.gender != speechsdk.SynthesisVoiceGender.Unknown
                else None,
            )
            for voice in found
            if voice.locale.lower().startswith("en")
        ]

    def _ssml(self, text: str, voice: str | None, speed: float) -> tuple[str, str]:
        """The voice name and SSML document, checked before anything is sent."""
        if not text.strip():
            raise InvalidInput("text is empty", {"field": "text"})
        name = voice or self._default_voice
        if not _VOICE_NAME.match(name):
            raise InvalidInput(f"Unknown voice {name!r}", {"field": "voice"})
        if not 0.5 <= speed <= 2.0:
            raise InvalidInput("speed must be between 0.5 and 2.0", {"field": "speed"})
        locale = "-".join(name.split("-")[:2])
        rate = f"{round((speed - 1) * 100):+d}%"
        ssml = (
            '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" '
            f"xml:lang={quoteattr(locale)}><voice name={quoteattr(name)}>"
            f"<prosody rate={quoteattr(rate)}>{escape(text)}</prosody></voice></speak>"
        )
        return name, ssml

    def _synthesizer(self) -> speechsdk.SpeechSynthesizer:
        config = self._config()
        config.set_speech_synthesis_output_format(_MP3)
        return speechsdk.SpeechSynthesizer(speech_config=config, audio_config=None)

    async def _chunks(self, ssml: str, voice: str) -> AsyncIterator[bytes]:
        """The audio of one synthesis, chunk by chunk as the SDK's events hand it over (no
        thread waits on the SDK). Raises TimeoutError when the service goes quiet for the
        timeout, _Retry or a domain error when it cancels the synthesis."""
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[bytes | Cancellation | None] = asyncio.Queue()

        def put(event: bytes | Cancellation | None) -> None:
            loop.call_soon_threadsafe(events.put_nowait, event)

        synthesizer = self._synthesizer()
        synthesizer.synthesizing.connect(lambda event: put(event.result.audio_data))
        synthesizer.synthesis_completed.connect(lambda _: put(None))
        synthesizer.synthesis_canceled.connect(lambda event: put(event.result.cancellation_details))
        synthesizer.speak_ssml_async(ssml)
        try:
            while (event := await asyncio.wait_for(events.get(), self._timeout)) is not None:
                if not isinstance(event, bytes):
                    _raise_if_final(event, "voice", voice)
                    raise _retry(event)
                yield event
        except BaseException:
            synthesizer.stop_speaking_async()
            raise

    def _list_voices(self) -> list[speechsdk.VoiceInfo]:
        result = self._synthesizer().get_voices_async().get()
        if result.reason == speechsdk.ResultReason.VoicesListRetrieved:
            return list(result.voices)
        if "401" in result.error_details or "403" in result.error_details:
            raise ServiceUnavailable(
                "Azure Speech refused the configured key or region",
                {
                    "provider": self.provider,
                    "settings": ["AZURE_SPEECH_KEY", "AZURE_SPEECH_REGION"],
                },
            )
        raise _Retry(result.error_details)


async def _begun(chunks: AsyncGenerator[bytes]) -> tuple[bytes, AsyncGenerator[bytes]]:
    """The first chunk (b"" when there is none) and the generator of the rest."""
    try:
        return await anext(chunks, b""), chunks
    except BaseException:
        await chunks.aclose()
        raise
