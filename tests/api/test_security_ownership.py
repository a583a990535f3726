"""Another user's token on every route that names something a user owns, from the app's own
route table: a learner's game and tutor sessions, profiles, assessments, vocabulary, plans,
progress, usage and subscriptions, a teacher's class, a conversation and its messages and
members. Each request is 403 or 404 with the one error body (never the owner's data), and
afterwards the owner's things read exactly as before.

A new route's path parameter must be declared below: owned (with the resource it names) or
public (catalog content and the like)."""

import uuid
from typing import Any

import httpx
import pytest

from deployments.wiring import Container
from domain.identity.roles import grant_role
from ports.identity import Role
from tests.api.test_game_sessions import session_body, speeches_and_tags
from tests.support.api import assert_error, sign_up
from tests.support.audio import silence
from tests.support.routes import Access, Route, api_routes

API = "/api/v1"
# Path parameters naming what a user owns -> the owner's resource; session_id and user_id
# name two things each, told apart by the path.
OWNED = {
    "session_id": lambda path: "game_session" if "/game/" in path else "tutor_session",
    "profile_id": lambda path: "profile",
    "assessment_id": lambda path: "assessment",
    "item_id": lambda path: "vocabulary_item",
    "plan_id": lambda path: "plan",
    "class_id": lambda path: "class",
    "conversation_id": lambda path: "conversation",
    "message_id": lambda path: "message",
    "user_id": lambda path: "member" if "/participants/" in path else "user",
}
# Path parameters naming what no user owns.
PUBLIC = {"tag_id", "speech_id", "stage", "exercise", "topic", "course_id", "chapter_id"}
PUBLIC |= {"quiz_id", "token"}

ROUTES = api_routes()
OWNED_ROUTES = [
    r
    for r in ROUTES
    if r.method != "WS" and r.access is not Access.ADMIN and set(r.params) & set(OWNED)
]
WAV = silence(0.5)
# A valid body for each owned route that takes one, so that the request fails on whose it is,
# not on what it says.
BODIES: dict[str, dict[str, Any]] = {
    "PUT /api/v1/conversations/{conversation_id:conversation}": {"json": {"title": "mine now"}},
    "POST /api/v1/conversations/{conversation_id:conversation}/participants": {
        "json": {"user_id": "{intruder}"}
    },
    "PUT /api/v1/conversations/{conversation_id:conversation}/participants/{user_id}": {
        "json": {"role": "admin"}
    },
    "POST /api/v1/conversations/{conversation_id:conversation}/messages": {
        "json": {"content": "hello from outside"}
    },
    "POST /api/v1/conversations/{conversation_id:conversation}/upload": {
        "files": {"file": ("note.txt", b"outside", "text/plain")}
    },
    "PUT /api/v1/messages/{message_id}": {"json": {"content": "rewritten"}},
    "POST /api/v1/conversations/sessions/{session_id}/text": {"json": {"text": "Hello there."}},
    "POST /api/v1/conversations/sessions/{session_id}/audio": {
        "files": {"audio": ("a.wav", WAV, "audio/wav")}
    },
    "PATCH /api/v1/users/profiles/{profile_id}": {"json": {"level": "C2"}},
    "POST /api/v1/learning/assessments/{assessment_id}/apply": {
        "json": {"profile_id": "{intruder_profile}"}
    },
    "POST /api/v1/learning/vocabulary/{item_id}/review": {"json": {"grade": "easy"}},
    "POST /api/v1/learning/vocabulary/{item_id}/spoken-review": {
        "files": {"audio": ("a.wav", WAV, "audio/wav")}
    },
    "POST /api/v1/classes/{class_id}/invitations": {"json": {"email": "{intruder_email}"}},
}


def test_every_path_parameter_is_declared():
    undeclared = {
        f"{route}: {name}"
        for route in ROUTES
        for name in route.params
        if name not in OWNED and name not in PUBLIC
    }
    assert not undeclared, "declare each as OWNED or PUBLIC in this module"
    assert len(OWNED_ROUTES) > 30


async def _created(response: httpx.Response, field: str = "id") -> str:
    assert response.status_code in (200, 201), response.text
    return str(response.json()[field])


async def _as_teacher(client: httpx.AsyncClient, container: Container) -> dict:
    account = await sign_up(client)
    await grant_role(account["user"]["email"], Role.TEACHER, container.unit_of_work())
    refreshed = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": account["refresh_token"]}
    )
    account["headers"] = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    return account


@pytest.fixture(scope="module")
async def world(module_client: httpx.AsyncClient, container: Container) -> dict[str, Any]:
    """The owner (a teacher, so that the class is theirs too) and their things, a member of
    their conversation, and the intruder (a learner with a profile of their own)."""
    client = module_client
    owner = await _as_teacher(client, container)
    member, intruder = await sign_up(client), await sign_up(client)
    h = owner["headers"]
    started = await client.post(f"{API}/progress/initialize-progress", json={}, headers=h)
    assert started.status_code in (200, 201), started.text
    speeches, tags = await speeches_and_tags(client, h)
    game = await client.post(
        f"{API}/game/sessions", json=session_body(speeches, tags, "c"), headers=h
    )
    conversation = await _created(
        await client.post(
            f"{API}/conversations",
            json={"type": "group", "title": "ours", "participant_ids": [member["user"]["id"]]},
            headers=h,
        )
    )
    profile = await _created(
        await client.post(
            f"{API}/users/profiles", json={"language": "en", "level": "B1"}, headers=h
        )
    )
    values = {
        "user": owner["user"]["id"],
        "member": member["user"]["id"],
        "game_session": await _created(game, "session_id"),
        "tutor_session": await _created(
            await client.post(f"{API}/conversations/sessions", json={}, headers=h)
        ),
        "profile": profile,
        "assessment": await _created(
            await client.post(
                f"{API}/learning/save-assessment", json={"level": "B2", "score": 70}, headers=h
            )
        ),
        "vocabulary_item": await _created(
            await client.post(f"{API}/learning/vocabulary", json={"text": "cup of tea"}, headers=h)
        ),
        "plan": await _created(
            await client.post(
                f"{API}/learning/plan",
                json={"level": "A2", "goals": ["travel"], "weeks": 2},
                headers=h,
            )
        ),
        "class": await _created(
            await client.post(f"{API}/classes", json={"name": "Tuesday"}, headers=h)
        ),
        "conversation": conversation,
        "message": await _created(
            await client.post(
                f"{API}/conversations/{conversation}/messages",
                json={"content": "only for us"},
                headers=h,
            )
        ),
    }
    intruder_profile = await _created(
        await client.post(
            f"{API}/users/profiles",
            json={"language": "en", "level": "A1"},
            headers=intruder["headers"],
        )
    )
    substitutions = {
        "{intruder}": intruder["user"]["id"],
        "{intruder_profile}": intruder_profile,
        "{intruder_email}": intruder["user"]["email"],
    }
    world = {"owner": owner, "intruder": intruder, "values": values, "subs": substitutions}
    world["before"] = await _owners_view(client, world)
    return world


async def _owners_view(client: httpx.AsyncClient, world: dict[str, Any]) -> list[Any]:
    """What the owner reads of their things."""
    v, h = world["values"], world["owner"]["headers"]
    urls = [
        f"/game/sessions/{v['game_session']}",
        f"/conversations/sessions/{v['tutor_session']}/messages",
        f"/users/profiles/{v['profile']}",
        "/learning/assessments",
        "/learning/vocabulary",
        f"/learning/plan/{v['plan']}",
        f"/classes/{v['class']}",
        f"/conversations/{v['conversation']}",
        f"/conversations/{v['conversation']}/messages",
        f"/progress/user-progress/{v['user']}",
        f"/subscriptions/{v['user']}",
    ]
    views = []
    for url in urls:
        response = await client.get(API + url, headers=h)
        assert response.status_code == 200, f"{url}: {response.text}"
        views.append(_without_volatile(response.json()))
    return views


def _without_volatile(value: Any) -> Any:
    """Presence and read times move on their own; the rest must not."""
    if isinstance(value, dict):
        return {
            k: _without_volatile(v)
            for k, v in value.items()
            if k not in ("status", "last_seen_at", "audio_url", "avatar_url")
        }
    if isinstance(value, list):
        return [_without_volatile(v) for v in value]
    return value


def _filled(value: Any, subs: dict[str, str]) -> Any:
    if isinstance(value, str):
        return subs.get(value, value)
    if isinstance(value, dict):
        return {k: _filled(v, subs) for k, v in value.items()}
    return value


@pytest.mark.parametrize("route", OWNED_ROUTES, ids=str)
async def test_another_users_token_gets_nothing_of_the_owners(module_client, world, route: Route):
    values = world["values"]
    url = route.url(lambda name, r: values[OWNED[name](r.path)] if name in OWNED else None)
    request = _filled(BODIES.get(str(route), {}), world["subs"])
    response = await module_client.request(
        route.method, url, headers=world["intruder"]["headers"], **request
    )
    assert response.status_code in (403, 404), f"{route}: {response.status_code} {response.text}"
    body = assert_error(response, response.status_code, response.json()["error"])
    leaked = {str(v) for v in values.values()} - set(url.split("/"))
    assert not [v for v in leaked if v in response.text], body


async def test_afterwards_the_owners_things_are_as_they_were(module_client, world):
    assert await _owners_view(module_client, world) == world["before"]
    # The intruder's one attempt to join did not make them a member.
    conversation = await module_client.get(
        f"{API}/conversations/{world['values']['conversation']}",
        headers=world["intruder"]["headers"],
    )
    assert conversation.status_code in (403, 404)
    assert uuid.UUID(world["values"]["conversation"])
