"""Events of the curriculum context."""

from uuid import UUID

from domain.curriculum.rules import AttemptOutcome, TopicAttempt
from domain.events.schemas import ID, TIME, Schemas, object_of
from domain.events.validation import new_event
from ports.events import Event

NUMBER = {"type": "integer", "minimum": 1}
FLAG = {"type": "boolean"}

SCHEMAS: Schemas = {
    ("curriculum.topic_attempt_recorded", 1): object_of(
        user_id=ID,
        stage=NUMBER,
        exercise=NUMBER,
        topic=NUMBER,
        score={"type": "number", "minimum": 0, "maximum": 100},
        time_seconds={"type": "integer", "minimum": 0},
        topic_completed=FLAG,
        exercise_matured=FLAG,
        stage_completed=FLAG,
        unlocked={"type": "array", "items": {"type": "array", "items": NUMBER}},
        attempted_at=TIME,
    ),
}


def topic_attempt_recorded(user_id: UUID, attempt: TopicAttempt, outcome: AttemptOutcome) -> Event:
    return new_event(
        SCHEMAS,
        "curriculum.topic_attempt_recorded",
        {
            "user_id": str(user_id),
            "stage": attempt.stage,
            "exercise": attempt.exercise,
            "topic": attempt.topic,
            "score": attempt.score,
            "time_seconds": attempt.time_seconds,
            "topic_completed": outcome.topic_completed,
            "exercise_matured": outcome.exercise_matured,
            "stage_completed": outcome.stage_completed,
            "unlocked": [list(key) for key in outcome.unlocked],
            "attempted_at": attempt.attempted_at.isoformat(),
        },
    )
