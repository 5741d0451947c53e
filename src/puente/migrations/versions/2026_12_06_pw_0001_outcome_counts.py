"""Pathways: approved applications counted per destination state, kind and month.

A statistic without persons, walled by the deciding tenant and readable region-wide
(`share_rls_read`) so that commitments can show people resettled or regularised.
Existing approved applications are counted on upgrade.

Revision ID: pw_0001
Revises: 0010
Create Date: 2026-12-06
"""

import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from puente.core.rls import disable_rls, enable_rls, share_rls_read

revision: str = "pw_0001"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pathway_outcome_count",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_code", sa.String(3), nullable=False, index=True),
        sa.Column("pathway_state", sa.String(3), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("approved", sa.Integer(), nullable=False),
        sa.UniqueConstraint("tenant_code", "pathway_state", "kind", "month"),
    )
    enable_rls("pathway_outcome_count")
    share_rls_read("pathway_outcome_count")
    _count_existing()


def _count_existing() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT tenant_code, pathway_state, kind, updated_at FROM pathway_application"
            " WHERE status = 'approved'"
        )
    ).all()
    counts: dict[tuple[str, str, str, dt.date], int] = {}
    for tenant, state, kind, when in rows:
        key = (tenant, state, kind, _first_of_month(when))
        counts[key] = counts.get(key, 0) + 1
    table = sa.table(
        "pathway_outcome_count",
        sa.column("id", sa.Uuid()),
        sa.column("tenant_code", sa.String()),
        sa.column("pathway_state", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("month", sa.Date()),
        sa.column("approved", sa.Integer()),
    )
    if counts:
        op.bulk_insert(
            table,
            [
                {
                    "id": uuid.uuid4(),
                    "tenant_code": tenant,
                    "pathway_state": state,
                    "kind": kind,
                    "month": month,
                    "approved": n,
                }
                for (tenant, state, kind, month), n in counts.items()
            ],
        )


def _first_of_month(value: object) -> dt.date:
    """SQLite hands back text, PostgreSQL a datetime."""
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(when, dt.date):
        raise TypeError(f"not a date: {when!r}")
    return dt.date(when.year, when.month, 1)


def downgrade() -> None:
    disable_rls("pathway_outcome_count")
    op.drop_table("pathway_outcome_count")
