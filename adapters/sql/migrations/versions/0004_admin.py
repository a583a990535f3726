"""Content administration (004): the audit log of admin writes, the admin's speech list
ordered by creation, and the upload batches of the CSV import.

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
    op.create_table(
        "upload_batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_batches")),
    )
    op.create_index("idx_upload_batches_expires_at", "upload_batches", ["expires_at"])
    op.create_table(
        "uploaded_files",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("original_filename", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=255), nullable=False),
        sa.Column("audio_key", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["upload_batches.id"],
            name=op.f("fk_uploaded_files_batch_id_upload_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploaded_files")),
    )
    op.create_index(
        "idx_uploaded_files_batch_name", "uploaded_files", ["batch_id", "stored_name"], unique=True
    )


def downgrade() -> None:
    op.drop_table("uploaded_files")
    op.drop_table("upload_batches")
    op.drop_index("idx_speeches_created_at", table_name="speeches")
    op.drop_table("audit_entries")
