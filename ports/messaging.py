"""Ports of the messaging context: conversations between users, their messages, read
receipts and who is online."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID


class ConversationType(StrEnum):
    DIRECT = "direct"
    GROUP = "group"


class ParticipantRole(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class MessageType(StrEnum):
    TEXT = "text"
    FILE = "file"


class DeliveryStatus(StrEnum):
    """A recipient's progress on one message; it only moves forward."""

    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {DeliveryStatus.SENT: 0, DeliveryStatus.DELIVERED: 1, DeliveryStatus.READ: 2}


class Presence(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


@dataclass
class Conversation:
    """`created_by` is None once the creator's account is deleted."""

    id: UUID
    type: ConversationType
    title: str | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime | None = None
    is_archived: bool = False
    is_deleted: bool = False


@dataclass
class Participant:
    """`left_at` is set once the user left or was removed; the row is kept for history."""

    conversation_id: UUID
    user_id: UUID
    role: ParticipantRole
    joined_at: datetime
    left_at: datetime | None = None
    is_muted: bool = False
    last_read_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.left_at is None


@dataclass
class Message:
    """`sender_id` is None once the sender's account is deleted; the message stays."""

    id: UUID
    conversation_id: UUID
    sender_id: UUID | None
    content: str
    message_type: MessageType
    reply_to_id: UUID | None
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    is_edited: bool = False
    is_deleted: bool = False


@dataclass(frozen=True)
class Receipt:
    message_id: UUID
    user_id: UUID
    status: DeliveryStatus
    updated_at: datetime


@dataclass(frozen=True)
class UserStatus:
    user_id: UUID
    status: Presence
    last_seen_at: datetime


@dataclass(frozen=True)
class PublicProfile:
    """What the people a user shares a conversation with see of that user."""

    user_id: UUID
    name: str
    avatar_url: str | None


@dataclass(frozen=True)
class MessageCursor:
    """A position in a conversation's history: messages strictly older come next."""

    created_at: datetime
    message_id: UUID


@dataclass(frozen=True)
class ConversationSummary:
    conversation: Conversation
    participants: list[Participant] = field(default_factory=list)
    unread_count: int = 0


class ConversationRepository(Protocol):
    async def add(self, conversation: Conversation, participants: list[Participant]) -> None: ...

    async def get(self, conversation_id: UUID) -> Conversation | None:
        """Soft-deleted conversations too; the use cases decide what they mean."""

    async def save(self, conversation: Conversation) -> None: ...

    async def find_direct(self, user_a: UUID, user_b: UUID) -> Conversation | None:
        """The live (not deleted) direct conversation between the two users, if any."""

    async def list_for_user(
        self, user_id: UUID, archived: bool, offset: int, limit: int
    ) -> tuple[list[ConversationSummary], int]:
        """The live conversations `user_id` takes part in, most recent activity first, with
        their active participants and the user's unread count; and the total count."""

    async def ids_for_user(self, user_id: UUID) -> list[UUID]:
        """Ids of the live conversations `user_id` takes part in."""

    async def participants(self, conversation_id: UUID) -> list[Participant]:
        """Every participant, those who left included, in order of joining."""

    async def get_participant(self, conversation_id: UUID, user_id: UUID) -> Participant | None: ...

    async def save_participant(self, participant: Participant) -> None:
        """Inserts or updates the (conversation, user) participant."""

    async def share_conversation(self, user_id: UUID, others: list[UUID]) -> list[UUID]:
        """Those of `others` who take part in a live conversation with `user_id`."""


class MessageRepository(Protocol):
    async def add(self, message: Message, recipients: list[UUID]) -> None:
        """Stores the message with a SENT receipt for each recipient."""

    async def get(self, message_id: UUID) -> Message | None: ...

    async def save(self, message: Message) -> None: ...

    async def history(
        self, conversation_id: UUID, before: MessageCursor | None, limit: int
    ) -> list[Message]:
        """Up to `limit` messages older than `before` (all when None), newest first."""

    async def files(
        self, *, conversation_id: UUID | None = None, sender_id: UUID | None = None
    ) -> list[Message]:
        """The file messages not deleted of the conversation, or sent by the user (both
        filters apply when both are given; at least one is)."""

    async def receipts(self, message_ids: list[UUID]) -> list[Receipt]: ...

    async def advance_receipt(
        self, message_id: UUID, user_id: UUID, status: DeliveryStatus, at: datetime
    ) -> Receipt | None:
        """Moves the user's receipt forward to `status` (never back). The receipt when it
        moved, None when it was already there or beyond or when there is none."""

    async def read_all(self, conversation_id: UUID, user_id: UUID, at: datetime) -> int:
        """Marks every receipt of the user in the conversation read; how many moved."""


class UserStatusRepository(Protocol):
    async def get_many(self, user_ids: list[UUID]) -> list[UserStatus]: ...

    async def save(self, status: UserStatus) -> None:
        """Inserts or replaces the user's status."""
