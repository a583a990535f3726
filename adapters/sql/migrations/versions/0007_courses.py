"""Courses (003): courses, chapters, quizzes, attempts, chapter completions, streaks,
subscriptions, premium usage (per day against the limits, per month with its cost), and the
full-text search index of course and chapter text.

PostgreSQL indexes a weighted tsvector expression with GIN; SQLite keeps an FTS5 table in
step with courses and chapters by triggers.

Revision ID: 0007_courses
Revises: 0006_curriculum
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_courses"
down_revision: str | Sequence[str] | None = "0006_curriculum"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _document(title: str, body: str) -> str:
    return (
        f"(setweight(to_tsvector('english', {title}), 'A') || "
        f"setweight(to_tsvector('english', {body}), 'B'))"
    )


# (table, its SQLite search index, course id column, body column). One index per table, so
# that a word's rarity (bm25's idf) is counted among courses or among chapters.
_INDEXED = (
    ("courses", "course_search", "id", "description"),
    ("chapters", "chapter_search", "course_id", "content"),
)


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("level", sa.String(length=2), nullable=False),
        sa.Column("premium", sa.Boolean(), nullable=False),
        sa.Column("prerequisites", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "level IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2')", name=op.f("ck_courses_level")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses")),
    )
    op.create_table(
        "chapters",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_chapters_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chapters")),
    )
    op.create_index(
        "idx_chapters_course_position", "chapters", ["course_id", "position"], unique=True
    )
    op.create_table(
        "quizzes",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("chapter_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("questions", JSON, nullable=False),
        sa.Column("passing_score", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_quizzes_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chapter_id"],
            ["chapters.id"],
            name=op.f("fk_quizzes_chapter_id_chapters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quizzes")),
    )
    op.create_index("idx_quizzes_course_id", "quizzes", ["course_id"])
    op.create_table(
        "quiz_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("quiz_id", sa.String(length=120), nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_quiz_attempts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["quiz_id"],
            ["quizzes.id"],
            name=op.f("fk_quiz_attempts_quiz_id_quizzes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_attempts")),
    )
    op.create_index(
        "idx_quiz_attempts_user_quiz",
        "quiz_attempts",
        ["user_id", "quiz_id", sa.text("completed_at DESC")],
    )
    op.create_table(
        "chapter_completions",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("chapter_id", sa.String(length=100), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_chapter_completions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chapter_id"],
            ["chapters.id"],
            name=op.f("fk_chapter_completions_chapter_id_chapters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_chapter_completions_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "chapter_id", name=op.f("pk_chapter_completions")),
    )
    op.create_table(
        "learning_streaks",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("current_days", sa.Integer(), nullable=False),
        sa.Column("longest_days", sa.Integer(), nullable=False),
        sa.Column("last_active_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_learning_streaks_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_learning_streaks")),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("plan", sa.String(length=10), nullable=False),
        sa.Column("start_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("plan IN ('free', 'premium')", name=op.f("ck_subscriptions_plan")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    op.create_index(
        "idx_subscriptions_user_start", "subscriptions", ["user_id", sa.text("start_date DESC")]
    )
    op.create_table(
        "premium_daily_usage",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("feature", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "feature IN ('adaptive_learning', 'llm_assessment', 'synthesis', 'mentor_sessions')",
            name=op.f("ck_premium_daily_usage_feature"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_premium_daily_usage_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "day", "feature", name=op.f("pk_premium_daily_usage")),
    )
    op.create_table(
        "hybrid_usage",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("month_year", sa.String(length=7), nullable=False),
        sa.Column("adaptive_learning", sa.Integer(), nullable=False),
        sa.Column("llm_assessment", sa.Integer(), nullable=False),
        sa.Column("synthesis", sa.Integer(), nullable=False),
        sa.Column("mentor_sessions", sa.Integer(), nullable=False),
        sa.Column("cost_micro_usd", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_hybrid_usage_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "month_year", name=op.f("pk_hybrid_usage")),
    )

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE INDEX idx_courses_search ON courses "
            f"USING gin({_document('title', 'description')})"
        )
        op.execute(
            "CREATE INDEX idx_chapters_search ON chapters "
            f"USING gin({_document('title', 'content')})"
        )
    elif dialect == "sqlite":
        for table, index, course_id, body in _INDEXED:
            # Porter stemming, as PostgreSQL's english configuration stems.
            op.execute(
                f"CREATE VIRTUAL TABLE {index} USING fts5("
                "ref UNINDEXED, course_id UNINDEXED, title, body, "
                "tokenize = 'porter unicode61')"
            )
            insert = (
                f"INSERT INTO {index} (ref, course_id, title, body) "
                f"VALUES (new.id, new.{course_id}, new.title, new.{body});"
            )
            delete = f"DELETE FROM {index} WHERE ref = old.id;"
            for event, action in (
                ("insert", insert),
                ("update", f"{delete} {insert}"),
                ("delete", delete),
            ):
                op.execute(
                    f"CREATE TRIGGER {table}_search_{event} AFTER {event.upper()} ON {table} "
                    f"BEGIN {action} END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table, index, _, _ in _INDEXED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_search_{event}")
            op.execute(f"DROP TABLE {index}")
    op.drop_table("hybrid_usage")
    op.drop_table("premium_daily_usage")
    op.drop_table("subscriptions")
    op.drop_table("learning_streaks")
    op.drop_table("chapter_completions")
    op.drop_table("quiz_attempts")
    op.drop_table("quizzes")
    op.drop_table("chapters")
    op.drop_table("courses")
