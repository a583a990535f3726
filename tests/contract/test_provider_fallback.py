"""adapters.fallback: real provider adapters (ElevenLabs and OpenAI SDKs) against local
stand-in servers, the first failing so that the second must answer."""

from collections.abc import AsyncIterator

import pytest

from adapters.fallback import (
    ALL_FAILED,
    SKIPPED,
    BreakerPolicy,
    FallbackLanguageModel,
    FallbackSpeechRecognizer,
    FallbackSpeechSynthesizer,
)
from adapters.llm.openai_chat import OpenAiChatModel
from adapters.metrics import PrometheusMetrics
from adapters.speech.elevenlabs_speech import (
    GEORGE,
    ElevenLabsSpeechRecognizer,
    ElevenLabsSpeechSynthesizer,
)
from adapters.speech.openai_speech import OpenAiSpeechRecognizer, OpenAiSpeechSynthesizer
from domain.errors import InvalidInput, ServiceUnavailable, Unprocessable
from ports.language_model import ChatMessage, Role
from ports.scoring import PcmAudio
from ports.speech import RecognitionTask, Voice
from tests.contract.http_provider_stub import MP3, ProviderStub, audio_reply, json_reply

KEY = "test-key"
AUDIO = PcmAudio(bytes(range(256)) * 125, 16000)
MESSAGES = [ChatMessage(Role.USER, "Hello!")]
DOWN = json_reply({"detail": "down"}, 500)
WHISPER = {"task": "transcribe", "language": "english", "duration": 1.0, "text": "Hello."}


@pytest.fixture
async def first() -> AsyncIterator[ProviderStub]:
    """The server of the provider asked first."""
    async with ProviderStub() as stub:
        yield stub


@pytest.fixture
async def second() -> AsyncIterator[ProviderStub]:
    async with ProviderStub() as stub:
        yield stub


def recognizers(first: ProviderStub, second: ProviderStub) -> FallbackSpeechRecognizer:
    return FallbackSpeechRecognizer(
        [
            ElevenLabsSpeechRecognizer(KEY, base_url=first.url, max_retries=0),
            OpenAiSpeechRecognizer(KEY, base_url=f"{second.url}/v1", max_retries=0),
        ],
        metrics=PrometheusMetrics(),
    )


def synthesizers(first: ProviderStub, second: ProviderStub) -> FallbackSpeechSynthesizer:
    return FallbackSpeechSynthesizer(
        [
            ElevenLabsSpeechSynthesizer(KEY, base_url=first.url, max_retries=0),
            OpenAiSpeechSynthesizer(KEY, base_url=f"{second.url}/v1", max_retries=0),
        ],
        metrics=PrometheusMetrics(),
    )


async def test_the_second_recognizer_answers_when_the_first_fails(
    first: ProviderStub, second: ProviderStub
):
    first.reply("POST", "/v1/speech-to-text", DOWN)
    second.reply("POST", "/v1/audio/transcriptions", json_reply(WHISPER))
    chain = recognizers(first, second)

    transcript = await chain.transcribe(AUDIO, language="en")

    assert chain.provider == "elevenlabs>openai"
    assert (transcript.text, transcript.provider) == ("Hello.", "openai")
    assert first.paths() == ["POST /v1/speech-to-text"]
    assert second.received[0].form["language"] == "en"


async def test_a_task_the_first_cannot_do_goes_to_the_second(
    first: ProviderStub, second: ProviderStub
):
    second.reply("POST", "/v1/audio/translations", json_reply(WHISPER))

    transcript = await recognizers(first, second).transcribe(AUDIO, task=RecognitionTask.TRANSLATE)

    assert transcript.provider == "openai"
    assert first.received == []
    assert second.paths() == ["POST /v1/audio/translations"]


async def test_no_speech_is_not_a_reason_to_ask_another(first: ProviderStub, second: ProviderStub):
    first.reply("POST", "/v1/speech-to-text", json_reply({"language_code": "eng", "text": ""}))

    with pytest.raises(Unprocessable):
        await recognizers(first, second).transcribe(AUDIO)
    assert second.received == []


async def test_when_all_fail_the_error_lists_each_failure(
    first: ProviderStub, second: ProviderStub
):
    first.reply("POST", "/v1/speech-to-text", DOWN)
    second.reply("POST", "/v1/audio/transcriptions", json_reply({"error": {}}, 503))

    with pytest.raises(ServiceUnavailable, match=ALL_FAILED) as error:
        await recognizers(first, second).transcribe(AUDIO)

    assert error.value.details == {
        "providers": [
            {
                "provider": "elevenlabs",
                "message": "elevenlabs answered HTTP 500",
                "details": {"provider": "elevenlabs", "status": 500},
            },
            {
                "provider": "openai",
                "message": "openai answered HTTP 503",
                "details": {"provider": "openai", "status": 503},
            },
        ]
    }


async def test_a_stream_falls_back_before_its_first_chunk(
    first: ProviderStub, second: ProviderStub
):
    first.reply("POST", f"/v1/text-to-speech/{GEORGE}/stream", DOWN)
    second.reply("POST", "/v1/audio/speech", audio_reply(MP3))

    chunks = [chunk async for chunk in synthesizers(first, second).stream("Hello.")]

    assert b"".join(chunks) == MP3
    assert len(first.received) == len(second.received) == 1


class BreaksMidStream:
    """A synthesizer whose stream fails after its first chunk."""

    provider = "flaky"

    async def stream(self, text: str, *, voice: str | None = None, speed: float = 1.0):
        yield b"ID3"
        raise ServiceUnavailable("flaky dropped the connection")


async def test_a_stream_that_has_begun_does_not_fall_back(second: ProviderStub):
    chain = FallbackSpeechSynthesizer(
        [BreaksMidStream(), OpenAiSpeechSynthesizer(KEY, base_url=f"{second.url}/v1")],  # type: ignore[list-item]
        metrics=PrometheusMetrics(),
    )
    chunks: list[bytes] = []

    with pytest.raises(ServiceUnavailable, match="flaky dropped the connection"):
        async for chunk in chain.stream("Hello."):
            chunks.append(chunk)
    assert chunks == [b"ID3"]
    assert second.received == []


async def test_wrong_input_is_not_a_reason_to_ask_another(
    first: ProviderStub, second: ProviderStub
):
    chain = synthesizers(first, second)

    with pytest.raises(InvalidInput):
        await chain.synthesize("   ")
    with pytest.raises(InvalidInput):
        await anext(chain.stream("Hello.", speed=3))
    assert first.received == second.received == []


async def test_whole_speech_and_voices_come_from_the_provider_that_answers(
    first: ProviderStub, second: ProviderStub
):
    first.reply("POST", f"/v1/text-to-speech/{GEORGE}", DOWN)
    first.reply("GET", "/v2/voices", DOWN)
    second.reply("POST", "/v1/audio/speech", audio_reply(MP3))
    chain = synthesizers(first, second)

    assert (await chain.synthesize("Hello.")).audio == MP3
    assert (await chain.voices())[0] == Voice("alloy", "Alloy", "en")


async def test_the_second_language_model_answers(first: ProviderStub, second: ProviderStub):
    first.reply("POST", "/v1/chat/completions", json_reply({"error": {}}, 502))
    second.reply(
        "POST",
        "/v1/chat/completions",
        json_reply(
            {
                "id": "1",
                "object": "chat.completion",
                "created": 0,
                "model": "llama3",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "Hi!"},
                        "finish_reason": "stop",
                    }
                ],
            }
        ),
    )
    chain = FallbackLanguageModel(
        [
            OpenAiChatModel(KEY, base_url=f"{first.url}/v1", max_retries=0, provider="azure"),
            OpenAiChatModel(KEY, base_url=f"{second.url}/v1", model="llama3", provider="ollama"),
        ],
        metrics=PrometheusMetrics(),
    )

    assert await chain.complete(MESSAGES, max_tokens=20) == "Hi!"
    assert chain.provider == "azure>ollama"
    assert second.received[0].json["max_tokens"] == 20


def test_a_fallback_needs_a_provider():
    with pytest.raises(ValueError):
        FallbackLanguageModel([], metrics=PrometheusMetrics())


class Clock:
    """The breakers' time, moved by the test."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def circuit_open(metrics: PrometheusMetrics, port: str, provider: str) -> float | None:
    return metrics.registry.get_sample_value(
        "parla_provider_circuit_open", {"port": port, "provider": provider}
    )


async def test_a_provider_that_keeps_failing_is_skipped_until_its_cool_down_ends(
    first: ProviderStub, second: ProviderStub
):
    first.reply(
        "POST",
        "/v1/speech-to-text",
        DOWN,
        DOWN,
        json_reply({"text": "Hi.", "language_code": "eng"}),
    )
    second.reply("POST", "/v1/audio/transcriptions", json_reply(WHISPER))
    metrics, clock = PrometheusMetrics(), Clock()
    chain = FallbackSpeechRecognizer(
        [
            ElevenLabsSpeechRecognizer(KEY, base_url=first.url, max_retries=0),
            OpenAiSpeechRecognizer(KEY, base_url=f"{second.url}/v1", max_retries=0),
        ],
        metrics=metrics,
        policy=BreakerPolicy(failures_to_open=2, cool_down_seconds=30),
        clock=clock,
    )
    assert circuit_open(metrics, "recognizer", "elevenlabs") == 0

    for _ in range(4):
        assert (await chain.transcribe(AUDIO)).provider == "openai"

    assert len(first.received) == 2  # the third and fourth calls went straight to openai
    assert circuit_open(metrics, "recognizer", "elevenlabs") == 1
    assert (
        metrics.registry.get_sample_value(
            "parla_provider_failures_total", {"port": "recognizer", "provider": "elevenlabs"}
        )
        == 2
    )
    assert (
        metrics.registry.get_sample_value(
            "parla_provider_call_duration_seconds_count",
            {"port": "recognizer", "provider": "openai"},
        )
        == 4
    )

    clock.now += 29
    assert (await chain.transcribe(AUDIO)).provider == "openai"
    clock.now += 1  # cooled down: elevenlabs is asked again, answers, and is closed again
    assert (await chain.transcribe(AUDIO)).provider == "elevenlabs"
    assert len(first.received) == 3
    assert circuit_open(metrics, "recognizer", "elevenlabs") == 0


async def test_a_failure_after_the_cool_down_opens_the_circuit_again_at_once(
    first: ProviderStub,
):
    first.reply("POST", "/v1/chat/completions", json_reply({"error": {}}, 503))
    metrics, clock = PrometheusMetrics(), Clock()
    chain = FallbackLanguageModel(
        [OpenAiChatModel(KEY, base_url=f"{first.url}/v1", max_retries=0)],
        metrics=metrics,
        policy=BreakerPolicy(failures_to_open=3, cool_down_seconds=10),
        clock=clock,
    )
    for _ in range(3):
        with pytest.raises(ServiceUnavailable, match=ALL_FAILED):
            await chain.complete(MESSAGES)
    with pytest.raises(ServiceUnavailable, match=ALL_FAILED) as skipped:
        await chain.complete(MESSAGES)
    assert skipped.value.details["providers"] == [
        {"provider": "openai", "message": SKIPPED, "details": {}}
    ]
    assert len(first.received) == 3

    clock.now += 10
    with pytest.raises(ServiceUnavailable):
        await chain.complete(MESSAGES)  # the one trial after the cool-down fails...
    with pytest.raises(ServiceUnavailable):
        await chain.complete(MESSAGES)  # ...and the next call is skipped again
    assert len(first.received) == 4
    assert circuit_open(metrics, "language_model", "openai") == 1


async def test_an_answer_refusing_the_input_is_not_a_failure(first: ProviderStub):
    first.reply("POST", "/v1/speech-to-text", json_reply({"language_code": "eng", "text": ""}))
    metrics = PrometheusMetrics()
    chain = FallbackSpeechRecognizer(
        [ElevenLabsSpeechRecognizer(KEY, base_url=first.url, max_retries=0)],
        metrics=metrics,
        policy=BreakerPolicy(failures_to_open=1, cool_down_seconds=60),
    )
    for _ in range(2):
        with pytest.raises(Unprocessable):
            await chain.transcribe(AUDIO)
    assert len(first.received) == 2
    assert circuit_open(metrics, "recognizer", "elevenlabs") == 0
