"""Use cases on conversations and their participants. Each change commits with the events it
implies (through the outbox), so every connected participant hears of it."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.messaging import events
from domain.messaging.messages import delete_files
from domain.messaging.rules import (
    GROUP_MAX_PARTICIPANTS,
    clean_title,
    distinct_others,
    require_admin,
    require_membership,
)
from domain.paging import Page, page_offset
from ports.blobs import BlobStore
from ports.messaging import (
    Conversation,
    ConversationSummary,
    ConversationType,
    Participant,
    ParticipantRole,
    PublicProfile,
)
from ports.unit_of_work import MessagingUnitOfWork


@dataclass(frozen=True)
class StartConversation:
    type: ConversationType
    participant_ids: list[UUID]
    title: str | None = None


@dataclass(frozen=True)
class StartedConversation:
    detail: ConversationSummary
    created: bool
    """False when a direct conversation between the two users already existed."""


@dataclass(frozen=True)
class ChangeConversation:
    """Fields left as None are not changed."""

    title: str | None = None
    is_archived: bool | None = None


@dataclass(frozen=True)
class ChangeParticipant:
    role: ParticipantRole | None = None
    is_muted: bool | None = None


async def _require_users(uow: MessagingUnitOfWork, user_ids: list[UUID]) -> None:
    missing = [str(u) for u in user_ids if await uow.users.get(u) is None]
    if missing:
        raise NotFound("One or more users don't exist", {"user_ids": missing})


async def _summary(uow: MessagingUnitOfWork, conversation: Conversation) -> ConversationSummary:
    participants = await uow.conversations.participants(conversation.id)
    return ConversationSummary(conversation, [p for p in participants if p.active])


async def start_conversation(
    user_id: UUID, cmd: StartConversation, uow: MessagingUnitOfWork
) -> StartedConversation:
    """A direct conversation has the caller and exactly one other user, both admins, and is
    unique per pair; a group has the caller as admin and up to 100 participants."""
    others = distinct_others(user_id, cmd.participant_ids)
    title = clean_title(cmd.title)
    if cmd.type is ConversationType.DIRECT and len(others) != 1:
        raise InvalidInput(
            "A direct conversation has exactly one other participant",
            {"field": "participant_ids"},
        )
    if len(others) + 1 > GROUP_MAX_PARTICIPANTS:
        raise InvalidInput(
            f"A conversation has at most {GROUP_MAX_PARTICIPANTS} participants",
            {"field": "participant_ids"},
        )
    async with uow:
        await _require_users(uow, [user_id, *others])
        if cmd.type is ConversationType.DIRECT:
            existing = await uow.conversations.find_direct(user_id, others[0])
            if existing is not None:
                return StartedConversation(await _summary(uow, existing), created=False)
        now = datetime.now(UTC)
        conversation = Conversation(
            id=uuid4(),
            type=cmd.type,
            title=title,
            created_by=user_id,
            created_at=now,
            updated_at=now,
        )
        direct = cmd.type is ConversationType.DIRECT
        participants = [
            Participant(
                conversation_id=conversation.id,
                user_id=u,
                role=ParticipantRole.ADMIN if direct or u == user_id else ParticipantRole.MEMBER,
                joined_at=now,
            )
            for u in [user_id, *others]
        ]
        await uow.conversations.add(conversation, participants)
        for participant in participants:
            await uow.outbox.add(events.conversation_joined(participant.user_id, conversation.id))
        await uow.commit()
    return StartedConversation(ConversationSummary(conversation, participants), created=True)


async def list_conversations(
    user_id: UUID, archived: bool, page: int, limit: int, uow: MessagingUnitOfWork
) -> Page[ConversationSummary]:
    offset = page_offset(page, limit)
    async with uow:
        summaries, total = await uow.conversations.list_for_user(user_id, archived, offset, limit)
    return Page(summaries, page, limit, total)


async def get_conversation(
    user_id: UUID, conversation_id: UUID, uow: MessagingUnitOfWork
) -> ConversationSummary:
    async with uow:
        conversation, _ = await require_membership(uow.conversations, conversation_id, user_id)
        return await _summary(uow, conversation)


async def public_profiles(
    viewer: UUID, user_ids: Iterable[UUID | None], uow: MessagingUnitOfWork
) -> dict[UUID, PublicProfile]:
    """The name and avatar of each of `user_ids` who is the viewer or takes part in a live
    conversation with the viewer, by id; the others (strangers, people who have left, deleted
    accounts) are left out."""
    wanted = [u for u in dict.fromkeys(user_ids) if u is not None]
    async with uow:
        shared = await uow.conversations.share_conversation(viewer, wanted)
        users = await uow.users.get_many([viewer, *shared] if viewer in wanted else shared)
    return {u.id: PublicProfile(u.id, u.name, u.avatar_url) for u in users}


async def conversation_ids(user_id: UUID, uow: MessagingUnitOfWork) -> list[UUID]:
    async with uow:
        return await uow.conversations.ids_for_user(user_id)


async def change_conversation(
    user_id: UUID, conversation_id: UUID, cmd: ChangeConversation, uow: MessagingUnitOfWork
) -> ConversationSummary:
    """Admins rename, archive and unarchive, for every participant."""
    title = clean_title(cmd.title)
    async with uow:
        conversation, caller = await require_membership(uow.conversations, conversation_id, user_id)
        require_admin(caller)
        if cmd.title is not None:
            conversation.title = title
        if cmd.is_archived is not None:
            conversation.is_archived = cmd.is_archived
        conversation.updated_at = datetime.now(UTC)
        await uow.conversations.save(conversation)
        await uow.outbox.add(events.conversation_updated(conversation))
        summary = await _summary(uow, conversation)
        await uow.commit()
    return summary


async def delete_conversation(
    user_id: UUID, conversation_id: UUID, uow: MessagingUnitOfWork, blobs: BlobStore
) -> None:
    """Soft delete by an admin: the conversation and its messages are kept but no longer
    served; the files sent in it are deleted."""
    async with uow:
        conversation, caller = await require_membership(uow.conversations, conversation_id, user_id)
        require_admin(caller)
        conversation.is_deleted = True
        conversation.updated_at = datetime.now(UTC)
        await uow.conversations.save(conversation)
        await uow.outbox.add(events.conversation_updated(conversation))
        files = await uow.messages.files(conversation_id=conversation_id)
        await uow.commit()
    await delete_files(files, blobs)


async def add_participant(
    user_id: UUID,
    conversation_id: UUID,
    new_user_id: UUID,
    role: ParticipantRole,
    uow: MessagingUnitOfWork,
) -> Participant:
    """Admins add users to group conversations; someone who left may be added again."""
    async with uow:
        conversation, caller = await require_membership(uow.conversations, conversation_id, user_id)
        require_admin(caller)
        if conversation.type is ConversationType.DIRECT:
            raise InvalidInput("A direct conversation has no room for more participants")
        await _require_users(uow, [new_user_id])
        participants = await uow.conversations.participants(conversation_id)
        if sum(p.active for p in participants) >= GROUP_MAX_PARTICIPANTS:
            raise Conflict(f"The conversation already has {GROUP_MAX_PARTICIPANTS} participants")
        existing = next((p for p in participants if p.user_id == new_user_id), None)
        if existing is not None and existing.active:
            raise Conflict("The user already takes part in this conversation")
        participant = Participant(
            conversation_id=conversation_id,
            user_id=new_user_id,
            role=role,
            joined_at=datetime.now(UTC),
        )
        await uow.conversations.save_participant(participant)
        await uow.outbox.add(events.participant_changed("added", participant))
        await uow.outbox.add(events.conversation_joined(new_user_id, conversation_id))
        await uow.commit()
    return participant


async def remove_participant(
    user_id: UUID, conversation_id: UUID, removed_user_id: UUID, uow: MessagingUnitOfWork
) -> None:
    """Anyone may leave; admins remove others. The last admin of a group can't leave while
    others remain, so that someone can still manage it."""
    async with uow:
        conversation, caller = await require_membership(uow.conversations, conversation_id, user_id)
        if removed_user_id != user_id:
            require_admin(caller)
        participants = [
            p for p in await uow.conversations.participants(conversation_id) if p.active
        ]
        removed = next((p for p in participants if p.user_id == removed_user_id), None)
        if removed is None:
            raise NotFound("The user is not a participant of this conversation")
        admins = [p for p in participants if p.role is ParticipantRole.ADMIN]
        if (
            conversation.type is ConversationType.GROUP
            and admins == [removed]
            and len(participants) > 1
        ):
            raise Conflict("Make another participant admin before the last admin leaves")
        removed.left_at = datetime.now(UTC)
        await uow.conversations.save_participant(removed)
        await uow.outbox.add(events.participant_changed("removed", removed))
        await uow.commit()


async def change_participant(
    user_id: UUID,
    conversation_id: UUID,
    target_user_id: UUID,
    cmd: ChangeParticipant,
    uow: MessagingUnitOfWork,
) -> Participant:
    """Participants mute a conversation for themselves; admins change roles."""
    async with uow:
        _, caller = await require_membership(uow.conversations, conversation_id, user_id)
        target = await uow.conversations.get_participant(conversation_id, target_user_id)
        if target is None or not target.active:
            raise NotFound("The user is not a participant of this conversation")
        if cmd.is_muted is not None:
            if target_user_id != user_id:
                raise Forbidden("Participants mute a conversation only for themselves")
            target.is_muted = cmd.is_muted
        if cmd.role is not None and cmd.role is not target.role:
            require_admin(caller)
            participants = await uow.conversations.participants(conversation_id)
            admins = [p for p in participants if p.active and p.role is ParticipantRole.ADMIN]
            if cmd.role is ParticipantRole.MEMBER and [a.user_id for a in admins] == [
                target_user_id
            ]:
                raise Conflict("A conversation keeps at least one admin")
            target.role = cmd.role
        await uow.conversations.save_participant(target)
        await uow.outbox.add(events.participant_changed("updated", target))
        await uow.commit()
    return target
