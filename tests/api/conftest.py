"""The real FastAPI app over the composition root, on a migrated SQLite database with a
small slice of the demo catalog (real synthesized audio)."""

import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest

from adapters.http.app import create_app
from adapters.speech.espeak import EspeakSynthesizer
from adapters.sql.migrate import upgrade_to_head
from deployments.demo.catalog import load_demo_catalog, read_speeches
from deployments.wiring import Container, bootstrap
from ports.cefr import CefrLevel
from tests.support.api import BASE_URL, isolated_settings
from tests.support.s3_server import s3  # noqa: F401 (the S3 server fixture)
from tests.support.services import unavailable
from tests.support.sockets import served


@pytest.fixture(scope="session")
async def container(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Container]:
    settings = isolated_settings(tmp_path_factory.mktemp("api"))
    await upgrade_to_head(settings.resolved_database_url)
    container = bootstrap(settings)
    await container.start()
    # Twelve speeches of each level and type for A1 and B1: enough to filter and page.
    entries = [e for e in read_speeches() if e.level in (CefrLevel.A1, CefrLevel.B1)]
    by_kind = itertools.groupby(
        sorted(entries, key=lambda e: (e.level, e.type)), key=lambda e: (e.level, e.type)
    )
    chosen = [e for _, group in by_kind for e in itertools.islice(group, 12)]
    await load_demo_catalog(container.unit_of_work, container.blobs, EspeakSynthesizer(), chosen)
    yield container
    await container.aclose()


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(container.http_services())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        yield c


@pytest.fixture(scope="module")
async def module_client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    """One client of one app for a module whose many tests each send a request or two
    (building the app takes a second)."""
    app = create_app(container.http_services())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        yield c


@pytest.fixture
async def live(container: Container) -> AsyncIterator[str]:
    """The app served by uvicorn on a loopback port, for real WebSocket clients."""
    async with served(create_app(container.http_services())) as base_url:
        yield base_url


POSTGRES = "postgresql://postgres@127.0.0.1:5432"


@asynccontextmanager
async def client_on_postgres(
    container: Container, var_dir: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app on a PostgreSQL database of its own (dropped afterwards) with the
    API tests' offline models."""
    database = f"parla_journey_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(f"{POSTGRES}/test", timeout=5)
    except Exception as error:  # any failure to connect means "unavailable"
        unavailable(f"PostgreSQL is not reachable at {POSTGRES}: {error!r}")
    await admin.execute(f'CREATE DATABASE "{database}"')
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
    try:
        await upgrade_to_head(url)
        on_postgres = bootstrap(
            isolated_settings(var_dir, database_url=url, database_pool_size=5),
            speech_scorer=container.speech_scorer,
            tutor=container.voice.tutor,
            recognizer=container.voice.recognizer,
        )
        await on_postgres.start()
        transport = httpx.ASGITransport(app=create_app(on_postgres.http_services()))
        try:
            async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as on_pg:
                yield on_pg, on_postgres
        finally:
            await on_postgres.aclose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def each_database_client(
    request: pytest.FixtureRequest, container: Container, client: httpx.AsyncClient, tmp_path
) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the API tests' SQLite database, or on a PostgreSQL database of its own
    (dropped afterwards) with the same offline models."""
    if request.param == "sqlite":
        yield client
        return
    async with client_on_postgres(container, tmp_path) as (on_pg, _):
        yield on_pg
