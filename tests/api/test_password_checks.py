"""Password checks are bounded: with one at a time, a burst of logins leaves cheap requests
prompt, and the logins past the waiting room are refused at once with 503 and Retry-After."""

import asyncio
import time
from dataclasses import replace

import httpx
import pytest

from adapters.http.app import create_app
from adapters.identity.argon2_passwords import RETRY_AFTER_SECONDS, Argon2PasswordHasher
from tests.support.api import BASE_URL, PASSWORD, assert_error, sign_up

LOGINS = 12
WAITING = 2


@pytest.fixture
async def one_check_at_a_time(container):
    hasher = Argon2PasswordHasher(concurrent_checks=1, waiting_checks=WAITING)
    services = container.http_services()
    services = replace(services, credentials=replace(services.credentials, hasher=hasher))
    transport = httpx.ASGITransport(app=create_app(services))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as c:
        yield c


async def timed(request) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request
    return response, time.monotonic() - started


async def test_a_burst_of_logins_leaves_health_prompt_and_overflow_refused(
    client, one_check_at_a_time
):
    email = (await sign_up(client))["user"]["email"]
    login = {"email": email, "password": PASSWORD}
    logins = [
        asyncio.create_task(timed(one_check_at_a_time.post("/api/v1/auth/login", json=login)))
        for _ in range(LOGINS)
    ]
    await asyncio.sleep(0.05)
    health, health_seconds = await timed(one_check_at_a_time.get("/api/v1/health"))
    answered = await asyncio.gather(*logins)

    assert health.status_code == 200 and health_seconds < 0.5
    passed = [seconds for response, seconds in answered if response.status_code == 200]
    refused = [(r, seconds) for r, seconds in answered if r.status_code != 200]
    assert len(passed) == 1 + WAITING and len(refused) == LOGINS - 1 - WAITING
    for response, seconds in refused:
        assert_error(response, 503, "ServiceUnavailable")
        assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert seconds < min(passed)  # refused at once, not after waiting their turn
