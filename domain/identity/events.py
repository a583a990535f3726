"""Events of the identity context."""

from uuid import UUID

from domain.events.schemas import ID, Schemas, object_of
from domain.events.validation import new_event
from ports.events import Event

SCHEMAS: Schemas = {
    ("user.deleted", 1): object_of(user_id=ID),
}


def user_deleted(user_id: UUID) -> Event:
    return new_event(SCHEMAS, "user.deleted", {"user_id": str(user_id)})
