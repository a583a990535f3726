"""Contract tests of the social sign-in adapters against real HTTP on loopback.

A local server in a thread plays Google's and Apple's JWKS endpoints (publishing this test's own
RSA keys) and the Graph API's debug_token and me endpoints (in Facebook's wire format, backed by a
token table). Nothing reaches the internet."""

import base64
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from adapters.identity.social import (
    AppleIdentityProvider,
    FacebookIdentityProvider,
    GoogleIdentityProvider,
)
from domain.errors import ServiceUnavailable, Unauthenticated
from ports.identity import AuthProvider, IdentityProvider, SocialIdentity
from tests.support.identity_providers import (
    APPLE_CLIENT_ID,
    FB_APP_ID,
    FB_APP_SECRET,
    FB_OTHER_APP_ID,
    GOOGLE_CLIENT_ID,
    FacebookToken,
    FakeProviders,
    SigningKey,
    apple_claims,
    google_claims,
    new_signing_key,
    start_provider_server,
)


@pytest.fixture(scope="module")
def keys() -> dict[str, SigningKey]:
    return {kid: new_signing_key(kid) for kid in ("k1", "k2", "k3", "rogue")}


@pytest.fixture
def state(keys: dict[str, SigningKey]) -> FakeProviders:
    return FakeProviders(google_keys=[keys["k1"].jwk()], apple_keys=[keys["k1"].jwk()])


@pytest.fixture
def base_url(state: FakeProviders) -> Iterator[str]:
    server = start_provider_server(state)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
async def google(base_url: str) -> AsyncIterator[GoogleIdentityProvider]:
    provider = GoogleIdentityProvider([GOOGLE_CLIENT_ID], jwks_url=f"{base_url}/google/certs")
    yield provider
    await provider.aclose()


@pytest.fixture
async def apple(base_url: str) -> AsyncIterator[AppleIdentityProvider]:
    provider = AppleIdentityProvider([APPLE_CLIENT_ID], jwks_url=f"{base_url}/apple/keys")
    yield provider
    await provider.aclose()


@pytest.fixture
async def facebook(base_url: str) -> AsyncIterator[FacebookIdentityProvider]:
    provider = FacebookIdentityProvider(FB_APP_ID, FB_APP_SECRET, graph_url=f"{base_url}/graph")
    yield provider
    await provider.aclose()


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# ---------------------------------------------------------------- Google


async def test_valid_google_token_yields_the_identity(google, keys):
    identity = await google.verify(keys["k1"].sign(google_claims()))

    assert identity == SocialIdentity(
        provider=AuthProvider.GOOGLE,
        subject="110169484474386276334",
        email="ada@example.com",
        email_verified=True,
        name="Ada Lovelace",
        picture_url="https://lh3.googleusercontent.com/a/ada",
    )


async def test_google_accepts_any_configured_client_and_both_issuer_spellings(base_url, keys):
    provider: IdentityProvider = GoogleIdentityProvider(
        ["web-client", "ios-client"], jwks_url=f"{base_url}/google/certs"
    )
    try:
        token = keys["k1"].sign(
            google_claims(aud="ios-client", iss="accounts.google.com", email_verified="true")
        )
        identity = await provider.verify(token)
    finally:
        await provider.aclose()

    assert identity.email_verified is True


async def test_google_unverified_email_is_reported_as_such(google, keys):
    identity = await google.verify(keys["k1"].sign(google_claims(email_verified=False)))

    assert identity.email == "ada@example.com"
    assert identity.email_verified is False


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param(google_claims(aud="someone-elses-client"), id="wrong audience"),
        pytest.param(google_claims(iss="https://evil.example.com"), id="wrong issuer"),
        pytest.param(
            google_claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
            id="expired",
        ),
        pytest.param({k: v for k, v in google_claims().items() if k != "sub"}, id="no subject"),
    ],
)
async def test_google_rejects_tokens_not_meant_for_us(google, keys, claims):
    with pytest.raises(Unauthenticated, match="Invalid Google token"):
        await google.verify(keys["k1"].sign(claims))


async def test_google_tolerates_a_minute_of_clock_skew(google, keys):
    now = int(time.time())
    token = keys["k1"].sign(google_claims(iat=now - 3630, exp=now - 30))

    assert (await google.verify(token)).subject == "110169484474386276334"


async def test_token_signed_by_a_key_not_in_the_jwks_is_rejected(google, keys, state):
    with pytest.raises(Unauthenticated):
        await google.verify(keys["rogue"].sign(google_claims()))
    with pytest.raises(Unauthenticated):
        await google.verify(keys["rogue"].sign(google_claims(), kid="k1"))


async def test_tampered_payload_is_rejected(google, keys):
    header, _, signature = keys["k1"].sign(google_claims()).split(".")
    forged = json.dumps(google_claims(sub="someone-else")).encode()
    payload = base64.urlsafe_b64encode(forged).rstrip(b"=").decode()

    with pytest.raises(Unauthenticated):
        await google.verify(f"{header}.{payload}.{signature}")


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "e30.e30.", "\u00e9\u00e9.x.y"])
async def test_malformed_token_is_rejected(google, token):
    with pytest.raises(Unauthenticated):
        await google.verify(token)


async def test_jwks_is_fetched_once_and_cached(google, keys, state):
    for _ in range(3):
        await google.verify(keys["k1"].sign(google_claims()))

    assert state.hits["/google/certs"] == 1


async def test_jwks_is_fetched_again_once_its_ttl_has_passed(base_url, keys, state):
    provider = GoogleIdentityProvider(
        [GOOGLE_CLIENT_ID], jwks_url=f"{base_url}/google/certs", keys_ttl_seconds=0
    )
    try:
        for _ in range(2):
            await provider.verify(keys["k1"].sign(google_claims()))
    finally:
        await provider.aclose()

    assert state.hits["/google/certs"] == 2


async def test_rotated_key_is_accepted_after_one_refetch_and_unknown_kids_are_throttled(
    google, keys, state
):
    await google.verify(keys["k1"].sign(google_claims()))
    state.google_keys = [keys["k1"].jwk(), keys["k2"].jwk()]

    identity = await google.verify(keys["k2"].sign(google_claims()))

    assert identity.subject == "110169484474386276334"
    assert state.hits["/google/certs"] == 2
    # Another unknown kid right away doesn't reach the provider again.
    state.google_keys = [keys["k1"].jwk(), keys["k2"].jwk(), keys["k3"].jwk()]
    with pytest.raises(Unauthenticated):
        await google.verify(keys["k3"].sign(google_claims()))
    assert state.hits["/google/certs"] == 2


async def test_jwks_server_down_means_unavailable(keys):
    provider = GoogleIdentityProvider(
        [GOOGLE_CLIENT_ID], jwks_url=f"{_closed_port_url()}/google/certs"
    )
    try:
        with pytest.raises(ServiceUnavailable, match="Google sign-in is unavailable"):
            await provider.verify(keys["k1"].sign(google_claims()))
    finally:
        await provider.aclose()


@pytest.mark.parametrize(
    ("status", "body"),
    [
        pytest.param(503, None, id="5xx"),
        pytest.param(200, b"<html>maintenance</html>", id="not JSON"),
        pytest.param(200, b'{"keys": []}', id="no keys"),
        pytest.param(200, b'{"keys": [{"kty": "RSA", "kid": "k1"}]}', id="unusable key"),
    ],
)
async def test_unusable_jwks_means_unavailable(google, keys, state, status, body):
    state.jwks_status, state.jwks_body = status, body

    with pytest.raises(ServiceUnavailable):
        await google.verify(keys["k1"].sign(google_claims()))


async def test_jwks_timeout_means_unavailable(base_url, keys, state):
    state.delay_seconds = 1.0
    async with httpx.AsyncClient(timeout=0.2) as http:
        provider = GoogleIdentityProvider(
            [GOOGLE_CLIENT_ID], jwks_url=f"{base_url}/google/certs", http=http
        )
        with pytest.raises(ServiceUnavailable):
            await provider.verify(keys["k1"].sign(google_claims()))
        await provider.aclose()
        # The client passed in stays open: its owner closes it.
        assert not http.is_closed


# ---------------------------------------------------------------- Apple


async def test_apple_token_with_string_email_verified(apple, keys):
    identity = await apple.verify(keys["k1"].sign(apple_claims()))

    assert identity == SocialIdentity(
        provider=AuthProvider.APPLE,
        subject="001234.abcdef0123456789.1234",
        email="x7k2@privaterelay.appleid.com",
        email_verified=True,
        name=None,
        picture_url=None,
    )


async def test_apple_string_false_email_verified_is_false(apple, keys):
    identity = await apple.verify(keys["k1"].sign(apple_claims(email_verified="false")))

    assert identity.email_verified is False


async def test_apple_rejects_a_google_token(apple, keys):
    with pytest.raises(Unauthenticated, match="Invalid Apple token"):
        await apple.verify(keys["k1"].sign(google_claims(aud=APPLE_CLIENT_ID)))


# ---------------------------------------------------------------- Facebook


async def test_valid_facebook_token_yields_the_identity(facebook, state):
    state.facebook_tokens["EAAB-ada"] = FacebookToken(
        FB_APP_ID,
        "10215241773831025",
        profile={
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "picture": {
                "data": {
                    "height": 50,
                    "is_silhouette": False,
                    "url": "https://platform-lookaside.fbsbx.com/ada.jpg",
                    "width": 50,
                }
            },
        },
    )

    identity = await facebook.verify("EAAB-ada")

    assert identity == SocialIdentity(
        provider=AuthProvider.FACEBOOK,
        subject="10215241773831025",
        email="ada@example.com",
        email_verified=True,
        name="Ada Lovelace",
        picture_url="https://platform-lookaside.fbsbx.com/ada.jpg",
    )


async def test_facebook_user_without_email_or_picture(facebook, state):
    state.facebook_tokens["EAAB-bob"] = FacebookToken(
        FB_APP_ID,
        "20000000000000001",
        profile={
            "name": "Bob",
            "picture": {"data": {"is_silhouette": True, "url": "https://fb/silhouette.jpg"}},
        },
    )

    identity = await facebook.verify("EAAB-bob")

    assert (identity.email, identity.email_verified, identity.picture_url) == (None, False, None)


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(FacebookToken(FB_OTHER_APP_ID, "30000000000000001"), id="another app"),
        pytest.param(FacebookToken(FB_APP_ID, "30000000000000002", is_valid=False), id="expired"),
        pytest.param(None, id="unknown token"),
    ],
)
async def test_facebook_rejects_tokens_not_meant_for_us(facebook, state, token):
    if token is not None:
        state.facebook_tokens["EAAB-x"] = token

    with pytest.raises(Unauthenticated, match="Invalid Facebook token"):
        await facebook.verify("EAAB-x")
    assert state.hits["/graph/me"] == 0


async def test_facebook_empty_token_is_rejected_without_asking_graph(facebook, state):
    with pytest.raises(Unauthenticated):
        await facebook.verify("")
    assert state.hits["/graph/debug_token"] == 0


async def test_facebook_graph_error_means_unavailable(facebook, state):
    state.facebook_tokens["EAAB-ada"] = FacebookToken(FB_APP_ID, "10215241773831025")
    state.graph_status = 500

    with pytest.raises(ServiceUnavailable, match="Facebook sign-in is unavailable"):
        await facebook.verify("EAAB-ada")


async def test_facebook_graph_down_means_unavailable():
    provider = FacebookIdentityProvider(
        FB_APP_ID, FB_APP_SECRET, graph_url=f"{_closed_port_url()}/graph"
    )
    try:
        with pytest.raises(ServiceUnavailable):
            await provider.verify("EAAB-ada")
    finally:
        await provider.aclose()


async def test_facebook_wrong_app_secret_means_unavailable_not_a_bad_token(base_url, state):
    state.facebook_tokens["EAAB-ada"] = FacebookToken(FB_APP_ID, "10215241773831025")
    provider = FacebookIdentityProvider(FB_APP_ID, "wrong-secret", graph_url=f"{base_url}/graph")
    try:
        with pytest.raises(ServiceUnavailable):
            await provider.verify("EAAB-ada")
    finally:
        await provider.aclose()
