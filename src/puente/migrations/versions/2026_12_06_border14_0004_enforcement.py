"""Enforcement: networks, entities, links, agreements, shared reports and the
request log, walled by tenant (RLS). On PostgreSQL a separate database role,
`puente_enforcement`, may use these tables only: it is granted nothing on any
table of people, protection or pathways (and every grant it might inherit from
PUBLIC on them is revoked), so a query path from enforcement into them fails at
the database too.

Revision ID: border14_0004
Revises: 0010
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import puente.core.db
from puente.core.rls import disable_rls, enable_rls, wall_role

revision: str = "border14_0004"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "puente_enforcement"
TABLES = (
    "enforcement_network",
    "enforcement_entity",
    "enforcement_link",
    "enforcement_agreement",
    "enforcement_shared_report",
    "enforcement_request_log",
)
WALLED_PREFIXES = ("person", "people_", "household", "protection_", "pathway_")


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.Uuid(), primary_key=True)


def _tenant() -> sa.Column[object]:
    return sa.Column("tenant_code", sa.String(3), nullable=False, index=True)


def _when(name: str) -> sa.Column[object]:
    return sa.Column(name, puente.core.db.UTCDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "enforcement_network",
        _id(),
        _tenant(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        _when("created_at"),
    )
    op.create_table(
        "enforcement_entity",
        _id(),
        _tenant(),
        sa.Column(
            "network_id",
            sa.Uuid(),
            sa.ForeignKey("enforcement_network.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_table(
        "enforcement_link",
        _id(),
        _tenant(),
        sa.Column(
            "network_id",
            sa.Uuid(),
            sa.ForeignKey("enforcement_network.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "source_id",
            sa.Uuid(),
            sa.ForeignKey("enforcement_entity.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "target_id",
            sa.Uuid(),
            sa.ForeignKey("enforcement_entity.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("relation", sa.String(120), nullable=False),
    )
    op.create_table(
        "enforcement_agreement",
        _id(),
        _tenant(),
        sa.Column("partner_state", sa.String(3), nullable=False, index=True),
        sa.Column("reference", sa.String(120), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
    )
    op.create_table(
        "enforcement_shared_report",
        _id(),
        _tenant(),
        sa.Column("recipient_state", sa.String(3), nullable=False, index=True),
        sa.Column("agreement_ref", sa.String(120), nullable=False),
        sa.Column("network_name", sa.String(200), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("shared_by", sa.Uuid(), nullable=True),
        _when("shared_at"),
    )
    op.create_table(
        "enforcement_request_log",
        _id(),
        _tenant(),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("other_state", sa.String(3), nullable=False),
        sa.Column("agreement_ref", sa.String(120), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        _when("at"),
    )
    for table in TABLES:
        # A shared report is read by its recipient state: regional read policy,
        # the application filters by recipient.
        enable_rls(table, shared=table == "enforcement_shared_report")
    _database_role()


def _database_role() -> None:
    """Where the migrating user may create roles (production); the tests make
    the role themselves and call the same helper."""
    wall_role(op.get_bind(), ROLE, TABLES, WALLED_PREFIXES)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_rls(table)
        op.drop_table(table)
