"""/admin/tags: curating the tags speeches are filed under (admin role)."""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from adapters.http.errors import error_responses
from adapters.http.inputs import NOT_BLANK
from adapters.http.security import AdminUser
from adapters.http.services import Services
from domain.content import tags
from domain.content.tags import CATEGORY_MAX_LENGTH, NAME_MAX_LENGTH, TagUsage

router = APIRouter(prefix="/admin/tags", tags=["admin"])


class AdminTag(BaseModel):
    id: UUID
    name: str
    category: str | None
    speech_count: int
    created_at: datetime

    @classmethod
    def of(cls, usage: TagUsage) -> "AdminTag":
        t = usage.tag
        return cls(
            id=t.id,
            name=t.name,
            category=t.category,
            speech_count=usage.speech_count,
            created_at=t.created_at,
        )


class AdminTagList(BaseModel):
    tags: list[AdminTag]


class TagIn(BaseModel):
    name: str = Field(max_length=NAME_MAX_LENGTH, pattern=NOT_BLANK)
    category: str | None = Field(default=None, max_length=CATEGORY_MAX_LENGTH, pattern=NOT_BLANK)


class TagUpdate(BaseModel):
    name: str | None = Field(default=None, max_length=NAME_MAX_LENGTH, pattern=NOT_BLANK)
    category: str | None = Field(default=None, max_length=CATEGORY_MAX_LENGTH, pattern=NOT_BLANK)


@router.get("", response_model=AdminTagList)
async def list_tags(admin: AdminUser, services: Services) -> AdminTagList:
    """Every tag with the number of speeches that carry it."""
    usage = await tags.list_tag_usage(services.unit_of_work())
    return AdminTagList(tags=[AdminTag.of(u) for u in usage])


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=AdminTag, responses=error_responses(409)
)
async def create_tag(body: TagIn, admin: AdminUser, services: Services) -> AdminTag:
    """A new tag; 409 when one with the same name (any case) exists."""
    return AdminTag.of(
        await tags.create_tag(admin.user_id, body.name, body.category, services.unit_of_work())
    )


@router.put("/{tag_id}", response_model=AdminTag, responses=error_responses(409))
async def update_tag(
    tag_id: UUID, body: TagUpdate, admin: AdminUser, services: Services
) -> AdminTag:
    """Fields left out stay as they are; `"category": null` removes the category."""
    changes = tags.TagChanges(
        name=body.name,
        category=body.category,
        clear_category="category" in body.model_fields_set and body.category is None,
    )
    return AdminTag.of(
        await tags.update_tag(admin.user_id, tag_id, changes, services.unit_of_work())
    )


@router.delete("/{tag_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(409))
async def delete_tag(tag_id: UUID, admin: AdminUser, services: Services) -> None:
    """409 while any speech still carries the tag."""
    await tags.delete_tag(admin.user_id, tag_id, services.unit_of_work())
