"""Provider fallback: each adapter here wraps an ordered list of adapters of one port and asks
the next when one is unavailable (ServiceUnavailable). Wrong input (InvalidInput) and audio
without speech (Unprocessable) would fail the same way everywhere, so they are raised at once.

Voice ids belong to one provider: a synthesis that falls back passes the same voice on, which
the next provider may refuse as unknown (InvalidInput). voice=None uses each one's default."""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import aclosing
from typing import Any, Generic, Protocol, TypeVar

from domain.errors import ServiceUnavailable
from ports.language_model import ChatMessage, LanguageModel
from ports.scoring import PcmAudio
from ports.speech import (
    RecognitionTask,
    SpeechRecognizer,
    SpeechSynthesizer,
    SynthesizedSpeech,
    Transcript,
    Voice,
)

logger = logging.getLogger(__name__)

ALL_FAILED = "Every configured provider failed"


class _Provider(Protocol):
    provider: str


P = TypeVar("P", bound=_Provider)
T = TypeVar("T")


class _Chain(Generic[P]):
    def __init__(self, adapters: Sequence[P]) -> None:
        if not adapters:
            raise ValueError("A fallback needs at least one provider")
        self._adapters = list(adapters)
        self.provider = ">".join(adapter.provider for adapter in adapters)

    async def _first_answer(self, call: Callable[[P], Awaitable[T]]) -> T:
        failures: list[dict[str, Any]] = []
        for adapter in self._adapters:
            try:
                return await call(adapter)
            except ServiceUnavailable as error:
                failures.append(self._failed(adapter, error))
        raise self._all_failed(failures)

    def _failed(self, adapter: P, error: ServiceUnavailable) -> dict[str, Any]:
        logger.warning("%s unavailable, falling back: %s", adapter.provider, error.message)
        return {"provider": adapter.provider, "message": error.message, "details": error.details}

    def _all_failed(self, failures: list[dict[str, Any]]) -> ServiceUnavailable:
        return ServiceUnavailable(ALL_FAILED, {"providers": failures})


class FallbackSpeechRecognizer(_Chain[SpeechRecognizer]):
    """The Transcript's provider names the recognizer that answered."""

    async def transcribe(
        self,
        audio: PcmAudio,
        *,
        language: str | None = None,
        task: RecognitionTask = RecognitionTask.TRANSCRIBE,
    ) -> Transcript:
        return await self._first_answer(
            lambda recognizer: recognizer.transcribe(audio, language=language, task=task)
        )


class FallbackSpeechSynthesizer(_Chain[SpeechSynthesizer]):
    async def synthesize(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> SynthesizedSpeech:
        return await self._first_answer(
            lambda synthesizer: synthesizer.synthesize(text, voice=voice, speed=speed)
        )

    async def stream(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> AsyncIterator[bytes]:
        """Falls back only until the first chunk: audio already played cannot be replaced."""
        failures: list[dict[str, Any]] = []
        for synthesizer in self._adapters:
            async with aclosing(synthesizer.stream(text, voice=voice, speed=speed)) as chunks:
                try:
                    first = await anext(chunks)
                except StopAsyncIteration:
                    return
                except ServiceUnavailable as error:
                    failures.append(self._failed(synthesizer, error))
                    continue
                yield first
                async for chunk in chunks:
                    yield chunk
                return
        raise self._all_failed(failures)

    async def voices(self) -> list[Voice]:
        """The voices of the first provider that lists them: the one that speaks first."""
        return await self._first_answer(lambda synthesizer: synthesizer.voices())


class FallbackLanguageModel(_Chain[LanguageModel]):
    async def complete(
        self,
        messages: list[ChatMessage],
        *,
        max_tokens: int = 256,
        temperature: float = 0.7,
        json_schema: dict[str, Any] | None = None,
    ) -> str:
        return await self._first_answer(
            lambda model: model.complete(
                messages, max_tokens=max_tokens, temperature=temperature, json_schema=json_schema
            )
        )
