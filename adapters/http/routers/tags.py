"""/tags: the public list of tags for the game set-up screen."""

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from adapters.http.services import Services
from domain.content.tags import list_tags

router = APIRouter(tags=["content"])


class TagOut(BaseModel):
    id: UUID
    name: str
    category: str | None


class TagList(BaseModel):
    tags: list[TagOut]


@router.get("/tags", response_model=TagList)
async def get_tags(services: Services) -> TagList:
    """Every tag, for the game set-up screen; no sign-in needed."""
    tags = await list_tags(services.unit_of_work())
    return TagList(tags=[TagOut(id=t.id, name=t.name, category=t.category) for t in tags])
