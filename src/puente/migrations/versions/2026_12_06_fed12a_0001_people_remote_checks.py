"""people: duplicate checks against another state's registry and their candidates

A check is sent by the exchange module as keyed encodings only; the peer answers
opaque references with a score and a likelihood, never a name.

Revision ID: fed12a_0001
Revises: search10_0001
Create Date: 2026-12-06 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import puente.core.db
from puente.core.rls import disable_rls, enable_rls

revision: str = "fed12a_0001"
down_revision: str | None = "search10_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("people_remote_check", "people_remote_candidate")


def upgrade() -> None:
    op.create_table(
        "people_remote_check",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column(
            "requested_at", puente.core.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "answered_at", puente.core.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("tenant_code", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_people_remote_check_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_remote_check")),
    )
    with op.batch_alter_table("people_remote_check", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_people_remote_check_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_people_remote_check_tenant_code"),
            ["tenant_code"],
            unique=False,
        )
    op.create_table(
        "people_remote_candidate",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("check_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=3), nullable=False),
        sa.Column("reference", sa.String(length=36), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("likelihood", sa.String(length=10), nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column(
            "decided_at", puente.core.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("tenant_code", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["people_remote_check.id"],
            name=op.f("fk_people_remote_candidate_check_id_people_remote_check"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_remote_candidate")),
        sa.UniqueConstraint("check_id", "reference", name="uq_people_remote_candidate"),
    )
    with op.batch_alter_table("people_remote_candidate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_people_remote_candidate_check_id"),
            ["check_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_people_remote_candidate_person_id"),
            ["person_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_people_remote_candidate_tenant_code"),
            ["tenant_code"],
            unique=False,
        )
    for table in TABLES:
        enable_rls(table)


def downgrade() -> None:
    for table in TABLES:
        disable_rls(table)
    with op.batch_alter_table("people_remote_candidate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_remote_candidate_tenant_code"))
        batch_op.drop_index(batch_op.f("ix_people_remote_candidate_person_id"))
        batch_op.drop_index(batch_op.f("ix_people_remote_candidate_check_id"))
    op.drop_table("people_remote_candidate")
    with op.batch_alter_table("people_remote_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_remote_check_tenant_code"))
        batch_op.drop_index(batch_op.f("ix_people_remote_check_person_id"))
    op.drop_table("people_remote_check")
