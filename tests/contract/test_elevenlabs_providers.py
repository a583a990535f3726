"""adapters.speech.elevenlabs_speech: the real elevenlabs SDK against a local server that
answers like the ElevenLabs API. Nothing here reaches the internet."""

import io
import socket
import time
import wave
from collections.abc import AsyncIterator

import pytest

from adapters.speech.codec import decode_to_pcm
from adapters.speech.elevenlabs_speech import (
    GEORGE,
    ElevenLabsSpeechRecognizer,
    ElevenLabsSpeechSynthesizer,
)
from domain.errors import InvalidInput, NoSpeech, ServiceUnavailable
from ports.scoring import PcmAudio
from ports.speech import STREAM_MEDIA_TYPE, RecognitionTask, Voice
from tests.contract.http_provider_stub import (
    MP3,
    ProviderStub,
    audio_reply,
    broken_reply,
    json_reply,
    silence,
)

KEY = "xi-test-key-never-shown"
AUDIO = PcmAudio(bytes(range(256)) * 125, 16000)  # one second; the content does not matter
SPEAK = f"/v1/text-to-speech/{GEORGE}"
STT = "/v1/speech-to-text"


def scribe(text: str, language_code: str = "eng") -> dict[str, object]:
    return {"language_code": language_code, "language_probability": 0.97, "text": text, "words": []}


@pytest.fixture
async def server() -> AsyncIterator[ProviderStub]:
    async with ProviderStub() as stub:
        yield stub


def synthesizer(server: ProviderStub, **options: object) -> ElevenLabsSpeechSynthesizer:
    return ElevenLabsSpeechSynthesizer(KEY, base_url=server.url, **options)  # type: ignore[arg-type]


def recognizer(server: ProviderStub, **options: object) -> ElevenLabsSpeechRecognizer:
    return ElevenLabsSpeechRecognizer(KEY, base_url=server.url, **options)  # type: ignore[arg-type]


# --- Synthesis ------------------------------------------------------------------------------


async def test_synthesized_speech_is_the_mp3_as_served(server: ProviderStub):
    server.reply("POST", SPEAK, audio_reply(MP3))

    speech = await synthesizer(server).synthesize("Hello there.", speed=1.1)

    assert (speech.audio, speech.media_type, speech.sample_rate) == (MP3, STREAM_MEDIA_TYPE, 44100)
    assert decode_to_pcm(speech.audio).duration_seconds > 1  # playable speech
    [request] = server.received
    assert request.headers["xi-api-key"] == KEY
    assert request.query["output_format"] == "mp3_44100_128"
    assert request.json["text"] == "Hello there."
    assert request.json["model_id"] == "eleven_multilingual_v2"
    assert request.json["voice_settings"]["speed"] == 1.1


@pytest.mark.parametrize(("speed", "sent"), [(0.5, 0.7), (2.0, 1.2), (0.9, 0.9)])
async def test_speeds_beyond_the_voices_range_are_clamped(
    server: ProviderStub, speed: float, sent: float
):
    server.reply("POST", SPEAK, audio_reply(MP3))

    await synthesizer(server).synthesize("Hello.", speed=speed)

    assert server.received[0].json["voice_settings"]["speed"] == sent


async def test_streamed_speech_arrives_chunk_by_chunk(server: ProviderStub):
    server.reply("POST", "/v1/text-to-speech/voice-2/stream", audio_reply(MP3, 4, pause=0.15))
    started = time.monotonic()
    arrivals: list[float] = []
    chunks: list[bytes] = []

    async for chunk in synthesizer(server).stream("Hello there.", voice="voice-2"):
        arrivals.append(time.monotonic() - started)
        chunks.append(chunk)

    assert b"".join(chunks) == MP3
    assert arrivals[0] < arrivals[-1] - 0.3  # the first chunk came before the server was done
    assert server.received[0].query["output_format"] == "mp3_44100_128"


@pytest.mark.parametrize(
    ("text", "speed", "field"), [(" ", 1.0, "text"), ("Hi.", 0.4, "speed"), ("Hi.", 2.1, "speed")]
)
async def test_bad_input_is_refused_before_sending(
    server: ProviderStub, text: str, speed: float, field: str
):
    speaker = synthesizer(server)

    with pytest.raises(InvalidInput) as error:
        await speaker.synthesize(text, speed=speed)
    assert error.value.details == {"field": field}
    with pytest.raises(InvalidInput):
        await anext(speaker.stream(text, speed=speed))
    assert server.received == []


async def test_an_unknown_voice_is_invalid_input(server: ProviderStub):
    not_found = {"detail": {"status": "voice_not_found", "message": "A voice with that ID..."}}
    server.reply("POST", "/v1/text-to-speech/nobody/stream", json_reply(not_found, 404))

    with pytest.raises(InvalidInput, match="Unknown voice 'nobody'"):
        await anext(synthesizer(server).stream("Hello.", voice="nobody"))


async def test_transient_errors_are_retried_with_backoff(server: ProviderStub):
    server.reply(
        "POST",
        f"{SPEAK}/stream",
        json_reply({"detail": "busy"}, 503),
        json_reply({"detail": "too many requests"}, 429),
        audio_reply(MP3),
    )
    started = time.monotonic()

    chunks = [c async for c in synthesizer(server, backoff_seconds=0.1).stream("Hello.")]

    assert b"".join(chunks) == MP3
    assert len(server.received) == 3
    assert 0.3 <= time.monotonic() - started < 1.5  # waited 0.1 s, then 0.2 s


async def test_retries_stop_after_max_retries(server: ProviderStub):
    server.reply("POST", STT, json_reply({"detail": "down"}, 500))

    with pytest.raises(ServiceUnavailable, match="HTTP 500"):
        await recognizer(server, max_retries=2, backoff_seconds=0).transcribe(AUDIO)
    assert len(server.received) == 3


async def test_a_failing_stream_fails_before_the_first_chunk(server: ProviderStub):
    server.reply("POST", f"{SPEAK}/stream", json_reply({"detail": "down"}, 500))

    with pytest.raises(ServiceUnavailable, match="elevenlabs answered HTTP 500") as error:
        await anext(synthesizer(server, max_retries=0).stream("Hello."))
    assert error.value.details == {"provider": "elevenlabs", "status": 500}


async def test_speech_broken_off_before_a_chunk_is_retried(server: ProviderStub):
    # The SDK hands over 1 KiB chunks: the half of 1500 bytes never makes a whole one.
    server.reply("POST", f"{SPEAK}/stream", broken_reply(MP3[:1500]), audio_reply(MP3))

    chunks = [c async for c in synthesizer(server, backoff_seconds=0).stream("Hello.")]

    assert b"".join(chunks) == MP3
    assert len(server.received) == 2


async def test_speech_broken_off_after_a_chunk_is_not_retried(server: ProviderStub):
    server.reply("POST", f"{SPEAK}/stream", broken_reply(MP3))
    chunks: list[bytes] = []

    with pytest.raises(ServiceUnavailable, match="elevenlabs broke off its answer"):
        async for chunk in synthesizer(server, backoff_seconds=0).stream("Hello."):
            chunks.append(chunk)
    assert chunks and MP3.startswith(b"".join(chunks))  # played audio is never repeated
    assert len(server.received) == 1


async def test_a_refused_key_names_the_setting(server: ProviderStub):
    server.reply("POST", SPEAK, json_reply({"detail": {"message": f"Invalid key {KEY}"}}, 401))

    with pytest.raises(ServiceUnavailable, match="refused the configured API key") as error:
        await synthesizer(server).synthesize("Hello.")
    assert error.value.details["settings"] == ["ELEVENLABS_API_KEY"]
    assert KEY not in f"{error.value} {error.value.details}"
    assert len(server.received) == 1


async def test_a_hung_server_times_out(server: ProviderStub):
    server.reply("POST", SPEAK, silence(3))
    started = time.monotonic()

    with pytest.raises(ServiceUnavailable, match="elevenlabs timed out"):
        await synthesizer(server, timeout_seconds=0.3, backoff_seconds=0).synthesize("Hello.")
    assert time.monotonic() - started < 1.5
    assert len(server.received) == 3  # timeouts are retried too


async def test_an_unreachable_server_is_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    speaker = ElevenLabsSpeechSynthesizer(
        KEY, base_url=f"http://127.0.0.1:{port}", backoff_seconds=0
    )

    with pytest.raises(ServiceUnavailable, match="elevenlabs is unreachable"):
        await speaker.synthesize("Hello.")


async def test_the_accounts_voices(server: ProviderStub):
    voices = [
        {"voice_id": GEORGE, "name": "George", "labels": {"accent": "british", "gender": "male"}},
        {"voice_id": "v2", "name": "Lucía", "labels": {"language": "es", "gender": "female"}},
        {"voice_id": "v3"},
    ]
    server.reply("GET", "/v2/voices", json_reply({"voices": voices, "has_more": False}))

    assert await synthesizer(server).voices() == [
        Voice(GEORGE, "George", "en", "male"),
        Voice("v2", "Lucía", "es", "female"),
        Voice("v3", "v3", "en", None),
    ]
    assert server.received[0].query["page_size"] == "100"


# --- Recognition ----------------------------------------------------------------------------


async def test_a_transcription_sends_the_audio_as_wav(server: ProviderStub):
    server.reply("POST", STT, json_reply(scribe(" Hello there. ")))

    transcript = await recognizer(server).transcribe(AUDIO, language="en-US")

    assert (transcript.text, transcript.language) == ("Hello there.", "en")
    assert (transcript.duration_seconds, transcript.provider) == (1.0, "elevenlabs")
    [request] = server.received
    expected = {"model_id": "scribe_v1", "language_code": "en", "tag_audio_events": "false"}
    assert expected.items() <= request.form.items()
    filename, content = request.files["file"]
    assert filename == "speech.wav"
    with wave.open(io.BytesIO(content)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16000)
        assert wav.readframes(wav.getnframes()) == AUDIO.samples


async def test_the_language_heard_is_reported_as_an_iso_639_1_code(server: ProviderStub):
    server.reply("POST", STT, json_reply(scribe("Bonjour.", "fra")))

    assert (await recognizer(server).transcribe(AUDIO)).language == "fr"
    assert "language_code" not in server.received[0].form


async def test_no_words_heard_is_unprocessable(server: ProviderStub):
    server.reply("POST", STT, json_reply(scribe("")))

    with pytest.raises(NoSpeech):
        await recognizer(server).transcribe(AUDIO)


async def test_translation_is_not_offered_and_names_the_setting_that_is(server: ProviderStub):
    with pytest.raises(ServiceUnavailable, match="only transcribes") as error:
        await recognizer(server).transcribe(AUDIO, task=RecognitionTask.TRANSLATE)
    assert error.value.details == {"provider": "elevenlabs", "setting": "STT_PROVIDER=openai"}
    assert server.received == []


async def test_a_failing_recognizer_is_unavailable(server: ProviderStub):
    server.reply("POST", STT, json_reply({"detail": "down"}, 502))

    with pytest.raises(ServiceUnavailable, match="HTTP 502"):
        await recognizer(server, max_retries=0).transcribe(AUDIO)
    assert len(server.received) == 1
