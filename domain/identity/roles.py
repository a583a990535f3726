"""Granting roles (an operator's task; a role reaches tokens at the next login or refresh)."""

from datetime import UTC, datetime

from domain.errors import NotFound
from domain.identity.rules import normalize_email
from ports.identity import Role, User
from ports.unit_of_work import IdentityUnitOfWork


async def grant_role(email: str, role: Role, uow: IdentityUnitOfWork) -> User:
    async with uow:
        user = await uow.users.get_by_email(normalize_email(email))
        if user is None:
            raise NotFound(f"No account with the email {email}")
        user.role = role
        user.updated_at = datetime.now(UTC)
        await uow.users.save(user)
        await uow.commit()
    return user
