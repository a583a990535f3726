"""Use cases on classes: a teacher creates one and invites learners by email, a learner
joins a class they were invited to; a teacher sees their classes, a learner the classes they
joined, an admin all of them."""

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID, uuid4

from domain.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from domain.identity.rules import normalize_email
from domain.paging import Page, page_offset
from ports.classes import ClassMember, Classroom
from ports.identity import Role
from ports.unit_of_work import ClassesUnitOfWork

MAX_CLASS_NAME_CHARS = 100


@dataclass(frozen=True)
class ClassView:
    classroom: Classroom
    members: list[ClassMember]


def check_class_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= MAX_CLASS_NAME_CHARS:
        raise InvalidInput(
            f"name must be 1 to {MAX_CLASS_NAME_CHARS} characters", {"field": "name"}
        )
    return name


async def create_class(
    teacher_id: UUID, role: Role, name: str, now: datetime, uow: ClassesUnitOfWork
) -> Classroom:
    """Teachers and admins create classes; Forbidden for a student."""
    if role is Role.STUDENT:
        raise Forbidden("Only a teacher creates classes")
    classroom = Classroom(uuid4(), teacher_id, check_class_name(name), now)
    async with uow:
        if await uow.users.get(teacher_id) is None:
            raise Unauthenticated("Account no longer exists")
        await uow.classrooms.add(classroom)
        await uow.commit()
    return classroom


async def _managed(
    uow: ClassesUnitOfWork, viewer_id: UUID, role: Role, class_id: UUID
) -> Classroom:
    """The class, for its teacher or an admin; NotFound for anyone else, who may not know
    that it exists."""
    classroom = await uow.classrooms.get(class_id)
    if classroom is None or (classroom.teacher_id != viewer_id and role is not Role.ADMIN):
        raise NotFound("No such class", {"class_id": str(class_id)})
    return classroom


async def invite_learner(
    viewer_id: UUID, role: Role, class_id: UUID, email: str, now: datetime, uow: ClassesUnitOfWork
) -> ClassMember:
    """The class's teacher or an admin invites an email (an account need not exist yet);
    Conflict when it is invited already."""
    member = ClassMember(class_id, normalize_email(email), now, None, None)
    async with uow:
        await _managed(uow, viewer_id, role, class_id)
        await uow.class_members.add(member)
        await uow.commit()
    return member


async def join_class(
    user_id: UUID, class_id: UUID, now: datetime, uow: ClassesUnitOfWork
) -> ClassMember:
    """The learner joins a class their email was invited to; joining again changes nothing.
    NotFound for a class they were not invited to."""
    async with uow:
        user = await uow.users.get(user_id)
        if user is None:
            raise Unauthenticated("Account no longer exists")
        invited = await uow.class_members.get(class_id, user.email)
        if invited is None:
            raise NotFound("No invitation to this class", {"class_id": str(class_id)})
        if invited.user_id is not None:
            return invited
        joined = replace(invited, user_id=user_id, joined_at=now)
        await uow.class_members.save(joined)
        await uow.commit()
    return joined


async def list_classes(
    viewer_id: UUID, role: Role, page: int, limit: int, uow: ClassesUnitOfWork
) -> Page[Classroom]:
    """An admin's: every class; a teacher's: those they teach; a student's: those joined."""
    offset = page_offset(page, limit)
    async with uow:
        if role is Role.ADMIN:
            items, total = await uow.classrooms.list_page(offset, limit)
        elif role is Role.TEACHER:
            items, total = await uow.classrooms.list_page(offset, limit, teacher_id=viewer_id)
        else:
            items, total = await uow.classrooms.list_page(offset, limit, member_id=viewer_id)
    return Page(items, page, limit, total)


async def get_class(
    viewer_id: UUID, role: Role, class_id: UUID, uow: ClassesUnitOfWork
) -> ClassView:
    """The class with its invitations and members, for its teacher or an admin."""
    async with uow:
        classroom = await _managed(uow, viewer_id, role, class_id)
        members = await uow.class_members.list_for_class(class_id)
    return ClassView(classroom, members)
