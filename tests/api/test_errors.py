"""Bad input of every kind gets the one error body and the right status, never a 500."""

import pytest

from tests.support.api import assert_error, sign_up

pytestmark = pytest.mark.asyncio


async def test_malformed_json_is_400(client):
    response = await client.post(
        "/api/v1/auth/login", content=b'{"email": ', headers={"content-type": "application/json"}
    )
    body = assert_error(response, 400, "ValidationError")
    assert body["message"] == "Malformed JSON body"


async def test_a_json_array_instead_of_an_object_is_400(client):
    assert_error(await client.post("/api/v1/auth/login", json=[1, 2]), 400, "ValidationError")


async def test_oversized_body_is_413_with_content_length(client):
    big = {"email": "a@example.com", "password": "x" * (2 << 20), "name": "A"}
    assert_error(await client.post("/api/v1/auth/register", json=big), 413, "PayloadTooLarge")


async def test_oversized_body_is_413_when_streamed_without_length(client):
    async def chunks():
        yield b'{"email": "a@example.com", "password": "'
        for _ in range(20):
            yield b"x" * (128 << 10)
        yield b'", "name": "A"}'

    response = await client.post(
        "/api/v1/auth/register", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "PayloadTooLarge")


async def test_unknown_route_and_method(client):
    assert_error(await client.get("/api/v1/no-such-thing"), 404, "NotFound")
    assert_error(await client.delete("/api/v1/tags"), 405, "MethodNotAllowed")


async def test_malformed_id_in_path_is_400(client):
    learner = await sign_up(client)
    response = await client.get("/api/v1/game/sessions/not-a-uuid", headers=learner["headers"])
    assert_error(response, 400, "ValidationError")


async def test_request_id_is_echoed_or_made(client):
    response = await client.get("/api/v1/health", headers={"X-Request-ID": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
    made = await client.get("/api/v1/health")
    assert len(made.headers["x-request-id"]) == 32


async def test_health_ready_and_docs(client):
    assert (await client.get("/api/v1/health")).json() == {"status": "ok"}
    ready = (await client.get("/api/v1/ready")).json()
    assert ready == {"status": "ready", "checks": {"database": "ok", "blob_store": "ok"}}
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/game/sessions" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200
