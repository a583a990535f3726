"""Realtime voice tokens from OpenAI: an ephemeral client secret (`ek_...`) for one
speech-to-speech session, created with the server's API key through the openai SDK.

The openai package comes with the OpenAI adapters (chat, Whisper, speech); this module is
imported only where an OpenAI key is configured."""

import logging
from datetime import UTC, datetime

import openai

from domain.errors import ServiceUnavailable
from ports.realtime import RealtimeToken

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-realtime"
DEFAULT_VOICE = "alloy"
# Long enough to connect, short enough that a leaked token is soon worthless.
TOKEN_SECONDS = 600


class OpenAIRealtimeTokens:
    """ports.realtime.RealtimeTokenIssuer; `client` as the composition root builds it (key,
    base_url, timeout and retries are its concern)."""

    provider = "openai"

    def __init__(
        self, client: openai.AsyncOpenAI, model: str = DEFAULT_MODEL, voice: str = DEFAULT_VOICE
    ) -> None:
        self._client = client
        self._model = model
        self._voice = voice

    async def issue(self, *, instructions: str) -> RealtimeToken:
        try:
            secret = await self._client.realtime.client_secrets.create(
                expires_after={"anchor": "created_at", "seconds": TOKEN_SECONDS},
                session={
                    "type": "realtime",
                    "model": self._model,
                    "instructions": instructions,
                    "audio": {"output": {"voice": self._voice}},
                },
            )
        except openai.OpenAIError as error:
            logger.warning("OpenAI realtime client secret failed: %r", error)
            status = getattr(error, "status_code", None)
            raise ServiceUnavailable(
                "OpenAI did not issue a realtime token",
                {"provider": self.provider, **({"status": status} if status else {})},
            ) from error
        return RealtimeToken(
            value=secret.value,
            expires_at=datetime.fromtimestamp(secret.expires_at, UTC),
            model=self._model,
            provider=self.provider,
        )
