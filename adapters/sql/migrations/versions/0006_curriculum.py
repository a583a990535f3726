"""Curriculum (000's learner progress, daily learning activity, achievements and the
recorded topic attempts) and the classes that let teachers read their learners' progress.

Revision ID: 0006_curriculum
Revises: 0005_learning
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_curriculum"
down_revision: str | Sequence[str] | None = "0005_learning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _document() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _user(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "learner_progress",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("urdu_enabled", sa.Boolean(), nullable=False),
        sa.Column("current_stage", sa.Integer(), nullable=False),
        sa.Column("current_exercise", sa.Integer(), nullable=False),
        sa.Column("current_topic", sa.Integer(), nullable=False),
        sa.Column("unlocked", _document(), nullable=False),
        sa.Column("overall_percentage", sa.Float(), nullable=False),
        sa.Column("time_seconds", sa.BigInteger(), nullable=False),
        sa.Column("curriculum_completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_activity_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stages", _document(), nullable=False),
        sa.Column("exercises", _document(), nullable=False),
        _user("learner_progress"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_learner_progress")),
    )
    op.create_table(
        "daily_activity",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("total_score", sa.Float(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("time_seconds", sa.BigInteger(), nullable=False),
        sa.Column("topics_completed", sa.Integer(), nullable=False),
        sa.Column("game_sessions", sa.Integer(), nullable=False),
        sa.Column("tutor_turns", sa.Integer(), nullable=False),
        _user("daily_activity"),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_daily_activity")),
    )
    op.create_table(
        "achievements",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("earned_at", sa.DateTime(timezone=True), nullable=False),
        _user("achievements"),
        sa.PrimaryKeyConstraint("user_id", "code", name=op.f("pk_achievements")),
    )
    op.create_table(
        "topic_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("exercise", sa.Integer(), nullable=False),
        sa.Column("topic", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("time_seconds", sa.Integer(), nullable=False),
        sa.Column("urdu_used", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic_completed", sa.Boolean(), nullable=False),
        sa.Column("exercise_matured", sa.Boolean(), nullable=False),
        sa.Column("stage_completed", sa.Boolean(), nullable=False),
        sa.Column("curriculum_completed", sa.Boolean(), nullable=False),
        sa.Column("unlocked", _document(), nullable=False),
        sa.Column("earned", _document(), nullable=False),
        _user("topic_attempts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_attempts")),
    )
    op.create_index(
        "idx_topic_attempts_user_key",
        "topic_attempts",
        ["user_id", "idempotency_key"],
        unique=True,
    )
    op.create_index(
        "idx_topic_attempts_user_attempted", "topic_attempts", ["user_id", "attempted_at"]
    )
    op.create_table(
        "classrooms",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("teacher_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["teacher_id"],
            ["users.id"],
            name=op.f("fk_classrooms_teacher_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classrooms")),
    )
    op.create_index("idx_classrooms_teacher_created", "classrooms", ["teacher_id", "created_at"])
    op.create_table(
        "class_members",
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classrooms.id"],
            name=op.f("fk_class_members_class_id_classrooms"),
            ondelete="CASCADE",
        ),
        _user("class_members"),
        sa.PrimaryKeyConstraint("class_id", "email", name=op.f("pk_class_members")),
    )
    op.create_index("idx_class_members_user", "class_members", ["user_id"])


def downgrade() -> None:
    op.drop_table("class_members")
    op.drop_table("classrooms")
    op.drop_table("topic_attempts")
    op.drop_table("achievements")
    op.drop_table("daily_activity")
    op.drop_table("learner_progress")
