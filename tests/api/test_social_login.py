"""/auth/social end to end: the app verifies provider tokens against local stand-ins of
Google's and Apple's JWKS and Facebook's Graph API, over real HTTP."""

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from adapters.http.app import create_app
from adapters.sql.migrate import upgrade_to_head
from deployments.wiring import bootstrap
from tests.support.api import BASE_URL, PASSWORD, assert_error, isolated_settings, sign_up
from tests.support.identity_providers import (
    FB_APP_ID,
    FacebookToken,
    FakeProviders,
    SigningKey,
    apple_claims,
    google_claims,
    new_signing_key,
    provider_settings,
    start_provider_server,
)

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return new_signing_key("k1")


@pytest.fixture(scope="module")
def providers(key: SigningKey) -> Iterator[tuple[FakeProviders, str]]:
    state = FakeProviders(google_keys=[key.jwk()], apple_keys=[key.jwk()])
    server = start_provider_server(state)
    yield state, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
async def client(
    providers: tuple[FakeProviders, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    _, url = providers
    settings = isolated_settings(
        tmp_path_factory.mktemp("social"),
        **provider_settings(url),
    )
    await upgrade_to_head(settings.resolved_database_url)
    container = bootstrap(settings)
    app = create_app(container.http_services())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        yield c
    await container.aclose()


def unique_subject() -> str:
    return uuid.uuid4().hex


async def social(client: httpx.AsyncClient, provider: str, token: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/social", json={"provider": provider, "token": token, "name": "From App"}
    )


async def test_google_sign_in_creates_the_account_once(client, key):
    email = f"{unique_subject()}@gmail.com"
    token = key.sign(google_claims(sub=unique_subject(), email=email))
    first = await social(client, "google", token)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["user"]["email"] == email
    assert body["user"]["name"] == "Ada Lovelace"
    again = await social(client, "google", token)
    assert again.json()["user"]["id"] == body["user"]["id"]
    me = await client.get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.json()["auth_provider"] == "google"


async def test_apple_sign_in_links_to_an_existing_account_by_verified_email(client, key):
    email = f"{unique_subject()}@icloud.com"
    learner = await sign_up(client, email)
    token = key.sign(apple_claims(sub=unique_subject(), email=email, email_verified="true"))
    response = await social(client, "apple", token)
    assert response.status_code == 200, response.text
    assert response.json()["user"]["id"] == learner["user"]["id"]
    # The password still works: linking adds a way in, it does not replace one.
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200


async def test_an_unverified_email_is_not_trusted(client, key):
    token = key.sign(google_claims(sub=unique_subject(), email_verified=False))
    assert_error(await social(client, "google", token), 400, "ValidationError")


async def test_a_forged_token_is_401(client):
    forged = new_signing_key("k1").sign(google_claims(sub=unique_subject()))
    assert_error(await social(client, "google", forged), 401, "Unauthorized")


async def test_facebook_sign_in_through_debug_token(client, providers):
    state, _ = providers
    subject = unique_subject()
    state.facebook_tokens["fb-user-token"] = FacebookToken(
        FB_APP_ID, subject, profile={"name": "Grace Hopper", "email": f"{subject}@example.com"}
    )
    response = await social(client, "facebook", "fb-user-token")
    assert response.status_code == 200, response.text
    assert response.json()["user"]["name"] == "Grace Hopper"
    assert_error(await social(client, "facebook", "unknown-token"), 401, "Unauthorized")


async def test_provider_outage_is_503(client, providers, key):
    state, _ = providers
    state.graph_status = 500
    try:
        response = await social(client, "facebook", "fb-user-token")
    finally:
        state.graph_status = None
    assert_error(response, 503, "ServiceUnavailable")


async def test_email_is_not_a_social_provider(client):
    body = assert_error(await social(client, "email", "any-token"), 400, "ValidationError")
    assert body["details"]["field"] == "provider"
