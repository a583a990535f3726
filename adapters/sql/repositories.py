"""Repositories over one AsyncSession; they trade the ports' dataclasses, never ORM rows."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.tables import (
    Base,
    GameResultRow,
    GameSessionRow,
    LoginSessionRow,
    SpeechRow,
    SpeechTagRow,
    TagRow,
    UserRow,
)
from domain.errors import Conflict, NotFound
from ports.cefr import CefrLevel
from ports.content import Speech, SpeechType, Tag
from ports.identity import AuthProvider, LoginSession, Role, User
from ports.practice import GameMode, GameResult, GameSession, GameSessionFilter, UserResponse

_SQLITE_UNIQUE_ERRORS = {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}


def _is_unique_violation(error: IntegrityError) -> bool:
    # asyncpg reports the SQLSTATE, sqlite3 the extended result code.
    driver_error = error.orig
    return (
        getattr(driver_error, "sqlstate", None) == "23505"
        or getattr(driver_error, "sqlite_errorname", None) in _SQLITE_UNIQUE_ERRORS
    )


async def _insert(
    session: AsyncSession, what: str, row: Base, dependents: Sequence[Base] = ()
) -> None:
    """Inserts `row`, then the rows that refer to it, in a savepoint: a unique violation
    undoes only this insert, becomes Conflict, and leaves the unit of work usable."""
    try:
        async with session.begin_nested():
            session.add(row)
            # Without relationship()s the flush would not know to insert `row` first.
            await session.flush()
            session.add_all(dependents)
    except IntegrityError as error:
        if _is_unique_violation(error):
            raise Conflict(f"{what} already exists") from error
        raise


async def _update(session: AsyncSession, what: str, statement: Any) -> None:
    """Runs an UPDATE of one row by id in a savepoint; NotFound when the row is gone."""
    try:
        async with session.begin_nested():
            result = await session.execute(statement)
    except IntegrityError as error:
        if _is_unique_violation(error):
            raise Conflict(f"{what} conflicts with an existing one") from error
        raise
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(f"{what} not found")


# --- identity ---------------------------------------------------------------------------


def _user_values(user: User) -> dict[str, Any]:
    return {
        "email": user.email.lower(),
        "name": user.name,
        "avatar_url": user.avatar_url,
        "auth_provider": AuthProvider(user.auth_provider).value,
        "auth_provider_id": user.auth_provider_id,
        "password_hash": user.password_hash,
        "role": Role(user.role).value,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


def _user(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        avatar_url=row.avatar_url,
        auth_provider=AuthProvider(row.auth_provider),
        auth_provider_id=row.auth_provider_id,
        password_hash=row.password_hash,
        role=Role(row.role),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user: User) -> None:
        await _insert(self._session, "user", UserRow(id=user.id, **_user_values(user)))

    async def get(self, user_id: UUID) -> User | None:
        return await self._one(UserRow.id == user_id)

    async def get_by_email(self, email: str) -> User | None:
        return await self._one(UserRow.email == email.lower())

    async def get_by_provider(self, provider: AuthProvider, subject: str) -> User | None:
        return await self._one(
            UserRow.auth_provider == AuthProvider(provider).value,
            UserRow.auth_provider_id == subject,
        )

    async def save(self, user: User) -> None:
        statement = update(UserRow).where(UserRow.id == user.id).values(**_user_values(user))
        await _update(self._session, "user", statement)

    async def delete(self, user_id: UUID) -> None:
        # Login sessions, game sessions and their results go by ON DELETE CASCADE.
        await self._session.execute(delete(UserRow).where(UserRow.id == user_id))

    async def _one(self, *conditions: Any) -> User | None:
        row = await self._session.scalar(select(UserRow).where(*conditions))
        return _user(row) if row else None


def _login_session(row: LoginSessionRow) -> LoginSession:
    return LoginSession(
        id=row.id,
        user_id=row.user_id,
        refresh_token_id=row.refresh_token_id,
        expires_at=row.expires_at,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class SqlLoginSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, session: LoginSession) -> None:
        row = LoginSessionRow(
            id=session.id,
            user_id=session.user_id,
            refresh_token_id=session.refresh_token_id,
            expires_at=session.expires_at,
            created_at=session.created_at,
            revoked_at=session.revoked_at,
        )
        await _insert(self._session, "login session", row)

    async def get(self, session_id: UUID) -> LoginSession | None:
        row = await self._session.scalar(
            select(LoginSessionRow).where(LoginSessionRow.id == session_id)
        )
        return _login_session(row) if row else None

    async def save(self, session: LoginSession) -> None:
        # user_id and created_at never change for a login session.
        statement = (
            update(LoginSessionRow)
            .where(LoginSessionRow.id == session.id)
            .values(
                refresh_token_id=session.refresh_token_id,
                expires_at=session.expires_at,
                revoked_at=session.revoked_at,
            )
        )
        await _update(self._session, "login session", statement)


# --- content ----------------------------------------------------------------------------


def _tag(row: TagRow) -> Tag:
    return Tag(id=row.id, name=row.name, category=row.category, created_at=row.created_at)


# Portable "by category, then name" (PostgreSQL and SQLite disagree on where NULLs sort).
_TAG_ORDER = (TagRow.category.asc().nulls_last(), TagRow.name)


class SqlTagRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, tag: Tag) -> None:
        row = TagRow(id=tag.id, name=tag.name, category=tag.category, created_at=tag.created_at)
        await _insert(self._session, "tag", row)

    async def list_all(self) -> list[Tag]:
        return await self._list()

    async def get_many(self, tag_ids: list[UUID]) -> list[Tag]:
        return await self._list(TagRow.id.in_(tag_ids)) if tag_ids else []

    async def get_by_names(self, names: list[str]) -> list[Tag]:
        return await self._list(TagRow.name.in_(names)) if names else []

    async def get(self, tag_id: UUID) -> Tag | None:
        row = await self._session.get(TagRow, tag_id)
        return _tag(row) if row is not None else None

    async def save(self, tag: Tag) -> None:
        statement = (
            update(TagRow).where(TagRow.id == tag.id).values(name=tag.name, category=tag.category)
        )
        await _update(self._session, "tag", statement)

    async def delete(self, tag_id: UUID) -> None:
        await self._session.execute(delete(TagRow).where(TagRow.id == tag_id))

    async def speech_counts(self) -> dict[UUID, int]:
        rows = await self._session.execute(
            select(SpeechTagRow.tag_id, func.count()).group_by(SpeechTagRow.tag_id)
        )
        return {tag_id: count for tag_id, count in rows.tuples()}

    async def _list(self, *conditions: Any) -> list[Tag]:
        rows = await self._session.scalars(select(TagRow).where(*conditions).order_by(*_TAG_ORDER))
        return [_tag(row) for row in rows]


def _speech(row: SpeechRow, tags: list[Tag]) -> Speech:
    return Speech(
        id=row.id,
        text=row.text,
        level=CefrLevel(row.level),
        type=SpeechType(row.type),
        audio_key=row.audio_key,
        created_at=row.created_at,
        updated_at=row.updated_at,
        tags=tags,
    )


class SqlSpeechRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, speech: Speech) -> None:
        row = SpeechRow(
            id=speech.id,
            text=speech.text,
            level=CefrLevel(speech.level).value,
            type=SpeechType(speech.type).value,
            audio_key=speech.audio_key,
            created_at=speech.created_at,
            updated_at=speech.updated_at,
        )
        links = [
            SpeechTagRow(speech_id=speech.id, tag_id=tag_id)
            for tag_id in dict.fromkeys(tag.id for tag in speech.tags)
        ]
        await _insert(self._session, "speech", row, links)

    async def pick_random(
        self, level: CefrLevel, type: SpeechType, tag_ids: list[UUID], limit: int
    ) -> list[Speech]:
        if not tag_ids or limit <= 0:
            return []
        tagged = (
            select(literal_column("1"))
            .where(SpeechTagRow.speech_id == SpeechRow.id, SpeechTagRow.tag_id.in_(tag_ids))
            .exists()
        )
        statement = (
            select(SpeechRow)
            .where(
                SpeechRow.level == CefrLevel(level).value,
                SpeechRow.type == SpeechType(type).value,
                tagged,
            )
            .order_by(func.random())
            .limit(limit)
        )
        return await self._with_tags(list(await self._session.scalars(statement)))

    async def get_many(self, speech_ids: list[UUID]) -> list[Speech]:
        if not speech_ids:
            return []
        rows = await self._session.scalars(select(SpeechRow).where(SpeechRow.id.in_(speech_ids)))
        return await self._with_tags(list(rows))

    async def count(self) -> int:
        return await self._session.scalar(select(func.count()).select_from(SpeechRow)) or 0

    async def _with_tags(self, rows: list[SpeechRow]) -> list[Speech]:
        """The speeches of `rows`, in that order, with their tags loaded by one query."""
        if not rows:
            return []
        statement = (
            select(SpeechTagRow.speech_id, TagRow)
            .join(TagRow, TagRow.id == SpeechTagRow.tag_id)
            .where(SpeechTagRow.speech_id.in_([row.id for row in rows]))
            .order_by(*_TAG_ORDER)
        )
        tags: defaultdict[UUID, list[Tag]] = defaultdict(list)
        for speech_id, tag_row in await self._session.execute(statement):
            tags[speech_id].append(_tag(tag_row))
        return [_speech(row, tags[row.id]) for row in rows]


# --- practice ---------------------------------------------------------------------------


def _game_session(row: GameSessionRow, results: list[GameResult]) -> GameSession:
    return GameSession(
        id=row.id,
        user_id=row.user_id,
        mode=GameMode(row.mode),
        level=CefrLevel(row.level),
        sentence_type=SpeechType(row.sentence_type),
        selected_tags=[UUID(tag_id) for tag_id in row.selected_tags],
        total_sentences=row.total_sentences,
        correct_count=row.correct_count,
        max_streak=row.max_streak,
        avg_pronunciation_score=row.avg_pronunciation_score,
        duration_seconds=row.duration_seconds,
        started_at=row.started_at,
        completed_at=row.completed_at,
        results=results,
    )


def _game_result(row: GameResultRow) -> GameResult:
    return GameResult(
        id=row.id,
        # None once an admin has deleted the speech (ON DELETE SET NULL keeps the history).
        speech_id=row.speech_id,  # type: ignore[arg-type]
        sequence_number=row.sequence_number,
        user_response=UserResponse(row.user_response),
        pronunciation_score=row.pronunciation_score,
        recognized_text=row.recognized_text,
        response_time_ms=row.response_time_ms,
        created_at=row.created_at,
    )


class SqlGameSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, session: GameSession) -> None:
        row = GameSessionRow(
            id=session.id,
            user_id=session.user_id,
            mode=GameMode(session.mode).value,
            level=CefrLevel(session.level).value,
            sentence_type=SpeechType(session.sentence_type).value,
            selected_tags=[str(tag_id) for tag_id in session.selected_tags],
            total_sentences=session.total_sentences,
            correct_count=session.correct_count,
            max_streak=session.max_streak,
            avg_pronunciation_score=session.avg_pronunciation_score,
            duration_seconds=session.duration_seconds,
            started_at=session.started_at,
            completed_at=session.completed_at,
        )
        results = [
            GameResultRow(
                id=result.id,
                session_id=session.id,
                speech_id=result.speech_id,
                sequence_number=result.sequence_number,
                user_response=UserResponse(result.user_response).value,
                pronunciation_score=result.pronunciation_score,
                recognized_text=result.recognized_text,
                response_time_ms=result.response_time_ms,
                created_at=result.created_at,
            )
            for result in session.results
        ]
        await _insert(self._session, "game session", row, results)

    async def get(self, session_id: UUID) -> GameSession | None:
        row = await self._session.scalar(
            select(GameSessionRow).where(GameSessionRow.id == session_id)
        )
        if row is None:
            return None
        results = await self._session.scalars(
            select(GameResultRow)
            .where(GameResultRow.session_id == session_id)
            .order_by(GameResultRow.sequence_number)
        )
        return _game_session(row, [_game_result(result) for result in results])

    async def list_for_user(
        self, user_id: UUID, filter: GameSessionFilter, offset: int, limit: int
    ) -> tuple[list[GameSession], int]:
        conditions: list[Any] = [GameSessionRow.user_id == user_id]
        if filter.mode is not None:
            conditions.append(GameSessionRow.mode == GameMode(filter.mode).value)
        if filter.level is not None:
            conditions.append(GameSessionRow.level == CefrLevel(filter.level).value)
        # Both bounds are inclusive.
        if filter.completed_from is not None:
            conditions.append(GameSessionRow.completed_at >= filter.completed_from)
        if filter.completed_to is not None:
            conditions.append(GameSessionRow.completed_at <= filter.completed_to)
        total = await self._session.scalar(
            select(func.count()).select_from(GameSessionRow).where(*conditions)
        )
        rows = await self._session.scalars(
            select(GameSessionRow)
            .where(*conditions)
            # id breaks ties so that pages never overlap.
            .order_by(GameSessionRow.completed_at.desc(), GameSessionRow.id.desc())
            .offset(max(offset, 0))
            .limit(max(limit, 0))
        )
        return [_game_session(row, []) for row in rows], total or 0
