"""The initial schema: the seed's tables and indexes, plus login sessions.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("avatar_url", sa.Text(), nullable=True),
        sa.Column("auth_provider", sa.String(length=50), nullable=False),
        sa.Column("auth_provider_id", sa.String(length=255), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("role", sa.String(length=20), server_default="student", nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint(
            "auth_provider IN ('email', 'google', 'apple', 'facebook')",
            name=op.f("ck_users_auth_provider"),
        ),
        sa.CheckConstraint("role IN ('student', 'teacher', 'admin')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_index(
        "idx_users_auth_provider",
        "users",
        ["auth_provider", "auth_provider_id"],
        unique=True,
        postgresql_where=sa.text("auth_provider_id IS NOT NULL"),
        sqlite_where=sa.text("auth_provider_id IS NOT NULL"),
    )

    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("refresh_token_id", sa.String(length=64), nullable=False),
        _timestamp("expires_at"),
        _timestamp("created_at"),
        _timestamp("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_login_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
    )
    op.create_index("idx_login_sessions_user_id", "login_sessions", ["user_id"])

    op.create_table(
        "tags",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=True),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_index("idx_tags_category", "tags", ["category"])

    op.create_table(
        "speeches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("audio_key", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=2), nullable=False),
        sa.Column("type", sa.String(length=10), server_default="answer", nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint(
            "level IN ('A1', 'A2', 'B1', 'B2', 'C1')", name=op.f("ck_speeches_level")
        ),
        sa.CheckConstraint("type IN ('question', 'answer')", name=op.f("ck_speeches_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speeches")),
    )
    op.create_index("idx_speeches_level_type", "speeches", ["level", "type"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX idx_speech_text_fts ON speeches USING gin(to_tsvector('english', text))"
        )

    op.create_table(
        "speech_tags",
        sa.Column("speech_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["speech_id"],
            ["speeches.id"],
            name=op.f("fk_speech_tags_speech_id_speeches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_speech_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("speech_id", "tag_id", name=op.f("pk_speech_tags")),
    )
    op.create_index("idx_speech_tags_tag_id", "speech_tags", ["tag_id"])

    op.create_table(
        "game_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=2), nullable=False),
        sa.Column("sentence_type", sa.String(length=10), nullable=False),
        sa.Column(
            "selected_tags",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("total_sentences", sa.Integer(), nullable=False),
        sa.Column("correct_count", sa.Integer(), nullable=False),
        sa.Column("max_streak", sa.Integer(), nullable=False),
        sa.Column("avg_pronunciation_score", sa.Float(), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        _timestamp("started_at"),
        _timestamp("completed_at"),
        sa.CheckConstraint(
            "mode IN ('listen_only', 'listen_and_repeat')", name=op.f("ck_game_sessions_mode")
        ),
        sa.CheckConstraint(
            "level IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')", name=op.f("ck_game_sessions_level")
        ),
        sa.CheckConstraint(
            "sentence_type IN ('question', 'answer')",
            name=op.f("ck_game_sessions_sentence_type"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_game_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_game_sessions")),
    )
    op.create_index(
        "idx_game_sessions_user_completed",
        "game_sessions",
        ["user_id", sa.text("completed_at DESC")],
    )
    op.create_index("idx_game_sessions_mode_level", "game_sessions", ["mode", "level"])

    op.create_table(
        "game_results",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("speech_id", sa.Uuid(), nullable=True),
        sa.Column("sequence_number", sa.Integer(), nullable=False),
        sa.Column("user_response", sa.String(length=10), nullable=False),
        sa.Column("pronunciation_score", sa.Float(), nullable=True),
        sa.Column("recognized_text", sa.Text(), nullable=True),
        sa.Column("response_time_ms", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        sa.CheckConstraint(
            "user_response IN ('correct', 'incorrect', 'skipped')",
            name=op.f("ck_game_results_user_response"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["game_sessions.id"],
            name=op.f("fk_game_results_session_id_game_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speech_id"],
            ["speeches.id"],
            name=op.f("fk_game_results_speech_id_speeches"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_game_results")),
    )
    # Unique: also the (session_id, sequence_number) constraint, without a second index.
    op.create_index(
        "idx_game_results_session_sequence",
        "game_results",
        ["session_id", "sequence_number"],
        unique=True,
    )
    op.create_index("idx_game_results_speech_id", "game_results", ["speech_id"])


def downgrade() -> None:
    # Dropping a table drops its indexes, the full-text one included.
    for table in (
        "game_results",
        "game_sessions",
        "speech_tags",
        "speeches",
        "tags",
        "login_sessions",
        "users",
    ):
        op.drop_table(table)
