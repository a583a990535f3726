"""Adapters that implement ports by calling other deployments through DeploymentHandles."""

import asyncio

from ray.exceptions import RayError, RayTaskError
from ray.serve.handle import DeploymentHandle

from domain.errors import DomainError, ServiceUnavailable
from ports.scoring import PcmAudio, ScoringResult


class SpeechScoringHandle:
    """The SpeechScorer port, served by the SpeechScoring deployment."""

    def __init__(self, handle: DeploymentHandle, provider: str, timeout_seconds: float) -> None:
        self._handle = handle
        self.provider = provider
        self._timeout = timeout_seconds

    async def score(self, audio: PcmAudio, reference_text: str, language: str) -> ScoringResult:
        response = self._handle.score.remote(audio, reference_text, language)
        try:
            return await asyncio.wait_for(response, self._timeout)
        except TimeoutError:
            response.cancel()
            raise ServiceUnavailable("Speech scoring timed out; try again") from None
        except RayTaskError as error:
            # A domain error raised in the replica (no speech, bad language) keeps its meaning.
            if isinstance(error.cause, DomainError):
                raise error.cause from None
            raise ServiceUnavailable("Speech scoring failed") from error
        except RayError as error:
            raise ServiceUnavailable("Speech scoring is unavailable") from error
