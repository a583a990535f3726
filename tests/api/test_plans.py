"""001's learning goals and plans over HTTP: the catalogue, a plan made without signing in
(answered, not kept) and with (kept, the learner's alone), and refused requests (status codes
and bodies; the rules and the model's phrasing are the unit tests')."""

from uuid import uuid4

import pytest

from tests.support.api import assert_error, sign_up

pytestmark = pytest.mark.asyncio
PLAN = "/api/v1/learning/plan"


async def test_the_goal_catalogue_is_public(client):
    response = await client.get("/api/v1/learning/goals")
    assert response.status_code == 200
    goals = response.json()["goals"]
    assert {"id", "title", "description"} == set(goals[0])
    assert "pronunciation" in [g["id"] for g in goals]


async def test_a_plan_without_signing_in_is_answered_not_kept(client):
    response = await client.post(
        PLAN, json={"level": "A2", "goals": ["travel", "vocabulary"], "weeks": 4}
    )
    assert response.status_code == 200, response.text
    plan = response.json()
    assert plan["id"] is None and plan["written_by"] == "rules"
    assert [w["week"] for w in plan["schedule"]] == [1, 2, 3, 4]
    activity = plan["schedule"][0]["activities"][0]
    assert set(activity) == {"kind", "title", "minutes", "times_per_week"}
    wrong_token = await client.post(
        PLAN,
        json={"level": "A2", "goals": ["travel"], "weeks": 4},
        headers={"Authorization": "Bearer nonsense"},
    )
    assert_error(wrong_token, 401, "Unauthorized")


async def test_a_signed_in_learners_plan_is_kept(client):
    ana, ben = await sign_up(client), await sign_up(client)
    made = await client.post(
        PLAN, headers=ana["headers"], json={"level": "B1", "goals": ["business"], "weeks": 2}
    )
    assert made.status_code == 200, made.text
    plan = made.json()
    url = f"{PLAN}/{plan['id']}"

    assert (await client.get(url, headers=ana["headers"])).json() == plan
    listed = (await client.get("/api/v1/learning/plans", headers=ana["headers"])).json()
    assert [p["id"] for p in listed["plans"]] == [plan["id"]]
    assert listed["pagination"]["total"] == 1
    assert_error(await client.get(url, headers=ben["headers"]), 403, "Forbidden")
    assert_error(await client.get(f"{PLAN}/{uuid4()}", headers=ana["headers"]), 404, "NotFound")
    assert_error(await client.get(url), 401, "Unauthorized")


@pytest.mark.parametrize(
    "body",
    [
        {"level": "B1", "goals": ["cooking"], "weeks": 4},
        {"level": "B1", "goals": [], "weeks": 4},
        {"level": "B1", "goals": ["travel", "travel"], "weeks": 4},
        {"level": "B1", "goals": ["travel"], "weeks": 53},
        {"level": "B1", "goals": ["travel"], "weeks": "4"},
        {"level": "D1", "goals": ["travel"], "weeks": 4},
    ],
)
async def test_a_plan_needs_known_goals_a_level_and_weeks(client, body):
    body = assert_error(await client.post(PLAN, json=body), 400, "ValidationError")
    assert body["details"]["field"] in {"goals", "weeks", "level"}
