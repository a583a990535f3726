"""Repositories of the classes context over the in-memory tables."""

from uuid import UUID

from adapters.memory.tables import Tables, insert, loaded, page, stored
from ports.classes import ClassMember, Classroom


class InMemoryClassroomRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, classroom: Classroom) -> None:
        insert(self._tables.classrooms, classroom.id, classroom, "class")

    async def get(self, class_id: UUID) -> Classroom | None:
        return loaded(self._tables.classrooms.get(class_id))

    async def list_page(
        self,
        offset: int,
        limit: int,
        teacher_id: UUID | None = None,
        member_id: UUID | None = None,
    ) -> tuple[list[Classroom], int]:
        joined = {
            class_id
            for (class_id, _), m in self._tables.class_members.items()
            if m.user_id == member_id
        }
        matching = [
            c
            for c in self._tables.classrooms.values()
            if teacher_id in (None, c.teacher_id) and (member_id is None or c.id in joined)
        ]
        matching.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        return loaded(page(matching, offset, limit)), len(matching)


class InMemoryClassMemberRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, member: ClassMember) -> None:
        insert(self._tables.class_members, (member.class_id, member.email), member, "invitation")

    async def get(self, class_id: UUID, email: str) -> ClassMember | None:
        return loaded(self._tables.class_members.get((class_id, email)))

    async def save(self, member: ClassMember) -> None:
        key = (member.class_id, member.email)
        if key in self._tables.class_members:
            self._tables.class_members[key] = stored(member)

    async def list_for_class(self, class_id: UUID) -> list[ClassMember]:
        members = [m for (owner, _), m in self._tables.class_members.items() if owner == class_id]
        return loaded(sorted(members, key=lambda m: (m.invited_at, m.email)))

    async def teaches(self, teacher_id: UUID, learner_id: UUID) -> bool:
        return any(
            m.user_id == learner_id
            and (c := self._tables.classrooms.get(m.class_id)) is not None
            and c.teacher_id == teacher_id
            for m in self._tables.class_members.values()
        )
