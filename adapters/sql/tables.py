"""SQLAlchemy models of Parla's schema: the seed's tables plus login sessions.

Types are portable between PostgreSQL and SQLite: enums are strings guarded by CHECK
constraints, ids are `Uuid`, timestamps are stored in UTC and always read back aware.
"""

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    Uuid,
    false,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names, so that Alembic migrations (batch mode on SQLite
# included) can refer to constraints by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC.

    SQLite keeps no time zone, so values are converted to UTC before they are written and
    marked UTC when read; rejecting naive values keeps stored instants unambiguous."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: persist aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UtcDateTime, UUID: Uuid}


# --- identity (004) -----------------------------------------------------------------------

AUTH_PROVIDERS = ("email", "google", "apple", "facebook")
ROLES = ("student", "teacher", "admin")


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    # Stored lower-cased by the repository, so uniqueness and lookup are case-insensitive.
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    avatar_url: Mapped[str | None] = mapped_column(Text)
    auth_provider: Mapped[str] = mapped_column(String(50))
    auth_provider_id: Mapped[str | None] = mapped_column(String(255))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), server_default="student")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("auth_provider", AUTH_PROVIDERS), name="auth_provider"),
        CheckConstraint(_one_of("role", ROLES), name="role"),
        # One account per social identity; email accounts have no provider id.
        Index(
            "idx_users_auth_provider",
            "auth_provider",
            "auth_provider_id",
            unique=True,
            postgresql_where=text("auth_provider_id IS NOT NULL"),
            sqlite_where=text("auth_provider_id IS NOT NULL"),
        ),
    )


class LoginSessionRow(Base):
    __tablename__ = "login_sessions"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    refresh_token_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    __table_args__ = (Index("idx_login_sessions_user_id", "user_id"),)


class PasswordResetRow(Base):
    __tablename__ = "password_resets"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # SHA-256 of the mailed token, hex: the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    __table_args__ = (Index("idx_password_resets_user_id", "user_id"),)


# --- content (004) ------------------------------------------------------------------------

# The seed's speech catalogue stops at C1.
SPEECH_LEVELS = CEFR_LEVELS[:-1]
SPEECH_TYPES = ("question", "answer")


class TagRow(Base):
    __tablename__ = "tags"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    category: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime]

    __table_args__ = (Index("idx_tags_category", "category"),)


class SpeechRow(Base):
    __tablename__ = "speeches"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    # A blob key; the seed's audio_url is derived from it when a speech is served.
    audio_key: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(2))
    type: Mapped[str] = mapped_column(String(10), server_default="answer")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("level", SPEECH_LEVELS), name="level"),
        CheckConstraint(_one_of("type", SPEECH_TYPES), name="type"),
        Index("idx_speeches_level_type", "level", "type"),
        # The admin's list, newest first.
        Index("idx_speeches_created_at", "created_at"),
        # PostgreSQL only, like in the migration; declared so autogenerate compares it there.
        Index(
            "idx_speech_text_fts",
            func.to_tsvector(literal_column("'english'"), literal_column("text")),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )


class SpeechTagRow(Base):
    __tablename__ = "speech_tags"

    speech_id: Mapped[UUID] = mapped_column(
        ForeignKey("speeches.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[UUID] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index("idx_speech_tags_tag_id", "tag_id"),)


class UploadBatchRow(Base):
    """Audio uploaded for an import, until its CSV is imported or it expires."""

    __tablename__ = "upload_batches"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    actor_id: Mapped[UUID]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]

    __table_args__ = (Index("idx_upload_batches_expires_at", "expires_at"),)


class UploadedFileRow(Base):
    __tablename__ = "uploaded_files"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    batch_id: Mapped[UUID] = mapped_column(ForeignKey("upload_batches.id", ondelete="CASCADE"))
    # Orders a batch's files as they were added (ids are random).
    position: Mapped[int] = mapped_column(Integer)
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(255))
    audio_key: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(50))
    size_bytes: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("idx_uploaded_files_batch_name", "batch_id", "stored_name", unique=True),
    )


# --- practice (004) -----------------------------------------------------------------------

GAME_MODES = ("listen_only", "listen_and_repeat")
USER_RESPONSES = ("correct", "incorrect", "skipped")


class GameSessionRow(Base):
    __tablename__ = "game_sessions"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(2))
    sentence_type: Mapped[str] = mapped_column(String(10))
    # A list of tag ids as strings; JSONB on PostgreSQL as in the seed.
    selected_tags: Mapped[list[str]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    total_sentences: Mapped[int] = mapped_column(Integer)
    correct_count: Mapped[int] = mapped_column(Integer)
    max_streak: Mapped[int] = mapped_column(Integer)
    avg_pronunciation_score: Mapped[float | None] = mapped_column(Float)
    duration_seconds: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    completed_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("mode", GAME_MODES), name="mode"),
        CheckConstraint(_one_of("level", CEFR_LEVELS), name="level"),
        CheckConstraint(_one_of("sentence_type", SPEECH_TYPES), name="sentence_type"),
        Index("idx_game_sessions_user_completed", "user_id", literal_column("completed_at").desc()),
        Index("idx_game_sessions_mode_level", "mode", "level"),
    )


class GameResultRow(Base):
    __tablename__ = "game_results"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    session_id: Mapped[UUID] = mapped_column(ForeignKey("game_sessions.id", ondelete="CASCADE"))
    # Deleting a speech keeps the history: its results lose the reference instead.
    speech_id: Mapped[UUID | None] = mapped_column(ForeignKey("speeches.id", ondelete="SET NULL"))
    sequence_number: Mapped[int] = mapped_column(Integer)
    user_response: Mapped[str] = mapped_column(String(10))
    pronunciation_score: Mapped[float | None] = mapped_column(Float)
    recognized_text: Mapped[str | None] = mapped_column(Text)
    response_time_ms: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("user_response", USER_RESPONSES), name="user_response"),
        # The seed's (session_id, sequence_number) index, made unique: one result per step.
        Index("idx_game_results_session_sequence", "session_id", "sequence_number", unique=True),
        Index("idx_game_results_speech_id", "speech_id"),
    )


# --- messaging (000) ----------------------------------------------------------------------

CONVERSATION_TYPES = ("direct", "group")
PARTICIPANT_ROLES = ("admin", "member")
MESSAGE_TYPES = ("text", "file")
DELIVERY_STATUSES = ("sent", "delivered", "read")
PRESENCES = ("online", "away", "offline")


class ConversationRow(Base):
    __tablename__ = "conversations"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    title: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_message_at: Mapped[datetime | None]
    is_archived: Mapped[bool] = mapped_column(server_default=false())
    is_deleted: Mapped[bool] = mapped_column(server_default=false())

    __table_args__ = (CheckConstraint(_one_of("type", CONVERSATION_TYPES), name="type"),)


class ParticipantRow(Base):
    __tablename__ = "conversation_participants"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    conversation_id: Mapped[UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]
    is_muted: Mapped[bool] = mapped_column(server_default=false())
    is_blocked: Mapped[bool] = mapped_column(server_default=false())
    last_read_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint(_one_of("role", PARTICIPANT_ROLES), name="role"),
        Index("idx_participants_conversation_user", "conversation_id", "user_id", unique=True),
        Index("idx_participants_user", "user_id"),
    )


class MessageRow(Base):
    __tablename__ = "messages"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    conversation_id: Mapped[UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    # A deleted account's messages stay in the conversation, without their sender.
    sender_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    content: Mapped[str] = mapped_column(Text)
    message_type: Mapped[str] = mapped_column(String(10))
    reply_to_id: Mapped[UUID | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    metadata_: Mapped[dict[str, Any]] = mapped_column(
        "metadata", JSON().with_variant(JSONB(), "postgresql")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    is_edited: Mapped[bool] = mapped_column(server_default=false())
    is_deleted: Mapped[bool] = mapped_column(server_default=false())

    __table_args__ = (
        CheckConstraint(_one_of("message_type", MESSAGE_TYPES), name="message_type"),
        Index(
            "idx_messages_conversation_created",
            "conversation_id",
            literal_column("created_at").desc(),
            literal_column("id").desc(),
        ),
    )


class MessageStatusRow(Base):
    __tablename__ = "message_status"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    message_id: Mapped[UUID] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Denormalized so that unread counts and "read all" need no join.
    conversation_id: Mapped[UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("status", DELIVERY_STATUSES), name="status"),
        Index("idx_message_status_message_user", "message_id", "user_id", unique=True),
        Index("idx_message_status_user_conversation", "user_id", "conversation_id", "status"),
    )


class UserStatusRow(Base):
    __tablename__ = "user_status"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(10))
    last_seen_at: Mapped[datetime]

    __table_args__ = (CheckConstraint(_one_of("status", PRESENCES), name="status"),)


# --- outbox (events of every context) -----------------------------------------------------


class OutboxRow(Base):
    """Events committed with the change that implies them, until the relay has published
    them. `position` orders them; `event_id` is the bus's de-duplication id."""

    __tablename__ = "outbox"

    position: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    published_at: Mapped[datetime | None]

    __table_args__ = (
        Index(
            "idx_outbox_unpublished",
            "position",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
    )


class HandledEventRow(Base):
    """Events a durable consumer has applied, claimed in the transaction of the effect."""

    __tablename__ = "handled_events"

    consumer: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    handled_at: Mapped[datetime]


class OutboxRelayRow(Base):
    """One row: the relay whose turn it is to publish (until `claimed_until`), so that relays
    in several processes take turns and events leave in outbox order."""

    __tablename__ = "outbox_relay"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]


# --- tutoring (002) -----------------------------------------------------------------------

SESSION_STATUSES = ("active", "ended")
ENGLISH_DIALECTS = ("british", "american")
TUTOR_STAGES = ("greeting", "vocabulary", "sentence_practice", "topic_discussion", "grammar_focus")
SPEAKERS = ("learner", "tutor")
INPUT_MODES = ("text", "audio")


class TutorSessionRow(Base):
    __tablename__ = "tutor_sessions"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(2))
    topic: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    message_count: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # Deleting a learning profile keeps the sessions that practised it.
    profile_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("learning_profiles.id", ondelete="SET NULL")
    )

    __table_args__ = (
        CheckConstraint(_one_of("level", CEFR_LEVELS), name="level"),
        CheckConstraint(_one_of("stage", TUTOR_STAGES), name="stage"),
        CheckConstraint(_one_of("status", SESSION_STATUSES), name="status"),
        Index("idx_tutor_sessions_user_started", "user_id", literal_column("started_at").desc()),
    )


class TutorMessageRow(Base):
    __tablename__ = "tutor_messages"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    session_id: Mapped[UUID] = mapped_column(ForeignKey("tutor_sessions.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    input_mode: Mapped[str] = mapped_column(String(10))
    corrections: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql")
    )
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("speaker", SPEAKERS), name="speaker"),
        CheckConstraint(_one_of("input_mode", INPUT_MODES), name="input_mode"),
        Index("idx_tutor_messages_session_sequence", "session_id", "sequence", unique=True),
    )


# --- audit (004) --------------------------------------------------------------------------

AUDIT_ACTIONS = ("create", "update", "delete")


class AuditEntryRow(Base):
    """One admin write. No foreign keys: the record outlives the admin and the entity."""

    __tablename__ = "audit_entries"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    actor_id: Mapped[UUID]
    action: Mapped[str] = mapped_column(String(10))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[UUID]
    before: Mapped[dict[str, Any] | None] = mapped_column(
        JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
    )
    after: Mapped[dict[str, Any] | None] = mapped_column(
        JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
    )
    at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("action", AUDIT_ACTIONS), name="action"),
        Index("idx_audit_entries_at", "at"),
        Index("idx_audit_entries_entity", "entity", "entity_id"),
        Index("idx_audit_entries_actor", "actor_id"),
    )


# --- learning (002, 001) ------------------------------------------------------------------

ANALYSIS_SOURCES = ("speech_score", "learn_repeat", "vocabulary_review")
ASSESSMENT_KINDS = ("speaking", "sentence", "reported")


class LearningProfileRow(Base):
    __tablename__ = "learning_profiles"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(2))
    level: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("level", CEFR_LEVELS), name="level"),
        # One profile per learner and target language.
        Index("idx_learning_profiles_user_language", "user_id", "language", unique=True),
    )


class PronunciationAnalysisRow(Base):
    """The scores of one recording; the recording itself is never stored."""

    __tablename__ = "pronunciation_analyses"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))
    reference_text: Mapped[str] = mapped_column(Text)
    recognized_text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(35))
    pronunciation_score: Mapped[float] = mapped_column(Float)
    accuracy_score: Mapped[float] = mapped_column(Float)
    fluency_score: Mapped[float] = mapped_column(Float)
    completeness_score: Mapped[float] = mapped_column(Float)
    duration_seconds: Mapped[float] = mapped_column(Float)
    provider: Mapped[str] = mapped_column(String(50))
    # [{word, score, error_type}] in reference order: read with the analysis, never queried.
    words: Mapped[list[dict[str, Any]]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("source", ANALYSIS_SOURCES), name="source"),
        Index(
            "idx_pronunciation_analyses_user_created",
            "user_id",
            literal_column("created_at").desc(),
        ),
    )


class AssessmentRow(Base):
    __tablename__ = "assessments"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(2))
    score: Mapped[float | None] = mapped_column(Float)
    details: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    created_at: Mapped[datetime]
    applied_to: Mapped[UUID | None] = mapped_column(
        ForeignKey("learning_profiles.id", ondelete="SET NULL")
    )

    __table_args__ = (
        CheckConstraint(_one_of("kind", ASSESSMENT_KINDS), name="kind"),
        CheckConstraint(_one_of("level", CEFR_LEVELS), name="level"),
        Index("idx_assessments_user_created", "user_id", literal_column("created_at").desc()),
    )


class LearningSettingsRow(Base):
    """A learner's choices about their record; no row means the defaults."""

    __tablename__ = "learning_settings"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    keep_pronunciation_history: Mapped[bool]
    english_dialect: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = (
        CheckConstraint(_one_of("english_dialect", ENGLISH_DIALECTS), name="english_dialect"),
    )


class LearningPlanRow(Base):
    __tablename__ = "learning_plans"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(2))
    goals: Mapped[list[str]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    weeks: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    # [{week, focus, activities: [{kind, title, minutes, times_per_week}]}]: read whole.
    schedule: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql")
    )
    written_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("level", CEFR_LEVELS), name="level"),
        Index("idx_learning_plans_user_created", "user_id", literal_column("created_at").desc()),
    )


REVIEW_ORIGINS = ("correction", "mispronounced", "added")
REVIEW_PHASES = ("learning", "review", "relearning")


class ReviewItemRow(Base):
    """A word or phrase the learner reviews, with its FSRS schedule."""

    __tablename__ = "review_items"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(100))
    # Case folding may lengthen a text ("ß" is "ss"): the key is unbounded.
    key: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(500))
    origin: Mapped[str] = mapped_column(String(15))
    phase: Mapped[str] = mapped_column(String(10))
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime]
    last_review: Mapped[datetime | None]
    reviews: Mapped[int] = mapped_column(Integer)
    lapses: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("origin", REVIEW_ORIGINS), name="origin"),
        CheckConstraint(_one_of("phase", REVIEW_PHASES), name="phase"),
        Index("idx_review_items_user_key", "user_id", "key", unique=True),
        Index("idx_review_items_user_due", "user_id", "due"),
    )


# --- curriculum (000) ---------------------------------------------------------------------

JSON_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")


class LearnerProgressRow(Base):
    """000's progress summary; its curriculum stage, exercise and topic progress are one
    document (`stages`, `exercises`), read and written with it as one aggregate."""

    __tablename__ = "learner_progress"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    time_zone: Mapped[str] = mapped_column(String(64))
    urdu_enabled: Mapped[bool]
    current_stage: Mapped[int] = mapped_column(Integer)
    current_exercise: Mapped[int] = mapped_column(Integer)
    current_topic: Mapped[int] = mapped_column(Integer)
    unlocked: Mapped[list[list[int]]] = mapped_column(JSON_DOCUMENT)
    overall_percentage: Mapped[float] = mapped_column(Float)
    time_seconds: Mapped[int] = mapped_column(BigInteger)
    curriculum_completed_at: Mapped[datetime | None]
    first_activity_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer)
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSON_DOCUMENT)
    exercises: Mapped[list[dict[str, Any]]] = mapped_column(JSON_DOCUMENT)


class DailyActivityRow(Base):
    __tablename__ = "daily_activity"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    total_score: Mapped[float] = mapped_column(Float)
    scored: Mapped[int] = mapped_column(Integer)
    time_seconds: Mapped[int] = mapped_column(BigInteger)
    topics_completed: Mapped[int] = mapped_column(Integer)
    game_sessions: Mapped[int] = mapped_column(Integer)
    tutor_turns: Mapped[int] = mapped_column(Integer)


class AchievementRow(Base):
    __tablename__ = "achievements"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    earned_at: Mapped[datetime]


class TopicAttemptRow(Base):
    __tablename__ = "topic_attempts"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    stage: Mapped[int] = mapped_column(Integer)
    exercise: Mapped[int] = mapped_column(Integer)
    topic: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    time_seconds: Mapped[int] = mapped_column(Integer)
    urdu_used: Mapped[bool]
    attempted_at: Mapped[datetime]
    topic_completed: Mapped[bool]
    exercise_matured: Mapped[bool]
    stage_completed: Mapped[bool]
    curriculum_completed: Mapped[bool]
    unlocked: Mapped[list[list[int]]] = mapped_column(JSON_DOCUMENT)
    earned: Mapped[list[str]] = mapped_column(JSON_DOCUMENT)

    __table_args__ = (
        # NULLs are distinct: attempts sent without a key never collide.
        Index("idx_topic_attempts_user_key", "user_id", "idempotency_key", unique=True),
        Index("idx_topic_attempts_user_attempted", "user_id", "attempted_at"),
    )


# --- classes ---------------------------------------------------------------------------------


class ClassroomRow(Base):
    __tablename__ = "classrooms"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    teacher_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]

    __table_args__ = (Index("idx_classrooms_teacher_created", "teacher_id", "created_at"),)


class ClassMemberRow(Base):
    __tablename__ = "class_members"

    class_id: Mapped[UUID] = mapped_column(
        ForeignKey("classrooms.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(255), primary_key=True)
    invited_at: Mapped[datetime]
    user_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime | None]

    __table_args__ = (Index("idx_class_members_user", "user_id"),)


# --- courses (003) ------------------------------------------------------------------------

PLANS = ("free", "premium")


def search_document(title: str, body: str) -> Any:
    """The text search vector PostgreSQL indexes and searches: title words weigh A, body
    words B. The GIN indexes below and the search queries use this one expression, so that
    the planner can use the index."""
    return func.setweight(
        func.to_tsvector(literal_column("'english'"), literal_column(title)), literal_column("'A'")
    ).op("||")(
        func.setweight(
            func.to_tsvector(literal_column("'english'"), literal_column(body)),
            literal_column("'B'"),
        )
    )


class CourseRow(Base):
    __tablename__ = "courses"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(2))
    premium: Mapped[bool] = mapped_column(Boolean)
    prerequisites: Mapped[list[str]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("level", CEFR_LEVELS), name="level"),
        # PostgreSQL only, like in the migration (SQLite searches an FTS5 table instead).
        Index(
            "idx_courses_search", search_document("title", "description"), postgresql_using="gin"
        ).ddl_if(dialect="postgresql"),
    )


class ChapterRow(Base):
    __tablename__ = "chapters"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        Index("idx_chapters_course_position", "course_id", "position", unique=True),
        Index(
            "idx_chapters_search", search_document("title", "content"), postgresql_using="gin"
        ).ddl_if(dialect="postgresql"),
    )


class QuizRow(Base):
    __tablename__ = "quizzes"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    chapter_id: Mapped[str] = mapped_column(ForeignKey("chapters.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    # The questions with their answers: only the server reads the answers.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql")
    )
    passing_score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("idx_quizzes_course_id", "course_id"),)


class QuizAttemptRow(Base):
    __tablename__ = "quiz_attempts"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    answers: Mapped[dict[str, int]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    completed_at: Mapped[datetime]

    __table_args__ = (
        Index(
            "idx_quiz_attempts_user_quiz",
            "user_id",
            "quiz_id",
            literal_column("completed_at").desc(),
        ),
    )


class ChapterCompletionRow(Base):
    __tablename__ = "chapter_completions"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    chapter_id: Mapped[str] = mapped_column(
        ForeignKey("chapters.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime]


class LearningStreakRow(Base):
    __tablename__ = "learning_streaks"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    current_days: Mapped[int] = mapped_column(Integer)
    longest_days: Mapped[int] = mapped_column(Integer)
    last_active_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    plan: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[datetime]
    end_date: Mapped[datetime | None]
    is_active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(_one_of("plan", PLANS), name="plan"),
        Index("idx_subscriptions_user_start", "user_id", literal_column("start_date").desc()),
    )


PREMIUM_FEATURES = ("adaptive_learning", "llm_assessment", "synthesis", "mentor_sessions")


class PremiumDailyUsageRow(Base):
    """Premium requests counted per user, day (UTC) and feature, against the daily limits."""

    __tablename__ = "premium_daily_usage"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    feature: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint(_one_of("feature", PREMIUM_FEATURES), name="feature"),)


class HybridUsageRow(Base):
    """003's HybridUsage: a user's premium requests and their cost in one month."""

    __tablename__ = "hybrid_usage"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    month_year: Mapped[str] = mapped_column(String(7), primary_key=True)
    adaptive_learning: Mapped[int] = mapped_column(Integer)
    llm_assessment: Mapped[int] = mapped_column(Integer)
    synthesis: Mapped[int] = mapped_column(Integer)
    mentor_sessions: Mapped[int] = mapped_column(Integer)
    cost_micro_usd: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
