"""Event payloads follow the versioned schemas each context registers (domain/events)."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from domain.courses import events as course_events
from domain.curriculum.events import topic_attempt_recorded
from domain.curriculum.rules import AttemptOutcome, TopicAttempt
from domain.events.registry import SCHEMAS
from domain.events.validation import check_payload, schema_name
from domain.identity.events import user_deleted
from domain.messaging import events
from domain.practice.events import game_session_completed
from domain.tutor.events import turn_taken
from ports.cefr import CefrLevel
from ports.content import SpeechType
from ports.courses import ChapterCompletion, QuizAttempt
from ports.events import Event
from ports.messaging import (
    Conversation,
    ConversationType,
    DeliveryStatus,
    Message,
    MessageType,
    Participant,
    ParticipantRole,
    Presence,
    Receipt,
    UserStatus,
)
from ports.practice import GameMode, GameSession
from ports.tutoring import (
    InputMode,
    SessionStatus,
    Speaker,
    Stage,
    TutorMessage,
    TutorSession,
)

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
USER, OTHER, CONVERSATION = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
MESSAGE = Message(
    id=uuid.uuid4(),
    conversation_id=CONVERSATION,
    sender_id=USER,
    content="Hello",
    message_type=MessageType.TEXT,
    reply_to_id=None,
    metadata={"lesson": 3},
    created_at=NOW,
    updated_at=NOW,
)
PARTICIPANT = Participant(CONVERSATION, OTHER, ParticipantRole.MEMBER, NOW)
SESSION = GameSession(
    id=uuid.uuid4(),
    user_id=USER,
    mode=GameMode.LISTEN_ONLY,
    level=CefrLevel.A2,
    sentence_type=SpeechType.QUESTION,
    selected_tags=[],
    total_sentences=3,
    correct_count=2,
    max_streak=2,
    avg_pronunciation_score=None,
    duration_seconds=60,
    started_at=NOW,
    completed_at=NOW,
)

TUTORING = TutorSession(
    uuid.uuid4(), USER, CefrLevel.B1, "travel", Stage.VOCABULARY, SessionStatus.ACTIVE, 3, NOW
)
TURN = TutorMessage(
    uuid.uuid4(), TUTORING.id, 2, Speaker.LEARNER, "I goes home", InputMode.AUDIO, [], NOW
)

EVERY_KIND = [
    game_session_completed(SESSION),
    turn_taken(TUTORING, TURN),
    topic_attempt_recorded(
        USER,
        TopicAttempt(1, 3, 6, 88.5, 21, True, NOW),
        AttemptOutcome(True, True, True, False, [(2, 1)]),
    ),
    user_deleted(USER),
    events.message_sent(MESSAGE),
    events.message_edited(replace(MESSAGE, is_edited=True)),
    events.message_deleted(replace(MESSAGE, is_deleted=True)),
    events.receipt_updated(CONVERSATION, Receipt(MESSAGE.id, OTHER, DeliveryStatus.READ, NOW)),
    events.conversation_read(CONVERSATION, OTHER, NOW),
    events.typing(CONVERSATION, OTHER, True),
    events.conversation_updated(
        Conversation(CONVERSATION, ConversationType.GROUP, None, USER, NOW, NOW)
    ),
    events.participant_changed("added", PARTICIPANT),
    events.participant_changed("updated", PARTICIPANT),
    events.participant_changed("removed", replace(PARTICIPANT, left_at=NOW)),
    events.conversation_joined(OTHER, CONVERSATION),
    events.user_status_changed(UserStatus(USER, Presence.AWAY, NOW), [CONVERSATION]),
    course_events.chapter_completed(ChapterCompletion(USER, "sounds", "sounds-1", NOW), 3),
    course_events.quiz_submitted(
        QuizAttempt(uuid.uuid4(), USER, "sounds-1-quiz", {"q1": 1}, 0.7, True, NOW)
    ),
]


def test_every_schema_has_a_builder_whose_events_fit_it():
    built = {(schema_name(e.type), e.version) for e in EVERY_KIND}
    assert built == set(SCHEMAS)
    for event in EVERY_KIND:
        check_payload(Event.from_json(event.to_json()), SCHEMAS)


def test_ids_in_event_types_are_patterns_in_schema_names():
    assert schema_name(f"conversation.{CONVERSATION}.message_sent") == (
        "conversation.*.message_sent"
    )
    assert schema_name("user.deleted") == "user.deleted"


def test_a_deleted_message_travels_without_its_content():
    payload = events.message_deleted(replace(MESSAGE, is_deleted=True)).payload["message"]
    assert payload["content"] == "" and payload["metadata"] == {}
    assert events.message_from_document(events.message_sent(MESSAGE).payload["message"]) == MESSAGE
    orphan = replace(MESSAGE, sender_id=None)  # The sender's account was deleted.
    assert events.message_from_document(events.message_sent(orphan).payload["message"]) == orphan


@pytest.mark.parametrize(
    ("event_type", "version", "payload"),
    [
        ("user.deleted", 1, {}),
        ("user.deleted", 1, {"user_id": str(USER), "extra": 1}),
        ("user.deleted", 1, {"user_id": 42}),
        ("user.deleted", 2, {"user_id": str(USER)}),
        ("user.created", 1, {"user_id": str(USER)}),
        (
            f"conversation.{CONVERSATION}.typing",
            1,
            {
                "conversation_id": str(CONVERSATION),
                "user_id": str(USER),
                "is_typing": 1,
            },
        ),
        (
            f"user_status.{USER}.changed",
            1,
            {
                "user_id": str(USER),
                "status": "busy",
                "last_seen_at": NOW.isoformat(),
                "conversation_ids": [],
            },
        ),
        (
            f"user_status.{USER}.changed",
            1,
            {
                "user_id": str(USER),
                "status": "away",
                "last_seen_at": NOW.isoformat(),
                "conversation_ids": [7],
            },
        ),
    ],
)
def test_payloads_that_do_not_fit_their_schema_are_refused(event_type, version, payload):
    with pytest.raises(ValueError):
        check_payload(Event.create(event_type, payload, version=version), SCHEMAS)
