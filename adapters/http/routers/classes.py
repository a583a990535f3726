"""Classes: a teacher's classes and the learners invited to them by email; the membership
that lets a teacher read a learner's progress."""

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from adapters.http.errors import error_responses
from adapters.http.inputs import NOT_BLANK, PageNumber, PageSize
from adapters.http.routers.game import Pagination
from adapters.http.security import CurrentUser
from adapters.http.services import Services
from domain.classes import classrooms
from domain.classes.classrooms import MAX_CLASS_NAME_CHARS, ClassView
from domain.identity.rules import EMAIL_MAX_LENGTH
from ports.classes import ClassMember, Classroom

router = APIRouter(prefix="/classes", tags=["classes"])


class ClassIn(BaseModel):
    name: str = Field(max_length=MAX_CLASS_NAME_CHARS, pattern=NOT_BLANK)


class ClassOut(BaseModel):
    id: UUID
    teacher_id: UUID
    name: str
    created_at: datetime

    @classmethod
    def of(cls, c: Classroom) -> "ClassOut":
        return cls(id=c.id, teacher_id=c.teacher_id, name=c.name, created_at=c.created_at)


class MemberOut(BaseModel):
    email: str
    invited_at: datetime
    user_id: UUID | None = Field(description="The learner once they joined")
    joined_at: datetime | None

    @classmethod
    def of(cls, m: ClassMember) -> "MemberOut":
        return cls(email=m.email, invited_at=m.invited_at, user_id=m.user_id, joined_at=m.joined_at)


class ClassDetailOut(ClassOut):
    members: list[MemberOut]

    @classmethod
    def of_view(cls, view: ClassView) -> "ClassDetailOut":
        c = view.classroom
        return cls(
            id=c.id,
            teacher_id=c.teacher_id,
            name=c.name,
            created_at=c.created_at,
            members=[MemberOut.of(m) for m in view.members],
        )


class ClassList(BaseModel):
    classes: list[ClassOut]
    pagination: Pagination


class InvitationIn(BaseModel):
    email: str = Field(max_length=EMAIL_MAX_LENGTH)


@router.post("", response_model=ClassOut, status_code=201, responses=error_responses(403))
async def create_class(claims: CurrentUser, services: Services, body: ClassIn) -> ClassOut:
    """A new class taught by the caller: teachers and admins only (403 for a student)."""
    classroom = await classrooms.create_class(
        claims.user_id, claims.role, body.name, datetime.now(UTC), services.unit_of_work()
    )
    return ClassOut.of(classroom)


@router.get("", response_model=ClassList)
async def list_classes(
    claims: CurrentUser, services: Services, page: PageNumber = 1, limit: PageSize = 20
) -> ClassList:
    """Newest first: an admin's are every class, a teacher's those they teach, a learner's
    those they joined."""
    found = await classrooms.list_classes(
        claims.user_id, claims.role, page, limit, services.unit_of_work()
    )
    return ClassList(
        classes=[ClassOut.of(c) for c in found.items],
        pagination=Pagination(
            page=found.page, limit=found.limit, total=found.total, total_pages=found.total_pages
        ),
    )


@router.get("/{class_id}", response_model=ClassDetailOut)
async def get_class(claims: CurrentUser, services: Services, class_id: UUID) -> ClassDetailOut:
    """The class with its invitations and members, for its teacher or an admin (404 for
    anyone else)."""
    view = await classrooms.get_class(
        claims.user_id, claims.role, class_id, services.unit_of_work()
    )
    return ClassDetailOut.of_view(view)


@router.post(
    "/{class_id}/invitations",
    response_model=MemberOut,
    status_code=201,
    responses=error_responses(409),
)
async def invite_to_class(
    claims: CurrentUser, services: Services, class_id: UUID, body: InvitationIn
) -> MemberOut:
    """Invites an email to the class (its teacher or an admin); the learner joins with
    POST /classes/{class_id}/join. 409 when the email is invited already."""
    member = await classrooms.invite_learner(
        claims.user_id,
        claims.role,
        class_id,
        body.email,
        datetime.now(UTC),
        services.unit_of_work(),
    )
    return MemberOut.of(member)


@router.post("/{class_id}/join", response_model=MemberOut)
async def join_class(claims: CurrentUser, services: Services, class_id: UUID) -> MemberOut:
    """The caller joins a class their account's email was invited to (404 otherwise); their
    teacher may then read their progress. Joining again changes nothing."""
    member = await classrooms.join_class(
        claims.user_id, class_id, datetime.now(UTC), services.unit_of_work()
    )
    return MemberOut.of(member)
