"""/admin/speeches and /admin/audit (004's admin endpoints): status codes and bodies."""

import uuid
from datetime import timedelta

import pytest

from tests.api.test_admin_tags import admin_headers
from tests.support.api import assert_error, held_here, sign_up

pytestmark = pytest.mark.asyncio
DEMO_AUDIO = "audio/A1/a1_question_0001.mp3"


async def test_students_are_forbidden_and_strangers_unauthorized(client):
    learner = await sign_up(client)
    for method, path in [
        ("GET", "/api/v1/admin/speeches"),
        ("GET", f"/api/v1/admin/speeches/{uuid.uuid4()}"),
        ("POST", "/api/v1/admin/speeches"),
        ("PUT", f"/api/v1/admin/speeches/{uuid.uuid4()}"),
        ("DELETE", f"/api/v1/admin/speeches/{uuid.uuid4()}"),
        ("GET", "/api/v1/admin/audit"),
    ]:
        assert_error(
            await client.request(method, path, headers=learner["headers"]), 403, "Forbidden"
        )
        assert_error(await client.request(method, path), 401, "Unauthorized")


async def test_create_read_update_delete_and_the_audit_trail(client, container):
    headers = await admin_headers(client, container)
    tag_list = (await client.get("/api/v1/admin/tags", headers=headers)).json()["tags"]
    first, second = tag_list[0], tag_list[1]
    text = f"How are you today, {uuid.uuid4().hex[:6]}?"
    created = await client.post(
        "/api/v1/admin/speeches",
        json={
            "text": text,
            "level": "A1",
            "type": "question",
            "audio_key": DEMO_AUDIO,
            "tag_ids": [first["id"]],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    speech = created.json()
    assert set(speech) == {
        "id",
        "audio_url",
        "audio_key",
        "text",
        "level",
        "type",
        "tags",
        "created_at",
        "updated_at",
    }
    assert speech["tags"] == [{"id": first["id"], "name": first["name"]}]
    assert (await client.get(speech["audio_url"])).status_code == 200

    path = f"/api/v1/admin/speeches/{speech['id']}"
    assert (await client.get(path, headers=headers)).json()["text"] == text
    updated = await client.put(
        path, json={"text": text + "!", "tag_ids": [second["id"]]}, headers=headers
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["tags"] == [{"id": second["id"], "name": second["name"]}]
    assert updated.json()["level"] == "A1" and updated.json()["text"] == text + "!"

    listed = await client.get(
        "/api/v1/admin/speeches",
        params={"search": text.upper(), "tag_id": second["id"]},
        headers=headers,
    )
    assert [s["id"] for s in listed.json()["speeches"]] == [speech["id"]]
    assert listed.json()["pagination"] == {"page": 1, "limit": 50, "total": 1, "total_pages": 1}

    assert (await client.delete(path, headers=headers)).status_code == 204
    assert_error(await client.get(path, headers=headers), 404, "NotFound")
    assert_error(await client.delete(path, headers=headers), 404, "NotFound")
    assert_error(await client.put(path, json={"text": "x"}, headers=headers), 404, "NotFound")

    audit = await client.get(
        "/api/v1/admin/audit",
        params={"entity": "speech", "entity_id": speech["id"]},
        headers=headers,
    )
    assert audit.status_code == 200, audit.text
    entries = audit.json()["entries"]
    assert [e["action"] for e in entries] == ["delete", "update", "create"]
    assert entries[1]["before"]["text"] == text and entries[1]["after"]["text"] == text + "!"
    me = (await client.get("/api/v1/users/me", headers=headers)).json()["id"]
    assert {e["actor_id"] for e in entries} == {me}


async def test_a_tag_edit_is_in_the_audit_log(client, container):
    headers = await admin_headers(client, container)
    created = await client.post(
        "/api/v1/admin/tags", json={"name": f"Idioms {uuid.uuid4().hex[:6]}"}, headers=headers
    )
    tag_id = created.json()["id"]
    await client.put(f"/api/v1/admin/tags/{tag_id}", json={"category": "topic"}, headers=headers)
    audit = await client.get(
        "/api/v1/admin/audit", params={"entity_id": tag_id, "action": "update"}, headers=headers
    )
    (entry,) = audit.json()["entries"]
    assert entry["entity"] == "tag"
    assert entry["before"]["category"] is None and entry["after"]["category"] == "topic"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": " ", "level": "A1", "audio_key": DEMO_AUDIO}, "text"),
        ({"text": "a" * 501, "level": "A1", "audio_key": DEMO_AUDIO}, "text"),
        ({"text": "Hi", "level": "D1", "audio_key": DEMO_AUDIO}, "level"),
        ({"text": "Hi", "level": "C2", "audio_key": DEMO_AUDIO}, "level"),
        ({"text": "Hi", "level": "A1", "type": "statement", "audio_key": DEMO_AUDIO}, "type"),
        ({"text": "Hi", "level": "A1", "audio_key": "audio/A1/none.mp3"}, "audio_key"),
        ({"text": "Hi", "level": "A1", "audio_key": "../etc/passwd"}, None),
        ({"text": "Hi", "level": "A1"}, "audio_url"),
        (
            {"text": "Hi", "level": "A1", "audio_url": DEMO_AUDIO, "audio_key": DEMO_AUDIO},
            "audio_url",
        ),
        ({"text": "Hi", "level": "A1", "audio_url": "https://x.test/" + "a" * 4096}, "audio_url"),
        ({"text": "Hi", "level": "A1", "audio_key": DEMO_AUDIO, "tag_ids": ["x"]}, None),
    ],
)
async def test_invalid_speeches_are_refused(client, container, body, field):
    headers = await admin_headers(client, container)
    error = assert_error(
        await client.post("/api/v1/admin/speeches", json=body, headers=headers),
        400,
        "ValidationError",
    )
    if field:
        assert error["details"]["field"] == field


async def test_unknown_tags_are_not_found_and_nothing_is_created(client, container):
    headers = await admin_headers(client, container)
    missing = str(uuid.uuid4())
    error = assert_error(
        await client.post(
            "/api/v1/admin/speeches",
            json={
                "text": "Unique words here",
                "level": "A1",
                "audio_key": DEMO_AUDIO,
                "tag_ids": [missing],
            },
            headers=headers,
        ),
        404,
        "NotFound",
    )
    assert error["details"] == {"tag_ids": [missing]}
    listed = await client.get(
        "/api/v1/admin/speeches", params={"search": "Unique words here"}, headers=headers
    )
    assert listed.json()["pagination"]["total"] == 0


@pytest.mark.parametrize(
    "params", [{"limit": 201}, {"limit": 0}, {"page": 0}, {"level": "D1"}, {"tag_id": "x"}]
)
async def test_list_parameters_are_checked(client, container, params):
    headers = await admin_headers(client, container)
    assert_error(
        await client.get("/api/v1/admin/speeches", params=params, headers=headers),
        400,
        "ValidationError",
    )


async def test_the_list_pages_up_to_200(client, container):
    headers = await admin_headers(client, container)
    listed = await client.get("/api/v1/admin/speeches", params={"limit": 200}, headers=headers)
    body = listed.json()
    assert listed.status_code == 200 and body["pagination"]["limit"] == 200
    assert len(body["speeches"]) == min(200, body["pagination"]["total"])
    a1 = await client.get(
        "/api/v1/admin/speeches", params={"level": "A1", "type": "question"}, headers=headers
    )
    assert {(s["level"], s["type"]) for s in a1.json()["speeches"]} == {("A1", "question")}


async def a_speech(client, container, headers, **filter) -> dict:
    listed = await client.get(
        "/api/v1/admin/speeches", params={"limit": 200} | filter, headers=headers
    )
    return await held_here(listed.json()["speeches"], container)


async def test_004s_body_names_its_audio_by_a_speechs_audio_url(client, container):
    headers = await admin_headers(client, container)
    played = await a_speech(client, container, headers, level="A1")
    tag = (await client.get("/api/v1/admin/tags", headers=headers)).json()["tags"][0]
    created = await client.post(
        "/api/v1/admin/speeches",
        json={
            "audio_url": played["audio_url"],
            "text": "How are you today?",
            "level": "A1",
            "type": "question",
            "tag_ids": [tag["id"]],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    speech = created.json()
    assert speech["audio_key"] == played["audio_key"]
    assert speech["tags"] == [{"id": tag["id"], "name": tag["name"]}]
    audio = await client.get(speech["audio_url"])
    assert (
        audio.status_code == 200
        and audio.content == (await client.get(played["audio_url"])).content
    )

    # An expired link names its audio all the same; so does the bare key.
    other = await a_speech(client, container, headers, level="B1")
    expired = container.blobs.signed_url(other["audio_key"], timedelta(seconds=-5))
    path = f"/api/v1/admin/speeches/{speech['id']}"
    updated = await client.put(path, json={"audio_url": expired}, headers=headers)
    assert updated.status_code == 200, updated.text
    assert updated.json()["audio_key"] == other["audio_key"]
    bare = await client.put(path, json={"audio_url": played["audio_key"]}, headers=headers)
    assert bare.json()["audio_key"] == played["audio_key"]


async def test_a_speech_read_and_sent_back_whole_is_accepted(client, container):
    headers = await admin_headers(client, container)
    created = await client.post(
        "/api/v1/admin/speeches",
        json={"text": "Sent back whole", "level": "A1", "audio_key": DEMO_AUDIO},
        headers=headers,
    )
    speech = created.json()
    path = f"/api/v1/admin/speeches/{speech['id']}"
    echoed = await client.put(
        path, json=speech | {"text": "Sent back whole, changed"}, headers=headers
    )
    assert echoed.status_code == 200, echoed.text
    assert echoed.json()["text"] == "Sent back whole, changed"
    assert echoed.json()["audio_key"] == DEMO_AUDIO
    other = await a_speech(client, container, headers, level="B1")
    clash = speech | {"audio_url": other["audio_url"]}
    error = assert_error(
        await client.put(path, json=clash, headers=headers), 400, "ValidationError"
    )
    assert error["details"]["field"] == "audio_url"


async def test_a_url_naming_no_audio_here_says_to_upload_it_first(client, container):
    headers = await admin_headers(client, container)
    await container.blobs.put("conversations/c/m/voice.mp3", b"ID3 private", "audio/mpeg")
    for audio_url in [
        "https://storage.example.com/audio/new.mp3",
        container.blobs.signed_url("audio/A1/none.mp3", timedelta(hours=1)),
        container.blobs.signed_url("conversations/c/m/voice.mp3", timedelta(hours=1)),
    ]:
        error = assert_error(
            await client.post(
                "/api/v1/admin/speeches",
                json={"audio_url": audio_url, "text": "Hi", "level": "A1"},
                headers=headers,
            ),
            400,
            "ValidationError",
        )
        assert error["details"]["field"] == "audio_url"
        assert "POST /admin/import/audio" in error["message"]
    private = await client.post(
        "/api/v1/admin/speeches",
        json={"audio_key": "conversations/c/m/voice.mp3", "text": "Hi", "level": "A1"},
        headers=headers,
    )
    assert_error(private, 400, "ValidationError")
