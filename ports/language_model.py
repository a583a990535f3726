"""The language model port: chat completion, optionally constrained to a JSON object."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable


class Role(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@runtime_checkable
class LanguageModel(Protocol):
    provider: str

    async def complete(
        self,
        messages: list[ChatMessage],
        *,
        max_tokens: int = 256,
        temperature: float = 0.7,
        json_schema: dict[str, Any] | None = None,
    ) -> str:
        """The assistant's next message. With `json_schema` the reply is one JSON object
        (OpenAI's JSON mode, or grammar-constrained decoding offline); callers still validate
        it. Raises domain.errors.ServiceUnavailable when the model fails or times out."""
