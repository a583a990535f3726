"""Events of the tutoring context."""

from domain.events.schemas import ID, TIME, Schemas, enum_of, object_of
from domain.events.validation import new_event
from ports.events import Event
from ports.tutoring import InputMode, TutorMessage, TutorSession

SCHEMAS: Schemas = {
    ("tutor_session.turn_taken", 1): object_of(
        session_id=ID,
        user_id=ID,
        message_id=ID,
        input_mode=enum_of(InputMode),
        corrections={"type": "integer", "minimum": 0},
        taken_at=TIME,
    ),
}


def turn_taken(session: TutorSession, learner: TutorMessage) -> Event:
    """The learner's side of a turn the tutor answered."""
    return new_event(
        SCHEMAS,
        "tutor_session.turn_taken",
        {
            "session_id": str(session.id),
            "user_id": str(session.user_id),
            "message_id": str(learner.id),
            "input_mode": learner.input_mode.value,
            "corrections": len(learner.corrections),
            "taken_at": learner.created_at.isoformat(),
        },
    )
