"""Ports of the classes context: a teacher's classes and the learners invited to them."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class Classroom:
    id: UUID
    teacher_id: UUID
    name: str
    created_at: datetime


@dataclass(frozen=True)
class ClassMember:
    """A learner invited to a class by email, a member once they join."""

    class_id: UUID
    email: str
    """Normalized (domain.identity.rules.normalize_email)."""
    invited_at: datetime
    user_id: UUID | None
    """The account that joined; None while the invitation is open."""
    joined_at: datetime | None


class ClassroomRepository(Protocol):
    async def add(self, classroom: Classroom) -> None: ...

    async def get(self, class_id: UUID) -> Classroom | None: ...

    async def list_page(
        self,
        offset: int,
        limit: int,
        teacher_id: UUID | None = None,
        member_id: UUID | None = None,
    ) -> tuple[list[Classroom], int]:
        """One page of classes, newest first (id breaks ties), and how many there are: those
        `teacher_id` teaches, those `member_id` has joined, or every class when both are
        None."""


class ClassMemberRepository(Protocol):
    async def add(self, member: ClassMember) -> None:
        """Conflict when that email is invited to that class already."""

    async def get(self, class_id: UUID, email: str) -> ClassMember | None: ...

    async def save(self, member: ClassMember) -> None:
        """Replaces the member of that class and email."""

    async def list_for_class(self, class_id: UUID) -> list[ClassMember]:
        """In the order they were invited; the email breaks ties."""

    async def teaches(self, teacher_id: UUID, learner_id: UUID) -> bool:
        """Whether the learner has joined a class that teacher teaches."""
