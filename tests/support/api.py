"""Helpers for tests that drive the HTTP API."""

import uuid
from pathlib import Path

import httpx

from deployments.settings import Settings

BASE_URL = "http://testserver"
PASSWORD = "SecurePass123"


def isolated_settings(var_dir: Path, **overrides: object) -> Settings:
    """Settings isolated from the environment and from .env."""
    values: dict[str, object] = {
        "var_dir": var_dir,
        "database_url": None,
        "redis_url": None,
        "secret_key": None,
        "public_base_url": BASE_URL,
        "demo_content": False,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


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
    assert set(body) == {"error", "message", "details", "request_id", "timestamp"}
    assert body["error"] == code
    assert body["message"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body
