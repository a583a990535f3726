"""Tutoring (002's conversation sessions with the AI tutor, and their messages).

Revision ID: 0003_tutoring
Revises: 0002_messaging
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_tutoring"
down_revision: str | Sequence[str] | None = "0002_messaging"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tutor_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(length=2), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "level IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')", name=op.f("ck_tutor_sessions_level")
        ),
        sa.CheckConstraint(
            "stage IN ('greeting', 'vocabulary', 'sentence_practice', 'topic_discussion', "
            "'grammar_focus')",
            name=op.f("ck_tutor_sessions_stage"),
        ),
        sa.CheckConstraint("status IN ('active', 'ended')", name=op.f("ck_tutor_sessions_status")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_tutor_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tutor_sessions")),
    )
    op.create_index(
        "idx_tutor_sessions_user_started", "tutor_sessions", ["user_id", sa.text("started_at DESC")]
    )
    op.create_table(
        "tutor_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("input_mode", sa.String(length=10), nullable=False),
        sa.Column(
            "corrections",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "speaker IN ('learner', 'tutor')", name=op.f("ck_tutor_messages_speaker")
        ),
        sa.CheckConstraint(
            "input_mode IN ('text', 'audio')", name=op.f("ck_tutor_messages_input_mode")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["tutor_sessions.id"],
            name=op.f("fk_tutor_messages_session_id_tutor_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tutor_messages")),
    )
    op.create_index(
        "idx_tutor_messages_session_sequence",
        "tutor_messages",
        ["session_id", "sequence"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_table("tutor_messages")
    op.drop_table("tutor_sessions")
