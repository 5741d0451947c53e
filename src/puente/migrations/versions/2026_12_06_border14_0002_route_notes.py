"""Early warning: notes for the states downstream on a route when a state
changes the entry regime of a nationality (codes and dates only).

Walled by the downstream state, readable region-wide.

Revision ID: border14_0002
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import puente.core.db
from puente.core.rls import disable_rls, enable_rls, share_rls_read

revision: str = "border14_0002"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "early_warning_route_note"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_code", sa.String(3), nullable=False, index=True),
        sa.Column("changed_state", sa.String(3), nullable=False, index=True),
        sa.Column("nationality", sa.String(3), nullable=False),
        sa.Column("previous", sa.String(20), nullable=False),
        sa.Column("regime", sa.String(20), nullable=False),
        sa.Column("route_id", sa.String(60), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column(
            "created_at", puente.core.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.UniqueConstraint(
            "tenant_code", "changed_state", "nationality", "regime", "effective_on"
        ),
    )
    enable_rls(TABLE)
    share_rls_read(TABLE)


def downgrade() -> None:
    disable_rls(TABLE)
    op.drop_table(TABLE)
