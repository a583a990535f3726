"""The admin panel at /admin (SQLAdmin, 004's choice): speeches, tags, users and game sessions
as tables to browse and edit. It signs in with an admin account's email and password (the
same login as the API's, so the same account and role), and every edit it saves is recorded
in the audit log in the edit's own transaction.

The panel edits rows directly, as SQLAdmin does; the database's constraints (unique names,
levels and types, foreign keys) still hold, the API's finer checks do not run."""

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

from fastapi import FastAPI
from sqladmin import Admin, ModelView
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session
from starlette.requests import Request

from adapters.sql.tables import AuditEntryRow, Base, GameSessionRow, SpeechRow, TagRow, UserRow
from domain.errors import DomainError
from domain.identity.authentication import Credentials, LogIn, authenticate, log_in, log_out
from ports.identity import Role
from ports.unit_of_work import IdentityUnitOfWork

PATH = "/admin"
# The admin whose request is being served: set when the panel checks the session, read when
# the panel's session flushes an edit.
_actor: ContextVar[UUID | None] = ContextVar("panel_actor", default=None)
# What the audit log calls each table's rows (the API's names for them).
_ENTITIES: dict[type[Base], str] = {
    SpeechRow: "speech",
    TagRow: "tag",
    UserRow: "user",
    GameSessionRow: "game_session",
}
# Never copied into the audit log.
_SECRET_COLUMNS = {"password_hash"}


class PanelSession(Session):
    """The panel's sessions: a flush of an edit also adds its audit entries."""


def _json(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _columns(row: Base, version: Callable[[Any], Any] = lambda history: None) -> dict[str, Any]:
    state = inspect(row)
    values = {}
    for attr in state.mapper.column_attrs:
        if attr.key in _SECRET_COLUMNS:
            continue
        value = getattr(row, attr.key)
        old = version(state.attrs[attr.key].history)
        values[attr.key] = _json(old[0] if old else value)
    return values


def _before(history: Any) -> Any:
    # The committed value of a changed column; unchanged ones keep theirs.
    return history.deleted or None


@event.listens_for(PanelSession, "before_flush")
def _audit_edits(session: Session, flush_context: Any, instances: Any) -> None:
    actor = _actor.get()
    now = datetime.now(UTC)
    entries = []
    for rows, action in (
        (session.new, "create"),
        (session.dirty, "update"),
        (session.deleted, "delete"),
    ):
        for row in list(rows):
            entity = _ENTITIES.get(type(row))
            if entity is None or (action == "update" and not session.is_modified(row)):
                continue
            if actor is None:  # only a signed-in admin's request reaches a flush
                raise RuntimeError("a panel edit without an admin")
            before = None if action == "create" else _columns(row, _before)
            after = None if action == "delete" else _columns(row)
            entries.append(
                AuditEntryRow(
                    id=uuid4(),
                    actor_id=actor,
                    action=action,
                    entity=entity,
                    entity_id=row.id,
                    before=before,
                    after=after,
                    at=now,  # type: ignore[attr-defined]
                )
            )
    session.add_all(entries)


class _PanelLogin(AuthenticationBackend):
    """An admin account's email and password; the panel keeps the account's tokens in its
    signed session cookie and checks them on every request, as the API checks them."""

    def __init__(
        self,
        secret_key: str,
        credentials: Credentials,
        unit_of_work: Callable[[], IdentityUnitOfWork],
    ) -> None:
        super().__init__(secret_key, same_site="strict", max_age=8 * 3600)
        self._credentials = credentials
        self._unit_of_work = unit_of_work

    async def login(self, request: Request) -> bool:
        form = await request.form()
        try:
            signed_in = await log_in(
                LogIn(str(form.get("username", "")), str(form.get("password", ""))),
                self._unit_of_work(),
                self._credentials,
            )
        except DomainError:
            return False
        if signed_in.user.role is not Role.ADMIN:
            return False
        request.session.update({"access_token": signed_in.access_token})
        return True

    async def logout(self, request: Request) -> bool:
        token = request.session.pop("access_token", None)
        if token:
            try:
                claims = await authenticate(token, self._credentials)
                await log_out(claims, self._unit_of_work(), self._credentials)
            except DomainError:
                pass  # already ended
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool:
        token = request.session.get("access_token")
        if not token:
            return False
        try:
            claims = await authenticate(token, self._credentials)
        except DomainError:  # expired or ended: sign in again
            request.session.clear()
            return False
        if claims.role is not Role.ADMIN:
            return False
        _actor.set(claims.user_id)
        request.session["user_id"] = str(claims.user_id)
        return True


def _stamped(row: Any, is_created: bool, *, updated: bool) -> None:
    """Ids and times the forms leave out, as the API sets them."""
    now = datetime.now(UTC)
    if is_created:
        row.id = uuid4()
        row.created_at = now
    if updated:
        row.updated_at = now


class _CatalogueView(ModelView):
    """A view of catalogue rows: once an edit is committed, the catalogue's cached reads are
    stale (`mount_admin_panel`'s `on_catalogue_change`), as after the API's writes."""

    async def after_model_change(
        self, data: dict, model: Any, is_created: bool, request: Request
    ) -> None:
        await request.app.state.on_catalogue_change()

    async def after_model_delete(self, model: Any, request: Request) -> None:
        await request.app.state.on_catalogue_change()


class SpeechAdmin(_CatalogueView, model=SpeechRow):
    name, name_plural, icon = "Speech", "Speeches", "fa-solid fa-comment"
    column_list = [
        SpeechRow.text,
        SpeechRow.level,
        SpeechRow.type,
        SpeechRow.audio_key,
        SpeechRow.created_at,
    ]
    column_searchable_list = [SpeechRow.text]
    column_sortable_list = [SpeechRow.level, SpeechRow.type, SpeechRow.created_at]
    form_excluded_columns = [SpeechRow.id, SpeechRow.created_at, SpeechRow.updated_at]

    async def on_model_change(
        self, data: dict, model: Any, is_created: bool, request: Request
    ) -> None:
        _stamped(model, is_created, updated=True)


class TagAdmin(_CatalogueView, model=TagRow):
    name, name_plural, icon = "Tag", "Tags", "fa-solid fa-tag"
    column_list = [TagRow.name, TagRow.category, TagRow.created_at]
    column_searchable_list = [TagRow.name]
    column_sortable_list = [TagRow.name, TagRow.category]
    form_excluded_columns = [TagRow.id, TagRow.created_at]

    async def on_model_change(
        self, data: dict, model: Any, is_created: bool, request: Request
    ) -> None:
        _stamped(model, is_created, updated=False)


class UserAdmin(ModelView, model=UserRow):
    """Accounts are created by sign-up and deleted by their owner; the panel changes names
    and roles."""

    name, name_plural, icon = "User", "Users", "fa-solid fa-user"
    can_create = can_delete = False
    column_list = [
        UserRow.email,
        UserRow.name,
        UserRow.role,
        UserRow.auth_provider,
        UserRow.created_at,
    ]
    column_details_exclude_list = column_export_exclude_list = [UserRow.password_hash]
    column_searchable_list = [UserRow.email, UserRow.name]
    form_columns = [UserRow.name, UserRow.role]

    async def on_model_change(
        self, data: dict, model: Any, is_created: bool, request: Request
    ) -> None:
        _stamped(model, is_created, updated=True)


class GameSessionAdmin(ModelView, model=GameSessionRow):
    """Learners' history: read only."""

    name, name_plural, icon = "Game session", "Game sessions", "fa-solid fa-gamepad"
    can_create = can_edit = can_delete = False
    column_list = [
        GameSessionRow.user_id,
        GameSessionRow.mode,
        GameSessionRow.level,
        GameSessionRow.total_sentences,
        GameSessionRow.correct_count,
        GameSessionRow.completed_at,
    ]
    column_sortable_list = [GameSessionRow.completed_at]


def mount_admin_panel(
    app: FastAPI,
    engine: AsyncEngine,
    secret_key: str,
    credentials: Credentials,
    unit_of_work: Callable[[], IdentityUnitOfWork],
    on_catalogue_change: Callable[[], Awaitable[None]],
) -> None:
    """The panel at /admin (beside the API's /api/v1/admin routes, which it does not touch).
    `on_catalogue_change` is awaited after each committed edit of a speech or a tag."""
    sessions = async_sessionmaker(engine, class_=AsyncSession, sync_session_class=PanelSession)
    admin = Admin(
        app,
        session_maker=sessions,
        base_url=PATH,
        title="Parla admin",
        authentication_backend=_PanelLogin(secret_key, credentials, unit_of_work),
    )
    admin.admin.state.on_catalogue_change = on_catalogue_change
    for view in (SpeechAdmin, TagAdmin, UserAdmin, GameSessionAdmin):
        # Pages named as the API names the entity (/admin/tag/list), not after the table's row.
        view.identity = _ENTITIES[view.model].replace("_", "-")
        admin.add_view(view)
