"""The catalogue's cached reads (/tags, /game/speeches/random): HTTP caching of the public tag
list, and admin edits visible at once, on the same app and on another one sharing Redis."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from adapters.http.app import create_app
from deployments.wiring import Container, bootstrap
from tests.api.test_admin_tags import admin_headers
from tests.api.test_content import pick, tags_by_name
from tests.contract.test_cache import REDIS_URL, connected_redis
from tests.support.api import BASE_URL, sign_up

pytestmark = pytest.mark.asyncio


async def test_the_tag_list_has_an_etag_and_answers_304_while_unchanged(client, container):
    first = await client.get("/api/v1/tags")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"

    again = await client.get("/api/v1/tags", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert (
        await client.get("/api/v1/tags", headers={"If-None-Match": f'W/{etag}, "x"'})
    ).status_code == 304
    assert (
        await client.get("/api/v1/tags", headers={"If-None-Match": '"other"'})
    ).status_code == 200

    headers = await admin_headers(client, container)
    name = f"Weather {uuid.uuid4().hex[:6]}"
    created = await client.post("/api/v1/admin/tags", json={"name": name}, headers=headers)
    assert created.status_code == 201
    changed = await client.get("/api/v1/tags", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert name in {t["name"] for t in changed.json()["tags"]}
    await client.delete(f"/api/v1/admin/tags/{created.json()['id']}", headers=headers)


@asynccontextmanager
async def replica(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    """Another Gateway on the session's database, its cache in Redis."""
    rewired = bootstrap(
        container.settings.model_copy(update={"redis_url": REDIS_URL}),
        speech_scorer=container.speech_scorer,
        tutor=container.voice.tutor,
        recognizer=container.voice.recognizer,
    )
    await rewired.start()
    try:
        transport = httpx.ASGITransport(app=create_app(rewired.http_services()))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield client
    finally:
        await rewired.aclose()


async def test_an_admin_edit_on_one_replica_shows_at_once_on_another(client, container):
    await (await connected_redis()).aclose()  # skips the test when Redis is down
    headers = await admin_headers(client, container)
    async with replica(container) as one, replica(container) as other:
        learner = (await sign_up(other))["headers"]
        before = await tags_by_name(other)  # both lists now cached in Redis
        picked = (await pick(other, learner, limit=50)).json()["speeches"]

        name = f"Seasons {uuid.uuid4().hex[:6]}"
        tag = await one.post("/api/v1/admin/tags", json={"name": name}, headers=headers)
        assert tag.status_code == 201
        assert name not in before and name in await tags_by_name(other)

        speech = picked[0]
        text = f"Spring comes after winter {uuid.uuid4().hex[:6]}."
        edited = await one.put(
            f"/api/v1/admin/speeches/{speech['id']}",
            json={"text": text, "tag_ids": [t["id"] for t in speech["tags"]] + [tag.json()["id"]]},
            headers=headers,
        )
        assert edited.status_code == 200, edited.text
        again = (await pick(other, learner, limit=50)).json()["speeches"]
        found = next(s for s in again if s["id"] == speech["id"])
        assert found["text"] == text and name in {t["name"] for t in found["tags"]}

        only_new = await pick(other, learner, tags=[tag.json()["id"]])
        assert [s["id"] for s in only_new.json()["speeches"]] == [speech["id"]]

        # Back as it was, through the other replica this time.
        restored = await other.put(
            f"/api/v1/admin/speeches/{speech['id']}",
            json={"text": speech["text"], "tag_ids": [t["id"] for t in speech["tags"]]},
            headers=headers,
        )
        assert restored.status_code == 200
        assert (await pick(one, learner, tags=[tag.json()["id"]])).status_code == 404
        await other.delete(f"/api/v1/admin/tags/{tag.json()['id']}", headers=headers)
        assert name not in await tags_by_name(one)
