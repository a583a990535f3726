"""The 30-second limit applies while decoding, on every route that takes audio: a small file
holding an hour of silence is refused with 413 at once, and the decoder never holds more
than the limit's worth of samples."""

import base64
import time
from dataclasses import replace

import httpx
import pytest

from adapters.http.app import create_app
from adapters.speech.codec import PyAVAudioDecoder, decode_to_pcm
from domain.recordings import MAX_AUDIO_SECONDS
from ports.scoring import PcmAudio
from tests.support.api import BASE_URL, assert_error, sign_up
from tests.support.audio import silent_flac
from tests.support.sockets import Socket, served

API = "/api/v1"
SAMPLE_RATE = 16000
LIMIT_BYTES = (int(MAX_AUDIO_SECONDS * SAMPLE_RATE) + 1) * 2
FAST_SECONDS = 1.5  # decoding the whole hour took 1.3 s on an idle machine, and 115 MB


@pytest.fixture(scope="module")
def hour_of_silence() -> bytes:
    return silent_flac(3600)


class MeasuredDecoder:
    """The real decoder, noting the most samples it returned."""

    def __init__(self) -> None:
        self._decoder = PyAVAudioDecoder(SAMPLE_RATE)
        self.largest = 0

    async def decode(self, data: bytes, max_seconds: float) -> PcmAudio:
        audio = await self._decoder.decode(data, max_seconds)
        self.largest = max(self.largest, len(audio.samples))
        return audio


@pytest.fixture
def decoder() -> MeasuredDecoder:
    return MeasuredDecoder()


@pytest.fixture
def app(container, decoder):
    services = container.http_services()
    voice = replace(services.voice, decoder=decoder)
    return create_app(replace(services, audio_decoder=decoder, voice=voice))


@pytest.fixture
async def measured_client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        yield c


async def test_rest_routes_refuse_long_audio_without_decoding_it(
    measured_client, decoder, hour_of_silence
):
    client = measured_client
    learner = await sign_up(client)
    session = await client.post(
        f"{API}/conversations/sessions", json={}, headers=learner["headers"]
    )
    routes = {
        f"{API}/speech/score": {"reference_text": "hello"},
        f"{API}/speech/transcribe": {},
        f"{API}/assessment/speaking": {},
        f"{API}/conversations/sessions/{session.json()['id']}/audio": {},
    }
    for path, form in routes.items():
        started = time.monotonic()
        response = await client.post(
            path,
            files={"audio": ("s.flac", hour_of_silence, "audio/flac")},
            data=form,
            headers=learner["headers"],
        )
        elapsed = time.monotonic() - started
        body = assert_error(response, 413, "PayloadTooLarge")
        assert body["details"]["limit_seconds"] == MAX_AUDIO_SECONDS, path
        assert elapsed < FAST_SECONDS, (path, elapsed)
    assert 0 < decoder.largest <= LIMIT_BYTES


async def test_voice_sockets_refuse_long_audio_without_decoding_it(
    client, app, decoder, hour_of_silence
):
    token = (await sign_up(client))["access_token"]
    frame = {"type": "audio", "audio": base64.b64encode(hour_of_silence).decode()}
    async with served(app) as base_url:
        for path, first in (("english-only", "greeting"), ("learn", "ready")):
            async with Socket.open(base_url, f"{API}/ws/{path}?token={token}") as ws:
                await ws.expect(first, 60)
                started = time.monotonic()
                await ws.send(frame)
                error = await ws.expect("error", 30)
                elapsed = time.monotonic() - started
                assert error["error"] == "PayloadTooLarge" and error["request"] == "audio"
                assert elapsed < FAST_SECONDS, (path, elapsed)
    assert 0 < decoder.largest <= LIMIT_BYTES


def test_audio_at_the_limit_is_decoded_whole():
    audio = decode_to_pcm(silent_flac(MAX_AUDIO_SECONDS), SAMPLE_RATE, MAX_AUDIO_SECONDS)
    assert audio.duration_seconds == pytest.approx(MAX_AUDIO_SECONDS, abs=0.01)
    assert audio.duration_seconds <= MAX_AUDIO_SECONDS
