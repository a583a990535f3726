"""CORS for the browser origins ALLOWED_ORIGINS names (and none by default), on every answer
a browser client must read, errors included; gzip for large JSON answers, never for audio."""

import gzip
from collections.abc import AsyncIterator

import httpx
import pytest

from adapters.http.app import create_app
from deployments.settings import Settings
from deployments.wiring import Container, bootstrap
from tests.api.test_content import pick
from tests.support.api import BASE_URL, assert_error, held_here, sign_up

ORIGIN = "https://app.example.com"
EXPOSED = {"x-request-id", "retry-after", "ratelimit-limit", "ratelimit-remaining"}


@pytest.fixture(scope="module")
async def browser_app(container: Container) -> AsyncIterator:
    """The app as the composition root builds it with ALLOWED_ORIGINS set, the real rate
    limits, and a login limit of 1 a minute."""
    settings = container.settings.model_copy(
        update={
            "allowed_origins": f"{ORIGIN}, http://localhost:5173",
            "rate_limits": {"login": "1/minute"},
        }
    )
    rewired = bootstrap(
        settings,
        speech_scorer=container.speech_scorer,
        tutor=container.voice.tutor,
        recognizer=container.voice.recognizer,
    )
    app = create_app(rewired.http_services())

    @app.get("/api/v1/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    try:
        yield app
    finally:
        await rewired.aclose()


@pytest.fixture
async def browser(browser_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=browser_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


def preflight(origin: str, method: str = "POST", headers: str = "authorization,content-type"):
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


async def test_a_preflight_from_an_allowed_origin_is_answered(browser):
    response = await browser.options("/api/v1/game/sessions", headers=preflight(ORIGIN))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "access-control-allow-credentials" not in response.headers  # bearer tokens only
    # Answered before any route: no token needed, no rate limit counted, the id and the
    # security headers all the same.
    assert response.headers["x-request-id"] and response.headers["x-content-type-options"]


async def test_a_preflight_from_another_origin_is_refused(browser):
    for origin in ("https://evil.example.com", "https://app.example.com.evil.net", "null"):
        response = await browser.options("/api/v1/game/sessions", headers=preflight(origin))
        assert response.status_code == 400
        assert "access-control-allow-origin" not in response.headers
    unknown_header = preflight(ORIGIN, headers="x-forwarded-host")
    response = await browser.options("/api/v1/game/sessions", headers=unknown_header)
    assert response.status_code == 400


async def test_answers_and_errors_carry_the_headers_a_browser_client_reads(browser):
    headers = {"Origin": ORIGIN}
    ok = await browser.get("/api/v1/tags", headers=headers)
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == ORIGIN
    assert "origin" in ok.headers["vary"].lower()
    exposed = {h.strip().lower() for h in ok.headers["access-control-expose-headers"].split(",")}
    assert EXPOSED <= exposed and "ratelimit-reset" in exposed

    unauthenticated = await browser.get("/api/v1/users/me", headers=headers)
    assert_error(unauthenticated, 401, "Unauthorized")
    assert unauthenticated.headers["access-control-allow-origin"] == ORIGIN

    login = {"email": "nobody@example.com", "password": "SecurePass123"}
    for _ in range(2):
        limited = await browser.post("/api/v1/auth/login", json=login, headers=headers)
    assert_error(limited, 429, "TooManyRequests")
    assert limited.headers["access-control-allow-origin"] == ORIGIN
    assert limited.headers["retry-after"]

    failed = await browser.get("/api/v1/boom", headers=headers)
    assert_error(failed, 500, "InternalError")
    assert failed.headers["access-control-allow-origin"] == ORIGIN

    stranger = await browser.get("/api/v1/tags", headers={"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in stranger.headers


async def test_without_allowed_origins_no_cors_headers_are_sent(client):
    for response in (
        await client.get("/api/v1/tags", headers={"Origin": ORIGIN}),
        await client.options("/api/v1/game/sessions", headers=preflight(ORIGIN)),
    ):
        assert not [h for h in response.headers if h.startswith("access-control-")]


@pytest.mark.parametrize(
    "value",
    ["app.example.com", "https://app.example.com/", "https://app.example.com/path", "ftp://x"],
)
def test_allowed_origins_must_be_origins(value):
    with pytest.raises(ValueError, match="ALLOWED_ORIGINS"):
        Settings(_env_file=None, allowed_origins=value)  # type: ignore[call-arg]


def test_allowed_origins_are_a_comma_separated_list():
    settings = Settings(_env_file=None, allowed_origins=f"{ORIGIN}, http://localhost:5173")  # type: ignore[call-arg]
    assert settings.cors_origins == [ORIGIN, "http://localhost:5173"]
    assert Settings(_env_file=None).cors_origins == []  # type: ignore[call-arg]


# --- gzip ------------------------------------------------------------------------------------


async def raw_get(client: httpx.AsyncClient, url: str, **headers: str) -> httpx.Response:
    """The response with its body as sent (httpx would decode a gzip body)."""
    request = client.build_request("GET", url, headers=headers)
    response = await client.send(request, stream=True)
    response._content = b"".join([chunk async for chunk in response.aiter_raw()])
    await response.aclose()
    return response


async def test_a_large_json_list_is_gzipped_when_the_client_accepts_it(client):
    learner = await sign_up(client)
    url = "/api/v1/speaking-prompts?limit=50"
    plain = await raw_get(client, url, **learner["headers"], **{"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert len(plain.content) > 1024

    zipped = await raw_get(client, url, **learner["headers"], **{"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in zipped.headers["vary"].lower()
    assert gzip.decompress(zipped.content) == plain.content
    assert int(zipped.headers["content-length"]) == len(zipped.content) < len(plain.content) / 2


async def test_small_answers_are_not_gzipped(client):
    response = await raw_get(client, "/api/v1/health", **{"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and "content-encoding" not in response.headers


async def test_audio_is_never_gzipped(client, container):
    learner = await sign_up(client)
    accept = {"Accept-Encoding": "gzip"}
    streamed = await client.post(
        "/api/v1/speech/synthesize/stream",
        json={"text": "A sentence long enough to make more than a kilobyte of audio."},
        headers=learner["headers"] | accept,
    )
    assert streamed.status_code == 200, streamed.text
    assert streamed.headers["content-type"].startswith("audio/")
    assert "content-encoding" not in streamed.headers and len(streamed.content) > 1024

    speeches = await pick(client, learner["headers"], limit=50)
    assert speeches.status_code == 200, speeches.text
    audio_url = (await held_here(speeches.json()["speeches"], container))["audio_url"]
    blob = await raw_get(client, audio_url, **accept)
    assert blob.status_code == 200 and blob.headers["content-type"].startswith("audio/")
    assert "content-encoding" not in blob.headers and len(blob.content) > 1024
