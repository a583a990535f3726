"""Hostile input, on SQLite and on PostgreSQL: SQL injection strings, oversized, malformed and
Unicode-edge values in every string field of the main bodies never make a 5xx, are answered
with the one error body when refused, and never change anyone else's rows. Role escalation
through registration or the profile, and path traversal in upload names and blob links, are
refused."""

import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import jwt
import pytest

from deployments.wiring import Container, derive_key
from domain.identity.roles import grant_role
from ports.identity import Role
from tests.api.conftest import client_on_postgres
from tests.support.api import PASSWORD, assert_error, new_email, sign_up
from tests.support.routes import Route, api_routes

API = "/api/v1"
SQL_INJECTION = [
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    '" OR ""="',
    "1; SELECT pg_sleep(10)--",
    "%' UNION SELECT email, password_hash FROM users --",
]
UNICODE_EDGES = [
    "\u0000",
    "a\u0000b",
    "\u202eevil",
    "\u200b",
    "\ufeff",
    "😀" * 100,
    "e\u0301" * 500,
    " \t\n",
    "",
]
OVERSIZED = ["x" * 100_000]
MALFORMED: list[Any] = [123, None, True, ["x"], {"x": 1}]
HOSTILE = SQL_INJECTION + UNICODE_EDGES + OVERSIZED + MALFORMED

# A valid body of each main route; "{...}" names a value of the module's accounts.
BASES: dict[str, dict[str, Any]] = {
    "POST /api/v1/auth/register": {"email": "{new_email}", "password": PASSWORD, "name": "Ana"},
    "POST /api/v1/auth/login": {"email": "{actor_email}", "password": PASSWORD},
    "POST /api/v1/auth/password-reset": {"email": "{actor_email}"},
    "PUT /api/v1/users/me": {"name": "Ana"},
    "PUT /api/v1/users/status": {"status": "away"},
    "POST /api/v1/users/profiles": {"language": "en", "level": "B1"},
    "POST /api/v1/conversations": {
        "type": "group",
        "title": "plans",
        "participant_ids": ["{bystander_id}"],
    },
    "PUT /api/v1/conversations/{conversation_id:conversation}": {"title": "plans"},
    "POST /api/v1/conversations/{conversation_id:conversation}/messages": {"content": "hi"},
    "POST /api/v1/conversations/sessions": {"level": "A2", "topic": "pets"},
    "POST /api/v1/learning/vocabulary": {"text": "cup of tea"},
    "POST /api/v1/learning/save-assessment": {"level": "B1", "feedback": ["Good"]},
    "POST /api/v1/learning/plan": {"level": "A2", "goals": ["travel"], "weeks": 2},
    "POST /api/v1/classes": {"name": "Tuesday"},
    "POST /api/v1/admin/tags": {"name": "Weather", "category": "topic"},
    "POST /api/v1/game/speeches/random": {"level": "A1", "type": "answer", "limit": 3},
}
ROUTES = {str(r): r for r in api_routes()}
MAIN = [ROUTES[name] for name in BASES]


def _string_fields(route: Route) -> list[str]:
    """The body's fields that take a string, or a list of strings."""
    assert route.body is not None
    schema = route.body.model_json_schema()
    definitions = schema.get("$defs", {})

    def takes_text(field: dict) -> bool:
        if "$ref" in field:
            field = definitions[field["$ref"].rsplit("/", 1)[-1]]
        options = field.get("anyOf", [field])
        return any(
            o.get("type") == "string" or (o.get("type") == "array" and takes_text(o["items"]))
            for o in options
            if isinstance(o, dict) and ("type" in o or "$ref" in o)
        ) or any("$ref" in o and takes_text(o) for o in options if isinstance(o, dict))

    return [name for name, field in schema["properties"].items() if takes_text(field)]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def database(
    request: pytest.FixtureRequest,
    module_client: httpx.AsyncClient,
    container: Container,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    """A client of the app on SQLite or on PostgreSQL, and the app's container."""
    if request.param == "sqlite":
        yield module_client, container
        return
    async with client_on_postgres(container, tmp_path_factory.mktemp("pg")) as on_pg:
        yield on_pg


@pytest.fixture(scope="module")
def api(database) -> httpx.AsyncClient:
    return database[0]


@pytest.fixture(scope="module")
async def accounts(api: httpx.AsyncClient, database) -> dict[str, Any]:
    """The actor (an admin, so that admin bodies are reached too) with a conversation, and
    a bystander whose rows nobody else may change."""
    actor, bystander = await sign_up(api), await sign_up(api)
    await _grant_admin(api, actor, database[1])
    conversation = await api.post(
        f"{API}/conversations",
        json={"type": "group", "title": "ours", "participant_ids": [bystander["user"]["id"]]},
        headers=actor["headers"],
    )
    assert conversation.status_code == 201, conversation.text
    said = await api.post(
        f"{API}/conversations/{conversation.json()['id']}/messages",
        json={"content": "the bystander's words follow"},
        headers=bystander["headers"],
    )
    assert said.status_code == 201, said.text
    found = {
        "actor": actor,
        "bystander": bystander,
        "conversation_id": conversation.json()["id"],
    }
    found["before"] = await _bystanders_view(api, found)
    return found


async def _grant_admin(api: httpx.AsyncClient, account: dict, container: Container) -> None:
    await grant_role(account["user"]["email"], Role.ADMIN, container.unit_of_work())
    refreshed = await api.post(
        f"{API}/auth/refresh", json={"refresh_token": account["refresh_token"]}
    )
    account["headers"] = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}


async def _bystanders_view(api: httpx.AsyncClient, accounts: dict[str, Any]) -> list[Any]:
    headers = accounts["bystander"]["headers"]
    me = await api.get(f"{API}/users/me", headers=headers)
    history = await api.get(
        f"{API}/conversations/{accounts['conversation_id']}/messages", headers=headers
    )
    login = await api.post(
        f"{API}/auth/login",
        json={"email": accounts["bystander"]["user"]["email"], "password": PASSWORD},
    )
    assert me.status_code == history.status_code == login.status_code == 200
    own = accounts["bystander"]["user"]["id"]
    said = [m["content"] for m in history.json()["messages"] if m["sender_id"] == own]
    return [me.json(), said]


def _filled(value: Any, accounts: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [_filled(v, accounts) for v in value]
    names = {
        "{new_email}": new_email,
        "{actor_email}": lambda: accounts["actor"]["user"]["email"],
        "{bystander_id}": lambda: accounts["bystander"]["user"]["id"],
    }
    return names[value]() if isinstance(value, str) and value in names else value


def test_every_main_body_names_its_text_fields():
    for route in MAIN:
        assert route.body is not None and set(BASES[str(route)]) <= set(
            route.body.model_json_schema()["properties"]
        ), route
    assert sum(len(_string_fields(r)) for r in MAIN) >= 20


@pytest.mark.parametrize("route", MAIN, ids=str)
async def test_hostile_text_is_never_a_server_error_nor_changes_other_rows(
    api, accounts, route: Route
):
    url = route.url(lambda name, _: accounts["conversation_id"])
    base = BASES[str(route)]
    for field in _string_fields(route):
        takes_list = isinstance(base.get(field), list)
        for value in HOSTILE:
            body = {k: _filled(v, accounts) for k, v in base.items()}
            body[field] = [value] if takes_list and isinstance(value, str) else value
            response = await api.request(
                route.method, url, json=body, headers=accounts["actor"]["headers"]
            )
            case = f"{field}={value!r:.40}"
            assert response.status_code < 500, f"{case}: {response.text}"
            if response.status_code >= 400:
                assert_error(response, response.status_code, response.json()["error"])
            if str(route) == "POST /api/v1/auth/login":
                assert response.status_code != 200, case
    assert await _bystanders_view(api, accounts) == accounts["before"]


async def test_hostile_search_and_filter_queries_are_never_a_server_error(api, accounts):
    headers = accounts["actor"]["headers"]
    for value in SQL_INJECTION + ["\u0000", "%00", "x" * 5000, "\u202e"]:
        for url, params in (
            ("/search", {"q": value}),
            ("/admin/speeches", {"search": value}),
            ("/conversations", {"search": value}),
        ):
            response = await api.get(API + url, params=params, headers=headers)
            assert response.status_code < 500, f"{url} {value!r:.40}: {response.text}"


# --- role escalation ---------------------------------------------------------------------


def _role(access_token: str) -> str:
    """The role the server wrote into its token (users' bodies do not show it)."""
    return jwt.decode(access_token, options={"verify_signature": False})["role"]


async def test_registering_or_updating_the_profile_never_grants_a_role(module_client):
    api = module_client
    email = new_email()
    registered = await api.post(
        f"{API}/auth/register",
        json={"email": email, "password": PASSWORD, "name": "Eve", "role": "admin"},
    )
    assert registered.status_code in (201, 400), registered.text
    learner = await sign_up(api) if registered.status_code == 400 else registered.json()
    headers = {"Authorization": f"Bearer {learner['access_token']}"}
    assert _role(learner["access_token"]) == "student"
    for change in ({"role": "admin"}, {"name": "Eve", "role": "teacher"}, {"is_admin": True}):
        updated = await api.put(f"{API}/users/me", json=change, headers=headers)
        assert updated.status_code in (200, 400), updated.text
    refreshed = await api.post(
        f"{API}/auth/refresh", json={"refresh_token": learner["refresh_token"]}
    )
    assert _role(refreshed.json()["access_token"]) == "student"
    headers = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    assert_error(await api.get(f"{API}/admin/tags", headers=headers), 403, "Forbidden")


# --- path traversal ------------------------------------------------------------------------

TRAVERSALS = [
    "../../secret_key",
    "..%2f..%2fsecret_key",
    "%2e%2e/%2e%2e/secret_key",
    "/etc/passwd",
    "..\\..\\secret_key",
    "uploads/../../secret_key",
    ".hidden",
]


async def test_upload_names_cannot_leave_the_uploads(module_client, container):
    api = module_client
    owner, other = await sign_up(api), await sign_up(api)
    conversation = await api.post(
        f"{API}/conversations",
        json={"type": "direct", "participant_ids": [other["user"]["id"]]},
        headers=owner["headers"],
    )
    assert conversation.status_code == 201, conversation.text
    for name in TRAVERSALS:
        response = await api.post(
            f"{API}/conversations/{conversation.json()['id']}/upload",
            files={"file": (name, b"plain words", "text/plain")},
            headers=owner["headers"],
        )
        assert response.status_code in (201, 400), f"{name}: {response.text}"
        if response.status_code == 201:
            links = [v for v in _strings(response.json()) if "/blobs/" in v]
            assert links and all(_stays_in(link, "conversations") for link in links), links
    secret = container.settings.var_dir.resolve() / "secret_key"
    assert secret.read_text().strip()  # still there, and no upload named it


async def test_admin_upload_names_cannot_leave_the_uploads(module_client, container):
    api = module_client
    admin = await sign_up(api)
    await _grant_admin(api, admin, container)
    for name in TRAVERSALS:
        response = await api.post(
            f"{API}/admin/import/audio",
            files=[("files", (name, b"RIFF....WAVE", "audio/wav"))],
            headers=admin["headers"],
        )
        assert response.status_code in (200, 400), f"{name}: {response.text}"
        if response.status_code == 200:
            stored = response.json()["uploaded_files"][0]
            assert _stays_in(stored["storage_url"], "uploads"), stored
            assert stored["storage_key"].count("/") == 2, stored  # uploads/<batch>/<name>


def _stays_in(link: str, prefix: str) -> bool:
    """Whether a blob link names a key under `prefix` whose names are all plain."""
    path = unquote(urlsplit(link).path).removeprefix(f"{API}/blobs/")
    names = path.split("/")
    return names[0] == prefix and not any(n in ("", ".", "..") or "\\" in n for n in names)


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("key", TRAVERSALS)
async def test_a_blob_link_cannot_leave_the_store_even_when_signed(module_client, container, key):
    """The signature is the link's authority, and the key is checked all the same: a link
    signed with the store's own key for a path outside it serves nothing."""
    expires = int(time.time()) + 600
    signing_key = derive_key(container.settings.resolved_secret_key(), "blob-urls")
    for signed_key in (key, key.replace("%2f", "/").replace("%2e", ".")):
        signature = hmac.new(
            signing_key, f"{signed_key}\n{expires}".encode(), hashlib.sha256
        ).hexdigest()
        response = await module_client.get(
            f"{API}/blobs/{key}", params={"expires": expires, "signature": signature}
        )
        assert response.status_code in (400, 403, 404), response.text
        assert container.settings.resolved_secret_key() not in response.text
