"""Early warning: CAP alerts and monthly counts (small cells suppressed) that
peer states shared under an alerts or statistics agreement.

Walled by the receiving state.

Revision ID: fed12b_0001
Revises: border14_0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import puente.core.db
from puente.core.rls import disable_rls, enable_rls

revision: str = "fed12b_0001"
down_revision: str | None = "border14_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALERTS = "early_warning_peer_alert"
COUNTS = "early_warning_peer_count"


def upgrade() -> None:
    op.create_table(
        ALERTS,
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_code", sa.String(3), nullable=False, index=True),
        sa.Column("from_state", sa.String(3), nullable=False, index=True),
        sa.Column("envelope_id", sa.Uuid(), nullable=False),
        sa.Column("identifier", sa.String(200), nullable=False),
        sa.Column("msg_type", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("urgency", sa.String(10), nullable=False),
        sa.Column("certainty", sa.String(10), nullable=False),
        sa.Column("country", sa.String(3), nullable=True),
        sa.Column("sent_at", puente.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "expires_at", puente.core.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("headlines", sa.Text(), nullable=False),
        sa.Column("cap_xml", sa.Text(), nullable=False),
        sa.Column(
            "received_at", puente.core.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.UniqueConstraint("tenant_code", "envelope_id"),
    )
    enable_rls(ALERTS)
    op.create_table(
        COUNTS,
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_code", sa.String(3), nullable=False, index=True),
        sa.Column("from_state", sa.String(3), nullable=False, index=True),
        sa.Column("envelope_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("nationality", sa.String(3), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column(
            "received_at", puente.core.db.UTCDateTime(timezone=True), nullable=False
        ),
    )
    enable_rls(COUNTS)


def downgrade() -> None:
    disable_rls(COUNTS)
    op.drop_table(COUNTS)
    disable_rls(ALERTS)
    op.drop_table(ALERTS)
