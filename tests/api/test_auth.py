"""/auth and /users/me through the real app (004's contract)."""

import httpx
import pytest

from deployments.wiring import Container
from tests.support.api import PASSWORD, assert_error, new_email, sign_up

pytestmark = pytest.mark.asyncio


async def test_register_returns_the_user_and_a_token_pair(client: httpx.AsyncClient):
    email = new_email()
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "name": "Nguyen Van A"},
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"user", "access_token", "refresh_token", "token_type"}
    assert body["token_type"] == "Bearer"
    assert body["user"]["email"] == email
    assert body["user"]["name"] == "Nguyen Van A"
    assert body["user"]["avatar_url"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "password": PASSWORD, "name": "A"}, "email"),
        ({"email": "a@b", "password": PASSWORD, "name": "A"}, "email"),
        ({"email": None, "password": PASSWORD, "name": "A"}, None),
        ({"password": PASSWORD, "name": "A"}, None),
        ({"email": "x@example.com", "password": "short1", "name": "A"}, "password"),
        ({"email": "x@example.com", "password": "lettersonly", "name": "A"}, "password"),
        ({"email": "x@example.com", "password": "12345678901", "name": "A"}, "password"),
        ({"email": "x@example.com", "password": PASSWORD, "name": "   "}, "name"),
        ({"email": "x@example.com", "password": 12345678, "name": "A"}, None),
    ],
)
async def test_register_rejects_bad_input_with_400(client, payload, field):
    body = assert_error(
        await client.post("/api/v1/auth/register", json=payload), 400, "ValidationError"
    )
    if field:
        assert body["details"]["field"] == field


async def test_register_twice_is_a_conflict_whatever_the_case(client):
    email = new_email()
    await sign_up(client, email)
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": email.upper(), "password": PASSWORD, "name": "Again"},
    )
    assert_error(response, 409, "Conflict")


async def test_login_with_the_right_password(client):
    email = new_email()
    await sign_up(client, email)
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["user"]["email"] == email


@pytest.mark.parametrize("password", ["WrongPass123", ""])
async def test_login_with_a_wrong_password_is_401(client, password):
    email = new_email()
    await sign_up(client, email)
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert_error(response, 401, "Unauthorized")


async def test_login_with_an_unknown_email_is_401(client):
    response = await client.post(
        "/api/v1/auth/login", json={"email": new_email(), "password": PASSWORD}
    )
    assert_error(response, 401, "Unauthorized")


async def test_refresh_rotates_the_refresh_token(client):
    learner = await sign_up(client)
    response = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": learner["refresh_token"]}
    )
    assert response.status_code == 200
    renewed = response.json()
    assert renewed["token_type"] == "Bearer"
    assert renewed["refresh_token"] != learner["refresh_token"]
    me = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {renewed['access_token']}"}
    )
    assert me.status_code == 200
    again = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": renewed["refresh_token"]}
    )
    assert again.status_code == 200


async def refresh(client, refresh_token: str):
    return await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})


async def test_reusing_a_spent_refresh_token_revokes_the_session(client):
    learner = await sign_up(client)
    successor = (await refresh(client, learner["refresh_token"])).json()
    taken = await refresh(client, successor["refresh_token"])  # the first is spent from now
    assert taken.status_code == 200
    assert_error(await refresh(client, learner["refresh_token"]), 401, "Unauthorized")
    # The thief's replay also ends the legitimate holder's newer tokens.
    assert_error(await refresh(client, taken.json()["refresh_token"]), 401, "Unauthorized")
    me = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {taken.json()['access_token']}"}
    )
    assert_error(me, 401, "Unauthorized")


async def test_an_access_token_is_not_a_refresh_token(client):
    learner = await sign_up(client)
    response = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": learner["access_token"]}
    )
    assert_error(response, 401, "Unauthorized")
    me = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {learner['refresh_token']}"}
    )
    assert_error(me, 401, "Unauthorized")


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz"])
async def test_protected_routes_need_a_valid_bearer_token(client, header):
    headers = {"Authorization": header} if header else {}
    response = await client.get("/api/v1/users/me", headers=headers)
    assert_error(response, 401, "Unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_token_signed_with_another_key_is_refused(client, container: Container):
    from adapters.identity.jwt_tokens import JwtTokenCodec

    learner = await sign_up(client)
    claims = container.credentials.codec.decode(learner["access_token"], "access")
    forged = JwtTokenCodec("x" * 40).encode(claims)
    response = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {forged}"})
    assert_error(response, 401, "Unauthorized")


async def test_logout_ends_the_session(client):
    learner = await sign_up(client)
    response = await client.post("/api/v1/auth/logout", headers=learner["headers"])
    assert response.status_code == 204
    assert_error(
        await client.get("/api/v1/users/me", headers=learner["headers"]), 401, "Unauthorized"
    )
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": learner["refresh_token"]}
    )
    assert_error(refresh, 401, "Unauthorized")


async def test_logout_ends_only_that_session(client):
    email = new_email()
    first = await sign_up(client, email)
    second = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    await client.post("/api/v1/auth/logout", headers=first["headers"])
    headers = {"Authorization": f"Bearer {second.json()['access_token']}"}
    assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 200


async def test_unconfigured_social_provider_is_501(client):
    response = await client.post(
        "/api/v1/auth/social", json={"provider": "google", "token": "x", "name": "A"}
    )
    body = assert_error(response, 501, "NotImplemented")
    assert body["details"]["provider"] == "google"


async def test_unknown_social_provider_is_400(client):
    response = await client.post("/api/v1/auth/social", json={"provider": "myspace", "token": "x"})
    assert_error(response, 400, "ValidationError")


async def test_profile_read_update_and_clear_avatar(client):
    learner = await sign_up(client)
    me = (await client.get("/api/v1/users/me", headers=learner["headers"])).json()
    assert me["email"] == learner["user"]["email"]
    assert me["auth_provider"] == "email"
    assert me["role"] == "student"
    assert me["created_at"]

    response = await client.put(
        "/api/v1/users/me",
        headers=learner["headers"],
        json={"name": "Nguyen Van B", "avatar_url": "https://storage.example.com/a/new.jpg"},
    )
    assert response.status_code == 200
    updated = response.json()
    assert set(updated) == {"id", "email", "name", "avatar_url", "updated_at"}
    assert updated["name"] == "Nguyen Van B"
    assert updated["avatar_url"] == "https://storage.example.com/a/new.jpg"

    name_only = await client.put(
        "/api/v1/users/me", headers=learner["headers"], json={"name": "Only Name"}
    )
    assert name_only.json()["avatar_url"] == "https://storage.example.com/a/new.jpg"
    cleared = await client.put(
        "/api/v1/users/me", headers=learner["headers"], json={"avatar_url": None}
    )
    assert cleared.json()["avatar_url"] is None
    assert cleared.json()["name"] == "Only Name"


@pytest.mark.parametrize(
    "payload",
    [
        {"avatar_url": "javascript:alert(1)"},
        {"name": ""},
        {"name": 42},
        {"avatar_url": "ftp://x/y"},
    ],
)
async def test_profile_update_rejects_bad_fields(client, payload):
    learner = await sign_up(client)
    response = await client.put("/api/v1/users/me", headers=learner["headers"], json=payload)
    assert_error(response, 400, "ValidationError")
    me = (await client.get("/api/v1/users/me", headers=learner["headers"])).json()
    assert me["name"] == "Test Learner"


async def test_delete_account_ends_access_and_login(client):
    email = new_email()
    learner = await sign_up(client, email)
    response = await client.delete("/api/v1/users/me", headers=learner["headers"])
    assert response.status_code == 204
    assert_error(
        await client.get("/api/v1/users/me", headers=learner["headers"]), 401, "Unauthorized"
    )
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert_error(login, 401, "Unauthorized")
    # The email is free again.
    await sign_up(client, email)
