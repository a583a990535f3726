"""Messaging (000's conversations, participants, messages, message status, user status), the
transactional outbox, and the events each durable consumer has handled.

Revision ID: 0002_messaging
Revises: 0001_initial
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_messaging"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _flag(name: str) -> sa.Column:
    return sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False)


def _json(name: str) -> sa.Column:
    return sa.Column(name, sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False)


def _foreign_key(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _timestamp("last_message_at", nullable=True),
        _flag("is_archived"),
        _flag("is_deleted"),
        sa.CheckConstraint("type IN ('direct', 'group')", name=op.f("ck_conversations_type")),
        _foreign_key("conversations", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )

    op.create_table(
        "conversation_participants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        _timestamp("joined_at"),
        _timestamp("left_at", nullable=True),
        _flag("is_muted"),
        _flag("is_blocked"),
        _timestamp("last_read_at", nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'member')", name=op.f("ck_conversation_participants_role")
        ),
        _foreign_key("conversation_participants", "conversation_id", "conversations", "CASCADE"),
        _foreign_key("conversation_participants", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_participants")),
    )
    op.create_index(
        "idx_participants_conversation_user",
        "conversation_participants",
        ["conversation_id", "user_id"],
        unique=True,
    )
    op.create_index("idx_participants_user", "conversation_participants", ["user_id"])

    op.create_table(
        "messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("sender_id", sa.Uuid(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("message_type", sa.String(length=10), nullable=False),
        sa.Column("reply_to_id", sa.Uuid(), nullable=True),
        _json("metadata"),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _flag("is_edited"),
        _flag("is_deleted"),
        sa.CheckConstraint(
            "message_type IN ('text', 'file')", name=op.f("ck_messages_message_type")
        ),
        _foreign_key("messages", "conversation_id", "conversations", "CASCADE"),
        _foreign_key("messages", "sender_id", "users", "SET NULL"),
        _foreign_key("messages", "reply_to_id", "messages", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    op.create_index(
        "idx_messages_conversation_created",
        "messages",
        ["conversation_id", sa.text("created_at DESC"), sa.text("id DESC")],
    )

    op.create_table(
        "message_status",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint(
            "status IN ('sent', 'delivered', 'read')", name=op.f("ck_message_status_status")
        ),
        _foreign_key("message_status", "message_id", "messages", "CASCADE"),
        _foreign_key("message_status", "user_id", "users", "CASCADE"),
        _foreign_key("message_status", "conversation_id", "conversations", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_status")),
    )
    op.create_index(
        "idx_message_status_message_user", "message_status", ["message_id", "user_id"], unique=True
    )
    op.create_index(
        "idx_message_status_user_conversation",
        "message_status",
        ["user_id", "conversation_id", "status"],
    )

    op.create_table(
        "user_status",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        _timestamp("last_seen_at"),
        sa.CheckConstraint(
            "status IN ('online', 'away', 'offline')", name=op.f("ck_user_status_status")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_status_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_status")),
    )

    op.create_table(
        "outbox",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _timestamp("occurred_at"),
        _json("payload"),
        _timestamp("published_at", nullable=True),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
    )
    op.create_index(
        "idx_outbox_unpublished",
        "outbox",
        ["position"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )

    op.create_table(
        "handled_events",
        sa.Column("consumer", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        _timestamp("handled_at"),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_handled_events")),
    )

    relay = op.create_table(
        "outbox_relay",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        _timestamp("claimed_until", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_relay")),
    )
    op.bulk_insert(relay, [{"id": 1, "claimed_by": None, "claimed_until": None}])


def downgrade() -> None:
    for table in (
        "outbox_relay",
        "handled_events",
        "outbox",
        "user_status",
        "message_status",
        "messages",
        "conversation_participants",
        "conversations",
    ):
        op.drop_table(table)
