"""Anonymised modus-operandi reports: protection keeps its own (with the case,
consent and approval), enforcement receives only the two text fields. The
enforcement database role may use its table and never protection's.

Revision ID: border14_0005
Revises: border14_0003, border14_0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import puente.core.db
from puente.core.rls import disable_rls, enable_rls, wall_role

revision: str = "border14_0005"
down_revision: str | Sequence[str] | None = ("border14_0003", "border14_0004")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "protection_mo_report",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_code", sa.String(3), nullable=False, index=True),
        sa.Column(
            "case_id",
            sa.Uuid(),
            sa.ForeignKey("protection_case.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("route", sa.Text(), nullable=False),
        sa.Column("modus_operandi", sa.Text(), nullable=False),
        sa.Column("informed_consent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("drafted_by", sa.Uuid(), nullable=True),
        sa.Column("approved_by", sa.Uuid(), nullable=True),
        sa.Column(
            "approved_at", puente.core.db.UTCDateTime(timezone=True), nullable=True
        ),
    )
    op.create_table(
        "enforcement_mo_report",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_code", sa.String(3), nullable=False, index=True),
        sa.Column("route", sa.Text(), nullable=False),
        sa.Column("modus_operandi", sa.Text(), nullable=False),
        sa.Column(
            "received_at", puente.core.db.UTCDateTime(timezone=True), nullable=False
        ),
    )
    enable_rls("protection_mo_report")
    enable_rls("enforcement_mo_report")
    wall_role(
        op.get_bind(),
        "puente_enforcement",
        ("enforcement_mo_report",),
        ("person", "people_", "household", "protection_", "pathway_"),
    )


def downgrade() -> None:
    disable_rls("enforcement_mo_report")
    disable_rls("protection_mo_report")
    op.drop_table("enforcement_mo_report")
    op.drop_table("protection_mo_report")
