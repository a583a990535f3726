"""The operator CLI (`python -m deployments.manage`), command by command, on a SQLite file of
its own; session revocations on Redis and dead letters on NATS (streams of their own) on this
machine. Commands run in process through Typer's CliRunner with the environment the settings
read."""

import asyncio
import sqlite3
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import nats
import pytest
from nats.js.errors import NotFoundError
from redis.asyncio import Redis
from typer.testing import CliRunner, Result

from adapters.nats.event_bus import NatsEventBus
from deployments.manage import app
from deployments.settings import Settings
from deployments.wiring import Container, bootstrap
from domain.identity import events
from domain.identity.authentication import LogIn, log_in
from ports.events import Event
from tests.contract.test_event_bus import eventually
from tests.support.services import unavailable

NATS_URL = "nats://127.0.0.1:4222"
REDIS_URL = "redis://127.0.0.1:6379/15"
PASSWORD = "a long enough passphrase 7"
T = TypeVar("T")


class Operator:
    """Runs CLI commands against one database, with the environment it was given."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self._runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, **env: str) -> Result:
        return self._runner.invoke(app, list(args), input=input, env={**self.env, **env})

    def ok(self, *args: str, **env: str) -> str:
        result = self(*args, **env)
        assert result.exit_code == 0, result.output
        return result.output

    def on_container(self, work: Callable[[Container], Awaitable[T]]) -> T:
        """Runs `work` on a container with the same settings, as the application would."""

        async def run() -> T:
            container = bootstrap(Settings(**{k.lower(): v for k, v in self.env.items()}))
            try:
                return await work(container)
            finally:
                await container.aclose()

        return asyncio.run(run())


@pytest.fixture
def operator(tmp_path: Path) -> Operator:
    run = Operator(
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'parla.db'}",
            "VAR_DIR": str(tmp_path / "var"),
            "REDIS_URL": "",
            "NATS_URL": "",
        }
    )
    run.ok("migrate")
    return run


def tables(operator: Operator) -> set[str]:
    path = operator.env["DATABASE_URL"].removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_migrate_and_downgrade(operator):
    assert {"users", "outbox", "courses"} <= tables(operator)
    assert "at 0006_curriculum" in operator.ok("downgrade", "0006_curriculum")
    assert "courses" not in tables(operator) and "users" in tables(operator)
    operator.ok("downgrade", "base")
    assert tables(operator) <= {"alembic_version"}
    operator.ok("migrate")
    assert {"users", "outbox", "courses"} <= tables(operator)


def test_downgrade_to_an_unknown_revision_fails_clearly(operator):
    result = operator("downgrade", "0999_nothing")
    assert result.exit_code == 1
    assert "error:" in result.output and "0999_nothing" in result.output


def test_create_admin_from_the_environment_or_a_prompt(operator):
    out = operator.ok("create-admin", "Root@Example.com", PARLA_ADMIN_PASSWORD=PASSWORD)
    assert "Created root@example.com, an admin" in out
    prompted = operator("create-admin", "ops@example.com", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.output
    assert PASSWORD not in prompted.output  # hidden input

    async def roles(container: Container) -> list[str]:
        async with container.unit_of_work() as uow:
            users = [
                await uow.users.get_by_email(e) for e in ("root@example.com", "ops@example.com")
            ]
        return [u.role for u in users if u is not None]

    assert operator.on_container(roles) == ["admin", "admin"]
    # The admin can log in with the password it was given.
    login = operator.on_container(
        lambda c: log_in(LogIn("root@example.com", PASSWORD), c.unit_of_work(), c.credentials)
    )
    assert login.user.role == "admin"


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("root@example.com", PASSWORD, "already registered"),
        ("not an email", PASSWORD, "mail"),
        ("new@example.com", "short", "assword"),
    ],
)
def test_create_admin_refuses_bad_input(operator, email, password, message):
    operator.ok("create-admin", "root@example.com", PARLA_ADMIN_PASSWORD=PASSWORD)
    result = operator("create-admin", email, PARLA_ADMIN_PASSWORD=password)
    assert result.exit_code == 1
    assert "error:" in result.output and message in result.output


def test_grant_and_revoke_roles(operator):
    operator.ok("create-admin", "ana@example.com", PARLA_ADMIN_PASSWORD=PASSWORD)
    operator.ok("revoke-role", "ana@example.com", "admin")
    assert "is now teacher" in operator.ok("grant-role", "ANA@example.com", "teacher")
    refused = operator("revoke-role", "ana@example.com", "admin")
    assert refused.exit_code == 1 and "is teacher, not admin" in refused.output
    assert "is now student" in operator.ok("revoke-role", "ana@example.com", "teacher")
    assert operator("revoke-role", "ana@example.com", "student").exit_code == 1


@pytest.mark.parametrize("command", ["grant-role", "revoke-role"])
def test_role_commands_refuse_an_unknown_email_or_role(operator, command):
    unknown = operator(command, "nobody@example.com", "teacher")
    assert unknown.exit_code == 1 and "No account with the email" in unknown.output
    operator.ok("create-admin", "ana@example.com", PARLA_ADMIN_PASSWORD=PASSWORD)
    bad_role = operator(command, "ana@example.com", "superuser")
    assert bad_role.exit_code == 2 and "superuser" in bad_role.output


def test_end_sessions_revokes_every_session_on_redis(operator):
    redis_available = asyncio.run(_redis_is_up())
    if redis_available is not None:
        unavailable(f"Redis is not reachable at {REDIS_URL}: {redis_available}")
    operator.env["REDIS_URL"] = REDIS_URL
    operator.ok("create-admin", "ana@example.com", PARLA_ADMIN_PASSWORD=PASSWORD)

    def session_of_a_login() -> uuid.UUID:
        login = operator.on_container(
            lambda c: log_in(LogIn("ana@example.com", PASSWORD), c.unit_of_work(), c.credentials)
        )
        return operator.on_container(
            lambda c: asyncio.sleep(0, c.credentials.codec.decode(login.access_token, "access"))
        ).session_id

    sessions = [session_of_a_login(), session_of_a_login()]
    out = operator.ok("end-sessions", "ana@example.com")
    assert "Ended 2 login sessions" in out and "REDIS_URL" not in out
    # Another process (a server replica) sees the revocations in Redis.
    revoked = operator.on_container(
        lambda c: asyncio.gather(*(c.credentials.revocations.is_revoked(s) for s in sessions))
    )
    assert revoked == [True, True]
    assert "Ended 0 login sessions" in operator.ok("end-sessions", "ana@example.com")
    unknown = operator("end-sessions", "nobody@example.com")
    assert unknown.exit_code == 1 and "No account" in unknown.output


async def _redis_is_up() -> str | None:
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except Exception as error:  # any failure means "unavailable"
        return repr(error)
    finally:
        await redis.aclose()
    return None


def test_end_sessions_without_redis_says_what_it_cannot_do(operator):
    operator.ok("create-admin", "ana@example.com", PARLA_ADMIN_PASSWORD=PASSWORD)
    out = operator.ok("end-sessions", "ana@example.com")
    assert "Ended 0 login sessions" in out and "REDIS_URL is not set" in out


def test_outbox_shows_the_backlog(operator):
    assert "no event waiting" in operator.ok("outbox")

    async def commit(container: Container) -> None:
        async with container.unit_of_work() as uow:
            await uow.outbox.add(events.user_deleted(uuid.uuid4()))
            await uow.outbox.add(events.user_deleted(uuid.uuid4()))
            await uow.commit()

    operator.on_container(commit)
    assert "2 events waiting, the oldest from 20" in operator.ok("outbox")


def test_load_demo_courses_into_an_empty_list_only(operator):
    assert "Courses: " in operator.ok("load-demo", "--no-catalog")
    out = operator.ok("load-demo", "--no-catalog")
    assert "Courses: not empty, kept" in out and "Catalog" not in out


def test_dead_letters_need_nats(operator):
    for args in (["show"], ["replay"], ["purge", "--yes"]):
        result = operator("dead-letters", *args)
        assert result.exit_code == 1 and "NATS_URL is not set" in result.output


@pytest.fixture
def nats_stream(operator: Operator) -> Iterator[str]:
    """A stream and subjects of this test's own, named to the CLI through its settings."""

    async def probe() -> None:
        client = await nats.connect(NATS_URL, max_reconnect_attempts=1, connect_timeout=2)
        await client.close()

    try:
        asyncio.run(probe())
    except Exception as error:  # any failure to connect means "unavailable"
        unavailable(f"NATS is not reachable at {NATS_URL}: {error!r}")
    run = uuid.uuid4().hex[:12]
    stream = f"TEST_CLI_{run}"
    operator.env.update(NATS_URL=NATS_URL, NATS_STREAM=stream, NATS_SUBJECT_PREFIX=f"test.{run}")
    yield stream

    async def delete() -> None:
        client = await nats.connect(NATS_URL)
        for name in (stream, f"{stream}_DEAD_LETTERS"):
            try:
                await client.jetstream().delete_stream(name)
            except NotFoundError:
                pass
        await client.close()

    asyncio.run(delete())


def test_dead_letters_show_replay_and_purge(operator, nats_stream):
    prefix = operator.env["NATS_SUBJECT_PREFIX"]
    failing = [events.user_deleted(uuid.uuid4()) for _ in range(3)]

    async def bus() -> NatsEventBus:
        return await NatsEventBus.connect(
            NATS_URL,
            stream=nats_stream,
            subject_prefix=f"{prefix}.events",
            dead_letter_subject=f"{prefix}.dead_letter",
            max_deliver=1,
        )

    async def dead_letter_three() -> None:
        producer = await bus()

        async def fail(event: Event) -> None:
            raise RuntimeError(f"cannot handle {event.id}")

        subscription = await producer.consume("projector", "user.deleted", fail)
        for event in failing:
            await producer.publish(event, durable=True)

        async def dead_letters_are(count: int) -> bool:
            return await producer.dead_letter_count() == count

        await eventually(lambda: dead_letters_are(3))
        # Not an event at all: replay leaves it, purge removes it.
        await producer._js.publish(
            f"{prefix}.dead_letter", b"garbage", stream=f"{nats_stream}_DEAD_LETTERS"
        )
        await subscription.stop()
        await producer.close()

    asyncio.run(dead_letter_three())
    shown = operator.ok("dead-letters", "show", "--limit", "2")
    assert "Dead letters: 4" in shown
    assert shown.count("consumer=projector deliveries=1 error=RuntimeError") == 2
    assert failing[0].id in shown and failing[2].id not in shown

    assert "Replayed 3 dead letters; 1 left" in operator.ok("dead-letters", "replay")

    async def handled_again() -> set[str]:
        consumer = await bus()
        seen: set[str] = set()

        async def record(event: Event) -> None:
            seen.add(event.id)

        subscription = await consumer.consume("projector", "user.deleted", record)
        await eventually(lambda: len(seen) == 3)
        await subscription.stop()
        await consumer.close()
        return seen

    assert asyncio.run(handled_again()) == {e.id for e in failing}
    assert "Dead letters: 1" in operator.ok("dead-letters", "show")
    refused = operator("dead-letters", "purge", input="n\n")
    assert refused.exit_code == 1 and "Dead letters: 1" in operator.ok("dead-letters", "show")
    assert "Purged 1 dead letters" in operator.ok("dead-letters", "purge", "--yes")
    assert "Dead letters: 0" in operator.ok("dead-letters", "show")
