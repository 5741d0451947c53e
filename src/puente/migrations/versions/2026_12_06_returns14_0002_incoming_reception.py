"""Protection: the receiving state records the reception of a return another
state shared (place, who receives, a child's caregiver or authority: sealed).

Revision ID: returns14_0002
Revises: returns14_0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import puente.core.db

revision: str = "returns14_0002"
down_revision: str | None = "returns14_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("protection_incoming_return") as batch:
        batch.add_column(sa.Column("reception_sealed", sa.LargeBinary(), nullable=True))
        batch.add_column(
            sa.Column(
                "reception_recorded_at",
                puente.core.db.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("reception_recorded_by", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("protection_incoming_return") as batch:
        batch.drop_column("reception_recorded_by")
        batch.drop_column("reception_recorded_at")
        batch.drop_column("reception_sealed")
