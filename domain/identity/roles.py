"""Operators' tasks on accounts: granting and revoking roles (a role reaches tokens at the
next login or refresh) and ending every login session of an account."""

from datetime import UTC, datetime

from domain.errors import InvalidInput, NotFound
from domain.identity.authentication import Credentials
from domain.identity.rules import normalize_email
from ports.identity import Role, User
from ports.unit_of_work import IdentityUnitOfWork


async def _set_role(
    email: str, role: Role, uow: IdentityUnitOfWork, *, unless: Role | None
) -> User:
    async with uow:
        user = await uow.users.get_by_email(normalize_email(email))
        if user is None:
            raise NotFound(f"No account with the email {email}")
        if unless is not None and user.role != unless:
            raise InvalidInput(f"{user.email} is {user.role}, not {unless}", {"field": "role"})
        user.role = role
        user.updated_at = datetime.now(UTC)
        await uow.users.save(user)
        await uow.commit()
    return user


async def grant_role(email: str, role: Role, uow: IdentityUnitOfWork) -> User:
    return await _set_role(email, role, uow, unless=None)


async def revoke_role(email: str, role: Role, uow: IdentityUnitOfWork) -> User:
    """Takes `role` back: the account becomes a student again. InvalidInput when it does not
    hold that role (a student's role cannot be revoked)."""
    if role == Role.STUDENT:
        raise InvalidInput("Every account is at least a student", {"field": "role"})
    return await _set_role(email, Role.STUDENT, uow, unless=role)


async def end_all_sessions(email: str, uow: IdentityUnitOfWork, creds: Credentials) -> int:
    """Ends every open login session of the account; their access tokens stop working at
    once (the revocations go to the shared store). Returns how many were ended."""
    now = datetime.now(UTC)
    async with uow:
        user = await uow.users.get_by_email(normalize_email(email))
        if user is None:
            raise NotFound(f"No account with the email {email}")
        ended = await uow.login_sessions.end_all(user.id, now)
        await uow.commit()
    for session_id in ended:
        await creds.revocations.revoke(session_id, now + creds.policy.access_ttl)
    return len(ended)
