"""A spoken turn in a session that is not the learner's, unknown or ended is refused before
its recording is recognized."""

import uuid
from dataclasses import replace

import httpx
import pytest

from adapters.http.app import create_app
from ports.scoring import PcmAudio
from ports.speech import Transcript
from tests.support.api import BASE_URL, assert_error, sign_up
from tests.support.audio import silence

SESSIONS = "/api/v1/conversations/sessions"


class RecordingRecognizer:
    """Hears "Hello" and notes each call."""

    provider = "recording"

    def __init__(self) -> None:
        self.calls = 0

    async def transcribe(self, audio: PcmAudio, **options: object) -> Transcript:
        self.calls += 1
        return Transcript("Hello", "en", audio.duration_seconds, self.provider)


@pytest.fixture
def recognizer() -> RecordingRecognizer:
    return RecordingRecognizer()


@pytest.fixture
async def client(container, recognizer):
    services = container.http_services()
    services = replace(services, voice=replace(services.voice, recognizer=recognizer))
    transport = httpx.ASGITransport(app=create_app(services))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as c:
        yield c


async def test_foreign_unknown_and_ended_sessions_are_refused_before_recognition(
    client, recognizer
):
    owner, stranger = await sign_up(client), await sign_up(client)
    session = await client.post(SESSIONS, json={}, headers=owner["headers"])
    ended = await client.post(SESSIONS, json={}, headers=stranger["headers"])
    await client.post(f"{SESSIONS}/{ended.json()['id']}/end", headers=stranger["headers"])
    cases = [
        (session.json()["id"], 403, "Forbidden"),
        (str(uuid.uuid4()), 404, "NotFound"),
        (ended.json()["id"], 409, "Conflict"),
    ]
    for session_id, status, code in cases:
        response = await client.post(
            f"{SESSIONS}/{session_id}/audio",
            files={"audio": ("turn.wav", silence(1.0), "audio/wav")},
            headers=stranger["headers"],
        )
        assert_error(response, status, code)
    assert recognizer.calls == 0
