"""000's voice WebSockets, /ws/english-only and /ws/learn, with real clients against the app
served by uvicorn, and the offline recognizer, tutor, voice and scorer."""

import base64

import pytest

from adapters.speech.codec import decode_to_pcm
from adapters.speech.espeak import EspeakSynthesizer
from parla_contracts.speech import URDU  # eSpeak NG's Urdu
from tests.support.api import sign_up
from tests.support.sockets import Socket

pytestmark = pytest.mark.asyncio
WS = "/api/v1/ws"
TURN_SECONDS = 60.0  # a tutor turn on a busy 2-core machine, with room to spare


async def spoken(text: str, voice: str = "en-us") -> dict:
    wav = await EspeakSynthesizer().synthesize(text, voice=voice, speed=0.9)
    return {"type": "audio", "audio": base64.b64encode(wav.audio).decode()}


def seconds_of(audio: dict) -> float:
    return decode_to_pcm(base64.b64decode(audio["data_base64"]), 16000).duration_seconds


async def test_the_english_only_tutor_greets_listens_corrects_and_answers(client, live):
    learner = await sign_up(client)
    token = learner["access_token"]
    async with Socket.open(live, f"{WS}/english-only?token={token}&level=A2&topic=pets") as ws:
        greeting = await ws.expect("greeting", TURN_SECONDS)
        assert "pets" in greeting["text"] and seconds_of(greeting["audio"]) > 1
        session_id = greeting["session_id"]

        await ws.send({"type": "text", "text": "She have two cat."})
        response = await ws.expect("response", TURN_SECONDS)
        analysis = response["analysis"]
        assert analysis["corrected_text"] and "has" in analysis["corrected_text"]
        assert "has" in response["text"] and response["text"].endswith("?")
        assert seconds_of(response["audio"]) > 1

        await ws.send(await spoken("I like to swim in the sea."))
        transcription = await ws.expect("transcription", TURN_SECONDS)
        assert "swim" in transcription["text"].lower()
        answer = await ws.expect("response", TURN_SECONDS)
        assert answer["text"] and seconds_of(answer["audio"]) > 0.5
        # Two mistakes ("have", "cat") moved it to grammar focus; a clean turn returns to the topic.
        assert answer["analysis"]["stage"] in ("vocabulary", "grammar_focus", "topic_discussion")

        await ws.send({"type": "dance"})
        error = await ws.expect("error")
        assert error["error"] == "ValidationError" and error["request"] == "dance"

    # The session and every turn are in storage: the REST API sees them, a socket resumes.
    messages = await client.get(
        f"/api/v1/conversations/sessions/{session_id}/messages", headers=learner["headers"]
    )
    spoken_modes = [
        m["input_mode"] for m in messages.json()["messages"] if m["speaker"] == "learner"
    ]
    assert spoken_modes == ["text", "audio"]
    async with Socket.open(live, f"{WS}/english-only?token={token}&session_id={session_id}") as ws:
        assert (await ws.expect("resumed"))["session_id"] == session_id
        await ws.send({"type": "end"})
        await ws.expect("session_ended")


async def test_voice_sockets_need_a_valid_token(live):
    for path in ("english-only", "learn"):
        async with Socket.open(live, f"{WS}/{path}?token=forged") as ws:
            error = await ws.expect("error")
            assert error["error"] == "Unauthorized"


async def test_learn_translates_urdu_teaches_word_by_word_and_scores_the_repeat(client, live):
    learner = await sign_up(client)
    async with Socket.open(live, f"{WS}/learn?token={learner['access_token']}") as ws:
        await ws.expect("ready")
        await ws.send({"type": "word_by_word_complete"})
        assert (await ws.expect("error"))["details"]["step"] == "awaiting_urdu"

        await ws.send(await spoken("I want to learn English."))
        asked = await ws.expect("speak_urdu", TURN_SECONDS)
        assert seconds_of(asked["audio"]) > 1

        await ws.send({"type": "audio", "audio": base64.b64encode(URDU.read_bytes()).decode()})
        translation = await ws.expect("translation", TURN_SECONDS)
        sentence = translation["english_text"]
        assert translation["urdu_text"] and sentence
        assert translation["text"] == f"You said: {sentence}"

        await ws.send({"type": "you_said_complete"})
        practice = await ws.expect("word_by_word", TURN_SECONDS)
        assert [w["word"] for w in practice["words"]] == practice["text"].split()
        assert all(seconds_of(w["audio"]) > 0.1 for w in practice["words"])

        await ws.send({"type": "word_by_word_complete"})
        full = await ws.expect("full_sentence", TURN_SECONDS)
        assert full["text"] == sentence

        await ws.send(await spoken("The cat sat quietly on the old wooden chair."))
        correction = await ws.expect("correction", TURN_SECONDS)
        assert correction["words_to_practice"] and correction["attempts"] == 1
        await ws.expect("word_by_word", TURN_SECONDS)
        await ws.send({"type": "word_by_word_complete"})
        await ws.expect("full_sentence", TURN_SECONDS)

        await ws.send(await spoken(sentence))
        success = await ws.expect("success", TURN_SECONDS)
        assert success["attempts"] == 2 and success["english_text"] == sentence

    # Both repeats are in the learner's pronunciation history.
    history = await client.get(
        "/api/v1/learning/pronunciation-analyses", headers=learner["headers"]
    )
    analyses = history.json()["analyses"]
    assert [(a["source"], a["reference_text"]) for a in analyses] == [
        ("learn_repeat", sentence)
    ] * 2
    assert analyses[0]["pronunciation_score"] == success["score"]["pronunciation_score"]
