"""A language model's answer as a JSON object the server checks: what the rules build or judge
stands whenever the model fails, times out or answers outside the schema, so a model never
turns a request into an error."""

import asyncio
import json
import logging
from typing import Any

from domain.errors import ServiceUnavailable
from domain.events.validation import schema_problems
from ports.language_model import ChatMessage, LanguageModel

logger = logging.getLogger(__name__)


def _blank_texts(value: Any, path: str) -> list[str]:
    if isinstance(value, str):
        return [] if value.strip() else [f"{path}: blank"]
    if isinstance(value, dict):
        return [p for name, item in value.items() for p in _blank_texts(item, f"{path}.{name}")]
    if isinstance(value, list):
        return [p for n, item in enumerate(value) for p in _blank_texts(item, f"{path}[{n}]")]
    return []


async def json_answer(
    model: LanguageModel,
    messages: list[ChatMessage],
    schema: dict[str, Any],
    *,
    what: str,
    max_tokens: int,
    temperature: float,
    timeout_seconds: float | None = None,
) -> dict[str, Any] | None:
    """The model's answer when it is one JSON object that fits `schema` (an object schema)
    with no blank text in it; None, logged with `what` was asked, when the model fails, takes
    longer than `timeout_seconds` or answers anything else."""
    try:
        async with asyncio.timeout(timeout_seconds):
            reply = await model.complete(
                messages, max_tokens=max_tokens, temperature=temperature, json_schema=schema
            )
        answer = json.loads(reply)
    except (ServiceUnavailable, TimeoutError, ValueError) as error:
        logger.warning("%s: the model failed, the rules' answer stands: %r", what, error)
        return None
    problems = schema_problems(answer, schema, what) or _blank_texts(answer, what)
    if problems:
        logger.warning("%s: the model answered outside its schema: %s", what, problems)
        return None
    return answer
