"""Protection: return cases shared with the state of return (how), incoming return
cases from other states' nodes (an opaque reference and reception fields, never a
name), and returns with their outcomes counted per state and month.

The count is a statistic without persons, walled by tenant and readable
region-wide (`share_rls_read`) for commitments and early warning; existing return
cases are counted on upgrade. Incoming return cases are walled by tenant only.

Revision ID: returns14_0001
Revises: border14_0006
Create Date: 2026-12-06
"""

import datetime as dt
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import puente.core.db
from puente.core.rls import disable_rls, enable_rls, share_rls_read

revision: str = "returns14_0001"
down_revision: str | None = "border14_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUSTAINABLE_AT = 0.66


def upgrade() -> None:
    with op.batch_alter_table("protection_return_case") as batch:
        batch.add_column(sa.Column("shared_via", sa.String(10), nullable=True))
    op.create_table(
        "protection_incoming_return",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_code", sa.String(3), nullable=False, index=True),
        sa.Column("sender_state", sa.String(3), nullable=False, index=True),
        sa.Column("reference", sa.String(36), nullable=False),
        sa.Column("is_child", sa.Boolean(), nullable=False),
        sa.Column("arrival_date", sa.Date(), nullable=True),
        sa.Column("dimensions", sa.String(60), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column(
            "received_at", puente.core.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.UniqueConstraint("tenant_code", "sender_state", "reference"),
    )
    enable_rls("protection_incoming_return")
    op.create_table(
        "protection_return_count",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("tenant_code", sa.String(3), nullable=False, index=True),
        sa.Column("state", sa.String(3), nullable=False, index=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("returns", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("followed_up", sa.Integer(), nullable=False),
        sa.Column("sustainable", sa.Integer(), nullable=False),
        sa.UniqueConstraint("tenant_code", "state", "month"),
    )
    enable_rls("protection_return_count")
    share_rls_read("protection_return_count")
    _count_existing()


def _count_existing() -> None:
    bind = op.get_bind()
    counts: dict[tuple[str, str, dt.date], dict[str, int]] = {}

    def add(tenant: str, state: str, when: object, column: str) -> None:
        cell = counts.setdefault(
            (tenant, state, _first_of_month(when)),
            {"returns": 0, "received": 0, "followed_up": 0, "sustainable": 0},
        )
        cell[column] += 1

    for tenant, state, opened, received in bind.execute(
        sa.text(
            "SELECT tenant_code, destination, opened_at, received_at"
            " FROM protection_return_case"
        )
    ).all():
        add(tenant, state, opened, "returns")
        if received is not None:
            add(tenant, state, received, "received")
    for tenant, state, done_on, score in bind.execute(
        sa.text(
            "SELECT f.tenant_code, c.destination, f.done_on, f.score"
            " FROM protection_return_followup f JOIN protection_return_case c"
            " ON c.id = f.return_case_id WHERE f.month = 12"
        )
    ).all():
        add(tenant, state, done_on, "followed_up")
        if float(score) >= SUSTAINABLE_AT:
            add(tenant, state, done_on, "sustainable")
    table = sa.table(
        "protection_return_count",
        sa.column("id", sa.Uuid()),
        sa.column("tenant_code", sa.String()),
        sa.column("state", sa.String()),
        sa.column("month", sa.Date()),
        sa.column("returns", sa.Integer()),
        sa.column("received", sa.Integer()),
        sa.column("followed_up", sa.Integer()),
        sa.column("sustainable", sa.Integer()),
    )
    if counts:
        op.bulk_insert(
            table,
            [
                {"id": uuid.uuid4(), "tenant_code": t, "state": s, "month": m, **n}
                for (t, s, m), n in counts.items()
            ],
        )


def _first_of_month(value: object) -> dt.date:
    """SQLite hands back text, PostgreSQL a date or datetime."""
    when = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    if not isinstance(when, dt.date):
        raise TypeError(f"not a date: {when!r}")
    return dt.date(when.year, when.month, 1)


def downgrade() -> None:
    disable_rls("protection_return_count")
    op.drop_table("protection_return_count")
    disable_rls("protection_incoming_return")
    op.drop_table("protection_incoming_return")
    with op.batch_alter_table("protection_return_case") as batch:
        batch.drop_column("shared_via")
