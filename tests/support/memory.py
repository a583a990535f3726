"""What use-case tests start from: rows committed to an in-memory database."""

from datetime import UTC, datetime
from uuid import uuid4

from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from ports.content import Speech, Tag
from ports.identity import User
from tests.contract.test_repositories import make_user

NOW = datetime(2025, 12, 10, 10, tzinfo=UTC)


def learner(name: str = "Ana") -> User:
    return make_user(f"{name.lower()}-{uuid4().hex[:8]}@example.com", name=name)


async def given(database: InMemoryDatabase, *rows: User | Tag | Speech) -> None:
    async with InMemoryUnitOfWork(database) as uow:
        for row in rows:
            if isinstance(row, User):
                await uow.users.add(row)
            elif isinstance(row, Tag):
                await uow.tags.add(row)
            else:
                await uow.speeches.add(row)
        await uow.commit()
