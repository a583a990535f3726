"""Use cases on messages: send, edit, delete, read history, receipts, attachments."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from domain.errors import Forbidden, InvalidInput, NotFound
from domain.messaging import events
from domain.messaging.rules import (
    check_attachment,
    check_metadata,
    clean_content,
    clean_file_name,
    require_membership,
)
from domain.paging import check_page_size
from ports.blobs import BlobStore
from ports.messaging import (
    DeliveryStatus,
    Message,
    MessageCursor,
    MessageType,
    Receipt,
)
from ports.unit_of_work import MessagingUnitOfWork


@dataclass(frozen=True)
class SendMessage:
    content: str
    reply_to_id: UUID | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Attachment:
    data: bytes
    content_type: str
    file_name: str | None
    caption: str | None = None


@dataclass(frozen=True)
class MessageWithReceipts:
    message: Message
    receipts: list[Receipt]


@dataclass(frozen=True)
class MessagePage:
    messages: list[MessageWithReceipts]
    next_cursor: MessageCursor | None


async def _new_message(
    uow: MessagingUnitOfWork,
    sender_id: UUID,
    conversation_id: UUID,
    content: str,
    message_type: MessageType,
    reply_to_id: UUID | None,
    metadata: dict[str, Any],
    message_id: UUID | None = None,
) -> MessageWithReceipts:
    """Stores a message from an active participant of a live conversation, inside `uow`."""
    conversation, _ = await require_membership(uow.conversations, conversation_id, sender_id)
    if reply_to_id is not None:
        original = await uow.messages.get(reply_to_id)
        if original is None or original.conversation_id != conversation_id:
            raise InvalidInput(
                "reply_to_id must be a message of this conversation", {"field": "reply_to_id"}
            )
    now = datetime.now(UTC)
    message = Message(
        id=message_id or uuid4(),
        conversation_id=conversation_id,
        sender_id=sender_id,
        content=content,
        message_type=message_type,
        reply_to_id=reply_to_id,
        metadata=metadata,
        created_at=now,
        updated_at=now,
    )
    recipients = [
        p.user_id
        for p in await uow.conversations.participants(conversation_id)
        if p.active and p.user_id != sender_id
    ]
    await uow.messages.add(message, recipients)
    conversation.last_message_at = now
    conversation.updated_at = now
    await uow.conversations.save(conversation)
    await uow.outbox.add(events.message_sent(message))
    receipts = [Receipt(message.id, r, DeliveryStatus.SENT, now) for r in recipients]
    return MessageWithReceipts(message, receipts)


async def send_message(
    user_id: UUID, conversation_id: UUID, cmd: SendMessage, uow: MessagingUnitOfWork
) -> MessageWithReceipts:
    """Stores the message with a `sent` receipt for every other participant."""
    content = clean_content(cmd.content)
    check_metadata(cmd.metadata)
    async with uow:
        sent = await _new_message(
            uow, user_id, conversation_id, content, MessageType.TEXT, cmd.reply_to_id, cmd.metadata
        )
        await uow.commit()
    return sent


async def send_attachment(
    user_id: UUID,
    conversation_id: UUID,
    attachment: Attachment,
    uow: MessagingUnitOfWork,
    blobs: BlobStore,
) -> MessageWithReceipts:
    """Stores the file in the blob store and sends a `file` message that refers to it; if
    the message can't be stored, the file is removed again."""
    check_attachment(attachment.data, attachment.content_type)
    caption = clean_content(attachment.caption) if attachment.caption else ""
    file_name = clean_file_name(attachment.file_name)
    message_id = uuid4()
    key = f"conversations/{conversation_id}/{message_id}/{file_name}"
    metadata = {
        "blob_key": key,
        "file_name": file_name,
        "content_type": attachment.content_type,
        "size": len(attachment.data),
    }
    async with uow:
        await require_membership(uow.conversations, conversation_id, user_id)
        await blobs.put(key, attachment.data, attachment.content_type)
        try:
            sent = await _new_message(
                uow, user_id, conversation_id, caption, MessageType.FILE, None, metadata, message_id
            )
            await uow.commit()
        except BaseException:
            await blobs.delete(key)
            raise
    return sent


def _file_key(message: Message) -> str | None:
    return message.metadata.get("blob_key") if message.message_type is MessageType.FILE else None


async def delete_files(messages: list[Message], blobs: BlobStore) -> None:
    """Removes the stored files of `messages`, once their deletion is committed: links
    already issued for them serve nothing from then on."""
    for message in messages:
        if (key := _file_key(message)) is not None:
            await blobs.delete(key)


async def _own_message(uow: MessagingUnitOfWork, user_id: UUID, message_id: UUID) -> Message:
    message = await uow.messages.get(message_id)
    if message is None or message.is_deleted:
        raise NotFound("Message not found")
    await require_membership(uow.conversations, message.conversation_id, user_id)
    if message.sender_id != user_id:
        raise Forbidden("Only the sender changes a message")
    return message


async def edit_message(
    user_id: UUID, message_id: UUID, content: str, uow: MessagingUnitOfWork
) -> Message:
    content = clean_content(content)
    async with uow:
        message = await _own_message(uow, user_id, message_id)
        if message.message_type is not MessageType.TEXT:
            raise InvalidInput("Only text messages can be edited")
        message.content = content
        message.is_edited = True
        message.updated_at = datetime.now(UTC)
        await uow.messages.save(message)
        await uow.outbox.add(events.message_edited(message))
        await uow.commit()
    return message


async def erase(message: Message, uow: MessagingUnitOfWork) -> None:
    """Soft delete inside `uow`: the message stays in the history, without its content (and
    its file, which the caller deletes after the commit)."""
    message.is_deleted = True
    message.updated_at = datetime.now(UTC)
    await uow.messages.save(message)
    await uow.outbox.add(events.message_deleted(message))


async def delete_message(
    user_id: UUID, message_id: UUID, uow: MessagingUnitOfWork, blobs: BlobStore
) -> None:
    """Soft delete: the message stays in the history, without its content; its file is
    deleted."""
    async with uow:
        message = await _own_message(uow, user_id, message_id)
        await erase(message, uow)
        await uow.commit()
    await delete_files([message], blobs)


async def history(
    user_id: UUID,
    conversation_id: UUID,
    before: MessageCursor | None,
    limit: int,
    uow: MessagingUnitOfWork,
) -> MessagePage:
    """One page of messages, newest first; `next_cursor` fetches the older ones."""
    check_page_size(limit)
    async with uow:
        await require_membership(uow.conversations, conversation_id, user_id)
        messages = await uow.messages.history(conversation_id, before, limit + 1)
        page = messages[:limit]
        receipts = await uow.messages.receipts([m.id for m in page])
    by_message: dict[UUID, list[Receipt]] = {}
    for receipt in receipts:
        by_message.setdefault(receipt.message_id, []).append(receipt)
    cursor = MessageCursor(page[-1].created_at, page[-1].id) if len(messages) > limit else None
    return MessagePage([MessageWithReceipts(m, by_message.get(m.id, [])) for m in page], cursor)


async def acknowledge(
    user_id: UUID, message_id: UUID, status: DeliveryStatus, uow: MessagingUnitOfWork
) -> Receipt | None:
    """A recipient says the message reached them (`delivered`) or was read (`read`). The
    receipt, or None when it had already got that far (or the caller sent the message)."""
    if status is DeliveryStatus.SENT:
        raise InvalidInput("A recipient acknowledges delivered or read", {"field": "status"})
    async with uow:
        message = await uow.messages.get(message_id)
        if message is None:
            raise NotFound("Message not found")
        await require_membership(uow.conversations, message.conversation_id, user_id)
        receipt = await uow.messages.advance_receipt(message_id, user_id, status, datetime.now(UTC))
        if receipt is None:
            return None
        await uow.outbox.add(events.receipt_updated(message.conversation_id, receipt))
        await uow.commit()
    return receipt


async def mark_conversation_read(
    user_id: UUID, conversation_id: UUID, uow: MessagingUnitOfWork
) -> tuple[datetime, int]:
    """Every message of the conversation is read by the caller; when, and how many were not."""
    async with uow:
        _, participant = await require_membership(uow.conversations, conversation_id, user_id)
        now = datetime.now(UTC)
        marked = await uow.messages.read_all(conversation_id, user_id, now)
        participant.last_read_at = now
        await uow.conversations.save_participant(participant)
        await uow.outbox.add(events.conversation_read(conversation_id, user_id, now))
        await uow.commit()
    return now, marked
