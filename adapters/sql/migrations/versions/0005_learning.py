"""Learning (the learner's record: learning profiles, pronunciation analyses, assessments,
learning settings, review items, learning plans; a tutor session names the profile it
practises) and password resets.

Revision ID: 0005_learning
Revises: 0004_admin
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_learning"
down_revision: str | Sequence[str] | None = "0004_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_LEVELS = "level IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')"


def _user_id(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "learning_profiles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("level", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_LEVELS, name=op.f("ck_learning_profiles_level")),
        _user_id("learning_profiles"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_profiles")),
    )
    op.create_index(
        "idx_learning_profiles_user_language",
        "learning_profiles",
        ["user_id", "language"],
        unique=True,
    )
    op.create_table(
        "pronunciation_analyses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("reference_text", sa.Text(), nullable=False),
        sa.Column("recognized_text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("pronunciation_score", sa.Float(), nullable=False),
        sa.Column("accuracy_score", sa.Float(), nullable=False),
        sa.Column("fluency_score", sa.Float(), nullable=False),
        sa.Column("completeness_score", sa.Float(), nullable=False),
        sa.Column("duration_seconds", sa.Float(), nullable=False),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("words", _JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('speech_score', 'learn_repeat', 'vocabulary_review')",
            name=op.f("ck_pronunciation_analyses_source"),
        ),
        _user_id("pronunciation_analyses"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pronunciation_analyses")),
    )
    op.create_index(
        "idx_pronunciation_analyses_user_created",
        "pronunciation_analyses",
        ["user_id", sa.text("created_at DESC")],
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=2), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("details", _JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_to", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('speaking', 'sentence', 'reported')", name=op.f("ck_assessments_kind")
        ),
        sa.CheckConstraint(_LEVELS, name=op.f("ck_assessments_level")),
        _user_id("assessments"),
        sa.ForeignKeyConstraint(
            ["applied_to"],
            ["learning_profiles.id"],
            name=op.f("fk_assessments_applied_to_learning_profiles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index(
        "idx_assessments_user_created", "assessments", ["user_id", sa.text("created_at DESC")]
    )
    op.create_table(
        "learning_settings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("keep_pronunciation_history", sa.Boolean(), nullable=False),
        _user_id("learning_settings"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_learning_settings")),
    )
    op.create_table(
        "learning_plans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(length=2), nullable=False),
        sa.Column("goals", _JSON, nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("schedule", _JSON, nullable=False),
        sa.Column("written_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_LEVELS, name=op.f("ck_learning_plans_level")),
        _user_id("learning_plans"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_plans")),
    )
    op.create_index(
        "idx_learning_plans_user_created", "learning_plans", ["user_id", sa.text("created_at DESC")]
    )
    op.create_table(
        "review_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.String(length=100), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("origin", sa.String(length=15), nullable=False),
        sa.Column("phase", sa.String(length=10), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_review", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "origin IN ('correction', 'mispronounced', 'added')",
            name=op.f("ck_review_items_origin"),
        ),
        sa.CheckConstraint(
            "phase IN ('learning', 'review', 'relearning')", name=op.f("ck_review_items_phase")
        ),
        _user_id("review_items"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
    )
    op.create_index("idx_review_items_user_key", "review_items", ["user_id", "key"], unique=True)
    op.create_index("idx_review_items_user_due", "review_items", ["user_id", "due"])
    op.create_table(
        "password_resets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        _user_id("password_resets"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_resets_token_hash")),
    )
    op.create_index("idx_password_resets_user_id", "password_resets", ["user_id"])
    # Batch mode: SQLite adds a column with a foreign key only by copying the table.
    with op.batch_alter_table("tutor_sessions") as batch:
        batch.add_column(sa.Column("profile_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_tutor_sessions_profile_id_learning_profiles"),
            "learning_profiles",
            ["profile_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("tutor_sessions") as batch:
        batch.drop_constraint(
            op.f("fk_tutor_sessions_profile_id_learning_profiles"), type_="foreignkey"
        )
        batch.drop_column("profile_id")
    op.drop_table("password_resets")
    op.drop_table("review_items")
    op.drop_table("learning_plans")
    op.drop_table("learning_settings")
    op.drop_table("assessments")
    op.drop_table("pronunciation_analyses")
    op.drop_table("learning_profiles")
