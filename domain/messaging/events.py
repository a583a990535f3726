"""Events of the messaging context: messages, receipts, conversations, participants and
presence, addressed to the conversation (or the user) they concern."""

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.events.schemas import (
    ID,
    OPTIONAL_ID,
    OPTIONAL_TIME,
    TIME,
    Schemas,
    enum_of,
    object_of,
)
from domain.events.validation import new_event
from ports.events import Event
from ports.messaging import (
    Conversation,
    DeliveryStatus,
    Message,
    MessageType,
    Participant,
    ParticipantRole,
    Presence,
    Receipt,
    UserStatus,
)

_MESSAGE = object_of(
    id=ID,
    conversation_id=ID,
    sender_id=OPTIONAL_ID,
    content={"type": "string"},
    message_type=enum_of(MessageType),
    reply_to_id=OPTIONAL_ID,
    metadata={"type": "object"},
    created_at=TIME,
    updated_at=TIME,
    is_edited={"type": "boolean"},
    is_deleted={"type": "boolean"},
)
_PARTICIPANT = object_of(
    conversation_id=ID,
    user_id=ID,
    role=enum_of(ParticipantRole),
    joined_at=TIME,
    left_at=OPTIONAL_TIME,
    is_muted={"type": "boolean"},
)
_CONVERSATION = object_of(
    id=ID,
    title={"type": ["string", "null"]},
    is_archived={"type": "boolean"},
    is_deleted={"type": "boolean"},
    updated_at=TIME,
)

SCHEMAS: Schemas = {
    ("conversation.*.message_sent", 1): object_of(message=_MESSAGE),
    ("conversation.*.message_edited", 1): object_of(message=_MESSAGE),
    ("conversation.*.message_deleted", 1): object_of(message=_MESSAGE),
    ("conversation.*.message_status", 1): object_of(
        conversation_id=ID,
        message_id=ID,
        user_id=ID,
        status=enum_of(DeliveryStatus),
        updated_at=TIME,
    ),
    ("conversation.*.read", 1): object_of(conversation_id=ID, user_id=ID, read_at=TIME),
    ("conversation.*.typing", 1): object_of(
        conversation_id=ID, user_id=ID, is_typing={"type": "boolean"}
    ),
    ("conversation.*.updated", 1): object_of(conversation=_CONVERSATION),
    ("conversation.*.participant_added", 1): object_of(participant=_PARTICIPANT),
    ("conversation.*.participant_updated", 1): object_of(participant=_PARTICIPANT),
    ("conversation.*.participant_removed", 1): object_of(participant=_PARTICIPANT),
    ("inbox.*.conversation_joined", 1): object_of(conversation_id=ID, user_id=ID),
    ("user_status.*.changed", 1): object_of(
        user_id=ID,
        status=enum_of(Presence),
        last_seen_at=TIME,
        conversation_ids={"type": "array", "items": ID},
    ),
}


def _event(event_type: str, payload: dict[str, Any]) -> Event:
    return new_event(SCHEMAS, event_type, payload)


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _id(value: UUID | None) -> str | None:
    return str(value) if value is not None else None


def message_document(message: Message) -> dict[str, Any]:
    """A message as events carry it; a deleted message keeps no content."""
    return {
        "id": str(message.id),
        "conversation_id": str(message.conversation_id),
        "sender_id": _id(message.sender_id),
        "content": "" if message.is_deleted else message.content,
        "message_type": message.message_type.value,
        "reply_to_id": _id(message.reply_to_id),
        "metadata": {} if message.is_deleted else message.metadata,
        "created_at": message.created_at.isoformat(),
        "updated_at": message.updated_at.isoformat(),
        "is_edited": message.is_edited,
        "is_deleted": message.is_deleted,
    }


def message_from_document(document: dict[str, Any]) -> Message:
    return Message(
        id=UUID(document["id"]),
        conversation_id=UUID(document["conversation_id"]),
        sender_id=UUID(document["sender_id"]) if document["sender_id"] else None,
        content=document["content"],
        message_type=MessageType(document["message_type"]),
        reply_to_id=UUID(document["reply_to_id"]) if document["reply_to_id"] else None,
        metadata=document["metadata"],
        created_at=datetime.fromisoformat(document["created_at"]),
        updated_at=datetime.fromisoformat(document["updated_at"]),
        is_edited=document["is_edited"],
        is_deleted=document["is_deleted"],
    )


def message_sent(message: Message) -> Event:
    return _event(
        f"conversation.{message.conversation_id}.message_sent",
        {"message": message_document(message)},
    )


def message_edited(message: Message) -> Event:
    return _event(
        f"conversation.{message.conversation_id}.message_edited",
        {"message": message_document(message)},
    )


def message_deleted(message: Message) -> Event:
    return _event(
        f"conversation.{message.conversation_id}.message_deleted",
        {"message": message_document(message)},
    )


def receipt_updated(conversation_id: UUID, receipt: Receipt) -> Event:
    return _event(
        f"conversation.{conversation_id}.message_status",
        {
            "conversation_id": str(conversation_id),
            "message_id": str(receipt.message_id),
            "user_id": str(receipt.user_id),
            "status": receipt.status.value,
            "updated_at": receipt.updated_at.isoformat(),
        },
    )


def conversation_read(conversation_id: UUID, user_id: UUID, read_at: datetime) -> Event:
    return _event(
        f"conversation.{conversation_id}.read",
        {
            "conversation_id": str(conversation_id),
            "user_id": str(user_id),
            "read_at": read_at.isoformat(),
        },
    )


def typing(conversation_id: UUID, user_id: UUID, is_typing: bool) -> Event:
    return _event(
        f"conversation.{conversation_id}.typing",
        {"conversation_id": str(conversation_id), "user_id": str(user_id), "is_typing": is_typing},
    )


def conversation_updated(conversation: Conversation) -> Event:
    return _event(
        f"conversation.{conversation.id}.updated",
        {
            "conversation": {
                "id": str(conversation.id),
                "title": conversation.title,
                "is_archived": conversation.is_archived,
                "is_deleted": conversation.is_deleted,
                "updated_at": conversation.updated_at.isoformat(),
            }
        },
    )


def participant_document(participant: Participant) -> dict[str, Any]:
    return {
        "conversation_id": str(participant.conversation_id),
        "user_id": str(participant.user_id),
        "role": participant.role.value,
        "joined_at": participant.joined_at.isoformat(),
        "left_at": _time(participant.left_at),
        "is_muted": participant.is_muted,
    }


def participant_changed(change: str, participant: Participant) -> Event:
    """`change` is "added", "updated" or "removed"."""
    return _event(
        f"conversation.{participant.conversation_id}.participant_{change}",
        {"participant": participant_document(participant)},
    )


def conversation_joined(user_id: UUID, conversation_id: UUID) -> Event:
    """Tells the user's own connections to join a conversation they were added to."""
    return _event(
        f"inbox.{user_id}.conversation_joined",
        {"conversation_id": str(conversation_id), "user_id": str(user_id)},
    )


def user_status_changed(status: UserStatus, conversation_ids: list[UUID]) -> Event:
    """`conversation_ids` say who may see it: the participants of those conversations."""
    return _event(
        f"user_status.{status.user_id}.changed",
        {
            "user_id": str(status.user_id),
            "status": status.status.value,
            "last_seen_at": status.last_seen_at.isoformat(),
            "conversation_ids": [str(c) for c in conversation_ids],
        },
    )
