"""Use cases on tags: the public list, and the admin's curation of it (each write recorded
in the audit log in its own transaction)."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.audit.log import record
from domain.errors import Conflict, InvalidInput, NotFound
from ports.audit import AuditAction
from ports.content import Tag
from ports.unit_of_work import ContentAdminUnitOfWork, ContentUnitOfWork

TAG = "tag"

NAME_MAX_LENGTH = 100
CATEGORY_MAX_LENGTH = 50


@dataclass(frozen=True)
class TagUsage:
    tag: Tag
    speech_count: int


@dataclass(frozen=True)
class TagChanges:
    """None leaves a field as it is; `clear_category` removes the category."""

    name: str | None = None
    category: str | None = None
    clear_category: bool = False


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(f"Tag name must be 1 to {NAME_MAX_LENGTH} characters", {"field": "name"})
    return name


def _clean_category(category: str | None) -> str | None:
    if category is None:
        return None
    category = " ".join(category.split())
    if not category or len(category) > CATEGORY_MAX_LENGTH:
        raise InvalidInput(
            f"Tag category must be 1 to {CATEGORY_MAX_LENGTH} characters", {"field": "category"}
        )
    return category


async def list_tags(uow: ContentUnitOfWork) -> list[Tag]:
    async with uow:
        return await uow.tags.list_all()


async def list_tag_usage(uow: ContentUnitOfWork) -> list[TagUsage]:
    async with uow:
        counts = await uow.tags.speech_counts()
        return [TagUsage(t, counts.get(t.id, 0)) for t in await uow.tags.list_all()]


async def create_tag(
    actor_id: UUID, name: str, category: str | None, uow: ContentAdminUnitOfWork
) -> TagUsage:
    tag = Tag(uuid4(), _clean_name(name), _clean_category(category), datetime.now(UTC))
    async with uow:
        if await uow.tags.get_by_names([tag.name]):
            raise Conflict(f"A tag named '{tag.name}' already exists", {"field": "name"})
        await uow.tags.add(tag)
        await record(uow.audit_log, actor_id, AuditAction.CREATE, TAG, tag.id, after=tag)
        await uow.commit()
    return TagUsage(tag, 0)


async def update_tag(
    actor_id: UUID, tag_id: UUID, changes: TagChanges, uow: ContentAdminUnitOfWork
) -> TagUsage:
    name = _clean_name(changes.name) if changes.name is not None else None
    category = _clean_category(changes.category)
    async with uow:
        before = await uow.tags.get(tag_id)
        if before is None:
            raise NotFound("Tag not found")
        tag = replace(
            before,
            name=name or before.name,
            category=None if changes.clear_category else category or before.category,
        )
        await uow.tags.save(tag)
        await record(uow.audit_log, actor_id, AuditAction.UPDATE, TAG, tag_id, before, tag)
        count = (await uow.tags.speech_counts()).get(tag_id, 0)
        await uow.commit()
    return TagUsage(tag, count)


async def delete_tag(actor_id: UUID, tag_id: UUID, uow: ContentAdminUnitOfWork) -> None:
    """Only a tag that no speech carries can go."""
    async with uow:
        before = await uow.tags.get(tag_id)
        if before is None:
            raise NotFound("Tag not found")
        count = (await uow.tags.speech_counts()).get(tag_id, 0)
        if count:
            raise Conflict(f"Tag is still used by {count} speeches", {"speech_count": count})
        await uow.tags.delete(tag_id)
        await record(uow.audit_log, actor_id, AuditAction.DELETE, TAG, tag_id, before)
        await uow.commit()
