"""Attempts at topics through the real app: recordings synthesized offline and evaluated by
the offline scorer, recognizer and grammar checker, a typed answer's relevance judged by the
rules or by a local OpenAI-compatible server; refused attempts write nothing; a retry
under the same idempotency key is counted once; and a learner's way from A1's first exercise
to an unlocked curriculum stage 2."""

from datetime import UTC, datetime

import pytest

from adapters.speech.espeak import EspeakSynthesizer
from deployments.providers import build_gateway_model
from tests.api.test_game_sessions import session_body, speeches_and_tags
from tests.contract.http_provider_stub import ProviderStub, json_reply
from tests.contract.test_event_bus import eventually
from tests.contract.test_openai_providers import CHAT, completion
from tests.support.api import assert_error, client_with, sign_up
from tests.support.audio import silence

pytestmark = pytest.mark.asyncio
START = "/api/v1/progress/initialize-progress"


async def spoken(text: str) -> bytes:
    return (await EspeakSynthesizer().synthesize(text, voice="en-us", speed=0.9)).audio


async def attempt(client, headers, path: str, audio: bytes | None = None, **form):
    files = {"audio": ("take.wav", audio, "application/octet-stream")} if audio else None
    return await client.post(f"/api/v1{path}", headers=headers, data=form, files=files)


async def tutor_turn(client, headers, text: str) -> None:
    """One turn with the offline tutor in a new session."""
    session = await client.post(
        "/api/v1/conversations/sessions", json={"level": "A1"}, headers=headers
    )
    turn = await client.post(
        f"/api/v1/conversations/sessions/{session.json()['id']}/text",
        json={"text": text},
        headers=headers,
    )
    assert turn.status_code == 200, turn.text


async def progress_of(client, learner) -> dict:
    path = f"/api/v1/progress/user-progress/{learner['user']['id']}"
    response = await client.get(path, headers=learner["headers"])
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_topic_said_aloud_is_scored_against_its_text(client):
    learner = await sign_up(client)
    await client.post(START, headers=learner["headers"], json={"time_zone": "Asia/Karachi"})
    response = await attempt(
        client,
        learner["headers"],
        "/repeat-after-me/topics/1/attempts",
        await spoken("Hello, how are you?"),
        time_seconds="12",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    evaluation = body["evaluation"]
    assert evaluation["method"] == "pronunciation" and evaluation["speaking"] is None
    assert evaluation["pronunciation"]["provider"] == "pocketsphinx"
    scored = evaluation["pronunciation"]["pronunciation_score"]
    assert body["score"] == evaluation["score"] == scored
    assert body["score"] >= 60 and body["topic_completed"] and not body["replayed"]
    assert (body["stage"], body["exercise"], body["topic"]) == (1, 1, 1)
    assert body["earned"] == ["first_attempt"]
    progress = body["progress"]
    assert progress["current_topic"] == 2 and progress["streak_days"] == 1
    assert progress["exercises"][0]["attempts"] == 1 and progress["time_seconds"] == 12
    assert progress["recent_days"][0]["attempts"] == 1
    assert await progress_of(client, learner) == progress


async def test_a_typed_answer_is_rated_for_level_and_relevance(client, container):
    learner = await sign_up(client)
    # Quick response opens once Repeat After Me has matured.
    for number, text in enumerate(
        ["Hello, how are you?", "My name is Ali.", "Thank you very much.", "I live in Lahore.",
         "Can you help me, please?", "See you tomorrow."], start=1,
    ):  # fmt: skip
        done = await attempt(
            client, learner["headers"], f"/repeat-after-me/topics/{number}/attempts",
            await spoken(text),
        )  # fmt: skip
        assert done.status_code == 200, done.text
    assert done.json()["unlocked"] == [[1, 2]] and done.json()["exercise_matured"]
    response = await attempt(
        client,
        learner["headers"],
        "/curriculum/stages/1/exercises/2/topics/5/attempts",
        text="My favourite food is chicken biryani.",
    )
    assert response.status_code == 200, response.text
    evaluation = response.json()["evaluation"]
    assert evaluation["method"] == "spoken_answer" and evaluation["relevance"] == 1.0
    assert evaluation["relevance_judged_by"] == "rules" and evaluation["relevance_reason"] is None
    assert evaluation["sentence"]["level"] and evaluation["pronunciation"] is None
    assert response.json()["score"] == 100.0

    # With LLM_PROVIDER=openai the model judges relevance (here a local OpenAI-compatible
    # server); an answer of its that cannot be used leaves it to the rules.
    async with ProviderStub() as server:
        server.reply(
            "POST",
            CHAT,
            json_reply(completion('{"relevant": false, "reason": "It never says why."}')),
            json_reply(completion('{"relevant": "no"}')),
        )
        openai = container.settings.model_copy(
            update={
                "llm_provider": "openai",
                "openai_api_key": "sk-test",
                "openai_base_url": f"{server.url}/v1",
            }
        )
        async with client_with(
            container, relevance_model=build_gateway_model(openai, container.metrics)
        ) as judged:
            answers = [
                await attempt(
                    judged,
                    learner["headers"],
                    "/curriculum/stages/1/exercises/2/topics/5/attempts",
                    text="My favourite food is chicken biryani.",
                )
                for _ in range(2)
            ]
    by_model, by_rules = [a.json()["evaluation"] for a in answers]
    assert (by_model["relevance"], by_model["relevance_judged_by"]) == (0.0, "model")
    assert by_model["relevance_reason"] == "It never says why." and by_model["score"] == 50.0
    assert (by_rules["relevance"], by_rules["relevance_judged_by"]) == (1.0, "rules")
    asked = server.received[0].json
    assert asked["response_format"] == {"type": "json_object"}
    assert "My favourite food is chicken biryani." in asked["messages"][-1]["content"]


async def test_audio_that_is_not_speech_is_refused_and_writes_nothing(client):
    learner = await sign_up(client)
    await client.post(START, headers=learner["headers"], json={})
    before = await progress_of(client, learner)
    response = await attempt(
        client, learner["headers"], "/repeat-after-me/topics/1/attempts", silence(2.0)
    )
    assert_error(response, 422, "UnprocessableEntity")
    assert await progress_of(client, learner) == before


@pytest.mark.parametrize(
    "path, form, status, code",
    [
        ("/repeat-after-me/topics/9/attempts", {"text": "Hello there"}, 404, "NotFound"),
        ("/curriculum/stages/7/exercises/1/topics/1/attempts", {"text": "Hi"}, 404, "NotFound"),
        ("/quick-response/topics/1/attempts", {"text": "My name is Ali Khan."}, 409, "Conflict"),
        ("/repeat-after-me/topics/1/attempts", {"text": "Hello, how are you?"}, 400,
         "ValidationError"),
        ("/repeat-after-me/topics/1/attempts", {}, 400, "ValidationError"),
        ("/repeat-after-me/topics/1/attempts", {"time_seconds": "-1", "text": "Hi"}, 400,
         "ValidationError"),
    ],
)  # fmt: skip
async def test_a_refused_attempt_writes_nothing(client, path, form, status, code):
    learner = await sign_up(client)
    await client.post(START, headers=learner["headers"], json={})
    before = await progress_of(client, learner)
    assert_error(await attempt(client, learner["headers"], path, **form), status, code)
    assert await progress_of(client, learner) == before


async def test_a_retried_attempt_is_counted_once(client):
    learner = await sign_up(client)
    audio = await spoken("Hello, how are you?")
    path = "/repeat-after-me/topics/1/attempts"
    headers = learner["headers"] | {"Idempotency-Key": "take-1"}
    first = await attempt(client, headers, path, audio)
    again = await attempt(client, learner["headers"], path, audio, idempotency_key="take-1")
    assert first.status_code == again.status_code == 200, again.text
    assert again.json()["replayed"] and again.json()["evaluation"] is None
    assert again.json()["attempt_id"] == first.json()["attempt_id"]
    assert again.json()["progress"]["exercises"][0]["attempts"] == 1
    clash = await attempt(client, headers, path, audio, idempotency_key="take-2")
    assert_error(clash, 400, "ValidationError")


async def test_record_topic_attempt_names_the_topic_in_the_form(client):
    learner = await sign_up(client)
    response = await attempt(
        client,
        learner["headers"],
        "/progress/record-topic-attempt",
        await spoken("My name is Ali."),
        stage="1",
        exercise="1",
        topic="2",
    )
    assert response.status_code == 200, response.text
    assert (response.json()["topic"], response.json()["topic_completed"]) == (2, True)
    missing = await attempt(client, learner["headers"], "/progress/record-topic-attempt")
    assert_error(missing, 400, "ValidationError")


# --- the other progress routes --------------------------------------------------------------


async def test_unlocks_current_topic_and_comprehensive_progress(client):
    learner = await sign_up(client)
    headers, user_id = learner["headers"], learner["user"]["id"]
    await client.post(START, headers=headers, json={})
    said = await attempt(
        client, headers, "/repeat-after-me/topics/1/attempts", await spoken("Hello, how are you?")
    )
    assert said.status_code == 200, said.text

    unlocks = await client.post(f"/api/v1/progress/check-unlocks/{user_id}", headers=headers)
    assert unlocks.status_code == 200, unlocks.text
    assert unlocks.json()["unlocked_exercises"] == [[1, 1]]
    next_ = unlocks.json()["next"]
    assert (next_["stage"], next_["exercise"], next_["topics_completed"]) == (1, 2, 1)
    assert next_["recent_average"] is None

    current = await client.post(
        "/api/v1/progress/get-current-topic", headers=headers, json={"stage": 1, "exercise": 1}
    )
    assert current.status_code == 200, current.text
    assert current.json()["topic"]["number"] == 2 and current.json()["attempts"] == 1
    locked = await client.post(
        "/api/v1/progress/get-current-topic", headers=headers, json={"stage": 1, "exercise": 2}
    )
    assert_error(locked, 409, "Conflict")
    unknown = await client.post(
        "/api/v1/progress/get-current-topic", headers=headers, json={"stage": 7, "exercise": 1}
    )
    assert_error(unknown, 400, "ValidationError")

    full = await client.post("/api/v1/progress/comprehensive-progress", headers=headers, json={})
    assert full.status_code == 200, full.text
    body = full.json()
    assert body["recent_scores"] == [said.json()["score"]] and body["fluency_trend"] == "unknown"
    assert [s["stage"] for s in body["stages"]] == [1] and body["stages"][0]["attempts"] == 1
    assert body["next_unlock"] == next_
    assert {k: body[k] for k in said.json()["progress"]} == said.json()["progress"]


async def test_progress_routes_refuse_another_learners_progress(client):
    ana, ben = await sign_up(client), await sign_up(client)
    await client.post(START, headers=ana["headers"], json={})
    ana_id = ana["user"]["id"]
    for response in (
        await client.post(f"/api/v1/progress/check-unlocks/{ana_id}", headers=ben["headers"]),
        await client.post(
            "/api/v1/progress/get-current-topic",
            headers=ben["headers"],
            json={"user_id": ana_id, "stage": 1, "exercise": 1},
        ),
        await client.post(
            "/api/v1/progress/comprehensive-progress",
            headers=ben["headers"],
            json={"user_id": ana_id},
        ),
    ):
        assert_error(response, 403, "Forbidden")
    not_started = await client.post(
        "/api/v1/progress/comprehensive-progress", headers=ben["headers"], json={}
    )
    assert_error(not_started, 404, "NotFound")


# --- activity elsewhere counts on the learner's day -----------------------------------------


async def test_a_finished_game_and_a_tutor_turn_reach_the_learners_day(client):
    learner = await sign_up(client)
    headers = learner["headers"]
    await client.post(START, headers=headers, json={"time_zone": "Asia/Karachi"})
    speeches, tags = await speeches_and_tags(client, headers)
    now = datetime.now(UTC)
    game = session_body(speeches, tags, "cc", completed_at=now)
    saved = await client.post("/api/v1/game/sessions", json=game, headers=headers)
    assert saved.status_code == 201, saved.text
    await tutor_turn(client, headers, "I like tea with milk.")

    async def counted() -> bool:
        days = (await progress_of(client, learner))["recent_days"]
        return [(d["game_sessions"], d["tutor_turns"]) for d in days] == [(1, 1)]

    await eventually(counted, seconds=10)
    progress = await progress_of(client, learner)
    (day,) = progress["recent_days"]
    assert day["attempts"] == 0 and day["time_seconds"] == 300
    assert progress["streak_days"] == 1
