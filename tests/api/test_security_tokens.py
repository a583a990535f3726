"""Every route of the app's route table (tests/support/routes.py), those added later too:
without a token a protected route is 401, with a token that is not this server's valid
access token every route that reads one is 401, and a student on an admin route is 403; each
with the one error body. Every socket refuses the same tokens and closes with 4401."""

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from adapters.identity.jwt_tokens import JwtTokenCodec
from deployments.wiring import Container, derive_key
from tests.support.api import assert_error, sign_up
from tests.support.routes import Access, Route, api_routes
from tests.support.sockets import Socket

ROUTES = api_routes()
HTTP = [r for r in ROUTES if r.method != "WS"]
SOCKETS = [r for r in ROUTES if r.method == "WS"]
PROTECTED = [r for r in HTTP if r.access in (Access.USER, Access.ADMIN)]
READS_TOKEN = [r for r in HTTP if r.access is not Access.PUBLIC]
ADMIN = [r for r in HTTP if r.access is Access.ADMIN]


def _segment(document: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()


def _payload(token: str) -> dict:
    segment = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


@pytest.fixture(scope="module")
async def learner(module_client: httpx.AsyncClient) -> dict:
    return await sign_up(module_client)


@pytest.fixture(scope="module")
def bad_tokens(container: Container, learner: dict) -> dict[str, str]:
    """Tokens a server must refuse, each made from the learner's valid one."""
    token = learner["access_token"]
    header, payload, signature = token.split(".")
    claims = container.credentials.codec.decode(token, "access")
    key = derive_key(container.settings.resolved_secret_key(), "access-tokens").hex()
    ours = JwtTokenCodec(key, issuer=container.settings.jwt_issuer)
    now = datetime.now(UTC).replace(microsecond=0)
    past = replace(claims, issued_at=now - timedelta(hours=2), expires_at=now - timedelta(hours=1))
    escalated = _payload(token) | {"role": "admin"}
    return {
        "tampered": f"{header}.{_segment(escalated)}.{signature}",
        "expired": ours.encode(past),
        "alg none": f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        "wrong key": JwtTokenCodec("k" * 64).encode(claims),
        "wrong issuer": JwtTokenCodec(key, issuer="someone-else").encode(claims),
        "wrong audience": JwtTokenCodec(key, audience="another-api").encode(claims),
        "refresh token": learner["refresh_token"],
        "garbage": "not-a-token",
    }


def test_the_route_table_is_read():
    # A change in how routes are found must not leave the checks below with nothing to do.
    assert len(PROTECTED) > 100 and len(ADMIN) > 10 and len(SOCKETS) == 4
    assert {r.access for r in HTTP} == set(Access)


@pytest.mark.parametrize("route", PROTECTED, ids=str)
async def test_a_protected_route_without_a_token_is_401(module_client, route: Route):
    response = await module_client.request(route.method, route.url())
    assert_error(response, 401, "Unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("route", READS_TOKEN, ids=str)
async def test_a_route_refuses_every_token_that_is_not_a_valid_access_token(
    module_client, bad_tokens, route: Route
):
    url = route.url()
    for kind, token in bad_tokens.items():
        response = await module_client.request(
            route.method, url, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401, f"{kind}: {response.text}"
        assert_error(response, 401, "Unauthorized")


@pytest.mark.parametrize("route", ADMIN, ids=str)
async def test_a_student_on_an_admin_route_is_403(module_client, learner, route: Route):
    response = await module_client.request(route.method, route.url(), headers=learner["headers"])
    assert_error(response, 403, "Forbidden")


@pytest.mark.parametrize("route", SOCKETS, ids=str)
async def test_a_socket_refuses_a_missing_or_bad_token(live, bad_tokens, route: Route):
    """A token in the path is checked at once; otherwise the first message must be an
    "auth" message with a valid token."""
    attempts: list[tuple[str, dict | None]] = []
    for token in bad_tokens.values():
        if "{token}" in route.path:
            attempts.append((route.url(lambda name, _, t=token: t), None))
        else:
            attempts.append((route.url(), {"type": "auth", "token": token}))
    if "{token}" not in route.path:
        attempts.append((route.url(), {"type": "ping"}))
    for path, first in attempts:
        async with Socket.open(live, path) as socket:
            if first is not None:
                await socket.send(first)
            error = await socket.expect("error", 5)
            assert error["error"] == "Unauthorized" and error["request"] == "auth", first
            with pytest.raises(ConnectionClosed) as closed:
                await socket.next(5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
