"""/game/sessions: save, list and read back (004's contract), atomically."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from deployments.wiring import Container
from ports.practice import GameSessionFilter
from tests.support.api import PASSWORD, assert_error, held_here, sign_up

pytestmark = pytest.mark.asyncio


async def speeches_and_tags(client: httpx.AsyncClient, headers: dict, level: str = "A1"):
    tags = [t["id"] for t in (await client.get("/api/v1/tags")).json()["tags"]]
    response = await client.post(
        "/api/v1/game/speeches/random",
        json={"level": level, "type": "answer", "tags": tags, "limit": 10},
        headers=headers,
    )
    return response.json()["speeches"], tags[:2]


def session_body(
    speeches: list[dict], tags: list[str], responses: str, **overrides: Any
) -> dict[str, Any]:
    """A consistent session; `responses` spells each result: c(orrect), i(ncorrect), s(kipped)."""
    kinds = {"c": "correct", "i": "incorrect", "s": "skipped"}
    streak = max((len(r) for r in responses.replace("s", "i").split("i")), default=0)
    completed = overrides.pop("completed_at", datetime(2025, 12, 10, 10, 5, tzinfo=UTC))
    body = {
        "mode": "listen_only",
        "level": "A1",
        "sentence_type": "answer",
        "selected_tags": tags,
        "total_sentences": len(responses),
        "correct_count": responses.count("c"),
        "max_streak": streak,
        "avg_pronunciation_score": None,
        "duration_seconds": 300,
        "started_at": (completed - timedelta(minutes=5)).isoformat(),
        "completed_at": completed.isoformat(),
        "results": [
            {
                "speech_id": speeches[n % len(speeches)]["id"],
                "sequence_number": n + 1,
                "user_response": kinds[r],
                "pronunciation_score": None,
                "recognized_text": None,
                "response_time_ms": 4000 + n,
            }
            for n, r in enumerate(responses)
        ],
    }
    body.update(overrides)
    return body


async def count_sessions(container: Container, user_id: str) -> int:
    async with container.unit_of_work() as uow:
        _, total = await uow.game_sessions.list_for_user(
            uuid.UUID(user_id), GameSessionFilter(), 0, 1
        )
    return total


async def test_save_list_and_read_back(client, container):
    learner = await sign_up(client)
    speeches, tags = await speeches_and_tags(client, learner["headers"])
    body = session_body(speeches, tags, "ccicc")
    saved = await client.post("/api/v1/game/sessions", json=body, headers=learner["headers"])
    assert saved.status_code == 201, saved.text
    assert saved.json()["message"] == "Session saved successfully"
    session_id = saved.json()["session_id"]

    listing = await client.get("/api/v1/game/sessions", headers=learner["headers"])
    assert listing.status_code == 200
    page = listing.json()
    assert page["pagination"] == {"page": 1, "limit": 20, "total": 1, "total_pages": 1}
    summary = page["sessions"][0]
    assert summary["id"] == session_id
    assert summary["correct_count"] == 4 and summary["max_streak"] == 2
    assert "results" not in summary

    detail = await client.get(f"/api/v1/game/sessions/{session_id}", headers=learner["headers"])
    assert detail.status_code == 200
    d = detail.json()
    assert d["selected_tags"] and all(isinstance(name, str) for name in d["selected_tags"])
    assert [r["sequence_number"] for r in d["results"]] == [1, 2, 3, 4, 5]
    assert [r["user_response"] for r in d["results"]][2] == "incorrect"
    first = d["results"][0]["speech"]
    assert first["id"] == speeches[0]["id"] and first["text"] == speeches[0]["text"]
    assert first["tags"] and first["audio_url"].startswith("http://testserver/api/v1/blobs/")
    played = await held_here([r["speech"] for r in d["results"]], container)
    assert (await client.get(played["audio_url"])).status_code == 200


async def test_listen_and_repeat_keeps_scores(client):
    learner = await sign_up(client)
    speeches, tags = await speeches_and_tags(client, learner["headers"])
    body = session_body(
        speeches, tags, "cc", mode="listen_and_repeat", avg_pronunciation_score=82.5
    )
    for result, score in zip(body["results"], (80.0, 85.0), strict=True):
        result["pronunciation_score"] = score
        result["recognized_text"] = "recognized words"
    saved = await client.post("/api/v1/game/sessions", json=body, headers=learner["headers"])
    assert saved.status_code == 201, saved.text
    detail = (
        await client.get(
            f"/api/v1/game/sessions/{saved.json()['session_id']}", headers=learner["headers"]
        )
    ).json()
    assert detail["avg_pronunciation_score"] == 82.5
    assert [r["pronunciation_score"] for r in detail["results"]] == [80.0, 85.0]
    assert detail["results"][0]["recognized_text"] == "recognized words"


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b.update(total_sentences=4),
        lambda b: b["results"].pop(),
        lambda b: b.update(correct_count=2),
        lambda b: b.update(max_streak=3),
        lambda b: b["results"][1].update(sequence_number=1),
        lambda b: b["results"][0].update(sequence_number=0),
        lambda b: b.update(avg_pronunciation_score=50.0),
        lambda b: b["results"][0].update(pronunciation_score=50.0),
        lambda b: b.update(mode="listen_forever"),
        lambda b: b["results"][0].update(user_response="maybe"),
        lambda b: b["results"][0].update(response_time_ms=-1),
        lambda b: b.update(duration_seconds=-5),
        lambda b: b.update(started_at="2025-12-10T11:00:00Z"),
        lambda b: b.update(started_at="yesterday"),
        lambda b: b.update(started_at="2025-12-10T10:00:00"),
        lambda b: b.update(total_sentences="five"),
        lambda b: b.pop("results"),
        lambda b: b["results"][0].update(speech_id="nope"),
    ],
)
async def test_inconsistent_sessions_are_400_and_write_nothing(client, container, change):
    learner = await sign_up(client)
    speeches, tags = await speeches_and_tags(client, learner["headers"])
    body = session_body(speeches, tags, "ccicc")
    change(body)
    response = await client.post("/api/v1/game/sessions", json=body, headers=learner["headers"])
    assert_error(response, 400, "ValidationError")
    assert await count_sessions(container, learner["user"]["id"]) == 0


async def test_scores_are_validated_for_listen_and_repeat(client):
    learner = await sign_up(client)
    speeches, tags = await speeches_and_tags(client, learner["headers"])
    body = session_body(
        speeches, tags, "c", mode="listen_and_repeat", avg_pronunciation_score=100.5
    )
    response = await client.post("/api/v1/game/sessions", json=body, headers=learner["headers"])
    assert_error(response, 400, "ValidationError")


async def test_unknown_speech_is_404_and_names_it(client):
    learner = await sign_up(client)
    speeches, tags = await speeches_and_tags(client, learner["headers"])
    body = session_body(speeches, tags, "ccc")
    missing = str(uuid.uuid4())
    body["results"][2]["speech_id"] = missing
    response = await client.post("/api/v1/game/sessions", json=body, headers=learner["headers"])
    error = assert_error(response, 404, "NotFound")
    assert error["details"]["speech_ids"] == [missing]


async def test_listing_filters_and_pages(client):
    learner = await sign_up(client)
    headers = learner["headers"]
    speeches, tags = await speeches_and_tags(client, headers)
    b1_speeches, _ = await speeches_and_tags(client, headers, level="B1")
    day = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
    for n in range(5):
        body = session_body(speeches, tags, "c", completed_at=day + timedelta(days=n))
        assert (
            await client.post("/api/v1/game/sessions", json=body, headers=headers)
        ).status_code == 201
    b1 = session_body(
        b1_speeches,
        tags,
        "c",
        level="B1",
        mode="listen_and_repeat",
        completed_at=day + timedelta(days=10),
    )
    assert (await client.post("/api/v1/game/sessions", json=b1, headers=headers)).status_code == 201

    async def listing(query: str) -> dict:
        response = await client.get(f"/api/v1/game/sessions?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    everything = await listing("")
    completed = [s["completed_at"] for s in everything["sessions"]]
    assert completed == sorted(completed, reverse=True) and len(completed) == 6
    page2 = await listing("page=2&limit=4")
    assert len(page2["sessions"]) == 2
    assert page2["pagination"] == {"page": 2, "limit": 4, "total": 6, "total_pages": 2}
    assert (await listing("level=B1"))["pagination"]["total"] == 1
    assert (await listing("mode=listen_only"))["pagination"]["total"] == 5
    # Date-only bounds include their whole day.
    ranged = await listing("from_date=2025-12-02&to_date=2025-12-04")
    assert ranged["pagination"]["total"] == 3
    assert (await listing("from_date=2025-12-03T09:00:00Z"))["pagination"]["total"] == 4
    assert (await listing("page=9"))["sessions"] == []


@pytest.mark.parametrize(
    "query",
    [
        "limit=101",
        "limit=0",
        "page=0",
        "mode=solo",
        "level=Z9",
        "from_date=12/01/2025",
        "from_date=2025-12-05&to_date=2025-12-01",
        "page=abc",
    ],
)
async def test_listing_rejects_bad_queries(client, query):
    learner = await sign_up(client)
    response = await client.get(f"/api/v1/game/sessions?{query}", headers=learner["headers"])
    assert_error(response, 400, "ValidationError")


async def test_another_users_session_is_403_and_unknown_is_404(client):
    owner = await sign_up(client)
    speeches, tags = await speeches_and_tags(client, owner["headers"])
    saved = await client.post(
        "/api/v1/game/sessions", json=session_body(speeches, tags, "c"), headers=owner["headers"]
    )
    session_id = saved.json()["session_id"]
    stranger = await sign_up(client)
    assert_error(
        await client.get(f"/api/v1/game/sessions/{session_id}", headers=stranger["headers"]),
        403,
        "Forbidden",
    )
    assert_error(
        await client.get(f"/api/v1/game/sessions/{uuid.uuid4()}", headers=owner["headers"]),
        404,
        "NotFound",
    )


async def test_deleting_the_account_deletes_its_game_history(client, container):
    learner = await sign_up(client)
    speeches, tags = await speeches_and_tags(client, learner["headers"])
    for _ in range(2):
        await client.post(
            "/api/v1/game/sessions",
            json=session_body(speeches, tags, "ci"),
            headers=learner["headers"],
        )
    assert await count_sessions(container, learner["user"]["id"]) == 2
    assert (await client.delete("/api/v1/users/me", headers=learner["headers"])).status_code == 204
    assert await count_sessions(container, learner["user"]["id"]) == 0


async def test_concurrent_saves_and_logins_all_succeed(client):
    """Writers that overlap (sessions saved while others log in) each commit: none is turned
    away because another transaction wrote first."""
    learners = [await sign_up(client) for _ in range(3)]
    speeches, tags = await speeches_and_tags(client, learners[0]["headers"])
    saves = [
        client.post(
            "/api/v1/game/sessions",
            json=session_body(speeches, tags, "ccicc"),
            headers=learners[n % len(learners)]["headers"],
        )
        for n in range(24)
    ]
    logins = [
        client.post(
            "/api/v1/auth/login",
            json={"email": learners[n % len(learners)]["user"]["email"], "password": PASSWORD},
        )
        for n in range(6)
    ]
    answers = await asyncio.gather(*saves, *logins)
    assert [a.status_code for a in answers] == [201] * len(saves) + [200] * len(logins)


async def test_a_saved_session_is_published_as_completed(client, container):
    learner = await sign_up(client)
    published = []

    async def record(event) -> None:
        if event.payload["user_id"] == learner["user"]["id"]:
            published.append(event)

    subscription = await container.event_bus.subscribe("game_session.completed", record)
    speeches, tags = await speeches_and_tags(client, learner["headers"])
    body = session_body(speeches, tags, "cci")
    saved = await client.post("/api/v1/game/sessions", json=body, headers=learner["headers"])
    assert saved.status_code == 201
    for _ in range(500):
        if published:
            break
        await asyncio.sleep(0.01)
    await subscription.stop()
    (event,) = published
    assert event.payload["session_id"] == saved.json()["session_id"]
    assert event.payload["correct_count"] == 2 and event.version == 1
