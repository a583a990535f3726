"""Adapters that implement ports by calling other deployments through DeploymentHandles."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from ray.exceptions import RayError, RayTaskError
from ray.serve.handle import DeploymentHandle, DeploymentResponse

from domain.errors import DomainError, ServiceUnavailable
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


class SpeechScoringHandle:
    """The SpeechScorer port, served by the SpeechScoring deployment."""

    def __init__(self, handle: DeploymentHandle, provider: str, timeout_seconds: float) -> None:
        self._handle = handle
        self.provider = provider
        self._timeout = timeout_seconds

    async def score(self, audio: PcmAudio, reference_text: str, language: str) -> ScoringResult:
        response = self._handle.score.remote(audio, reference_text, language)
        return await _result(response, self._timeout, "Speech scoring")


class TutorHandle:
    """The TutorReplies port, served by the Tutor deployment."""

    def __init__(self, handle: DeploymentHandle, timeout_seconds: float) -> None:
        self._handle = handle
        self._timeout = timeout_seconds

    async def reply(self, context: TurnContext, learner_text: str) -> TutorReply:
        response = self._handle.reply.remote(context, learner_text)
        return await _result(response, self._timeout, "The tutor")


class SynthesisHandle:
    """The SpeechSynthesizer port, served by the SpeechIO deployment."""

    def __init__(self, handle: DeploymentHandle, provider: str, timeout_seconds: float) -> None:
        self._handle = handle
        self._streams = handle.options(stream=True)
        self.provider = provider
        self._timeout = timeout_seconds
        self._voices: list[Voice] | None = None

    async def synthesize(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> SynthesizedSpeech:
        response = self._handle.synthesize.remote(text, voice=voice, speed=speed)
        return await _result(response, self._timeout, "Speech synthesis")

    async def stream(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> AsyncIterator[bytes]:
        chunks = self._streams.stream.remote(text, voice=voice, speed=speed)
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
            response = self._handle.voices.remote()
            self._voices = await _result(response, self._timeout, "Speech synthesis")
        return self._voices


class RecognitionHandle:
    """The SpeechRecognizer port, served by the SpeechIO deployment (it holds the speech
    models on both sides of a voice turn)."""

    def __init__(self, handle: DeploymentHandle, provider: str, timeout_seconds: float) -> None:
        self._handle = handle
        self.provider = provider
        self._timeout = timeout_seconds

    async def transcribe(
        self,
        audio: PcmAudio,
        *,
        language: str | None = None,
        task: RecognitionTask = RecognitionTask.TRANSCRIBE,
    ) -> Transcript:
        response = self._handle.transcribe.remote(audio, language=language, task=task)
        return await _result(response, self._timeout, "Speech recognition")
