"""The learner's vocabulary over HTTP: items added and collected from tutor corrections, what
is due, graded and spoken reviews with the offline synthesizer and scorer (status codes and
bodies; scheduling edges are the unit tests')."""

from uuid import uuid4

import pytest

from tests.support.api import assert_error, sign_up

pytestmark = pytest.mark.asyncio
VOCABULARY = "/api/v1/learning/vocabulary"


async def test_an_item_is_added_due_and_reviewed(client):
    ana, ben = await sign_up(client), await sign_up(client)
    headers = ana["headers"]

    added = await client.post(VOCABULARY, headers=headers, json={"text": " Cup of tea. "})
    assert added.status_code == 201, added.text
    item = added.json()
    assert (item["text"], item["origin"], item["phase"]) == ("Cup of tea", "added", "learning")
    assert (item["reviews"], item["lapses"], item["stability"]) == (0, 0, None)
    again = await client.post(VOCABULARY, headers=headers, json={"text": "cup of TEA"})
    assert assert_error(again, 409, "Conflict")["details"] == {"field": "text"}
    assert_error(
        await client.post(VOCABULARY, headers=headers, json={"text": " "}), 400, "ValidationError"
    )

    due = (await client.get(f"{VOCABULARY}/due", headers=headers)).json()
    assert [i["id"] for i in due["items"]] == [item["id"]] and due["total_due"] == 1

    review = f"{VOCABULARY}/{item['id']}/review"
    graded = await client.post(review, headers=headers, json={"grade": "easy"})
    assert graded.status_code == 200, graded.text
    assert graded.json()["phase"] == "review" and graded.json()["reviews"] == 1
    assert graded.json()["due"] > graded.json()["last_review"]
    assert (await client.get(f"{VOCABULARY}/due", headers=headers)).json()["total_due"] == 0
    assert_error(
        await client.post(review, headers=headers, json={"grade": "perfect"}),
        400,
        "ValidationError",
    )
    assert_error(
        await client.post(review, headers=ben["headers"], json={"grade": "good"}), 403, "Forbidden"
    )
    missing = f"{VOCABULARY}/{uuid4()}/review"
    assert_error(
        await client.post(missing, headers=headers, json={"grade": "good"}), 404, "NotFound"
    )

    listed = (await client.get(VOCABULARY, headers=headers)).json()
    assert [i["id"] for i in listed["items"]] == [item["id"]]
    assert listed["pagination"] == {"page": 1, "limit": 20, "total": 1}
    stats = (await client.get("/api/v1/users/stats", headers=headers)).json()
    assert (stats["vocabulary_items"], stats["vocabulary_learned"], stats["vocabulary_due"]) == (
        1,
        1,
        0,
    )
    assert (await client.delete(f"{VOCABULARY}/{item['id']}", headers=headers)).status_code == 204
    assert (await client.get(VOCABULARY, headers=headers)).json()["items"] == []


async def test_a_tutor_correction_becomes_an_item(client):
    ana = await sign_up(client)
    headers = ana["headers"]
    session = await client.post("/api/v1/conversations/sessions", headers=headers, json={})
    turn = await client.post(
        f"/api/v1/conversations/sessions/{session.json()['id']}/text",
        headers=headers,
        json={"text": "He go to school every day."},
    )
    assert turn.status_code == 200, turn.text

    items = (await client.get(VOCABULARY, headers=headers)).json()["items"]
    assert [(i["text"], i["origin"]) for i in items] == [("goes", "correction")]


async def test_a_spoken_review_is_graded_by_the_scorer(client):
    ana = await sign_up(client)
    headers = ana["headers"]
    item = (await client.post(VOCABULARY, headers=headers, json={"text": "a cup of coffee"})).json()

    spoken = await client.get(f"{VOCABULARY}/{item['id']}/audio", headers=headers)
    assert spoken.status_code == 200 and spoken.headers["content-type"].startswith("audio/")
    reviewed = await client.post(
        f"{VOCABULARY}/{item['id']}/spoken-review",
        headers=headers,
        files={"audio": ("take.wav", spoken.content, "audio/wav")},
    )

    assert reviewed.status_code == 200, reviewed.text
    body = reviewed.json()
    assert body["grade"] in {"again", "hard", "good", "easy"}
    assert body["item"]["reviews"] == 1 and body["analysis_id"]
    assert [w["word"].lower() for w in body["word_scores"]] == ["a", "cup", "of", "coffee"]
    history = await client.get("/api/v1/learning/pronunciation-analyses", headers=headers)
    assert history.json()["analyses"][0]["source"] == "vocabulary_review"
    silence = await client.post(
        f"{VOCABULARY}/{item['id']}/spoken-review",
        headers=headers,
        files={"audio": ("take.wav", b"not audio", "audio/wav")},
    )
    assert_error(silence, 400, "ValidationError")
    # A refused recording reviews nothing.
    listed = (await client.get(VOCABULARY, headers=headers)).json()["items"]
    assert listed[0]["reviews"] == 1
