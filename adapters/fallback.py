"""Provider chains: each adapter here wraps an ordered list of adapters of one port (one
provider or several) and asks the next when one is unavailable (ServiceUnavailable). Wrong
input (InvalidInput) and audio without speech (Unprocessable) would fail the same way
everywhere, so they are raised at once.

Each provider sits behind a circuit breaker: one that failed `failures_to_open` calls in a
row is skipped for `cool_down_seconds` (a failing cloud provider would otherwise cost every
request its timeout and retries) and then tried again. Every call is measured by provider.

Voice ids belong to one provider: a synthesis that falls back passes the same voice on, which
the next provider may refuse as unknown (InvalidInput). voice=None uses each one's default."""

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from domain.errors import DomainError, ServiceUnavailable
from ports.language_model import ChatMessage, LanguageModel
from ports.metrics import Metrics
from ports.scoring import PcmAudio, ScoringResult, SpeechScorer
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
SKIPPED = "Skipped: it failed repeatedly and is cooling down"


@dataclass(frozen=True)
class BreakerPolicy:
    failures_to_open: int = 5
    cool_down_seconds: float = 30.0


class CircuitBreaker:
    """Closed, calls go through and failures in a row are counted; open after
    `failures_to_open` of them, calls skip the provider for the cool-down; then half-open,
    calls go through again: the first success closes it, the first failure opens it for
    another cool-down. Only unavailability counts as a failure: a provider that answers,
    even to refuse the input, is up."""

    def __init__(
        self,
        policy: BreakerPolicy,
        on_change: Callable[[bool], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._policy = policy
        self._on_change = on_change
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        on_change(False)

    @property
    def is_open(self) -> bool:
        """Whether calls skip the provider now (open and still cooling down)."""
        if self._opened_at is None:
            return False
        return self._clock() - self._opened_at < self._policy.cool_down_seconds

    def succeeded(self) -> None:
        self._failures = 0
        if self._opened_at is not None:
            self._opened_at = None
            self._on_change(False)

    def failed(self) -> None:
        self._failures += 1
        half_open = self._opened_at is not None
        if half_open or self._failures >= self._policy.failures_to_open:
            self._opened_at = self._clock()
            if not half_open:
                self._on_change(True)


class _Provider(Protocol):
    provider: str


P = TypeVar("P", bound=_Provider)
T = TypeVar("T")


class _Chain(Generic[P]):
    port: str  # the metrics' name for the port

    def __init__(
        self,
        adapters: Sequence[P],
        *,
        metrics: Metrics,
        policy: BreakerPolicy = BreakerPolicy(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not adapters:
            raise ValueError("A provider chain needs at least one provider")
        self._adapters = list(adapters)
        self._metrics = metrics
        self._clock = clock
        self._breakers = [self._breaker(adapter, policy) for adapter in adapters]
        self.provider = ">".join(adapter.provider for adapter in adapters)

    def _breaker(self, adapter: P, policy: BreakerPolicy) -> CircuitBreaker:
        def changed(is_open: bool) -> None:
            if is_open:
                logger.warning("%s keeps failing; skipped for a while", adapter.provider)
            self._metrics.circuit_changed(self.port, adapter.provider, is_open)

        return CircuitBreaker(policy, changed, self._clock)

    async def _first_answer(self, call: Callable[[P], Awaitable[T]]) -> T:
        failures: list[dict[str, Any]] = []
        for adapter, breaker in zip(self._adapters, self._breakers, strict=True):
            if breaker.is_open:
                failures.append(self._skipped(adapter))
                continue
            started = self._clock()
            try:
                answer = await call(adapter)
            except ServiceUnavailable as error:
                failures.append(self._failed(adapter, breaker, started, error))
                continue
            except DomainError:
                self._answered(adapter, breaker, started)
                raise
            self._answered(adapter, breaker, started)
            return answer
        raise self._all_failed(failures)

    def _answered(self, adapter: P, breaker: CircuitBreaker, started: float) -> None:
        self._metrics.provider_answered(self.port, adapter.provider, self._clock() - started)
        breaker.succeeded()

    def _failed(
        self, adapter: P, breaker: CircuitBreaker, started: float, error: ServiceUnavailable
    ) -> dict[str, Any]:
        self._metrics.provider_failed(self.port, adapter.provider, self._clock() - started)
        breaker.failed()
        logger.warning("%s unavailable, falling back: %s", adapter.provider, error.message)
        return {"provider": adapter.provider, "message": error.message, "details": error.details}

    @staticmethod
    def _skipped(adapter: P) -> dict[str, Any]:
        return {"provider": adapter.provider, "message": SKIPPED, "details": {}}

    def _all_failed(self, failures: list[dict[str, Any]]) -> ServiceUnavailable:
        return ServiceUnavailable(ALL_FAILED, {"providers": failures})


class FallbackSpeechScorer(_Chain[SpeechScorer]):
    port = "speech_scorer"

    async def score(self, audio: PcmAudio, reference_text: str, language: str) -> ScoringResult:
        return await self._first_answer(
            lambda scorer: scorer.score(audio, reference_text, language)
        )


class FallbackSpeechRecognizer(_Chain[SpeechRecognizer]):
    """The Transcript's provider names the recognizer that answered."""

    port = "recognizer"

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
    port = "synthesizer"

    async def synthesize(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> SynthesizedSpeech:
        return await self._first_answer(
            lambda synthesizer: synthesizer.synthesize(text, voice=voice, speed=speed)
        )

    async def stream(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> AsyncIterator[bytes]:
        """Falls back only until the first chunk: audio already played cannot be replaced.
        A provider is measured up to its first chunk, its time to first audio."""
        failures: list[dict[str, Any]] = []
        for synthesizer, breaker in zip(self._adapters, self._breakers, strict=True):
            if breaker.is_open:
                failures.append(self._skipped(synthesizer))
                continue
            started = self._clock()
            async with aclosing(synthesizer.stream(text, voice=voice, speed=speed)) as chunks:
                try:
                    first = await anext(chunks)
                except StopAsyncIteration:
                    self._answered(synthesizer, breaker, started)
                    return
                except ServiceUnavailable as error:
                    failures.append(self._failed(synthesizer, breaker, started, error))
                    continue
                except DomainError:
                    self._answered(synthesizer, breaker, started)
                    raise
                self._answered(synthesizer, breaker, started)
                yield first
                async for chunk in chunks:
                    yield chunk
                return
        raise self._all_failed(failures)

    async def voices(self) -> list[Voice]:
        """The voices of the first provider that lists them: the one that speaks first."""
        return await self._first_answer(lambda synthesizer: synthesizer.voices())


class FallbackLanguageModel(_Chain[LanguageModel]):
    port = "language_model"

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
