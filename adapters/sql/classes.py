"""Repositories of the classes context over one AsyncSession."""

from typing import Any
from uuid import UUID

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.rows import from_row, to_row
from adapters.sql.statements import insert_row
from adapters.sql.tables import ClassMemberRow, ClassroomRow
from ports.classes import ClassMember, Classroom


class SqlClassroomRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, classroom: Classroom) -> None:
        await insert_row(self._session, "class", to_row(ClassroomRow, classroom))

    async def get(self, class_id: UUID) -> Classroom | None:
        row = await self._session.get(ClassroomRow, class_id, populate_existing=True)
        return None if row is None else from_row(Classroom, row)

    async def list_page(
        self,
        offset: int,
        limit: int,
        teacher_id: UUID | None = None,
        member_id: UUID | None = None,
    ) -> tuple[list[Classroom], int]:
        conditions: list[Any] = []
        if teacher_id is not None:
            conditions.append(ClassroomRow.teacher_id == teacher_id)
        if member_id is not None:
            conditions.append(
                exists().where(
                    ClassMemberRow.class_id == ClassroomRow.id,
                    ClassMemberRow.user_id == member_id,
                )
            )
        total = await self._session.scalar(
            select(func.count()).select_from(ClassroomRow).where(*conditions)
        )
        rows = await self._session.scalars(
            select(ClassroomRow)
            .where(*conditions)
            .order_by(ClassroomRow.created_at.desc(), ClassroomRow.id.desc())
            .offset(max(offset, 0))
            .limit(max(limit, 0))
        )
        return [from_row(Classroom, row) for row in rows], total or 0


class SqlClassMemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, member: ClassMember) -> None:
        await insert_row(self._session, "invitation", to_row(ClassMemberRow, member))

    async def get(self, class_id: UUID, email: str) -> ClassMember | None:
        row = await self._session.get(ClassMemberRow, (class_id, email), populate_existing=True)
        return None if row is None else from_row(ClassMember, row)

    async def save(self, member: ClassMember) -> None:
        await self._session.execute(
            update(ClassMemberRow)
            .where(ClassMemberRow.class_id == member.class_id, ClassMemberRow.email == member.email)
            .values(user_id=member.user_id, joined_at=member.joined_at)
            .execution_options(synchronize_session=False)
        )

    async def list_for_class(self, class_id: UUID) -> list[ClassMember]:
        rows = await self._session.scalars(
            select(ClassMemberRow)
            .where(ClassMemberRow.class_id == class_id)
            .order_by(ClassMemberRow.invited_at, ClassMemberRow.email)
            .execution_options(populate_existing=True)
        )
        return [from_row(ClassMember, row) for row in rows]

    async def teaches(self, teacher_id: UUID, learner_id: UUID) -> bool:
        found = await self._session.scalar(
            select(ClassMemberRow.class_id)
            .join(ClassroomRow, ClassroomRow.id == ClassMemberRow.class_id)
            .where(ClassroomRow.teacher_id == teacher_id, ClassMemberRow.user_id == learner_id)
            .limit(1)
        )
        return found is not None
