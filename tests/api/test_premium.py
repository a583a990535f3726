"""003's premium AI over HTTP with the offline model: 403 saying premium is required for a
free user, then for a user an admin upgraded the four features until the daily limit (429
with Retry-After, one of two racing requests), a failed provider not charged (503), and
/hybrid/usage with the month's counts and cost."""

import asyncio
import socket

import pytest

from adapters.llm.openai_chat import OpenAiChatModel
from domain.courses.premium import PremiumModel
from tests.api.test_admin_tags import admin_headers
from tests.support.api import assert_error, client_with, sign_up
from tests.support.courses import add_corpus

API = "/api/v1"
REQUESTS = {
    "adaptive-learning": {"course_id": "sounds", "goal": "articles"},
    "llm-assessment": {
        "chapter_id": "grammar-2",
        "question": "When do we use an?",
        "answer": "We use an before a vowel sound, like an apple.",
    },
    "synthesis": {"topic": "vowel sounds"},
    "mentor-session": {"message": "How do I stress words?"},
}


@pytest.fixture(scope="session")
async def corpus(container):
    await add_corpus(container.unit_of_work)


async def premium_learner(client, container) -> dict:
    learner = await sign_up(client)
    admin = await admin_headers(client, container)
    granted = await client.post(
        f"{API}/subscriptions/{learner['user']['id']}", json={"plan": "premium"}, headers=admin
    )
    assert granted.status_code == 201, granted.text
    return learner


async def test_a_free_user_is_told_premium_is_required(client, corpus):
    learner = await sign_up(client)
    for feature, body in REQUESTS.items():
        response = await client.post(
            f"{API}/hybrid/{feature}", json=body, headers=learner["headers"]
        )
        refused = assert_error(response, 403, "Forbidden")
        assert "premium" in refused["message"] and refused["details"]["required_plan"] == "premium"
    assert_error(
        await client.post(f"{API}/hybrid/synthesis", json={"topic": "x"}), 401, "Unauthorized"
    )


async def test_an_upgraded_user_uses_every_feature_and_sees_the_months_usage(
    client, container, corpus
):
    learner = await premium_learner(client, container)
    headers, user = learner["headers"], learner["user"]["id"]
    answers = {}
    for feature, body in REQUESTS.items():
        response = await client.post(f"{API}/hybrid/{feature}", json=body, headers=headers)
        assert response.status_code == 200, response.text
        answers[feature] = response.json()
        assert answers[feature]["citations"] and answers[feature]["key_points"], feature
        assert answers[feature]["provider"] == "smollm2"
    synthesis = answers["synthesis"]
    assert synthesis["citations"][0]["chapter_id"] == "sounds-1" and synthesis["summary"]
    assert [s["chapter_id"] for s in answers["adaptive-learning"]["steps"]][:3] == [
        "sounds-1",
        "sounds-2",
        "sounds-3",
    ]
    mentor = answers["mentor-session"]
    assert mentor["citations"][0]["chapter_id"] == "sounds-2"
    assert "stressed" in mentor["key_points"][0]
    assert 0 < answers["llm-assessment"]["coverage"] < 1
    usage = (await client.get(f"{API}/hybrid/usage/{user}", headers=headers)).json()
    assert (usage["synthesis"], usage["mentor_sessions"], usage["total_requests"]) == (1, 1, 4)
    assert usage["cost_usd"] == 0  # the offline model's price
    assert usage["used_today"]["synthesis"] == 1 and usage["daily_limits"]["synthesis"] == 3
    other = await sign_up(client)
    assert_error(
        await client.get(f"{API}/hybrid/usage/{user}", headers=other["headers"]), 403, "Forbidden"
    )


async def test_the_daily_limit_answers_429_with_retry_after_and_one_racer_passes(
    client, container, corpus
):
    learner = await premium_learner(client, container)
    headers, user = learner["headers"], learner["user"]["id"]
    priced = PremiumModel(container.premium_model.model, 0.09)
    body = REQUESTS["mentor-session"]
    async with client_with(container, premium_model=priced) as metered:
        first = await metered.post(f"{API}/hybrid/mentor-session", json=body, headers=headers)
        assert first.status_code == 200, first.text
        racing = await asyncio.gather(
            *(
                metered.post(f"{API}/hybrid/mentor-session", json=body, headers=headers)
                for _ in "ab"
            )
        )
        assert sorted(r.status_code for r in racing) == [200, 429]
        refused = next(r for r in racing if r.status_code == 429)
        assert_error(refused, 429, "TooManyRequests")
        assert 0 < int(refused.headers["retry-after"]) <= 86400
        usage = (await metered.get(f"{API}/hybrid/usage/{user}", headers=headers)).json()
    assert usage["mentor_sessions"] == 2 and usage["cost_usd"] == 0.18


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_request_whose_provider_fails_is_503_and_not_charged(client, container, corpus):
    learner = await premium_learner(client, container)
    headers, user = learner["headers"], learner["user"]["id"]
    down = OpenAiChatModel(
        "key", base_url=f"http://127.0.0.1:{_closed_port()}/v1", timeout_seconds=2, max_retries=0
    )
    async with client_with(container, premium_model=PremiumModel(down, 0.09)) as failing:
        for _ in range(3):  # more than the daily limit of synthesis
            response = await failing.post(
                f"{API}/hybrid/synthesis", json=REQUESTS["synthesis"], headers=headers
            )
            assert_error(response, 503, "ServiceUnavailable")
    usage = (await client.get(f"{API}/hybrid/usage/{user}", headers=headers)).json()
    assert (usage["synthesis"], usage["cost_usd"], usage["used_today"]["synthesis"]) == (0, 0, 0)
    ok = await client.post(f"{API}/hybrid/synthesis", json=REQUESTS["synthesis"], headers=headers)
    assert ok.status_code == 200


@pytest.mark.parametrize(
    ("feature", "body"),
    [
        ("synthesis", {"topic": ""}),
        ("synthesis", {"topic": "   "}),
        ("synthesis", {"topic": "vowel* OR stress"}),
        ("synthesis", {"topic": "x" * 201}),
        ("mentor-session", {}),
        ("llm-assessment", {"chapter_id": "grammar-2", "question": "articles", "answer": ""}),
        ("adaptive-learning", {"course_id": "sounds", "goal": "(articles)"}),
    ],
)
async def test_malformed_requests_are_400_and_not_counted(client, container, corpus, feature, body):
    learner = await premium_learner(client, container)
    response = await client.post(f"{API}/hybrid/{feature}", json=body, headers=learner["headers"])
    assert_error(response, 400, "ValidationError")
    user = learner["user"]["id"]
    usage = (await client.get(f"{API}/hybrid/usage/{user}", headers=learner["headers"])).json()
    assert usage["total_requests"] == 0 and set(usage["used_today"].values()) == {0}
