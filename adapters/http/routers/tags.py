"""/tags: the public list of tags for the game set-up screen."""

from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from adapters.http.etags import NOT_MODIFIED, public_json
from adapters.http.services import Services
from domain.content.tags import list_tags

router = APIRouter(tags=["content"])


class TagOut(BaseModel):
    id: UUID
    name: str
    category: str | None


class TagList(BaseModel):
    tags: list[TagOut]


@router.get("/tags", response_model=TagList, responses=NOT_MODIFIED)
async def get_tags(request: Request, services: Services) -> Response:
    """Every tag, for the game set-up screen; no sign-in needed. With an ETag: a client that
    sends it back in If-None-Match gets 304, no body, while the list is unchanged."""

    async def rendered() -> bytes:
        tags = await list_tags(services.reads())
        body = TagList(tags=[TagOut(id=t.id, name=t.name, category=t.category) for t in tags])
        return body.model_dump_json().encode()

    return public_json(request, await services.catalogue.tag_list(rendered))
