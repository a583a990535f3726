"""000's messaging: conversations, participants, messages, receipts, uploads, user status.

Messages are sent here; the messaging WebSocket pushes them, and every other change, to the
participants' sockets."""

from collections.abc import Iterable
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from starlette.convertors import StringConvertor, register_url_convertor

from adapters.http.errors import error_responses
from adapters.http.inputs import NOT_BLANK, PageNumber, PageSize
from adapters.http.messaging_schemas import (
    ConversationChange,
    ConversationIn,
    ConversationOut,
    ConversationPage,
    ConversationRead,
    MessageEdit,
    MessageIn,
    MessageOut,
    MessagePage,
    ParticipantChange,
    ParticipantIn,
    ParticipantOut,
    Profiles,
    ReceiptChange,
    UserStatusIn,
    UserStatusList,
    UserStatusOut,
    decode_cursor,
    encode_cursor,
)
from adapters.http.security import CurrentUser
from adapters.http.services import Services
from domain.errors import InvalidInput
from domain.messaging import conversations, messages, presence
from domain.messaging.rules import CONTENT_MAX_LENGTH
from ports.messaging import ConversationSummary, DeliveryStatus

router = APIRouter(tags=["messaging"])


class _ConversationIdConvertor(StringConvertor):
    """Any path segment but `sessions`: /conversations/sessions is the tutor's (routers/
    tutoring.py) for every method, so a method it lacks is a 405 there, not a messaging
    conversation with a malformed id. Other malformed ids still reach validation (400)."""

    regex = "(?!sessions(?:/|$))[^/]+"


register_url_convertor("conversation", _ConversationIdConvertor())

_UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_UUID_LIST = f"^{_UUID}(,{_UUID})*$"


async def _profiles(
    claims: CurrentUser,
    services: Services,
    *summaries: ConversationSummary,
    user_ids: Iterable[UUID | None] = (),
) -> Profiles:
    """The public profiles shown beside the caller's, the participants of `summaries` and
    `user_ids`: each of them the caller may see."""
    ids = [claims.user_id, *user_ids, *(p.user_id for s in summaries for p in s.participants)]
    return await conversations.public_profiles(claims.user_id, ids, services.unit_of_work())


# --- conversations ----------------------------------------------------------------------


@router.post(
    "/conversations",
    status_code=status.HTTP_201_CREATED,
    response_model=ConversationOut,
    responses={200: {"model": ConversationOut, "description": "The direct conversation exists"}}
    | error_responses(404),
)
async def create_conversation(
    body: ConversationIn, claims: CurrentUser, services: Services, response: Response
) -> ConversationOut:
    """A group with the caller as admin, or a direct conversation with one other user (the
    existing one, with 200, if the two already have one)."""
    cmd = conversations.StartConversation(body.type, body.participant_ids, body.title)
    started = await conversations.start_conversation(claims.user_id, cmd, services.unit_of_work())
    if not started.created:
        response.status_code = status.HTTP_200_OK
    return ConversationOut.of(started.detail, await _profiles(claims, services, started.detail))


@router.get("/conversations", response_model=ConversationPage)
async def list_conversations(
    claims: CurrentUser,
    services: Services,
    page: PageNumber = 1,
    limit: PageSize = 20,
    archived: bool = False,
) -> ConversationPage:
    """The caller's conversations, most recent activity first."""
    result = await conversations.list_conversations(
        claims.user_id, archived, page, limit, services.unit_of_work()
    )
    profiles = await _profiles(claims, services, *result.items)
    return ConversationPage(
        conversations=[ConversationOut.of(s, profiles) for s in result.items],
        page=result.page,
        limit=result.limit,
        total=result.total,
    )


@router.get(
    "/conversations/{conversation_id:conversation}",
    response_model=ConversationOut,
    responses=error_responses(403),
)
async def get_conversation(
    conversation_id: UUID, claims: CurrentUser, services: Services
) -> ConversationOut:
    """A conversation of the caller's with its participants (their public profiles)."""
    summary = await conversations.get_conversation(
        claims.user_id, conversation_id, services.unit_of_work()
    )
    return ConversationOut.of(summary, await _profiles(claims, services, summary))


@router.put(
    "/conversations/{conversation_id:conversation}",
    response_model=ConversationOut,
    responses=error_responses(403),
)
async def update_conversation(
    conversation_id: UUID, body: ConversationChange, claims: CurrentUser, services: Services
) -> ConversationOut:
    """Rename, archive or unarchive, as an admin of the conversation."""
    cmd = conversations.ChangeConversation(title=body.title, is_archived=body.is_archived)
    summary = await conversations.change_conversation(
        claims.user_id, conversation_id, cmd, services.unit_of_work()
    )
    return ConversationOut.of(summary, await _profiles(claims, services, summary))


@router.delete(
    "/conversations/{conversation_id:conversation}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403),
)
async def delete_conversation(
    conversation_id: UUID, claims: CurrentUser, services: Services
) -> None:
    """Soft delete, by an admin of the conversation; the files sent in it are deleted."""
    await conversations.delete_conversation(
        claims.user_id, conversation_id, services.unit_of_work(), services.blobs
    )


# --- participants -----------------------------------------------------------------------


@router.post(
    "/conversations/{conversation_id:conversation}/participants",
    status_code=status.HTTP_201_CREATED,
    response_model=ParticipantOut,
    responses=error_responses(403, 409),
)
async def add_participant(
    conversation_id: UUID, body: ParticipantIn, claims: CurrentUser, services: Services
) -> ParticipantOut:
    """Adds a user to a group conversation (its admins only): 409 when the user takes part
    already or the group is full."""
    participant = await conversations.add_participant(
        claims.user_id, conversation_id, body.user_id, body.role, services.unit_of_work()
    )
    profiles = await _profiles(claims, services, user_ids=[participant.user_id])
    return ParticipantOut.of(participant, profiles)


@router.delete(
    "/conversations/{conversation_id:conversation}/participants/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 409),
)
async def remove_participant(
    conversation_id: UUID, user_id: UUID, claims: CurrentUser, services: Services
) -> None:
    """Leave (your own id) or, as an admin, remove someone."""
    await conversations.remove_participant(
        claims.user_id, conversation_id, user_id, services.unit_of_work()
    )


@router.put(
    "/conversations/{conversation_id:conversation}/participants/{user_id}",
    response_model=ParticipantOut,
    responses=error_responses(403, 409),
)
async def update_participant(
    conversation_id: UUID,
    user_id: UUID,
    body: ParticipantChange,
    claims: CurrentUser,
    services: Services,
) -> ParticipantOut:
    """Mute or unmute for yourself; change roles as an admin."""
    cmd = conversations.ChangeParticipant(role=body.role, is_muted=body.is_muted)
    participant = await conversations.change_participant(
        claims.user_id, conversation_id, user_id, cmd, services.unit_of_work()
    )
    profiles = await _profiles(claims, services, user_ids=[participant.user_id])
    return ParticipantOut.of(participant, profiles)


# --- messages ---------------------------------------------------------------------------


@router.post(
    "/conversations/{conversation_id:conversation}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    responses=error_responses(403),
)
async def send_message(
    conversation_id: UUID, body: MessageIn, claims: CurrentUser, services: Services
) -> MessageOut:
    """Stored with a `sent` receipt per recipient, then pushed to every participant's socket."""
    cmd = messages.SendMessage(body.content, body.reply_to_id, body.metadata)
    sent = await messages.send_message(
        claims.user_id, conversation_id, cmd, services.unit_of_work()
    )
    return MessageOut.of(
        sent.message, sent.receipts, services.blobs, await _profiles(claims, services)
    )


@router.get(
    "/conversations/{conversation_id:conversation}/messages",
    response_model=MessagePage,
    responses=error_responses(403),
)
async def list_messages(
    conversation_id: UUID,
    claims: CurrentUser,
    services: Services,
    limit: PageSize = 50,
    before: Annotated[str | None, Query(max_length=200)] = None,
) -> MessagePage:
    """Newest first, `limit` at a time; `before` is the previous page's `next_cursor`."""
    page = await messages.history(
        claims.user_id, conversation_id, decode_cursor(before), limit, services.unit_of_work()
    )
    senders = [m.message.sender_id for m in page.messages]
    profiles = await _profiles(claims, services, user_ids=senders)
    return MessagePage(
        messages=[
            MessageOut.of(m.message, m.receipts, services.blobs, profiles) for m in page.messages
        ],
        next_cursor=encode_cursor(page.next_cursor),
    )


@router.put("/messages/{message_id}", response_model=MessageOut, responses=error_responses(403))
async def edit_message(
    message_id: UUID, body: MessageEdit, claims: CurrentUser, services: Services
) -> MessageOut:
    """The sender edits the text of a message."""
    uow = services.unit_of_work()
    message = await messages.edit_message(claims.user_id, message_id, body.content, uow)
    return MessageOut.of(message, [], services.blobs, await _profiles(claims, services))


@router.delete(
    "/messages/{message_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403)
)
async def delete_message(message_id: UUID, claims: CurrentUser, services: Services) -> None:
    """The sender deletes a message; it stays in the history without content (or file)."""
    await messages.delete_message(
        claims.user_id, message_id, services.unit_of_work(), services.blobs
    )


@router.post(
    "/messages/{message_id}/read", response_model=ReceiptChange, responses=error_responses(403)
)
async def mark_message_read(
    message_id: UUID, claims: CurrentUser, services: Services
) -> ReceiptChange:
    """The caller's receipt becomes `read` (a no-op if it already was, or for the sender)."""
    receipt = await messages.acknowledge(
        claims.user_id, message_id, DeliveryStatus.READ, services.unit_of_work()
    )
    return ReceiptChange(
        message_id=message_id,
        user_id=claims.user_id,
        status=DeliveryStatus.READ,
        updated_at=receipt.updated_at if receipt else None,
    )


@router.post(
    "/conversations/{conversation_id:conversation}/read",
    response_model=ConversationRead,
    responses=error_responses(403),
)
async def mark_conversation_read(
    conversation_id: UUID, claims: CurrentUser, services: Services
) -> ConversationRead:
    """Marks every message of the conversation read for the caller, up to now."""
    read_at, marked = await messages.mark_conversation_read(
        claims.user_id, conversation_id, services.unit_of_work()
    )
    return ConversationRead(conversation_id=conversation_id, read_at=read_at, marked=marked)


@router.post(
    "/conversations/{conversation_id:conversation}/upload",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    responses=error_responses(403),
)
async def upload_file(
    conversation_id: UUID,
    claims: CurrentUser,
    services: Services,
    file: Annotated[UploadFile, File(description="Images, PDF, text or audio; up to 10 MiB")],
    caption: Annotated[str | None, Form(max_length=CONTENT_MAX_LENGTH, pattern=NOT_BLANK)] = None,
) -> MessageOut:
    """Stores the file and sends it as a `file` message; its `file.url` is signed for an
    hour (fetch the message again for a fresh link)."""
    attachment = messages.Attachment(
        data=await file.read(),
        content_type=(file.content_type or "application/octet-stream").split(";")[0].strip(),
        file_name=file.filename,
        caption=caption,
    )
    sent = await messages.send_attachment(
        claims.user_id, conversation_id, attachment, services.unit_of_work(), services.blobs
    )
    return MessageOut.of(
        sent.message, sent.receipts, services.blobs, await _profiles(claims, services)
    )


# --- user status ------------------------------------------------------------------------


@router.get("/users/status", response_model=UserStatusList)
async def get_user_statuses(
    claims: CurrentUser,
    services: Services,
    user_ids: Annotated[
        str, Query(max_length=4000, pattern=_UUID_LIST, description="Comma-separated user ids")
    ],
) -> UserStatusList:
    """Statuses of yourself and of the users you share a conversation with."""
    try:
        ids = [UUID(part) for part in user_ids.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(
            "user_ids must be comma-separated UUIDs", {"field": "user_ids"}
        ) from None
    found = await presence.statuses(claims.user_id, ids, services.unit_of_work())
    return UserStatusList(statuses=[UserStatusOut.of(s) for s in found])


@router.put("/users/status", response_model=UserStatusOut)
async def set_user_status(
    body: UserStatusIn, claims: CurrentUser, services: Services
) -> UserStatusOut:
    """Sets the caller's presence (online, away, offline), pushed to the people they share a
    conversation with."""
    current = await presence.set_status(claims.user_id, body.status, services.unit_of_work())
    return UserStatusOut.of(current)
