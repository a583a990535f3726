"""Helpers for tests that drive the HTTP API."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from adapters.http.app import create_app
from deployments.settings import Settings
from deployments.wiring import Container, bootstrap
from domain.rate_limits import LIMITS

BASE_URL = "http://testserver"
PASSWORD = "SecurePass123"
# Tests sign up, log in and talk far more often than anyone: the rate limit tests use the
# real limits, every other test these.
UNLIMITED = {name: "1000000/second" for name in LIMITS}


def isolated_settings(var_dir: Path, **overrides: object) -> Settings:
    """Settings isolated from the environment and from .env, with rate limits no test
    reaches (pass `rate_limits={}` for the real ones)."""
    values: dict[str, object] = {
        "var_dir": var_dir,
        "database_url": None,
        "redis_url": None,
        "secret_key": None,
        "ray_address": None,
        "public_base_url": BASE_URL,
        "demo_content": False,
        "rate_limits": UNLIMITED,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@asynccontextmanager
async def client_with(container: Container, **ports: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app built by the composition root with some ports replaced, on
    `container`'s settings (so its database) and models."""
    shared = {
        "speech_scorer": container.speech_scorer,
        "tutor": container.voice.tutor,
        "recognizer": container.voice.recognizer,
    }
    rewired = bootstrap(container.settings, **(shared | ports))
    app = create_app(rewired.http_services())
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=BASE_URL
        ) as client:
            yield client
    finally:
        await rewired.aclose()


def new_email() -> str:
    return f"learner-{uuid.uuid4().hex[:12]}@example.com"


async def sign_up(client: httpx.AsyncClient, email: str | None = None) -> dict:
    """Registers a new learner; the response body plus ready-made `headers`."""
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": email or new_email(), "password": PASSWORD, "name": "Test Learner"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    body["headers"] = {"Authorization": f"Bearer {body['access_token']}"}
    return body


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    """The one error body, with the given status and code."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message", "detail", "details", "request_id", "timestamp"}
    assert body["error"] == code
    assert body["message"]
    assert body["detail"] == body["message"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def held_here(speeches: list[dict], container: Container) -> dict:
    """The first of `speeches` whose audio this app's store holds: the import tests' S3 store
    shares the database, so some catalogue speeches have their audio there."""
    for speech in speeches:
        if await container.blobs.exists(container.blobs.key_of(speech["audio_url"])):
            return speech
    raise AssertionError("no speech with its audio in this app's store")
