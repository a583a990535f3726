"""/tags, /game/speeches/random and the signed audio links (004's contract)."""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from adapters.speech.codec import decode_to_pcm
from deployments.wiring import Container
from tests.support.api import assert_error, held_here, sign_up

pytestmark = pytest.mark.asyncio


async def tags_by_name(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.get("/api/v1/tags")
    return {t["name"]: t["id"] for t in response.json()["tags"]}


async def test_tags_are_public_and_categorised(client):
    response = await client.get("/api/v1/tags")
    assert response.status_code == 200
    tags = response.json()["tags"]
    assert len(tags) >= 20
    assert all(set(t) == {"id", "name", "category"} for t in tags)
    assert {t["category"] for t in tags} >= {"tense", "topic"}


async def pick(client, headers, **overrides) -> httpx.Response:
    tags = list((await tags_by_name(client)).values())
    body = {"level": "A1", "type": "question", "tags": tags, "limit": 10, **overrides}
    return await client.post("/api/v1/game/speeches/random", json=body, headers=headers)


async def test_random_speeches_match_level_type_and_any_tag(client):
    learner = await sign_up(client)
    tags = await tags_by_name(client)
    chosen = {tags["Present Simple"], tags["Food"]}
    response = await pick(client, learner["headers"], tags=sorted(chosen), limit=50)
    assert response.status_code == 200
    speeches = response.json()["speeches"]
    assert speeches
    for speech in speeches:
        assert set(speech) == {"id", "audio_url", "text", "level", "type", "tags"}
        assert speech["level"] == "A1" and speech["type"] == "question"
        assert chosen & {t["id"] for t in speech["tags"]}


async def test_random_speeches_respect_the_limit_and_shuffle(client):
    learner = await sign_up(client)
    orders = set()
    for _ in range(5):
        speeches = (await pick(client, learner["headers"], limit=5)).json()["speeches"]
        assert len(speeches) == 5
        orders.add(tuple(s["id"] for s in speeches))
    assert len(orders) > 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"tags": []},
        {"limit": 0},
        {"limit": 51},
        {"level": "D1"},
        {"level": "C2"},
        {"type": "statement"},
        {"tags": ["not-a-uuid"]},
        {"limit": "ten"},
    ],
)
async def test_random_speeches_reject_bad_filters(client, overrides):
    learner = await sign_up(client)
    assert_error(await pick(client, learner["headers"], **overrides), 400, "ValidationError")


async def test_random_speeches_404_when_nothing_matches(client):
    learner = await sign_up(client)
    # The API test catalog holds A1 and B1 only.
    assert_error(await pick(client, learner["headers"], level="C1"), 404, "NotFound")


async def test_random_speeches_need_a_login(client):
    assert_error(await pick(client, {}), 401, "Unauthorized")


async def test_audio_url_serves_playable_mp3(client, container: Container):
    learner = await sign_up(client)
    speeches = (await pick(client, learner["headers"], limit=50)).json()["speeches"]
    speech = await held_here(speeches, container)
    url = urlsplit(speech["audio_url"])
    expires = int(parse_qs(url.query)["expires"][0])
    assert 3500 < expires - time.time() <= 3600
    audio = await client.get(speech["audio_url"])
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/mpeg"
    decoded = decode_to_pcm(audio.content)
    assert 0.5 < decoded.duration_seconds < 15


async def test_tampered_audio_url_is_403(client):
    learner = await sign_up(client)
    speech = (await pick(client, learner["headers"], limit=1)).json()["speeches"][0]
    url = speech["audio_url"]
    signature = parse_qs(urlsplit(url).query)["signature"][0]
    forged = url.replace(signature, ("0" if signature[0] != "0" else "1") + signature[1:])
    assert_error(await client.get(forged), 403, "Forbidden")
    later = url.replace("expires=", "expires=9")
    assert_error(await client.get(later), 403, "Forbidden")
    other_key = url.replace(".mp3", "x.mp3")
    assert_error(await client.get(other_key), 403, "Forbidden")


async def test_expired_audio_url_is_403(client, container: Container):
    learner = await sign_up(client)
    speech = (await pick(client, learner["headers"], limit=1)).json()["speeches"][0]
    key = urlsplit(speech["audio_url"]).path.removeprefix("/api/v1/blobs/")
    expired = container.blobs.signed_url(key, timedelta(seconds=-1))
    body = assert_error(await client.get(expired), 403, "Forbidden")
    assert "expired" in body["message"]
