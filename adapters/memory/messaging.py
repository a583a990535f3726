"""Repositories of the messaging context over the in-memory tables."""

from datetime import datetime
from uuid import UUID

from adapters.memory.tables import Tables, insert, loaded, page, stored, update
from domain.errors import Conflict
from ports.messaging import (
    Conversation,
    ConversationSummary,
    ConversationType,
    DeliveryStatus,
    Message,
    MessageCursor,
    MessageType,
    Participant,
    Receipt,
    UserStatus,
)


def _joining_order(participant: Participant) -> tuple[datetime, UUID]:
    return participant.joined_at, participant.user_id


class InMemoryConversationRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, conversation: Conversation, participants: list[Participant]) -> None:
        members = {(p.conversation_id, p.user_id): p for p in participants}
        if len(members) != len(participants):
            raise Conflict("conversation already exists")
        insert(self._tables.conversations, conversation.id, conversation, "conversation")
        self._tables.participants.update(stored(members))

    async def get(self, conversation_id: UUID) -> Conversation | None:
        return loaded(self._tables.conversations.get(conversation_id))

    async def save(self, conversation: Conversation) -> None:
        unchanging = ("type", "created_by", "created_at")
        update(
            self._tables.conversations,
            conversation.id,
            conversation,
            "conversation",
            keep=unchanging,
        )

    async def find_direct(self, user_a: UUID, user_b: UUID) -> Conversation | None:
        members = self._tables.participants
        return loaded(
            next(
                (
                    c
                    for c in self._tables.conversations.values()
                    if c.type is ConversationType.DIRECT
                    and not c.is_deleted
                    and (c.id, user_a) in members
                    and (c.id, user_b) in members
                ),
                None,
            )
        )

    def _live_for(self, user_id: UUID) -> list[Conversation]:
        """The live conversations the user takes part in (and has not left)."""
        members = self._tables.participants
        return [
            c
            for c in self._tables.conversations.values()
            if not c.is_deleted
            and (member := members.get((c.id, user_id))) is not None
            and member.active
        ]

    async def list_for_user(
        self, user_id: UUID, archived: bool, offset: int, limit: int
    ) -> tuple[list[ConversationSummary], int]:
        matching = [c for c in self._live_for(user_id) if c.is_archived == archived]
        matching.sort(key=lambda c: (c.last_message_at or c.created_at, c.id), reverse=True)
        unread: dict[UUID, int] = {}
        for receipt in self._tables.receipts.values():
            if receipt.user_id == user_id and receipt.status is not DeliveryStatus.READ:
                conversation_id = self._tables.messages[receipt.message_id].conversation_id
                unread[conversation_id] = unread.get(conversation_id, 0) + 1
        summaries = [
            ConversationSummary(
                c, [p for p in self._in_order(c.id) if p.active], unread.get(c.id, 0)
            )
            for c in page(matching, offset, limit)
        ]
        return loaded(summaries), len(matching)

    async def ids_for_user(self, user_id: UUID) -> list[UUID]:
        return [c.id for c in sorted(self._live_for(user_id), key=lambda c: c.created_at)]

    async def participants(self, conversation_id: UUID) -> list[Participant]:
        return loaded(self._in_order(conversation_id))

    async def get_participant(self, conversation_id: UUID, user_id: UUID) -> Participant | None:
        return loaded(self._tables.participants.get((conversation_id, user_id)))

    async def save_participant(self, participant: Participant) -> None:
        key = participant.conversation_id, participant.user_id
        self._tables.participants[key] = stored(participant)

    async def share_conversation(self, user_id: UUID, others: list[UUID]) -> list[UUID]:
        members = self._tables.participants
        shared = [
            other
            for other in dict.fromkeys(others)
            if any(
                (member := members.get((c.id, other))) is not None and member.active
                for c in self._live_for(user_id)
            )
        ]
        return shared

    def _in_order(self, conversation_id: UUID) -> list[Participant]:
        members = self._tables.participants.values()
        return sorted(
            (p for p in members if p.conversation_id == conversation_id), key=_joining_order
        )


def _recency(message: Message) -> tuple[datetime, UUID]:
    return message.created_at, message.id


class InMemoryMessageRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, message: Message, recipients: list[UUID]) -> None:
        receipts = {
            (message.id, user_id): Receipt(
                message.id, user_id, DeliveryStatus.SENT, message.created_at
            )
            for user_id in recipients
        }
        if len(receipts) != len(recipients):
            raise Conflict("message already exists")
        insert(self._tables.messages, message.id, message, "message")
        self._tables.receipts.update(stored(receipts))

    async def get(self, message_id: UUID) -> Message | None:
        return loaded(self._tables.messages.get(message_id))

    async def save(self, message: Message) -> None:
        # Only the content, its metadata and the edit and delete marks change.
        unchanging = ("conversation_id", "sender_id", "message_type", "reply_to_id", "created_at")
        update(self._tables.messages, message.id, message, "message", keep=unchanging)

    async def history(
        self, conversation_id: UUID, before: MessageCursor | None, limit: int
    ) -> list[Message]:
        cursor = (before.created_at, before.message_id) if before is not None else None
        older = [
            m
            for m in self._tables.messages.values()
            if m.conversation_id == conversation_id and (cursor is None or _recency(m) < cursor)
        ]
        older.sort(key=_recency, reverse=True)
        return loaded(page(older, 0, limit))

    async def files(
        self, *, conversation_id: UUID | None = None, sender_id: UUID | None = None
    ) -> list[Message]:
        if conversation_id is None and sender_id is None:
            raise ValueError("files of a conversation, of a sender, or both")
        return loaded(
            [
                m
                for m in self._tables.messages.values()
                if m.message_type is MessageType.FILE
                and not m.is_deleted
                and conversation_id in (None, m.conversation_id)
                and sender_id in (None, m.sender_id)
            ]
        )

    async def receipts(self, message_ids: list[UUID]) -> list[Receipt]:
        wanted = set(message_ids)
        found = [r for r in self._tables.receipts.values() if r.message_id in wanted]
        return sorted(found, key=lambda receipt: receipt.user_id)

    async def advance_receipt(
        self, message_id: UUID, user_id: UUID, status: DeliveryStatus, at: datetime
    ) -> Receipt | None:
        key = message_id, user_id
        receipt = self._tables.receipts.get(key)
        if receipt is None or receipt.status.rank >= status.rank:
            return None
        moved = self._tables.receipts[key] = stored(Receipt(message_id, user_id, status, at))
        return moved

    async def read_all(self, conversation_id: UUID, user_id: UUID, at: datetime) -> int:
        messages = self._tables.messages
        unread = [
            key
            for key, r in self._tables.receipts.items()
            if r.user_id == user_id
            and r.status is not DeliveryStatus.READ
            and messages[r.message_id].conversation_id == conversation_id
        ]
        for message_id, _ in unread:
            self._tables.receipts[message_id, user_id] = stored(
                Receipt(message_id, user_id, DeliveryStatus.READ, at)
            )
        return len(unread)


class InMemoryUserStatusRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def get_many(self, user_ids: list[UUID]) -> list[UserStatus]:
        statuses = self._tables.user_statuses
        return [statuses[u] for u in dict.fromkeys(user_ids) if u in statuses]

    async def save(self, status: UserStatus) -> None:
        self._tables.user_statuses[status.user_id] = stored(status)
