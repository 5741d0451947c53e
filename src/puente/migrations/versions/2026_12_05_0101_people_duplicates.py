"""people: registry-wide duplicates (trained model, review queue, undoable merges)

Revision ID: 0101_people_duplicates
Revises: 0007
Create Date: 2026-12-05 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import puente.core.db
from puente.core.rls import disable_rls, enable_rls

revision: str = "0101_people_duplicates"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("duplicate_model", "duplicate_candidate", "person_merge")


def upgrade() -> None:
    op.create_table(
        "duplicate_model",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("settings_json", sa.Text(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column(
            "trained_at", puente.core.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("tenant_code", sa.String(length=3), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_model")),
        sa.UniqueConstraint("tenant_code", name="uq_duplicate_model_tenant"),
    )
    op.create_index(
        op.f("ix_duplicate_model_tenant_code"), "duplicate_model", ["tenant_code"]
    )
    op.create_table(
        "duplicate_candidate",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_a_id", sa.Uuid(), nullable=False),
        sa.Column("person_b_id", sa.Uuid(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("found_at", puente.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", puente.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("tenant_code", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_a_id"], ["person.id"],
            name=op.f("fk_duplicate_candidate_person_a_id_person"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_b_id"], ["person.id"],
            name=op.f("fk_duplicate_candidate_person_b_id_person"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_candidate")),
        sa.UniqueConstraint(
            "person_a_id", "person_b_id", name="uq_duplicate_candidate_pair"
        ),
    )  # fmt: skip
    op.create_index(
        "ix_duplicate_candidate_tenant_status",
        "duplicate_candidate",
        ["tenant_code", "status"],
    )
    op.create_index(
        op.f("ix_duplicate_candidate_tenant_code"),
        "duplicate_candidate",
        ["tenant_code"],
    )
    op.create_table(
        "person_merge",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=True),
        sa.Column("kept_person_id", sa.Uuid(), nullable=False),
        sa.Column("merged_person_id", sa.Uuid(), nullable=False),
        sa.Column("moved_rows", sa.Text(), nullable=False),
        sa.Column("merged_by", sa.Uuid(), nullable=True),
        sa.Column("merged_at", puente.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("undone_by", sa.Uuid(), nullable=True),
        sa.Column("undone_at", puente.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("tenant_code", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["duplicate_candidate.id"],
            name=op.f("fk_person_merge_candidate_id_duplicate_candidate"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["kept_person_id"], ["person.id"],
            name=op.f("fk_person_merge_kept_person_id_person"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merged_person_id"], ["person.id"],
            name=op.f("fk_person_merge_merged_person_id_person"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_merge")),
    )  # fmt: skip
    for column in ("kept_person_id", "merged_person_id", "tenant_code"):
        op.create_index(op.f(f"ix_person_merge_{column}"), "person_merge", [column])
    for table in TABLES:
        enable_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_rls(table)
        op.drop_table(table)
