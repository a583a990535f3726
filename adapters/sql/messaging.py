"""Repositories of the messaging context over one AsyncSession."""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from adapters.sql.rows import column_values, from_row, to_row
from adapters.sql.statements import insert_row, update_row, upsert
from adapters.sql.tables import (
    ConversationRow,
    MessageRow,
    MessageStatusRow,
    ParticipantRow,
    UserStatusRow,
)
from ports.messaging import (
    Conversation,
    ConversationSummary,
    ConversationType,
    DeliveryStatus,
    Message,
    MessageCursor,
    MessageType,
    Participant,
    ParticipantRole,
    Presence,
    Receipt,
    UserStatus,
)


def _conversation_values(conversation: Conversation) -> dict[str, Any]:
    # All that a save writes: writing the creator back would undo the NULL that deleting that
    # account leaves.
    return column_values(
        conversation, "title", "updated_at", "last_message_at", "is_archived", "is_deleted"
    )


def _conversation(row: ConversationRow) -> Conversation:
    return from_row(Conversation, row, type=ConversationType(row.type))


def _participant(row: ParticipantRow) -> Participant:
    return from_row(Participant, row, role=ParticipantRole(row.role))


def _participant_values(participant: Participant) -> dict[str, Any]:
    return column_values(
        participant,
        "conversation_id",
        "user_id",
        "joined_at",
        "left_at",
        "is_muted",
        "last_read_at",
        role=ParticipantRole(participant.role).value,
    )


class SqlConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, conversation: Conversation, participants: list[Participant]) -> None:
        row = to_row(
            ConversationRow,
            conversation,
            type=ConversationType(conversation.type).value,
            **_conversation_values(conversation),
        )
        members = [ParticipantRow(id=uuid4(), **_participant_values(p)) for p in participants]
        await insert_row(self._session, "conversation", row, members)

    async def get(self, conversation_id: UUID) -> Conversation | None:
        row = await self._session.get(ConversationRow, conversation_id)
        return _conversation(row) if row is not None else None

    async def save(self, conversation: Conversation) -> None:
        values = _conversation_values(conversation)
        await update_row(self._session, "conversation", ConversationRow, conversation.id, values)

    async def find_direct(self, user_a: UUID, user_b: UUID) -> Conversation | None:
        other = aliased(ParticipantRow)
        statement = (
            select(ConversationRow)
            .join(ParticipantRow, ParticipantRow.conversation_id == ConversationRow.id)
            .join(other, other.conversation_id == ConversationRow.id)
            .where(
                ConversationRow.type == ConversationType.DIRECT.value,
                ConversationRow.is_deleted.is_(False),
                ParticipantRow.user_id == user_a,
                other.user_id == user_b,
            )
            .limit(1)
        )
        row = await self._session.scalar(statement)
        return _conversation(row) if row is not None else None

    def _live_for(self, user_id: UUID) -> list[Any]:
        return [
            ParticipantRow.conversation_id == ConversationRow.id,
            ParticipantRow.user_id == user_id,
            ParticipantRow.left_at.is_(None),
            ConversationRow.is_deleted.is_(False),
        ]

    async def list_for_user(
        self, user_id: UUID, archived: bool, offset: int, limit: int
    ) -> tuple[list[ConversationSummary], int]:
        conditions = [*self._live_for(user_id), ConversationRow.is_archived.is_(archived)]
        total = await self._session.scalar(
            select(func.count()).select_from(ConversationRow, ParticipantRow).where(*conditions)
        )
        activity = func.coalesce(ConversationRow.last_message_at, ConversationRow.created_at)
        rows = list(
            await self._session.scalars(
                select(ConversationRow)
                .where(*conditions)
                .order_by(activity.desc(), ConversationRow.id.desc())
                .offset(max(offset, 0))
                .limit(max(limit, 0))
            )
        )
        ids = [row.id for row in rows]
        if not ids:
            return [], total or 0
        members: dict[UUID, list[Participant]] = {i: [] for i in ids}
        for row in await self._session.scalars(
            select(ParticipantRow)
            .where(ParticipantRow.conversation_id.in_(ids), ParticipantRow.left_at.is_(None))
            .order_by(ParticipantRow.joined_at, ParticipantRow.user_id)
        ):
            members[row.conversation_id].append(_participant(row))
        counts = await self._session.execute(
            select(MessageStatusRow.conversation_id, func.count())
            .where(
                MessageStatusRow.user_id == user_id,
                MessageStatusRow.conversation_id.in_(ids),
                MessageStatusRow.status != DeliveryStatus.READ.value,
            )
            .group_by(MessageStatusRow.conversation_id)
        )
        unread = {conversation_id: count for conversation_id, count in counts.tuples()}
        summaries = [
            ConversationSummary(_conversation(row), members[row.id], unread.get(row.id, 0))
            for row in rows
        ]
        return summaries, total or 0

    async def ids_for_user(self, user_id: UUID) -> list[UUID]:
        rows = await self._session.scalars(
            select(ConversationRow.id)
            .where(*self._live_for(user_id))
            .order_by(ConversationRow.created_at)
        )
        return list(rows)

    async def participants(self, conversation_id: UUID) -> list[Participant]:
        rows = await self._session.scalars(
            select(ParticipantRow)
            .where(ParticipantRow.conversation_id == conversation_id)
            .order_by(ParticipantRow.joined_at, ParticipantRow.user_id)
        )
        return [_participant(row) for row in rows]

    async def get_participant(self, conversation_id: UUID, user_id: UUID) -> Participant | None:
        row = await self._session.scalar(
            select(ParticipantRow).where(
                ParticipantRow.conversation_id == conversation_id,
                ParticipantRow.user_id == user_id,
            )
        )
        return _participant(row) if row is not None else None

    async def save_participant(self, participant: Participant) -> None:
        values = {"id": uuid4(), **_participant_values(participant)}
        await self._session.execute(
            upsert(self._session, ParticipantRow, values, ["conversation_id", "user_id"])
        )

    async def share_conversation(self, user_id: UUID, others: list[UUID]) -> list[UUID]:
        if not others:
            return []
        other = aliased(ParticipantRow)
        rows = await self._session.scalars(
            select(other.user_id)
            .distinct()
            .join(ParticipantRow, ParticipantRow.conversation_id == other.conversation_id)
            .join(ConversationRow, ConversationRow.id == other.conversation_id)
            .where(*self._live_for(user_id), other.user_id.in_(others), other.left_at.is_(None))
        )
        return list(rows)


def _message_values(message: Message) -> dict[str, Any]:
    # What editing and deleting change, and all that a save writes: writing the sender back
    # would undo the NULL that deleting that account leaves.
    return column_values(
        message, "content", "updated_at", "is_edited", "is_deleted", metadata_=message.metadata
    )


def _message(row: MessageRow) -> Message:
    return from_row(
        Message, row, message_type=MessageType(row.message_type), metadata=row.metadata_
    )


def _receipt(row: MessageStatusRow) -> Receipt:
    return from_row(Receipt, row, status=DeliveryStatus(row.status))


class SqlMessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, message: Message, recipients: list[UUID]) -> None:
        row = to_row(
            MessageRow,
            message,
            message_type=MessageType(message.message_type).value,
            **_message_values(message),
        )
        receipts = [
            MessageStatusRow(
                id=uuid4(),
                message_id=message.id,
                user_id=recipient,
                conversation_id=message.conversation_id,
                status=DeliveryStatus.SENT.value,
                created_at=message.created_at,
                updated_at=message.created_at,
            )
            for recipient in recipients
        ]
        await insert_row(self._session, "message", row, receipts)

    async def get(self, message_id: UUID) -> Message | None:
        row = await self._session.get(MessageRow, message_id)
        return _message(row) if row is not None else None

    async def save(self, message: Message) -> None:
        await update_row(self._session, "message", MessageRow, message.id, _message_values(message))

    async def history(
        self, conversation_id: UUID, before: MessageCursor | None, limit: int
    ) -> list[Message]:
        conditions: list[Any] = [MessageRow.conversation_id == conversation_id]
        if before is not None:
            conditions.append(
                or_(
                    MessageRow.created_at < before.created_at,
                    and_(
                        MessageRow.created_at == before.created_at,
                        MessageRow.id < before.message_id,
                    ),
                )
            )
        rows = await self._session.scalars(
            select(MessageRow)
            .where(*conditions)
            .order_by(MessageRow.created_at.desc(), MessageRow.id.desc())
            .limit(max(limit, 0))
        )
        return [_message(row) for row in rows]

    async def files(
        self, *, conversation_id: UUID | None = None, sender_id: UUID | None = None
    ) -> list[Message]:
        if conversation_id is None and sender_id is None:
            raise ValueError("files of a conversation, of a sender, or both")
        conditions: list[Any] = [
            MessageRow.message_type == MessageType.FILE.value,
            MessageRow.is_deleted.is_(False),
        ]
        if conversation_id is not None:
            conditions.append(MessageRow.conversation_id == conversation_id)
        if sender_id is not None:
            conditions.append(MessageRow.sender_id == sender_id)
        rows = await self._session.scalars(select(MessageRow).where(*conditions))
        return [_message(row) for row in rows]

    async def receipts(self, message_ids: list[UUID]) -> list[Receipt]:
        if not message_ids:
            return []
        rows = await self._session.scalars(
            select(MessageStatusRow)
            .where(MessageStatusRow.message_id.in_(message_ids))
            .order_by(MessageStatusRow.user_id)
        )
        return [_receipt(row) for row in rows]

    async def advance_receipt(
        self, message_id: UUID, user_id: UUID, status: DeliveryStatus, at: datetime
    ) -> Receipt | None:
        behind = [s.value for s in DeliveryStatus if s.rank < status.rank]
        result = await self._session.execute(
            update(MessageStatusRow)
            .where(
                MessageStatusRow.message_id == message_id,
                MessageStatusRow.user_id == user_id,
                MessageStatusRow.status.in_(behind),
            )
            .values(status=status.value, updated_at=at)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            return None
        return Receipt(message_id, user_id, status, at)

    async def read_all(self, conversation_id: UUID, user_id: UUID, at: datetime) -> int:
        result = await self._session.execute(
            update(MessageStatusRow)
            .where(
                MessageStatusRow.conversation_id == conversation_id,
                MessageStatusRow.user_id == user_id,
                MessageStatusRow.status != DeliveryStatus.READ.value,
            )
            .values(status=DeliveryStatus.READ.value, updated_at=at)
        )
        return result.rowcount  # type: ignore[attr-defined]


class SqlUserStatusRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_many(self, user_ids: list[UUID]) -> list[UserStatus]:
        if not user_ids:
            return []
        rows = await self._session.scalars(
            select(UserStatusRow).where(UserStatusRow.user_id.in_(user_ids))
        )
        return [from_row(UserStatus, row, status=Presence(row.status)) for row in rows]

    async def save(self, status: UserStatus) -> None:
        values = column_values(
            status, "user_id", "last_seen_at", status=Presence(status.status).value
        )
        await self._session.execute(upsert(self._session, UserStatusRow, values, ["user_id"]))
