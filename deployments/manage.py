"""The operator CLI: `python -m deployments.manage COMMAND` (or `parla-admin COMMAND`).

Each command builds the product with bootstrap() from the same settings as the application
(environment and .env), calls a use case or an adapter's operator method, prints what it did
and exits 1 with `error: ...` when it could not."""

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Annotated

import typer
from alembic.util import CommandError
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from adapters.nats.event_bus import NatsEventBus
from adapters.speech.espeak import EspeakSynthesizer
from adapters.sql.migrate import downgrade_to, upgrade_to_head
from deployments.demo.catalog import load_demo_catalog
from deployments.demo.courses import load_demo_courses
from deployments.settings import Settings
from deployments.wiring import Container, bootstrap
from domain.errors import DomainError
from domain.identity.authentication import Register, create_account
from domain.identity.roles import end_all_sessions, grant_role, revoke_role
from ports.identity import Role

# Read from the environment only, so that the password never sits in the shell's history.
ADMIN_PASSWORD_VARIABLE = "PARLA_ADMIN_PASSWORD"

app = typer.Typer(
    name="parla-admin",
    help="Operate Parla: schema, accounts, demo content, events.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
dead_letters = typer.Typer(
    help="Events that a durable consumer gave up on (NATS only).", no_args_is_help=True
)
app.add_typer(dead_letters, name="dead-letters")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        raise _fail(f"invalid settings: {error}") from None


def _run(work: Callable[[Container], Awaitable[str]]) -> None:
    """Runs `work` on a container built from the settings, prints its result, and turns the
    errors an operator can act on into a message and exit status 1."""
    container = bootstrap(_settings())

    async def run() -> str:
        try:
            return await work(container)
        finally:
            await container.aclose()

    try:
        typer.echo(asyncio.run(run()))
    except DomainError as error:
        raise _fail(error.message) from None
    except DBAPIError as error:
        raise _fail(f"the database refused: {error.orig} (is it migrated? run migrate)") from None


def _on_nats(work: Callable[[NatsEventBus], Awaitable[str]]) -> None:
    async def with_bus(container: Container) -> str:
        bus = await container.connect_nats()
        try:
            return await work(bus)
        finally:
            await bus.close()

    _run(with_bus)


@app.command()
def migrate() -> None:
    """Upgrade the database schema to the newest revision."""
    url = _settings().resolved_database_url
    try:
        asyncio.run(upgrade_to_head(url))
    except CommandError as error:
        raise _fail(str(error)) from None
    typer.echo("The database schema is at the newest revision")


@app.command()
def downgrade(
    revision: Annotated[str, typer.Argument(help='a revision id, or "base" for no schema')],
) -> None:
    """Revert the database schema to REVISION (its data in later tables is lost)."""
    url = _settings().resolved_database_url
    try:
        asyncio.run(downgrade_to(url, revision))
    except CommandError as error:
        raise _fail(str(error)) from None
    typer.echo(f"The database schema is at {revision}")


@app.command("create-admin")
def create_admin(
    email: str,
    name: Annotated[str, typer.Option(help="the name the account shows")] = "Administrator",
) -> None:
    """Create an admin account. The password comes from PARLA_ADMIN_PASSWORD or a prompt."""
    password = os.environ.get(ADMIN_PASSWORD_VARIABLE) or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )

    async def create(container: Container) -> str:
        cmd = Register(email=email, password=password, name=name)
        user = await create_account(
            cmd, Role.ADMIN, container.unit_of_work(), container.credentials
        )
        return f"Created {user.email}, an admin"

    _run(create)


@app.command("load-demo")
def load_demo(
    catalog: Annotated[bool, typer.Option(help="the speech catalog, with its audio")] = True,
    courses: Annotated[bool, typer.Option(help="the demo courses")] = True,
) -> None:
    """Load the demo content into an empty catalog and course list (content that is there
    already is kept: nothing is added beside it)."""

    async def load(container: Container) -> str:
        lines = []
        if catalog:
            added = await load_demo_catalog(
                container.unit_of_work, container.blobs, EspeakSynthesizer()
            )
            lines.append(
                f"Catalog: {added} speeches added" if added else "Catalog: not empty, kept"
            )
        if courses:
            added = await load_demo_courses(container.unit_of_work)
            lines.append(f"Courses: {added} added" if added else "Courses: not empty, kept")
        return "\n".join(lines) or "Nothing to load"

    _run(load)


@app.command("grant-role")
def grant(email: str, role: Role) -> None:
    """Give an account a role (it applies from its next login or token refresh)."""

    async def apply(container: Container) -> str:
        user = await grant_role(email, role, container.unit_of_work())
        return f"{user.email} is now {user.role}; it applies from the next login or token refresh"

    _run(apply)


@app.command("revoke-role")
def revoke(email: str, role: Role) -> None:
    """Take a teacher's or admin's role back: the account is a student again."""

    async def apply(container: Container) -> str:
        user = await revoke_role(email, role, container.unit_of_work())
        return f"{user.email} is now {user.role}; it applies from the next login or token refresh"

    _run(apply)


@app.command("end-sessions")
def end_sessions(email: str) -> None:
    """Log an account out everywhere: every login session ends and its tokens stop working."""

    async def end(container: Container) -> str:
        ended = await end_all_sessions(email, container.unit_of_work(), container.credentials)
        message = f"Ended {ended} login sessions of {email}"
        if not container.settings.redis_url:
            # Without Redis each server process keeps its revocations in its own memory.
            minutes = container.settings.access_token_expire_minutes
            message += (
                "; REDIS_URL is not set, so access tokens already issued keep working in"
                f" running servers until they expire (at most {minutes} minutes)"
            )
        return message

    _run(end)


@app.command()
def outbox() -> None:
    """Show the outbox backlog: committed events not yet published on the event bus."""

    async def show(container: Container) -> str:
        backlog = await container.relay.backlog()
        if not backlog.count:
            return "Outbox: no event waiting"
        assert backlog.oldest is not None
        oldest = f"{backlog.oldest:%Y-%m-%d %H:%M:%S}"
        return f"Outbox: {backlog.count} events waiting, the oldest from {oldest}"

    _run(show)


@dead_letters.command("show")
def show_dead_letters(
    limit: Annotated[int, typer.Option(min=0, max=100, help="how many to list")] = 5,
) -> None:
    """How many dead letters there are, and the oldest few."""

    async def show(bus: NatsEventBus) -> str:
        count = await bus.dead_letter_count()
        lines = [f"Dead letters: {count}"]
        for letter in await bus.dead_letters(limit):
            lines.append(
                f"#{letter.sequence} consumer={letter.consumer} "
                f"deliveries={letter.deliveries} error={letter.error}"
            )
            lines.append(f"  {letter.data.decode(errors='replace')[:500]}")
        return "\n".join(lines)

    _on_nats(show)


@dead_letters.command("replay")
def replay_dead_letters() -> None:
    """Publish every dead-lettered event again to its consumers and remove it from the
    dead letters."""

    async def replay(bus: NatsEventBus) -> str:
        replayed = await bus.replay_dead_letters()
        left = await bus.dead_letter_count()
        return f"Replayed {replayed} dead letters; {left} left (not events: purge them)"

    _on_nats(replay)


@dead_letters.command("purge")
def purge_dead_letters(
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
) -> None:
    """Delete every dead letter."""
    if not yes:
        typer.confirm("Delete every dead letter?", abort=True)

    async def purge(bus: NatsEventBus) -> str:
        return f"Purged {await bus.purge_dead_letters()} dead letters"

    _on_nats(purge)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
