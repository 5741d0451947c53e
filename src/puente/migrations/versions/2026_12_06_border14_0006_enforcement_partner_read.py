"""Enforcement: a state reads the agreements that name it as partner and the
reports shared with it (row-level policies on the partner / recipient column;
writes stay walled to the sender).

Revision ID: border14_0006
Revises: border14_0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "border14_0006"
down_revision: str | Sequence[str] | None = "border14_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MINE = "string_to_array(current_setting('app.tenant_ids', true), ',')"
POLICIES = (
    ("enforcement_agreement", "partner_read", "partner_state"),
    ("enforcement_shared_report", "recipient_read", "recipient_state"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, policy, column in POLICIES:
        op.execute(
            f"CREATE POLICY {policy} ON {table} FOR SELECT"
            f" USING ({column} = ANY({_MINE}))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, policy, _column in POLICIES:
        op.execute(f"DROP POLICY IF EXISTS {policy} ON {table}")
