"""Adapters that implement ports by calling other deployments through DeploymentHandles.

Each counts its calls in flight (the called deployment's queue as this replica sees it) and
passes the trace context on (deployments/tracing.py)."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

from ray.exceptions import RayError, RayTaskError
from ray.serve.handle import DeploymentHandle, DeploymentResponse

from deployments.tracing import outgoing_context
from domain.errors import DomainError, ServiceUnavailable
from ports.metrics import Metrics
from ports.scoring import PcmAudio, ScoringResult
from ports.speech import RecognitionTask, SynthesizedSpeech, Transcript, Voice
from ports.tutoring import TurnContext, TutorReply


def _unwrapped(error: RayError, what: str) -> DomainError:
    """A domain error raised in the replica (no speech, bad input) keeps its meaning; any
    other failure of the call is the service being unavailable."""
    if isinstance(error, RayTaskError):
        if isinstance(error.cause, DomainError):
            return error.cause
        return ServiceUnavailable(f"{what} failed")
    return ServiceUnavailable(f"{what} is unavailable")


async def _result(response: DeploymentResponse, seconds: float, what: str) -> Any:
    try:
        return await asyncio.wait_for(response, seconds)
    except TimeoutError:
        response.cancel()
        raise ServiceUnavailable(f"{what} timed out; try again") from None
    except RayError as error:
        raise _unwrapped(error, what) from error


class _DeploymentPort:
    def __init__(self, handle: DeploymentHandle, timeout_seconds: float, metrics: Metrics) -> None:
        self._handle = handle
        self._timeout = timeout_seconds
        self._metrics = metrics

    @contextmanager
    def _in_flight(self) -> Iterator[None]:
        deployment = self._handle.deployment_name
        self._metrics.deployment_calls_changed(deployment, 1)
        try:
            yield
        finally:
            self._metrics.deployment_calls_changed(deployment, -1)

    async def _ask(self, method: str, what: str, *args: Any, **kwargs: Any) -> Any:
        with self._in_flight():
            response = getattr(self._handle, method).remote(
                *args, trace_context=outgoing_context(), **kwargs
            )
            return await _result(response, self._timeout, what)


class SpeechScoringHandle(_DeploymentPort):
    """The SpeechScorer port, served by the SpeechScoring deployment."""

    def __init__(
        self, handle: DeploymentHandle, provider: str, timeout_seconds: float, metrics: Metrics
    ) -> None:
        super().__init__(handle, timeout_seconds, metrics)
        self.provider = provider

    async def score(self, audio: PcmAudio, reference_text: str, language: str) -> ScoringResult:
        return await self._ask("score", "Speech scoring", audio, reference_text, language)


class TutorHandle(_DeploymentPort):
    """The TutorReplies port, served by the Tutor deployment."""

    async def reply(self, context: TurnContext, learner_text: str) -> TutorReply:
        return await self._ask("reply", "The tutor", context, learner_text)


class SynthesisHandle(_DeploymentPort):
    """The SpeechSynthesizer port, served by the SpeechIO deployment."""

    def __init__(
        self, handle: DeploymentHandle, provider: str, timeout_seconds: float, metrics: Metrics
    ) -> None:
        super().__init__(handle, timeout_seconds, metrics)
        self._streams = handle.options(stream=True)
        self.provider = provider
        self._voices: list[Voice] | None = None

    async def synthesize(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> SynthesizedSpeech:
        return await self._ask("synthesize", "Speech synthesis", text, voice=voice, speed=speed)

    async def stream(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> AsyncIterator[bytes]:
        with self._in_flight():
            chunks = self._streams.stream.remote(
                text, voice=voice, speed=speed, trace_context=outgoing_context()
            )
            try:
                while True:
                    try:
                        chunk = await asyncio.wait_for(anext(chunks), self._timeout)
                    except StopAsyncIteration:
                        return
                    yield chunk
            except TimeoutError:
                chunks.cancel()
                raise ServiceUnavailable("Speech synthesis timed out; try again") from None
            except RayError as error:
                raise _unwrapped(error, "Speech synthesis") from error

    async def voices(self) -> list[Voice]:
        # A provider's voices change rarely; one call per Gateway replica is enough.
        if self._voices is None:
            self._voices = await self._ask("voices", "Speech synthesis")
        return self._voices


class RecognitionHandle(_DeploymentPort):
    """The SpeechRecognizer port, served by the SpeechIO deployment (it holds the speech
    models on both sides of a voice turn)."""

    def __init__(
        self, handle: DeploymentHandle, provider: str, timeout_seconds: float, metrics: Metrics
    ) -> None:
        super().__init__(handle, timeout_seconds, metrics)
        self.provider = provider

    async def transcribe(
        self,
        audio: PcmAudio,
        *,
        language: str | None = None,
        task: RecognitionTask = RecognitionTask.TRANSCRIBE,
    ) -> Transcript:
        return await self._ask(
            "transcribe", "Speech recognition", audio, language=language, task=task
        )
