"""The LanguageModel port over the OpenAI chat completions API, which OpenAI, Azure OpenAI,
vLLM and Ollama all serve: `base_url` picks the server."""

import json
from typing import Any

import openai

from adapters.openai_api import openai_client, provider_failure
from domain.errors import ServiceUnavailable
from ports.language_model import ChatMessage, Role


class OpenAiChatModel:
    def __init__(
        self,
        api_key: str,
        *,
        model: str = "gpt-4o-mini",
        base_url: str | None = None,
        timeout_seconds: float = 30,
        max_retries: int = 2,
        provider: str = "openai",
    ) -> None:
        """`provider` names the server in errors and fallbacks (e.g. "vllm", "ollama")."""
        self.provider = provider
        self._model = model
        self._client = openai_client(api_key, base_url, timeout_seconds, max_retries)

    async def complete(
        self,
        messages: list[ChatMessage],
        *,
        max_tokens: int = 256,
        temperature: float = 0.7,
        json_schema: dict[str, Any] | None = None,
    ) -> str:
        chat: list[Any] = [{"role": m.role.value, "content": m.content} for m in messages]
        options: dict[str, Any] = {}
        if json_schema is not None:
            # JSON mode guarantees an object, not its shape: the schema goes in as instructions
            # (json_schema response formats are not served by every compatible server).
            chat.insert(0, {"role": Role.SYSTEM.value, "content": _json_instructions(json_schema)})
            options["response_format"] = {"type": "json_object"}
        try:
            completion = await self._client.chat.completions.create(
                model=self._model,
                messages=chat,
                max_tokens=max_tokens,
                temperature=temperature,
                **options,
            )
        except openai.OpenAIError as error:
            raise provider_failure(self.provider, error) from error
        reply = completion.choices[0].message.content if completion.choices else None
        if not reply:
            raise ServiceUnavailable(
                f"{self.provider} returned an empty reply", {"provider": self.provider}
            )
        return reply


def _json_instructions(schema: dict[str, Any]) -> str:
    return "Reply with one JSON object that follows this JSON Schema:\n" + json.dumps(schema)
