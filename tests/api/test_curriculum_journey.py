"""A learner's way through the API from A1's first exercise to an unlocked curriculum stage
2, on SQLite and on PostgreSQL: every attempt evaluated by the offline scorer, recognizer and
grammar checker on speech synthesized offline, a turn with the offline tutor, and the
streak, daily analytics and achievements that follow."""

import pytest

from tests.api.test_curriculum_attempts import START, attempt, progress_of, spoken, tutor_turn
from tests.contract.test_event_bus import eventually
from tests.support.api import sign_up

pytestmark = pytest.mark.asyncio

SAID = {  # The texts of A1's two exercises said aloud, topic by topic.
    "repeat-after-me": [
        "Hello, how are you?", "My name is Ali.", "Thank you very much.", "I live in Lahore.",
        "Can you help me, please?", "See you tomorrow.",
    ],
    "listen-and-reply": [
        "I am fine, thank you.", "It is nine o'clock.", "Yes, it is very hot today.",
        "Yes, please. I would like some tea.", "The market is near the mosque.",
        "I am a student.",
    ],
}  # fmt: skip
ANSWERS = [  # Quick response, topics 2 to 6 (topic 1 is answered aloud).
    "I am twenty years old now.",
    "I am from Lahore, my home town.",
    "I have two brothers and one sister.",
    "My favourite food is chicken biryani.",
    "I like the colour blue very much.",
]


async def test_from_a1_exercise_one_to_an_unlocked_stage_two(each_database_client):
    client = each_database_client
    learner = await sign_up(client)
    headers = learner["headers"]
    started = await client.post(START, headers=headers, json={"time_zone": "Asia/Karachi"})
    assert started.status_code == 200, started.text
    scores = []

    async def take(path: str, audio: bytes | None = None, **form) -> dict:
        response = await attempt(client, headers, path, audio, time_seconds="20", **form)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["topic_completed"], body["evaluation"]
        scores.append(body["score"])
        return body

    for number, text in enumerate(SAID["repeat-after-me"], start=1):
        last = await take(f"/repeat-after-me/topics/{number}/attempts", await spoken(text))
    assert last["exercise_matured"] and last["unlocked"] == [[1, 2]]

    aloud = await take(
        "/quick-response/topics/1/attempts", await spoken("My name is Ali and I am a student.")
    )
    assert aloud["evaluation"]["speaking"]["transcript"] and aloud["evaluation"]["relevance"] == 1
    for number, text in enumerate(ANSWERS, start=2):
        last = await take(f"/quick-response/topics/{number}/attempts", text=text)
    assert last["exercise_matured"] and last["unlocked"] == [[1, 3]]

    for number, text in enumerate(SAID["listen-and-reply"], start=1):
        last = await take(f"/listen-and-reply/topics/{number}/attempts", await spoken(text))
    assert last["stage_completed"] and last["unlocked"] == [[2, 1]]
    assert "stage_1_completed" in last["earned"]

    await tutor_turn(client, headers, "I finished my first lessons today.")

    async def turn_counted() -> bool:
        return (await progress_of(client, learner))["recent_days"][0]["tutor_turns"] == 1

    await eventually(turn_counted, seconds=10)
    progress = await progress_of(client, learner)
    assert progress["unlocked_stages"] == [1, 2]
    assert progress["unlocked_exercises"] == [[1, 1], [1, 2], [1, 3], [2, 1]]
    assert (progress["current_stage"], progress["current_exercise"]) == (2, 1)
    assert progress["current_topic"] == 1
    assert progress["overall_percentage"] == round(100 * 3 / 18, 1)
    assert (progress["streak_days"], progress["longest_streak"]) == (1, 1)
    assert progress["time_seconds"] == 18 * 20
    (day,) = progress["recent_days"]
    assert (day["attempts"], day["topics_completed"], day["tutor_turns"]) == (18, 18, 1)
    assert day["average_score"] == pytest.approx(sum(scores) / 18)
    codes = {a["code"] for a in progress["achievements"]}
    assert {"first_attempt", "first_exercise_matured", "stage_1_completed"} <= codes
    assert ("perfect_score" in codes) == (max(scores) >= 95)

    unlocks = await client.post(
        f"/api/v1/progress/check-unlocks/{learner['user']['id']}", headers=headers
    )
    assert (unlocks.json()["next"]["stage"], unlocks.json()["next"]["exercise"]) == (2, 2)
    current = await client.post(
        "/api/v1/progress/get-current-topic", headers=headers, json={"stage": 2, "exercise": 1}
    )
    assert current.json()["topic"]["title"] == "Morning"
