"""Protection: when the state of return's node reported a return case received.

Revision ID: returns14_0003
Revises: returns14_0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import puente.core.db

revision: str = "returns14_0003"
down_revision: str | None = "returns14_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("protection_return_case") as batch:
        batch.add_column(
            sa.Column(
                "reception_confirmed_at",
                puente.core.db.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("protection_return_case") as batch:
        batch.drop_column("reception_confirmed_at")
