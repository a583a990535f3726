"""Every event Parla publishes, in one place: its type, version and payload schema, and the
function that builds it.

Schemas are JSON Schema documents (the subset `check_payload` understands: type, required,
properties, additionalProperties, enum, items), keyed by the event name, where the ids in a
type are `*` ("conversation.*.message_sent"), and the version. A change that breaks readers
adds a new version next to the old one instead of editing it.

Durable events (stored until every durable consumer handled them) go through the outbox;
fan-out events (typing) are published directly, since losing one loses nothing.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

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
from ports.practice import GameSession

JsonSchema = dict[str, Any]

_UUID: JsonSchema = {"type": "string", "format": "uuid"}
_TIME: JsonSchema = {"type": "string", "format": "date-time"}
_OPTIONAL_UUID: JsonSchema = {"type": ["string", "null"], "format": "uuid"}
_OPTIONAL_TIME: JsonSchema = {"type": ["string", "null"], "format": "date-time"}


def _object(**properties: JsonSchema) -> JsonSchema:
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }


def _enum(values: type[StrEnum]) -> JsonSchema:
    return {"type": "string", "enum": [v.value for v in values]}


_MESSAGE = _object(
    id=_UUID,
    conversation_id=_UUID,
    sender_id=_OPTIONAL_UUID,
    content={"type": "string"},
    message_type=_enum(MessageType),
    reply_to_id=_OPTIONAL_UUID,
    metadata={"type": "object"},
    created_at=_TIME,
    updated_at=_TIME,
    is_edited={"type": "boolean"},
    is_deleted={"type": "boolean"},
)
_PARTICIPANT = _object(
    conversation_id=_UUID,
    user_id=_UUID,
    role=_enum(ParticipantRole),
    joined_at=_TIME,
    left_at=_OPTIONAL_TIME,
    is_muted={"type": "boolean"},
)
_CONVERSATION = _object(
    id=_UUID,
    title={"type": ["string", "null"]},
    is_archived={"type": "boolean"},
    is_deleted={"type": "boolean"},
    updated_at=_TIME,
)

SCHEMAS: dict[tuple[str, int], JsonSchema] = {
    ("game_session.completed", 1): _object(
        session_id=_UUID,
        user_id=_UUID,
        mode={"type": "string"},
        level={"type": "string"},
        total_sentences={"type": "integer"},
        correct_count={"type": "integer"},
        avg_pronunciation_score={"type": ["number", "null"]},
        completed_at=_TIME,
    ),
    ("user.deleted", 1): _object(user_id=_UUID),
    ("conversation.*.message_sent", 1): _object(message=_MESSAGE),
    ("conversation.*.message_edited", 1): _object(message=_MESSAGE),
    ("conversation.*.message_deleted", 1): _object(message=_MESSAGE),
    ("conversation.*.message_status", 1): _object(
        conversation_id=_UUID,
        message_id=_UUID,
        user_id=_UUID,
        status=_enum(DeliveryStatus),
        updated_at=_TIME,
    ),
    ("conversation.*.read", 1): _object(conversation_id=_UUID, user_id=_UUID, read_at=_TIME),
    ("conversation.*.typing", 1): _object(
        conversation_id=_UUID, user_id=_UUID, is_typing={"type": "boolean"}
    ),
    ("conversation.*.updated", 1): _object(conversation=_CONVERSATION),
    ("conversation.*.participant_added", 1): _object(participant=_PARTICIPANT),
    ("conversation.*.participant_updated", 1): _object(participant=_PARTICIPANT),
    ("conversation.*.participant_removed", 1): _object(participant=_PARTICIPANT),
    ("inbox.*.conversation_joined", 1): _object(conversation_id=_UUID, user_id=_UUID),
    ("user_status.*.changed", 1): _object(
        user_id=_UUID,
        status=_enum(Presence),
        last_seen_at=_TIME,
        conversation_ids={"type": "array", "items": _UUID},
    ),
}

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def schema_name(event_type: str) -> str:
    """The name an event type is registered under: its id tokens replaced by `*`."""
    tokens = event_type.split(".")
    if tokens[0] in ("conversation", "inbox", "user_status") and len(tokens) == 3:
        tokens[1] = "*"
    return ".".join(tokens)


def _problems(value: Any, schema: JsonSchema, path: str) -> list[str]:
    types = schema.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else types
        # bool is an int in Python, but not a JSON number.
        if isinstance(value, bool) and "boolean" not in allowed:
            return [f"{path}: expected {' or '.join(allowed)}"]
        if not any(isinstance(value, _JSON_TYPES[t]) for t in allowed):
            return [f"{path}: expected {' or '.join(allowed)}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: not one of {schema['enum']}"]
    problems: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        problems += [
            f"{path}.{name}: missing" for name in schema.get("required", ()) if name not in value
        ]
        for name, item in value.items():
            if name in properties:
                problems += _problems(item, properties[name], f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{path}.{name}: unexpected")
    if isinstance(value, list) and "items" in schema:
        for position, item in enumerate(value):
            problems += _problems(item, schema["items"], f"{path}[{position}]")
    return problems


def check_payload(event: Event) -> None:
    """Raises ValueError unless the event is registered and its payload fits its schema."""
    schema = SCHEMAS.get((schema_name(event.type), event.version))
    if schema is None:
        raise ValueError(f"No schema for {event.type!r} version {event.version}")
    problems = _problems(event.payload, schema, "payload")
    if problems:
        raise ValueError(f"{event.type} v{event.version}: {'; '.join(problems)}")


def _event(event_type: str, payload: dict[str, Any]) -> Event:
    event = Event.create(event_type, payload)
    check_payload(event)
    return event


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _id(value: UUID | None) -> str | None:
    return str(value) if value is not None else None


# --- practice and identity --------------------------------------------------------------


def game_session_completed(session: GameSession) -> Event:
    return _event(
        "game_session.completed",
        {
            "session_id": str(session.id),
            "user_id": str(session.user_id),
            "mode": session.mode.value,
            "level": session.level.value,
            "total_sentences": session.total_sentences,
            "correct_count": session.correct_count,
            "avg_pronunciation_score": session.avg_pronunciation_score,
            "completed_at": session.completed_at.isoformat(),
        },
    )


def user_deleted(user_id: UUID) -> Event:
    return _event("user.deleted", {"user_id": str(user_id)})


# --- messaging ----------------------------------------------------------------------------


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
