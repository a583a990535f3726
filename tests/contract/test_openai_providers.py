"""adapters.llm.openai_chat and adapters.speech.openai_speech: the real openai SDK against a
local server that answers like the OpenAI API. Nothing here reaches the internet."""

import io
import json
import socket
import time
import wave
from collections.abc import AsyncIterator

import pytest

from adapters.llm.openai_chat import OpenAiChatModel
from adapters.speech.codec import decode_to_pcm
from adapters.speech.openai_speech import (
    OpenAiSpeechRecognizer,
    OpenAiSpeechSynthesizer,
)
from domain.errors import InvalidInput, NoSpeech, ServiceUnavailable, Unprocessable
from ports.language_model import ChatMessage, Role
from ports.scoring import PcmAudio
from ports.speech import STREAM_MEDIA_TYPE, RecognitionTask
from tests.contract.http_provider_stub import (
    MP3,
    ProviderStub,
    audio_reply,
    broken_reply,
    json_reply,
    silence,
)

KEY = "sk-test-key-never-shown"
CHAT = "/v1/chat/completions"
AUDIO = PcmAudio(bytes(range(256)) * 125, 16000)  # one second; the content does not matter
MESSAGES = [
    ChatMessage(Role.SYSTEM, "You are an English tutor."),
    ChatMessage(Role.USER, "How are you?"),
]
QUICK_RETRY = {"retry-after-ms": "10"}  # the SDK waits what the server asks


def completion(content: str) -> dict[str, object]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
    }


def whisper(text: str, language: str = "english", duration: float = 1.0) -> dict[str, object]:
    return {"task": "transcribe", "language": language, "duration": duration, "text": text}


@pytest.fixture
async def server() -> AsyncIterator[ProviderStub]:
    async with ProviderStub() as stub:
        yield stub


def chat_model(server: ProviderStub, **options: object) -> OpenAiChatModel:
    return OpenAiChatModel(KEY, base_url=f"{server.url}/v1", **options)  # type: ignore[arg-type]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def assert_no_key(error: pytest.ExceptionInfo[ServiceUnavailable]) -> None:
    assert KEY not in f"{error.value} {error.value.details}"


# --- Chat -----------------------------------------------------------------------------------


async def test_a_reply_with_the_request_as_sent(server: ProviderStub):
    server.reply("POST", CHAT, json_reply(completion("Fine, thanks!")))
    model = chat_model(server, model="llama-3.1-8b", provider="vllm")

    reply = await model.complete(MESSAGES, max_tokens=50, temperature=0.2)

    assert reply == "Fine, thanks!"
    assert model.provider == "vllm"
    [request] = server.received
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.json["model"] == "llama-3.1-8b"
    assert request.json["messages"] == [
        {"role": "system", "content": "You are an English tutor."},
        {"role": "user", "content": "How are you?"},
    ]
    assert (request.json["max_tokens"], request.json["temperature"]) == (50, 0.2)
    assert "response_format" not in request.json


async def test_a_json_schema_asks_for_json_mode_and_states_the_schema(server: ProviderStub):
    server.reply("POST", CHAT, json_reply(completion('{"score": 3}')))
    schema = {"type": "object", "properties": {"score": {"type": "integer"}}}

    reply = await chat_model(server).complete(MESSAGES, json_schema=schema)

    assert json.loads(reply) == {"score": 3}
    [request] = server.received
    assert request.json["response_format"] == {"type": "json_object"}
    first = request.json["messages"][0]
    assert first["role"] == "system" and json.dumps(schema) in first["content"]
    assert request.json["messages"][1:] == [
        {"role": m.role.value, "content": m.content} for m in MESSAGES
    ]


async def test_server_errors_are_retried_by_the_sdk(server: ProviderStub):
    server.reply(
        "POST",
        CHAT,
        json_reply({"error": {"message": "overloaded"}}, 503, QUICK_RETRY),
        json_reply({"error": {"message": "slow down"}}, 429, QUICK_RETRY),
        json_reply(completion("Hello!")),
    )

    assert await chat_model(server, max_retries=2).complete(MESSAGES) == "Hello!"
    assert server.paths() == [f"POST {CHAT}"] * 3


async def test_a_server_that_keeps_failing_is_unavailable(server: ProviderStub):
    server.reply("POST", CHAT, json_reply({"error": {"message": "down"}}, 500, QUICK_RETRY))

    with pytest.raises(ServiceUnavailable, match="openai answered HTTP 500") as error:
        await chat_model(server, max_retries=1).complete(MESSAGES)
    assert error.value.details == {"provider": "openai", "status": 500}
    assert len(server.received) == 2
    assert_no_key(error)


async def test_a_refused_key_names_the_settings_and_is_not_retried(server: ProviderStub):
    server.reply("POST", CHAT, json_reply({"error": {"message": f"bad key {KEY}"}}, 401))

    with pytest.raises(ServiceUnavailable, match="refused the configured API key") as error:
        await chat_model(server, max_retries=2).complete(MESSAGES)
    assert error.value.details["settings"] == ["OPENAI_API_KEY", "OPENAI_BASE_URL"]
    assert len(server.received) == 1
    assert_no_key(error)


async def test_a_hung_server_times_out(server: ProviderStub):
    server.reply("POST", CHAT, silence(3))
    started = time.monotonic()

    with pytest.raises(ServiceUnavailable, match="openai timed out"):
        await chat_model(server, timeout_seconds=0.3, max_retries=0).complete(MESSAGES)
    assert time.monotonic() - started < 1.5


async def test_an_unreachable_server_is_unavailable():
    model = OpenAiChatModel(KEY, base_url=f"http://127.0.0.1:{closed_port()}/v1", max_retries=0)

    with pytest.raises(ServiceUnavailable, match="openai is unreachable"):
        await model.complete(MESSAGES)


async def test_an_empty_reply_is_unavailable(server: ProviderStub):
    server.reply("POST", CHAT, json_reply(completion("")))

    with pytest.raises(ServiceUnavailable, match="empty reply"):
        await chat_model(server).complete(MESSAGES)


def test_an_empty_key_is_refused():
    with pytest.raises(ValueError):
        OpenAiChatModel(" ")


# --- Whisper ------------------------------------------------------------------------------


def recognizer(server: ProviderStub, **options: object) -> OpenAiSpeechRecognizer:
    return OpenAiSpeechRecognizer(KEY, base_url=f"{server.url}/v1", **options)  # type: ignore[arg-type]


async def test_a_transcription_sends_the_audio_as_wav(server: ProviderStub):
    server.reply(
        "POST", "/v1/audio/transcriptions", json_reply(whisper(" Hello there. ", duration=1.02))
    )

    transcript = await recognizer(server).transcribe(AUDIO, language="en-GB")

    assert (transcript.text, transcript.language) == ("Hello there.", "en")
    assert (transcript.duration_seconds, transcript.provider) == (1.02, "openai")
    [request] = server.received
    assert request.form == {
        "model": "whisper-1",
        "response_format": "verbose_json",
        "language": "en",
    }
    filename, content = request.files["file"]
    assert filename == "speech.wav"
    with wave.open(io.BytesIO(content)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16000)
        assert wav.readframes(wav.getnframes()) == AUDIO.samples


async def test_the_language_heard_is_reported_as_an_iso_code(server: ProviderStub):
    server.reply("POST", "/v1/audio/transcriptions", json_reply(whisper("Hola.", "spanish")))

    transcript = await recognizer(server).transcribe(AUDIO)

    assert transcript.language == "es"
    assert "language" not in server.received[0].form


async def test_a_language_whisper_refuses_is_invalid_input(server: ProviderStub):
    refusal = {"error": {"message": "Invalid language 'xx'.", "type": "invalid_request_error"}}
    server.reply("POST", "/v1/audio/transcriptions", json_reply(refusal, 400))

    with pytest.raises(InvalidInput, match="language 'xx'") as error:
        await recognizer(server).transcribe(AUDIO, language="xx")
    assert error.value.details == {"field": "language"}


async def test_translation_uses_the_translations_endpoint(server: ProviderStub):
    server.reply("POST", "/v1/audio/translations", json_reply(whisper("Good morning.", "italian")))

    transcript = await recognizer(server).transcribe(
        AUDIO, language="it", task=RecognitionTask.TRANSLATE
    )

    assert (transcript.text, transcript.language) == ("Good morning.", "it")
    assert server.paths() == ["POST /v1/audio/translations"]
    assert server.received[0].form == {"model": "whisper-1", "response_format": "verbose_json"}


async def test_no_words_heard_is_unprocessable(server: ProviderStub):
    server.reply("POST", "/v1/audio/transcriptions", json_reply(whisper("  ")))

    with pytest.raises(NoSpeech):
        await recognizer(server).transcribe(AUDIO)
    with pytest.raises(Unprocessable):
        await recognizer(server).transcribe(PcmAudio(b"", 16000))
    assert len(server.received) == 1  # empty audio is never sent


async def test_a_failing_recognizer_is_unavailable(server: ProviderStub):
    server.reply("POST", "/v1/audio/transcriptions", json_reply({"error": {}}, 502))

    with pytest.raises(ServiceUnavailable, match="HTTP 502"):
        await recognizer(server, max_retries=0).transcribe(AUDIO)


# --- Speech ----------------------------------------------------------------------------


def synthesizer(server: ProviderStub, **options: object) -> OpenAiSpeechSynthesizer:
    return OpenAiSpeechSynthesizer(KEY, base_url=f"{server.url}/v1", **options)  # type: ignore[arg-type]


async def test_synthesized_speech_is_the_mp3_as_served(server: ProviderStub):
    server.reply("POST", "/v1/audio/speech", audio_reply(MP3))

    speech = await synthesizer(server).synthesize("Hello there.", voice="nova", speed=1.5)

    assert (speech.audio, speech.media_type) == (MP3, STREAM_MEDIA_TYPE)
    assert decode_to_pcm(speech.audio).duration_seconds > 1  # playable speech
    [request] = server.received
    assert request.json == {
        "model": "tts-1",
        "input": "Hello there.",
        "voice": "nova",
        "speed": 1.5,
        "response_format": "mp3",
    }


async def test_streamed_speech_arrives_chunk_by_chunk(server: ProviderStub):
    server.reply("POST", "/v1/audio/speech", audio_reply(MP3, chunks=4, pause=0.15))
    started = time.monotonic()
    arrivals: list[float] = []
    chunks: list[bytes] = []

    async for chunk in synthesizer(server).stream("Hello there."):
        arrivals.append(time.monotonic() - started)
        chunks.append(chunk)

    assert b"".join(chunks) == MP3
    assert len(chunks) >= 2
    assert arrivals[0] < arrivals[-1] - 0.3  # the first chunk came before the server was done
    assert server.received[0].json["voice"] == "alloy"


@pytest.mark.parametrize(
    ("text", "voice", "speed", "field"),
    [
        (" ", None, 1.0, "text"),
        ("Hi.", "marvin", 1.0, "voice"),
        ("Hi.", None, 0.25, "speed"),
        ("Hi.", None, 2.5, "speed"),
    ],
)
async def test_bad_input_is_refused_before_sending(
    server: ProviderStub, text: str, voice: str | None, speed: float, field: str
):
    speaker = synthesizer(server)

    with pytest.raises(InvalidInput) as error:
        await speaker.synthesize(text, voice=voice, speed=speed)
    assert error.value.details == {"field": field}
    with pytest.raises(InvalidInput):
        await anext(speaker.stream(text, voice=voice, speed=speed))
    assert server.received == []


async def test_a_failing_stream_fails_before_the_first_chunk(server: ProviderStub):
    server.reply("POST", "/v1/audio/speech", json_reply({"error": {}}, 500, QUICK_RETRY))

    with pytest.raises(ServiceUnavailable, match="HTTP 500"):
        await anext(synthesizer(server, max_retries=1).stream("Hello."))
    assert len(server.received) == 2


async def test_a_stream_broken_off_midway_is_unavailable(server: ProviderStub):
    server.reply("POST", "/v1/audio/speech", broken_reply(MP3))
    chunks: list[bytes] = []

    with pytest.raises(ServiceUnavailable, match="openai broke off its answer"):
        async for chunk in synthesizer(server).stream("Hello."):
            chunks.append(chunk)
    assert 0 < len(b"".join(chunks)) < len(MP3)


async def test_the_six_voices():
    voices = await OpenAiSpeechSynthesizer(KEY).voices()

    assert [v.id for v in voices] == ["alloy", "echo", "fable", "onyx", "nova", "shimmer"]
