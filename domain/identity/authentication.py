"""Use cases that start, renew and end login sessions."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

from domain.errors import Conflict, InvalidInput, NotConfigured, Unauthenticated
from domain.identity.rules import check_password_strength, clean_name, normalize_email
from domain.identity.tokens import (
    TokenPolicy,
    end_session,
    open_session,
    rotate_refresh_token,
    token_pair,
)
from ports.identity import (
    AuthProvider,
    IdentityProvider,
    LoginSession,
    PasswordHasher,
    Role,
    SessionRevocations,
    TokenClaims,
    TokenCodec,
    User,
)
from ports.unit_of_work import IdentityUnitOfWork


@dataclass(frozen=True)
class Credentials:
    """What the identity use cases need to check passwords and mint tokens."""

    hasher: PasswordHasher
    codec: TokenCodec
    revocations: SessionRevocations
    policy: TokenPolicy


@dataclass(frozen=True)
class Authenticated:
    user: User
    access_token: str
    refresh_token: str


@dataclass(frozen=True)
class Register:
    email: str
    password: str
    name: str


@dataclass(frozen=True)
class LogIn:
    email: str
    password: str


@dataclass(frozen=True)
class SocialLogIn:
    provider: AuthProvider
    token: str
    name: str | None = None


async def _start_session(uow: IdentityUnitOfWork, user: User, creds: Credentials) -> Authenticated:
    now = datetime.now(UTC)
    session = open_session(user, creds.policy, now)
    await uow.login_sessions.add(session)
    pair = token_pair(user, session, creds.policy, now)
    return Authenticated(user, creds.codec.encode(pair.access), creds.codec.encode(pair.refresh))


def _new_account(
    email: str,
    name: str,
    *,
    password_hash: str | None = None,
    avatar_url: str | None = None,
    provider: AuthProvider = AuthProvider.EMAIL,
    provider_id: str | None = None,
    role: Role = Role.STUDENT,
) -> User:
    """A new account signs up as a student; roles are granted later (or by an operator who
    creates the account)."""
    now = datetime.now(UTC)
    return User(
        id=uuid4(),
        email=email,
        name=name,
        avatar_url=avatar_url,
        auth_provider=provider,
        auth_provider_id=provider_id,
        password_hash=password_hash,
        role=role,
        created_at=now,
        updated_at=now,
    )


async def _account_from(cmd: Register, role: Role, creds: Credentials) -> User:
    """The new account, checked and with its password hashed (outside any transaction: it
    takes a core for a while)."""
    email = normalize_email(cmd.email)
    check_password_strength(cmd.password)
    name = clean_name(cmd.name)
    password_hash = await creds.hasher.hash(cmd.password)
    return _new_account(email, name, password_hash=password_hash, role=role)


async def _add_account(uow: IdentityUnitOfWork, user: User) -> None:
    if await uow.users.get_by_email(user.email) is not None:
        raise Conflict("Email already registered", {"field": "email"})
    await uow.users.add(user)


async def register(cmd: Register, uow: IdentityUnitOfWork, creds: Credentials) -> Authenticated:
    user = await _account_from(cmd, Role.STUDENT, creds)
    async with uow:
        await _add_account(uow, user)
        result = await _start_session(uow, user, creds)
        await uow.commit()
    return result


async def create_account(
    cmd: Register, role: Role, uow: IdentityUnitOfWork, creds: Credentials
) -> User:
    """An account made by an operator, with its role and no login session."""
    user = await _account_from(cmd, role, creds)
    async with uow:
        await _add_account(uow, user)
        await uow.commit()
    return user


async def log_in(cmd: LogIn, uow: IdentityUnitOfWork, creds: Credentials) -> Authenticated:
    invalid = Unauthenticated("Invalid email or password")
    try:
        email = normalize_email(cmd.email)
    except InvalidInput:
        raise invalid from None
    async with uow:
        user = await uow.users.get_by_email(email)
    # Verified outside any transaction (it takes tens of milliseconds of CPU), and even without
    # a user, so that response times don't tell which emails exist.
    password_hash = user.password_hash if user is not None else None
    if not await creds.hasher.verify(password_hash, cmd.password) or user is None:
        raise invalid
    async with uow:
        # The account may have been deleted or its password changed meanwhile.
        current = await uow.users.get(user.id)
        if current is None or current.password_hash != password_hash:
            raise invalid
        result = await _start_session(uow, current, creds)
        await uow.commit()
    return result


async def social_log_in(
    cmd: SocialLogIn,
    uow: IdentityUnitOfWork,
    creds: Credentials,
    providers: Mapping[AuthProvider, IdentityProvider],
) -> Authenticated:
    """Finds the account of a verified social identity, linking by verified email or
    creating it on first sign-in."""
    if cmd.provider is AuthProvider.EMAIL:
        raise InvalidInput("Email accounts sign in at /auth/login", {"field": "provider"})
    provider = providers.get(cmd.provider)
    if provider is None:
        raise NotConfigured(
            f"{cmd.provider} sign-in is not configured on this server",
            {"provider": cmd.provider.value},
        )
    identity = await provider.verify(cmd.token)
    async with uow:
        user = await uow.users.get_by_provider(identity.provider, identity.subject)
        if user is None:
            if not identity.email or not identity.email_verified:
                raise InvalidInput(
                    f"{cmd.provider} did not share a verified email address; allow email "
                    "access and try again",
                    {"field": "token"},
                )
            email = normalize_email(identity.email)
            user = await uow.users.get_by_email(email)
            if user is None:
                user = _new_account(
                    email,
                    clean_name(identity.name or cmd.name or email.split("@")[0]),
                    avatar_url=identity.picture_url,
                    provider=identity.provider,
                    provider_id=identity.subject,
                )
                await uow.users.add(user)
        result = await _start_session(uow, user, creds)
        await uow.commit()
    return result


async def refresh(refresh_token: str, uow: IdentityUnitOfWork, creds: Credentials) -> Authenticated:
    """A new access token and the successor of the session's refresh token; the refresh token
    rotates when the client presents that successor (domain.identity.tokens)."""
    claims = creds.codec.decode(refresh_token, "refresh")
    async with uow:
        session = await uow.login_sessions.get(claims.session_id)
        user = await uow.users.get(claims.user_id)
        if session is None or user is None or session.user_id != user.id:
            raise Unauthenticated("Session has ended; log in again")
        now = datetime.now(UTC)
        try:
            successor = rotate_refresh_token(session, claims, now)
        except Unauthenticated:
            if session.revoked_at is not None:
                await uow.login_sessions.save(session)
                await uow.commit()
                await creds.revocations.revoke(session.id, now + creds.policy.access_ttl)
            raise
        await uow.login_sessions.save(session)
        pair = token_pair(user, session, creds.policy, now, successor)
        await uow.commit()
    return Authenticated(user, creds.codec.encode(pair.access), creds.codec.encode(pair.refresh))


async def authenticate(access_token: str, creds: Credentials) -> TokenClaims:
    """The claims of a valid access token whose session has not been ended."""
    claims = creds.codec.decode(access_token, "access")
    if await creds.revocations.is_revoked(claims.session_id):
        raise Unauthenticated("Session has ended; log in again")
    return claims


async def log_out(claims: TokenClaims, uow: IdentityUnitOfWork, creds: Credentials) -> None:
    """Ends the caller's session: its refresh token stops working at once, and so does every
    access token issued for it."""
    async with uow:
        session: LoginSession | None = await uow.login_sessions.get(claims.session_id)
        now = datetime.now(UTC)
        if session is not None:
            end_session(session, now)
            await uow.login_sessions.save(session)
            await uow.commit()
    await creds.revocations.revoke(claims.session_id, now + creds.policy.access_ttl)
