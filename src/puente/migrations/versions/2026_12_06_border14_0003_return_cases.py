"""Protection: return cases (reception, reintegration plan, referrals: sealed) and
their follow-ups at 3, 6 and 12 months. Person-level: walled by tenant, never
shared region-wide.

Revision ID: border14_0003
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import puente.core.db
from puente.core.rls import disable_rls, enable_rls

revision: str = "border14_0003"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "protection_return_case",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_code", sa.String(3), nullable=False, index=True),
        sa.Column(
            "decision_id",
            sa.Uuid(),
            sa.ForeignKey("protection_return_decision.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("person_id", sa.Uuid(), nullable=False, index=True),
        sa.Column("destination", sa.String(3), nullable=False, index=True),
        sa.Column("is_child", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("arrival_date", sa.Date(), nullable=True),
        sa.Column("reception_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("plan_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("opened_by", sa.Uuid(), nullable=True),
        sa.Column(
            "opened_at", puente.core.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "received_at", puente.core.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.UniqueConstraint("decision_id"),
    )
    op.create_table(
        "protection_return_followup",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_code", sa.String(3), nullable=False, index=True),
        sa.Column(
            "return_case_id",
            sa.Uuid(),
            sa.ForeignKey("protection_return_case.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("economic", sa.Numeric(4, 2), nullable=False),
        sa.Column("social", sa.Numeric(4, 2), nullable=False),
        sa.Column("psychosocial", sa.Numeric(4, 2), nullable=False),
        sa.Column("score", sa.Numeric(4, 2), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.UniqueConstraint("return_case_id", "month"),
    )
    enable_rls("protection_return_case")
    enable_rls("protection_return_followup")


def downgrade() -> None:
    disable_rls("protection_return_followup")
    disable_rls("protection_return_case")
    op.drop_table("protection_return_followup")
    op.drop_table("protection_return_case")
