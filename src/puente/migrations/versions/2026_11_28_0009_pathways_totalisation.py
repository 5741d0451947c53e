"""pathways: saved totalisations; an evidence reference on offer attestations

`pathway_totalisation` keeps the totalisations an officer chooses to save (who, when,
inputs, result, agreement, rule version; a person by id only). It holds a person's
insurance history, so it is walled to its tenant and never shared region-wide.
`pathway_offer_attestation.evidence_ref` is the optional reference to the evidence
behind an employer's statement (existing rows get an empty one).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import puente.core.db
from puente.core.rls import disable_rls, enable_rls

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pathway_totalisation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("worker_id", sa.Uuid(), nullable=True),
        sa.Column("agreement", sa.String(length=20), nullable=True),
        sa.Column("rule_version", sa.String(length=20), nullable=False),
        sa.Column("total_years", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("total_payable", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column(
            "saved_at", puente.core.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("tenant_code", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["pathway_worker.id"],
            name=op.f("fk_pathway_totalisation_worker_id_pathway_worker"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway_totalisation")),
    )
    with op.batch_alter_table("pathway_totalisation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pathway_totalisation_organisation_id"),
            ["organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_pathway_totalisation_person_id"),
            ["person_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_pathway_totalisation_tenant_code"),
            ["tenant_code"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_pathway_totalisation_worker_id"),
            ["worker_id"],
            unique=False,
        )
    # Person-level data: the tenant wall only (no regional policies).
    enable_rls("pathway_totalisation")

    with op.batch_alter_table("pathway_offer_attestation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "evidence_ref",
                sa.String(length=300),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("pathway_offer_attestation", schema=None) as batch_op:
        batch_op.drop_column("evidence_ref")

    disable_rls("pathway_totalisation")
    with op.batch_alter_table("pathway_totalisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pathway_totalisation_worker_id"))
        batch_op.drop_index(batch_op.f("ix_pathway_totalisation_tenant_code"))
        batch_op.drop_index(batch_op.f("ix_pathway_totalisation_person_id"))
        batch_op.drop_index(batch_op.f("ix_pathway_totalisation_organisation_id"))
    op.drop_table("pathway_totalisation")
