"""What clients written against the seeds send and read, answered as they expect."""

import pytest

from adapters.speech.espeak import EspeakSynthesizer
from tests.support.api import PASSWORD, assert_error, new_email, sign_up

pytestmark = pytest.mark.asyncio
SENTENCE = "The cat sat on the mat"


async def test_a_fastapi_style_client_reads_the_message_in_detail(client):
    response = await client.post(
        "/api/v1/auth/login", json={"email": new_email(), "password": PASSWORD}
    )
    assert response.status_code == 401
    body = response.json()
    assert body["detail"] == body["message"] == "Invalid email or password"


@pytest.fixture(scope="module")
async def sentence_take() -> bytes:
    """A WAV of a short sentence in an offline voice."""
    return (await EspeakSynthesizer().synthesize(SENTENCE, voice="en-us", speed=0.9)).audio


def take(audio: bytes) -> dict:
    return {"audio": ("take.wav", audio, "audio/wav")}


@pytest.mark.parametrize("language", ["en", "en-US", "en_US", "EN-us"])
async def test_scoring_takes_every_spelling_of_english(client, sentence_take, language):
    headers = (await sign_up(client))["headers"]
    response = await client.post(
        "/api/v1/speech/score",
        headers=headers,
        data={"reference_text": SENTENCE, "language": language},
        files=take(sentence_take),
    )
    assert response.status_code == 200, response.text
    assert [w["word"].lower() for w in response.json()["word_scores"]] == SENTENCE.lower().split()


@pytest.mark.parametrize("language", ["en", "en-US", "en_US", "EN-us"])
async def test_transcription_takes_every_spelling_of_english(client, sentence_take, language):
    headers = (await sign_up(client))["headers"]
    response = await client.post(
        "/api/v1/speech/transcribe",
        headers=headers,
        data={"language": language},
        files=take(sentence_take),
    )
    assert response.status_code == 200, response.text
    assert response.json()["language"] == "en"


async def test_an_unsupported_language_names_the_supported_ones(client, sentence_take):
    headers = (await sign_up(client))["headers"]
    scoring = await client.post(
        "/api/v1/speech/score",
        headers=headers,
        data={"reference_text": SENTENCE, "language": "fr_FR"},
        files=take(sentence_take),
    )
    body = assert_error(scoring, 400, "ValidationError")
    assert "en-US" in body["message"]
    assert {"en-US", "en-GB"} <= set(body["details"]["supported"])
    transcription = await client.post(
        "/api/v1/speech/transcribe",
        headers=headers,
        data={"language": "xx"},
        files=take(sentence_take),
    )
    body = assert_error(transcription, 400, "ValidationError")
    assert {"en", "ur"} <= set(body["details"]["supported"])


async def test_a_client_that_reads_only_the_access_token_from_a_refresh_stays_logged_in(client):
    learner = await sign_up(client)
    for _ in range(3):  # 004's client sends its first refresh token every time
        response = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": learner["refresh_token"]}
        )
        assert response.status_code == 200, response.text
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 200


async def test_a_chat_client_gets_the_names_of_the_people_it_talks_to(client):
    ana, ben = await sign_up(client), await sign_up(client)
    await client.put(
        "/api/v1/users/me",
        headers=ben["headers"],
        json={"name": "Ben Okafor", "avatar_url": "https://example.com/ben.png"},
    )
    started = await client.post(
        "/api/v1/conversations",
        headers=ana["headers"],
        json={"type": "direct", "participant_ids": [ben["user"]["id"]]},
    )
    assert started.status_code == 201, started.text
    conversation = started.json()["id"]
    names = {p["user_id"]: (p["name"], p["avatar_url"]) for p in started.json()["participants"]}
    assert names == {
        ana["user"]["id"]: ("Test Learner", None),
        ben["user"]["id"]: ("Ben Okafor", "https://example.com/ben.png"),
    }
    sent = await client.post(
        f"/api/v1/conversations/{conversation}/messages",
        headers=ben["headers"],
        json={"content": "Hi Ana"},
    )
    assert sent.json()["sender_name"] == "Ben Okafor"
    history = await client.get(
        f"/api/v1/conversations/{conversation}/messages", headers=ana["headers"]
    )
    (message,) = history.json()["messages"]
    assert (message["sender_name"], message["sender_avatar_url"]) == (
        "Ben Okafor",
        "https://example.com/ben.png",
    )
    listed = await client.get("/api/v1/conversations", headers=ana["headers"])
    (summary,) = listed.json()["conversations"]
    assert {p["name"] for p in summary["participants"]} == {"Test Learner", "Ben Okafor"}
