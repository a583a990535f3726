"""Request and response bodies of 000's messaging, shared by its routes and its WebSocket."""

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from adapters.http.inputs import NOT_BLANK, StrictBool, in_utc
from domain.errors import InvalidInput
from domain.messaging.rules import (
    CONTENT_MAX_LENGTH,
    METADATA_MAX_BYTES,
    METADATA_MAX_DEPTH,
    METADATA_MAX_KEYS,
    TITLE_MAX_LENGTH,
    shown_metadata,
)
from ports.blobs import BlobStore
from ports.messaging import (
    ConversationSummary,
    ConversationType,
    DeliveryStatus,
    Message,
    MessageCursor,
    MessageType,
    Participant,
    ParticipantRole,
    Presence,
    PublicProfile,
    Receipt,
    UserStatus,
)

FILE_LINK_LIFETIME = timedelta(hours=1)


# Profiles by user id, of the people the caller shares a conversation with.
Profiles = Mapping[UUID, PublicProfile]


class ParticipantOut(BaseModel):
    user_id: UUID
    name: str | None
    """The participant's public profile, null for one who has left the conversation."""
    avatar_url: str | None
    role: ParticipantRole
    joined_at: datetime
    is_muted: bool
    last_read_at: datetime | None

    @classmethod
    def of(cls, p: Participant, profiles: Profiles) -> "ParticipantOut":
        profile = profiles.get(p.user_id)
        return cls(
            user_id=p.user_id,
            name=profile and profile.name,
            avatar_url=profile and profile.avatar_url,
            role=p.role,
            joined_at=p.joined_at,
            is_muted=p.is_muted,
            last_read_at=p.last_read_at,
        )


class ConversationOut(BaseModel):
    id: UUID
    type: ConversationType
    title: str | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime | None
    is_archived: bool
    participants: list[ParticipantOut]
    unread_count: int

    @classmethod
    def of(cls, summary: ConversationSummary, profiles: Profiles) -> "ConversationOut":
        c = summary.conversation
        return cls(
            id=c.id,
            type=c.type,
            title=c.title,
            created_by=c.created_by,
            created_at=c.created_at,
            updated_at=c.updated_at,
            last_message_at=c.last_message_at,
            is_archived=c.is_archived,
            participants=[ParticipantOut.of(p, profiles) for p in summary.participants],
            unread_count=summary.unread_count,
        )


class ReceiptOut(BaseModel):
    user_id: UUID
    status: DeliveryStatus
    updated_at: datetime


class FileOut(BaseModel):
    file_name: str
    content_type: str
    size: int
    url: str


class MessageOut(BaseModel):
    id: UUID
    conversation_id: UUID
    sender_id: UUID | None
    sender_name: str | None
    """The sender's public profile, null once the sender has left or deleted the account, and
    in socket pushes (the conversation's participants carry it)."""
    sender_avatar_url: str | None
    content: str
    message_type: MessageType
    reply_to_id: UUID | None
    metadata: dict[str, Any]
    file: FileOut | None
    created_at: datetime
    updated_at: datetime
    is_edited: bool
    is_deleted: bool
    status: DeliveryStatus
    """The least advanced receipt: `read` once every recipient has read the message."""
    receipts: list[ReceiptOut]

    @classmethod
    def of(
        cls, m: Message, receipts: list[Receipt], blobs: BlobStore, profiles: Profiles
    ) -> "MessageOut":
        sender = profiles.get(m.sender_id) if m.sender_id else None
        file = None
        metadata = {} if m.is_deleted else shown_metadata(m.metadata)
        if m.message_type is MessageType.FILE and not m.is_deleted:
            file = FileOut(
                file_name=metadata["file_name"],
                content_type=metadata["content_type"],
                size=metadata["size"],
                url=blobs.signed_url(metadata["blob_key"], FILE_LINK_LIFETIME),
            )
            metadata = {}
        return cls(
            id=m.id,
            conversation_id=m.conversation_id,
            sender_id=m.sender_id,
            sender_name=sender and sender.name,
            sender_avatar_url=sender and sender.avatar_url,
            content="" if m.is_deleted else m.content,
            message_type=m.message_type,
            reply_to_id=m.reply_to_id,
            metadata=metadata,
            file=file,
            created_at=m.created_at,
            updated_at=m.updated_at,
            is_edited=m.is_edited,
            is_deleted=m.is_deleted,
            status=min(
                (r.status for r in receipts), key=lambda s: s.rank, default=DeliveryStatus.SENT
            ),
            receipts=[
                ReceiptOut(user_id=r.user_id, status=r.status, updated_at=r.updated_at)
                for r in receipts
            ],
        )


class ConversationIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "group",
                    "title": "Speaking club",
                    "participant_ids": ["3fa85f64-5717-4562-b3fc-2c963f66afa6"],
                }
            ]
        }
    )

    type: ConversationType = ConversationType.GROUP
    title: str | None = Field(default=None, max_length=TITLE_MAX_LENGTH)
    participant_ids: list[UUID] = Field(max_length=200)


class ConversationChange(BaseModel):
    title: str | None = Field(default=None, max_length=TITLE_MAX_LENGTH)
    is_archived: StrictBool | None = None


class ConversationPage(BaseModel):
    conversations: list[ConversationOut]
    page: int
    limit: int
    total: int


class MessageIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"content": "Shall we practise the dialogue tonight?", "metadata": {}}]
        }
    )

    content: str = Field(max_length=CONTENT_MAX_LENGTH, pattern=NOT_BLANK)
    reply_to_id: UUID | None = None
    metadata: dict[str, Any] = Field(
        default_factory=dict,
        max_length=METADATA_MAX_KEYS,
        description=f"The client's own: nested at most {METADATA_MAX_DEPTH} levels deep "
        f"(this object included), at most {METADATA_MAX_BYTES} bytes as JSON",
    )


class MessageEdit(BaseModel):
    content: str = Field(max_length=CONTENT_MAX_LENGTH, pattern=NOT_BLANK)


class MessagePage(BaseModel):
    messages: list[MessageOut]
    next_cursor: str | None
    """Pass as `before` to get the next (older) page; null on the last page."""


class ReceiptChange(BaseModel):
    message_id: UUID
    user_id: UUID
    status: DeliveryStatus
    updated_at: datetime | None


class ConversationRead(BaseModel):
    conversation_id: UUID
    read_at: datetime
    marked: int


class ParticipantIn(BaseModel):
    user_id: UUID
    role: ParticipantRole = ParticipantRole.MEMBER


class ParticipantChange(BaseModel):
    role: ParticipantRole | None = None
    is_muted: StrictBool | None = None


class UserStatusOut(BaseModel):
    user_id: UUID
    status: Presence
    last_seen_at: datetime

    @classmethod
    def of(cls, s: UserStatus) -> "UserStatusOut":
        return cls(user_id=s.user_id, status=s.status, last_seen_at=s.last_seen_at)


class UserStatusList(BaseModel):
    statuses: list[UserStatusOut]


class UserStatusIn(BaseModel):
    status: Presence


def encode_cursor(cursor: MessageCursor | None) -> str | None:
    if cursor is None:
        return None
    raw = f"{cursor.created_at.isoformat()}|{cursor.message_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str | None) -> MessageCursor | None:
    if value is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        created_at, message_id = raw.split("|")
        moment = datetime.fromisoformat(created_at)
        if moment.tzinfo is None:
            raise ValueError("naive")
        return MessageCursor(in_utc(moment), UUID(message_id))
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise InvalidInput("Invalid cursor", {"field": "before"}) from None
