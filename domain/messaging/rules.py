"""What a conversation, a message and an attachment may hold, and who may do what."""

import json
import re
from typing import Any, NamedTuple
from uuid import UUID

from domain.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge
from ports.messaging import Conversation, ConversationRepository, Participant, ParticipantRole

TITLE_MAX_LENGTH = 200
CONTENT_MAX_LENGTH = 4000
METADATA_MAX_KEYS = 20
# A message's metadata is the client's own (a reply preview, a client-side id): a few small
# values. Bounded so that every stored value renders again, in every list it appears in:
# serializers refuse deep nesting (Pydantic's at 255 levels, which made a whole history
# unreadable), and every reader of the history pays for its size.
METADATA_MAX_DEPTH = 8
METADATA_MAX_BYTES = 8192
GROUP_MAX_PARTICIPANTS = 100
ATTACHMENT_MAX_BYTES = 10 << 20
ATTACHMENT_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "audio/mpeg",
        "audio/mp4",
        "audio/ogg",
        "audio/wav",
        "audio/webm",
    }
)
# What the first bytes of a file must be for its declared type (types not listed: any).
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
}
_UNSAFE_FILE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def clean_title(title: str | None) -> str | None:
    if title is None:
        return None
    title = " ".join(title.split())
    if len(title) > TITLE_MAX_LENGTH:
        raise InvalidInput(
            f"title must be at most {TITLE_MAX_LENGTH} characters", {"field": "title"}
        )
    return title or None


def clean_content(content: str) -> str:
    if not content.strip() or len(content) > CONTENT_MAX_LENGTH:
        raise InvalidInput(
            f"content must be 1 to {CONTENT_MAX_LENGTH} characters", {"field": "content"}
        )
    return content


def _nesting_within(value: Any, max_depth: int) -> bool:
    """Whether the JSON `value` nests objects and arrays at most `max_depth` deep (walked
    without recursion, so that no depth breaks the walk itself)."""
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if not isinstance(item, dict | list):
            continue
        if depth == max_depth:
            return False
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children)
    return True


def metadata_within_bounds(metadata: dict[str, Any]) -> bool:
    return (
        len(metadata) <= METADATA_MAX_KEYS
        and _nesting_within(metadata, METADATA_MAX_DEPTH)
        and len(json.dumps(metadata, ensure_ascii=False).encode()) <= METADATA_MAX_BYTES
    )


def check_metadata(metadata: dict[str, Any]) -> None:
    if not metadata_within_bounds(metadata):
        raise InvalidInput(
            f"metadata holds at most {METADATA_MAX_KEYS} keys, nests at most "
            f"{METADATA_MAX_DEPTH} levels deep and takes at most {METADATA_MAX_BYTES} bytes "
            "as JSON",
            {"field": "metadata"},
        )


def shown_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """What a reader sees of stored metadata: nothing of a value outside the bounds (one
    stored before they held), so that one message never makes a history unreadable."""
    return metadata if metadata_within_bounds(metadata) else {}


def check_attachment(data: bytes, content_type: str) -> None:
    if not data:
        raise InvalidInput("The file is empty", {"field": "file"})
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise PayloadTooLarge(
            f"Files are limited to {ATTACHMENT_MAX_BYTES >> 20} MiB", {"field": "file"}
        )
    if content_type not in ATTACHMENT_TYPES:
        raise InvalidInput(
            f"Files of type {content_type!r} are not accepted",
            {"field": "file", "accepted": sorted(ATTACHMENT_TYPES)},
        )
    signatures = _SIGNATURES.get(content_type)
    if signatures and not data.startswith(signatures):
        raise InvalidInput(f"The file is not {content_type}", {"field": "file"})


def clean_file_name(name: str | None) -> str:
    """A name safe as the last segment of a blob key."""
    cleaned = _UNSAFE_FILE_NAME.sub("_", (name or "").rsplit("/", 1)[-1]).strip(" .")
    return cleaned[:100] or "file"


class Membership(NamedTuple):
    conversation: Conversation
    participant: Participant


def require_existing(conversation: Conversation | None) -> Conversation:
    """NotFound for an unknown or deleted conversation."""
    if conversation is None or conversation.is_deleted:
        raise NotFound("Conversation not found")
    return conversation


def require_active(participant: Participant | None) -> Participant:
    """Forbidden unless the participant takes part: only active participants read or write
    a conversation."""
    if participant is None or not participant.active:
        raise Forbidden("You are not a participant of this conversation")
    return participant


def require_admin(participant: Participant) -> Participant:
    """Forbidden unless the participant is one of the conversation's admins."""
    if participant.role is not ParticipantRole.ADMIN:
        raise Forbidden("This needs the conversation's admin role")
    return participant


async def require_membership(
    conversations: ConversationRepository, conversation_id: UUID, user_id: UUID
) -> Membership:
    """The conversation and the user's part in it, or NotFound (unknown or deleted) or
    Forbidden (not an active participant): what every use case on a conversation checks
    first."""
    conversation = require_existing(await conversations.get(conversation_id))
    participant = require_active(await conversations.get_participant(conversation_id, user_id))
    return Membership(conversation, participant)


def distinct_others(creator: UUID, user_ids: list[UUID]) -> list[UUID]:
    return [u for u in dict.fromkeys(user_ids) if u != creator]
