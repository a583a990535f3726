"""The learner's corrections on every surface that checks English: /assessment/sentence, the
tutor's text and audio turns and /ws/english-only, each in the learner's dialect (set in
/learning/settings). The offline checker (rules and Harper), tutor (SmolLM2), recognizer
(Whisper) and voice (eSpeak NG)."""

import base64

import pytest

from adapters.speech.espeak import EspeakSynthesizer
from tests.support.api import assert_error, sign_up
from tests.support.sockets import Socket

pytestmark = pytest.mark.asyncio
SESSIONS = "/api/v1/conversations/sessions"
SETTINGS = "/api/v1/learning/settings"
MISTAKE = "Yesterday I go to the market."
CORRECTED = "Yesterday I went to the market."
TURN_SECONDS = 60.0


def assert_tense_corrected(corrections: list[dict]) -> None:
    assert [(c["original"], c["suggestion"], c["kind"]) for c in corrections] == [
        ("go", "went", "tense")
    ], corrections


async def session_of(client, headers) -> str:
    started = await client.post(
        SESSIONS, json={"level": "A2", "topic": "shopping"}, headers=headers
    )
    assert started.status_code == 201, started.text
    return started.json()["id"]


async def test_a_sentence_assessment_corrects_the_tense_after_a_time_word(client):
    learner = await sign_up(client)
    response = await client.post(
        "/api/v1/assessment/sentence", json={"text": MISTAKE}, headers=learner["headers"]
    )
    assert response.status_code == 200, response.text
    assert response.json()["corrected_text"] == CORRECTED
    assert_tense_corrected(response.json()["corrections"])


async def test_the_tutors_text_and_audio_turns_correct_the_tense(client):
    learner = await sign_up(client)
    session = await session_of(client, learner["headers"])

    text = await client.post(
        f"{SESSIONS}/{session}/text", json={"text": MISTAKE}, headers=learner["headers"]
    )
    assert text.status_code == 200, text.text
    assert text.json()["corrected_text"] == CORRECTED
    assert_tense_corrected(text.json()["learner_message"]["corrections"])
    # The tutor recasts the corrected sentence.
    assert "yesterday you went to the market" in text.json()["tutor_message"]["text"].lower()

    recording = await EspeakSynthesizer().synthesize(MISTAKE, voice="en-us", speed=0.9)
    audio = await client.post(
        f"{SESSIONS}/{session}/audio",
        files={"audio": ("turn.wav", recording.audio, "audio/wav")},
        headers=learner["headers"],
    )
    assert audio.status_code == 200, audio.text
    assert audio.json()["transcript"].rstrip(".").lower() == MISTAKE.rstrip(".").lower()
    corrections = audio.json()["learner_message"]["corrections"]
    assert [(c["original"], c["suggestion"]) for c in corrections] == [("go", "went")]


async def test_the_english_only_socket_corrects_the_tense(client, live):
    learner = await sign_up(client)
    token = learner["access_token"]
    async with Socket.open(live, f"/api/v1/ws/english-only?token={token}&level=A2") as ws:
        await ws.expect("greeting", TURN_SECONDS)
        await ws.send({"type": "text", "text": MISTAKE})
        response = await ws.expect("response", TURN_SECONDS)
        assert response["analysis"]["corrected_text"] == CORRECTED
        assert_tense_corrected(response["analysis"]["corrections"])

        wav = await EspeakSynthesizer().synthesize(MISTAKE, voice="en-us", speed=0.9)
        await ws.send({"type": "audio", "audio": base64.b64encode(wav.audio).decode()})
        await ws.expect("transcription", TURN_SECONDS)
        spoken = await ws.expect("response", TURN_SECONDS)
        assert spoken["analysis"]["corrected_text"] == CORRECTED


async def test_a_learners_dialect_decides_which_spellings_are_corrected(client):
    learner = await sign_up(client)
    headers = learner["headers"]
    british, american = "My favourite colour is grey.", "My favorite color is gray."

    async def corrected(text: str) -> str:
        response = await client.post(
            "/api/v1/assessment/sentence", json={"text": text}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()["corrected_text"]

    default = await client.get(SETTINGS, headers=headers)
    assert default.json() == {"keep_pronunciation_history": True, "english_dialect": "british"}
    assert await corrected(british) == british
    assert await corrected(american) == british

    changed = await client.patch(SETTINGS, json={"english_dialect": "american"}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"keep_pronunciation_history": True, "english_dialect": "american"}
    assert await corrected(american) == american
    assert await corrected(british) == american

    # The tutor follows the setting too.
    session = await session_of(client, headers)
    turn = await client.post(f"{SESSIONS}/{session}/text", json={"text": american}, headers=headers)
    assert turn.json()["corrected_text"] is None

    kept = await client.patch(SETTINGS, json={"keep_pronunciation_history": False}, headers=headers)
    assert kept.json() == {"keep_pronunciation_history": False, "english_dialect": "american"}


async def test_settings_refuse_an_unknown_dialect_and_an_empty_change(client):
    learner = await sign_up(client)
    for body in ({"english_dialect": "scottish"}, {}, {"english_dialect": None}):
        response = await client.patch(SETTINGS, json=body, headers=learner["headers"])
        assert_error(response, 400, "ValidationError")
    unchanged = await client.get(SETTINGS, headers=learner["headers"])
    assert unchanged.json()["english_dialect"] == "british"
