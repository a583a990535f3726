"""002's conversation sessions through the real app, with the offline tutor (SmolLM2 and
Harper), recognizer (Whisper) and voice (eSpeak NG)."""

import base64
import uuid

import pytest

from adapters.speech.codec import decode_to_pcm
from adapters.speech.espeak import EspeakSynthesizer
from tests.support.api import assert_error, sign_up

pytestmark = pytest.mark.asyncio
SESSIONS = "/api/v1/conversations/sessions"


async def start(client, headers, **body) -> dict:
    response = await client.post(SESSIONS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def spoken_seconds(audio: dict) -> float:
    pcm = decode_to_pcm(base64.b64decode(audio["data_base64"]), 16000)
    return pcm.duration_seconds


async def test_a_session_starts_with_the_tutors_greeting_and_is_listed(client):
    learner = await sign_up(client)
    started = await start(client, learner["headers"], level="B1", topic="travel")
    assert started["level"] == "B1" and started["topic"] == "travel"
    assert started["status"] == "active" and started["stage"] == "greeting"
    assert started["message_count"] == 1
    assert "travel" in started["greeting"]["text"]
    assert started["greeting"]["speaker"] == "tutor"

    listed = await client.get(SESSIONS, headers=learner["headers"])
    assert [s["id"] for s in listed.json()["sessions"]] == [started["id"]]
    assert listed.json()["pagination"]["total"] == 1
    one = await client.get(f"{SESSIONS}/{started['id']}", headers=learner["headers"])
    assert one.json()["topic"] == "travel"


async def test_a_text_turn_is_corrected_answered_and_kept(client):
    learner = await sign_up(client)
    session = await start(client, learner["headers"], level="A2", topic="school")
    response = await client.post(
        f"{SESSIONS}/{session['id']}/text",
        json={"text": "He go to school every day."},
        headers=learner["headers"],
    )
    assert response.status_code == 200, response.text
    turn = response.json()
    assert turn["corrected_text"] == "He goes to school every day."
    assert any(
        c["original"] == "go" and c["suggestion"] == "goes"
        for c in turn["learner_message"]["corrections"]
    )
    # The reply recasts the corrected sentence and asks the learner something more.
    reply = turn["tutor_message"]["text"]
    assert "he goes to school every day" in reply.lower()
    assert reply.endswith("?") and len(reply) > len("he goes to school every day") + 10
    assert turn["provider"] == "smollm2+rules+harper"

    messages = await client.get(f"{SESSIONS}/{session['id']}/messages", headers=learner["headers"])
    body = messages.json()
    assert [(m["sequence"], m["speaker"]) for m in body["messages"]] == [
        (1, "tutor"),
        (2, "learner"),
        (3, "tutor"),
    ]
    assert body["messages"][1]["text"] == "He go to school every day."
    assert body["messages"][1]["corrections"] == turn["learner_message"]["corrections"]


async def test_a_correct_turn_has_no_corrections(client):
    learner = await sign_up(client)
    session = await start(client, learner["headers"])
    turn = await client.post(
        f"{SESSIONS}/{session['id']}/text",
        json={"text": "I like reading books in the evening."},
        headers=learner["headers"],
    )
    assert turn.status_code == 200, turn.text
    assert turn.json()["corrected_text"] is None
    assert turn.json()["learner_message"]["corrections"] == []


async def test_a_spoken_turn_is_transcribed_answered_and_spoken(client):
    learner = await sign_up(client)
    session = await start(client, learner["headers"], level="A2", topic="sports")
    recording = await EspeakSynthesizer().synthesize(
        "I like to swim in the sea.", voice="en-us", speed=0.9
    )
    response = await client.post(
        f"{SESSIONS}/{session['id']}/audio",
        files={"audio": ("turn.wav", recording.audio, "audio/wav")},
        headers=learner["headers"],
    )
    assert response.status_code == 200, response.text
    turn = response.json()
    assert "swim" in turn["transcript"].lower() and "sea" in turn["transcript"].lower()
    assert turn["learner_message"]["input_mode"] == "audio"
    assert turn["learner_message"]["text"] == turn["transcript"]
    assert turn["tutor_message"]["text"]
    assert turn["reply_audio"]["media_type"] == "audio/wav"
    # Roughly 2.5 words a second: the audio is the reply spoken, not a click.
    words = len(turn["tutor_message"]["text"].split())
    assert spoken_seconds(turn["reply_audio"]) > words / 5


async def test_an_ended_session_is_ended_once(client):
    learner = await sign_up(client)
    session = await start(client, learner["headers"])
    url = f"{SESSIONS}/{session['id']}"
    ended = await client.post(f"{url}/end", headers=learner["headers"])
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert ended.json()["ended_at"]
    assert_error(await client.post(f"{url}/end", headers=learner["headers"]), 409, "Conflict")


async def test_sessions_are_private_and_inputs_are_checked(client):
    owner, other = await sign_up(client), await sign_up(client)
    session = await start(client, owner["headers"])
    url = f"{SESSIONS}/{session['id']}"
    assert_error(await client.get(url, headers=other["headers"]), 403, "Forbidden")
    missing = await client.get(f"{SESSIONS}/{uuid.uuid4()}", headers=owner["headers"])
    assert_error(missing, 404, "NotFound")
    assert_error(
        await client.get(f"{SESSIONS}/nope", headers=owner["headers"]), 400, "ValidationError"
    )
    assert_error(await client.get(SESSIONS), 401, "Unauthorized")
    bad_level = await client.post(SESSIONS, json={"level": "D1"}, headers=owner["headers"])
    assert_error(bad_level, 400, "ValidationError")
    no_audio = await client.post(
        f"{url}/audio",
        files={"audio": ("a.wav", b"not audio", "audio/wav")},
        headers=owner["headers"],
    )
    assert_error(no_audio, 400, "ValidationError")
    bad_voice = await client.post(
        f"{url}/audio",
        files={"audio": ("a.wav", b"RIFF", "audio/wav")},
        data={"voice": "klingon"},
        headers=owner["headers"],
    )
    assert_error(bad_voice, 400, "ValidationError")
    page = await client.get(f"{SESSIONS}?limit=0", headers=owner["headers"])
    assert_error(page, 400, "ValidationError")
    # Nothing above was stored.
    messages = await client.get(f"{url}/messages", headers=owner["headers"])
    assert messages.json()["pagination"]["total"] == 1
