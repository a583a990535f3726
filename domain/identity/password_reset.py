"""Password reset (001): a single-use, expiring token mailed to the account's address, then a
new password that ends every login session. A request answers the same whether or not the
address has an account, so that it tells nobody which addresses do."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from domain.errors import InvalidInput
from domain.identity.authentication import Credentials
from domain.identity.rules import check_password_strength, normalize_email
from ports.identity import PasswordReset
from ports.mail import MailMessage
from ports.unit_of_work import IdentityUnitOfWork

# Long enough to switch to the mail and back, short enough that a forgotten mail in an inbox
# is soon useless to whoever reads it later.
RESET_TTL = timedelta(minutes=30)
# 32 random bytes: no guessing within the token's life, whatever the request rate.
TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 128


@dataclass(frozen=True)
class ResetMail:
    """How the mail reaches the user: the page that takes the token, when the product has
    one (the token is in the mail either way, for an app to take)."""

    link_base: str | None = None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _mail(to: str, token: str, how: ResetMail) -> MailMessage:
    minutes = int(RESET_TTL.total_seconds() // 60)
    lines = [
        "Someone asked to reset the password of your Parla account.",
        "",
        f"Your reset code: {token}",
    ]
    if how.link_base:
        separator = "&" if "?" in how.link_base else "?"
        lines.append(f"Or open: {how.link_base}{separator}token={token}")
    lines += [
        "",
        f"It works once, for {minutes} minutes. If you did not ask, ignore this mail: your "
        "password stays as it is.",
    ]
    return MailMessage(to, "Reset your Parla password", "\n".join(lines))


async def request_password_reset(
    email: str, how: ResetMail, uow: IdentityUnitOfWork, now: datetime | None = None
) -> MailMessage | None:
    """The mail to send, or None when no account with a password has that address (the
    caller answers the same in both cases and sends the mail out of band)."""
    address = normalize_email(email)
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    async with uow:
        user = await uow.users.get_by_email(address)
        # Accounts without a password sign in with their provider: nothing to reset.
        if user is None or user.password_hash is None:
            return None
        reset = PasswordReset(uuid4(), user.id, _token_hash(token), now + RESET_TTL, now)
        await uow.password_resets.add(reset)
        await uow.commit()
    return _mail(user.email, token, how)


def _refused() -> InvalidInput:
    return InvalidInput("This reset code is invalid, used or expired", {"field": "token"})


async def reset_password(
    token: str,
    new_password: str,
    uow: IdentityUnitOfWork,
    creds: Credentials,
    now: datetime | None = None,
) -> None:
    """Sets the new password and ends every login session of the account (their access
    tokens stop working at once). A used, expired or unknown token is InvalidInput and
    writes nothing."""
    check_password_strength(new_password)
    if not 1 <= len(token) <= MAX_TOKEN_CHARS:
        raise _refused()
    now = now or datetime.now(UTC)
    token_hash = _token_hash(token)
    async with uow:
        reset = await uow.password_resets.get_by_token_hash(token_hash)
        if reset is None or reset.used_at is not None or now >= reset.expires_at:
            raise _refused()
    # Hashing takes a core for a while: outside any transaction.
    password_hash = await creds.hasher.hash(new_password)
    async with uow:
        user = await uow.users.get(reset.user_id)
        if user is None or not await uow.password_resets.use(reset, now):
            raise _refused()
        user.password_hash = password_hash
        user.updated_at = now
        await uow.users.save(user)
        ended = await uow.login_sessions.end_all(user.id, now)
        await uow.commit()
    for session_id in ended:
        await creds.revocations.revoke(session_id, now + creds.policy.access_ttl)
