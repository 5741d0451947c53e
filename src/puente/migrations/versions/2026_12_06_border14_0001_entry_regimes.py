"""Pathways: signed visa and entry regimes per state (the matrix's versions).

A catalogue table: walled by the publishing state, readable and writable
region-wide like the pathway catalogue.

Revision ID: border14_0001
Revises: pw_0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import puente.core.db
from puente.core.rls import disable_rls, enable_rls

revision: str = "border14_0001"
down_revision: str | None = "pw_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "pathway_entry_regime_version"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_code", sa.String(3), nullable=False, index=True),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("key_id", sa.String(80), nullable=False),
        sa.Column("signature", sa.String(200), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False, index=True),
        sa.Column("loaded_by", sa.Uuid(), nullable=True),
        sa.Column(
            "loaded_at", puente.core.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.UniqueConstraint("tenant_code", "version"),
    )
    enable_rls(TABLE, shared=True)


def downgrade() -> None:
    disable_rls(TABLE)
    op.drop_table(TABLE)
