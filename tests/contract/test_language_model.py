"""SmolLM2 through llama.cpp held to the LanguageModel contract
(parla_contracts.language_model), and what is llama.cpp's own: failures are
ServiceUnavailable."""

from pathlib import Path

import pytest

from adapters.llm.llama_cpp import LlamaCppChatModel
from domain.errors import ServiceUnavailable
from parla_contracts.language_model import SKY, LanguageModelContract
from ports.language_model import ChatMessage, LanguageModel, Role


class TestSmolLm2(LanguageModelContract):
    @pytest.fixture(scope="class")
    def model(self) -> LanguageModel:
        return LlamaCppChatModel()


# llama.cpp specifics: failures are ServiceUnavailable.


async def test_llama_missing_model_file_is_service_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ServiceUnavailable):
        await LlamaCppChatModel(tmp_path / "missing.gguf").complete(SKY, max_tokens=4)


async def test_llama_prompt_longer_than_the_context_is_service_unavailable() -> None:
    essay = ChatMessage(Role.USER, "The cat sat on the mat. " * 600)

    with pytest.raises(ServiceUnavailable):
        await LlamaCppChatModel().complete([essay], max_tokens=4)
