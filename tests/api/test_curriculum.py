"""The curriculum's read routes: curriculum stages, exercises and topics, by number and by
000's exercise names."""

import pytest

from tests.support.api import assert_error, sign_up

pytestmark = pytest.mark.asyncio


async def test_six_stages_of_three_exercises(client):
    headers = (await sign_up(client))["headers"]
    response = await client.get("/api/v1/curriculum/stages", headers=headers)
    assert response.status_code == 200, response.text
    stages = response.json()["stages"]
    assert [(s["number"], s["level"]) for s in stages] == list(
        enumerate(["A1", "A2", "B1", "B2", "C1", "C2"], start=1)
    )
    first = stages[0]["exercises"][0]
    assert first["slug"] == "repeat-after-me"
    assert first["evaluation"] == "pronunciation" and first["accepts_text"] is False
    assert stages[5]["exercises"][2]["slug"] == "critical-opinion-builder"
    assert all(e["topic_count"] >= 5 for s in stages for e in s["exercises"])


async def test_an_exercise_by_number_and_by_name_is_the_same(client):
    headers = (await sign_up(client))["headers"]
    by_number = await client.get("/api/v1/curriculum/stages/1/exercises/3", headers=headers)
    by_name = await client.get("/api/v1/listen-and-reply/topics", headers=headers)
    assert by_number.status_code == by_name.status_code == 200, by_name.text
    assert by_number.json() == by_name.json()
    topic = by_name.json()["topics"][0]
    assert topic["number"] == 1 and topic["text"] and topic["urdu_hint"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/curriculum/stages/7",
        "/api/v1/curriculum/stages/0/exercises/1",
        "/api/v1/curriculum/stages/2/exercises/4",
        "/api/v1/repeat-after-you/topics",
    ],
)
async def test_unknown_stage_or_exercise(client, path):
    headers = (await sign_up(client))["headers"]
    assert_error(await client.get(path, headers=headers), 404, "NotFound")


async def test_signed_in_only(client):
    assert_error(await client.get("/api/v1/curriculum/stages"), 401, "Unauthorized")


# --- progress -------------------------------------------------------------------------------


async def test_progress_starts_once_at_the_first_topic(client):
    learner = await sign_up(client)
    path = "/api/v1/progress/initialize-progress"
    body = {"time_zone": "Asia/Karachi", "urdu_enabled": False}
    started = await client.post(path, headers=learner["headers"], json=body)
    assert started.status_code == 200, started.text
    progress = started.json()
    assert (progress["current_stage"], progress["current_exercise"], progress["current_topic"]) == (
        1,
        1,
        1,
    )
    assert progress["unlocked_exercises"] == [[1, 1]] and progress["streak_days"] == 0
    assert progress["time_zone"] == "Asia/Karachi" and progress["urdu_enabled"] is False
    again = await client.post(path, headers=learner["headers"], json={"time_zone": "UTC"})
    assert again.json() == progress
    user_id = learner["user"]["id"]
    read = await client.get(f"/api/v1/progress/user-progress/{user_id}", headers=learner["headers"])
    assert read.status_code == 200 and read.json() == progress


async def test_progress_of_another_learner_or_not_started(client):
    ana, ben = await sign_up(client), await sign_up(client)
    await client.post("/api/v1/progress/initialize-progress", headers=ana["headers"], json={})
    other = f"/api/v1/progress/user-progress/{ana['user']['id']}"
    assert_error(await client.get(other, headers=ben["headers"]), 403, "Forbidden")
    own = f"/api/v1/progress/user-progress/{ben['user']['id']}"
    assert_error(await client.get(own, headers=ben["headers"]), 404, "NotFound")


async def test_an_unknown_time_zone_is_refused(client):
    learner = await sign_up(client)
    response = await client.post(
        "/api/v1/progress/initialize-progress",
        headers=learner["headers"],
        json={"time_zone": "Mars/Olympus"},
    )
    assert assert_error(response, 400, "ValidationError")["details"]["field"] == "time_zone"
    user_id = learner["user"]["id"]
    read = await client.get(f"/api/v1/progress/user-progress/{user_id}", headers=learner["headers"])
    assert_error(read, 404, "NotFound")
