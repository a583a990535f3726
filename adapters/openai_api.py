"""What the OpenAI adapters (chat, Whisper, speech) share: one way to build the client for any
OpenAI-compatible server, and one translation of the SDK's failures into domain errors.

Retries are the SDK's own: `max_retries` retries of connection errors, timeouts, 408, 409,
429 and 5xx, with exponential backoff from 0.5 s, or the server's retry-after(-ms) header."""

import logging

import httpx2
import openai

from domain.errors import ServiceUnavailable

logger = logging.getLogger(__name__)


def openai_client(
    api_key: str, base_url: str | None, timeout_seconds: float, max_retries: int
) -> openai.AsyncOpenAI:
    """`base_url` None is OpenAI itself; Azure OpenAI, vLLM and Ollama take theirs."""
    if not api_key or not api_key.strip():
        raise ValueError("The OpenAI API key is empty")  # Ollama and vLLM accept any
    if timeout_seconds <= 0 or max_retries < 0:
        raise ValueError("timeout_seconds must be > 0 and max_retries >= 0")
    return openai.AsyncOpenAI(
        api_key=api_key, base_url=base_url, timeout=timeout_seconds, max_retries=max_retries
    )


PROVIDER_ERRORS = (openai.OpenAIError, httpx2.HTTPError)
"""What a call can raise: the SDK's errors, and its HTTP client's while a body streams in."""


def provider_failure(
    provider: str, error: openai.OpenAIError | httpx2.HTTPError
) -> ServiceUnavailable:
    """The domain error for a failed call; the message names the provider, never the key."""
    logger.warning("%s failed: %r", provider, error)
    if isinstance(error, httpx2.HTTPError):
        return ServiceUnavailable(f"{provider} broke off its answer", {"provider": provider})
    if isinstance(error, openai.APITimeoutError):
        return ServiceUnavailable(f"{provider} timed out", {"provider": provider})
    if isinstance(error, openai.APIConnectionError):
        return ServiceUnavailable(f"{provider} is unreachable", {"provider": provider})
    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        return ServiceUnavailable(
            f"{provider} refused the configured API key",
            {"provider": provider, "settings": ["OPENAI_API_KEY", "OPENAI_BASE_URL"]},
        )
    if isinstance(error, openai.APIStatusError):
        return ServiceUnavailable(
            f"{provider} answered HTTP {error.status_code}",
            {"provider": provider, "status": error.status_code},
        )
    return ServiceUnavailable(f"{provider} returned an unreadable answer", {"provider": provider})
