"""Content administration (004): the audit log of admin writes, and the admin's speech list
ordered by creation.

Revision ID: 0004_admin
Revises: 0003_tutoring
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_admin"
down_revision: str | Sequence[str] | None = "0003_tutoring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SNAPSHOT = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True), "postgresql"
)


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("before", _SNAPSHOT, nullable=True),
        sa.Column("after", _SNAPSHOT, nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'delete')", name=op.f("ck_audit_entries_action")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index("idx_audit_entries_at", "audit_entries", ["at"])
    op.create_index("idx_audit_entries_entity", "audit_entries", ["entity", "entity_id"])
    op.create_index("idx_audit_entries_actor", "audit_entries", ["actor_id"])
    op.create_index("idx_speeches_created_at", "speeches", ["created_at"])


def downgrade() -> None:
    op.drop_index("idx_speeches_created_at", table_name="speeches")
    op.drop_table("audit_entries")
