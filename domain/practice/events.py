"""Events of the practice context."""

from domain.events.schemas import ID, TIME, Schemas, object_of
from domain.events.validation import new_event
from ports.events import Event
from ports.practice import GameSession

SCHEMAS: Schemas = {
    ("game_session.completed", 1): object_of(
        session_id=ID,
        user_id=ID,
        mode={"type": "string"},
        level={"type": "string"},
        total_sentences={"type": "integer"},
        correct_count={"type": "integer"},
        avg_pronunciation_score={"type": ["number", "null"]},
        completed_at=TIME,
    ),
}


def game_session_completed(session: GameSession) -> Event:
    return new_event(
        SCHEMAS,
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
