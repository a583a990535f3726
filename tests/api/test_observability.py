"""The app as plain uvicorn runs it (`deployments.asgi:create`, settings from the
environment): Prometheus metrics at /metrics by route template, one JSON access line per
request, and traces sent to an OTLP/HTTP collector with the request id on the span."""

import asyncio
import io
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from pythonjsonlogger.json import JsonFormatter

from adapters.http.access import REQUEST_ID_ATTRIBUTE
from adapters.sql.migrate import upgrade_to_head
from deployments.asgi import create
from deployments.settings import Settings
from tests.support.api import BASE_URL, UNLIMITED, sign_up
from tests.support.otlp import OtlpReceiver, otlp_receiver
from tests.support.sockets import Socket, served

SETTINGS_FROM_ELSEWHERE = (
    "DATABASE_URL",
    "REDIS_URL",
    "NATS_URL",
    "SECRET_KEY",
    "BLOB_DIR",
    "MINIO_ENDPOINT",
    "S3_ENDPOINT_URL",
)


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    with otlp_receiver() as receiver:
        yield receiver


@pytest.fixture
def parla_loggers() -> Iterator[None]:
    """create() configures Parla's loggers; they are put back for the other tests."""
    loggers = [logging.getLogger(name) for name in ("adapters", "domain", "deployments")]
    saved = [(lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    yield
    for logger, (handlers, level, propagate) in zip(loggers, saved, strict=True):
        logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate


@pytest.fixture
async def app(
    tmp_path, monkeypatch: pytest.MonkeyPatch, receiver: OtlpReceiver, parla_loggers: None
) -> AsyncIterator[FastAPI]:
    for name in SETTINGS_FROM_ELSEWHERE:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setenv("DEMO_CONTENT", "false")
    monkeypatch.setenv("RATE_LIMITS", json.dumps(UNLIMITED))
    monkeypatch.setenv("OTLP_ENDPOINT", receiver.url)
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "50")  # the SDK's batch delay, in ms
    await upgrade_to_head(Settings(_env_file=None).resolved_database_url)  # type: ignore[call-arg]
    app = create()
    # The lifespan as uvicorn runs it: its shutdown sends the last spans out.
    async with app.router.lifespan_context(app):
        yield app


def samples(scrape: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(scrape)
        for sample in family.samples
    }


async def test_metrics_are_scraped_by_route_template_not_path(app: FastAPI):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        learner = await sign_up(c)
        session_ids = [str(uuid.uuid4()) for _ in range(2)]
        for session_id in session_ids:
            missing = await c.get(f"/api/v1/game/sessions/{session_id}", headers=learner["headers"])
            assert missing.status_code == 404
        assert (await c.get("/api/v1/no/such/route")).status_code == 404
        scrape = await c.get("/metrics")

    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain")
    found = samples(scrape.text)
    session = {"route": "/api/v1/game/sessions/{session_id}", "method": "GET"}
    assert (
        found[("parla_http_requests_total", frozenset({**session, "status": "4xx"}.items()))] == 2
    )
    assert found[("parla_http_request_duration_seconds_count", frozenset(session.items()))] == 2
    register = {"route": "/api/v1/auth/register", "method": "POST", "status": "2xx"}
    assert found[("parla_http_requests_total", frozenset(register.items()))] == 1
    unmatched = {"route": "(unmatched)", "method": "GET", "status": "4xx"}
    assert found[("parla_http_requests_total", frozenset(unmatched.items()))] == 1
    # No series per raw path: the session ids never become labels.
    assert not any(session_id in scrape.text for session_id in session_ids)
    # SQLite's pool keeps one connection, lent to nobody between requests.
    assert found[("parla_db_pool_size_connections", frozenset())] == 1
    assert found[("parla_db_pool_checked_out_connections", frozenset())] == 0


async def test_each_request_leaves_one_json_access_line(app: FastAPI):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        learner = await sign_up(c)
        # The handler create() configured writes to stderr; here, to a buffer.
        (handler,) = [
            h
            for h in logging.getLogger("adapters").handlers
            if isinstance(h.formatter, JsonFormatter)
        ]
        assert isinstance(handler, logging.StreamHandler)
        written = io.StringIO()
        handler.setStream(written)
        answered = await c.get("/api/v1/game/sessions", headers=learner["headers"])

    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    (access,) = [line for line in lines if line["logger"] == "adapters.http.access"]
    assert access["level"] == "INFO"
    assert access["message"] == "GET /api/v1/game/sessions 200"
    assert access["request_id"] == answered.headers["x-request-id"]
    assert access["user_id"] == learner["user"]["id"]
    assert access["route"] == "/api/v1/game/sessions"
    assert access["status"] == 200
    assert access["latency_ms"] > 0
    assert access["ts"].endswith("+00:00")


async def test_open_websockets_are_counted_by_route(app: FastAPI):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        learner = await sign_up(c)

        def open_sockets() -> float | None:
            return app.state.services.metrics.registry.get_sample_value(
                "parla_websockets_open", {"route": "/api/v1/ws/{token}"}
            )

        async with served(app) as base:
            async with Socket.open(base, f"/api/v1/ws/{learner['access_token']}") as socket:
                await socket.expect("connection_established")
                assert open_sockets() == 1
            # The server learns of the close at its next receive.
            for _ in range(250):
                if open_sockets() == 0:
                    break
                await asyncio.sleep(0.02)
            assert open_sockets() == 0


async def test_a_traced_request_carries_its_request_id(app: FastAPI, receiver: OtlpReceiver):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as c:
        answered = await c.get("/api/v1/tags", headers={"X-Request-ID": "trace-me-42"})
        assert answered.status_code == 200

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        spans = [
            s
            for s in receiver.received()
            if s.attributes.get(REQUEST_ID_ATTRIBUTE) == "trace-me-42"
        ]
        if spans:
            break
        await asyncio.sleep(0.05)
    (server,) = spans
    assert server.service == "parla-gateway"
    assert server.attributes["http.route"] == "/api/v1/tags"
    assert server.parent_span_id == ""
