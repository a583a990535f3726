"""The English a learner is taught (british or american), in their learning settings; none
until they choose, when the deployment's default applies.

Revision ID: 0008_corrections
Revises: 0007_courses
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_corrections"
down_revision: str | Sequence[str] | None = "0007_courses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("learning_settings") as batch:
        batch.add_column(sa.Column("english_dialect", sa.String(length=8), nullable=True))
        batch.create_check_constraint(
            op.f("ck_learning_settings_english_dialect"),
            "english_dialect IN ('british', 'american')",
        )


def downgrade() -> None:
    with op.batch_alter_table("learning_settings") as batch:
        batch.drop_constraint(op.f("ck_learning_settings_english_dialect"), type_="check")
        batch.drop_column("english_dialect")
