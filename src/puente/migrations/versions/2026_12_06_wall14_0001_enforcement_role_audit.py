"""Enforcement requests run as the `puente_enforcement` role: besides its own
tables it appends to the audit chain (insert events and checkpoints, read and move
the head), and never reads the audit events. Where the role exists (or the
migrating user may make it), grant that and let the migrating user take the role;
elsewhere `puente enforcement grant-role` prints the SQL for an administrator.

Revision ID: wall14_0001
Revises: border14_0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "wall14_0001"
down_revision: str | Sequence[str] | None = "border14_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "puente_enforcement"
AUDIT = (
    ("audit_event", "INSERT"),
    ("audit_head", "SELECT, UPDATE"),
    ("audit_checkpoint", "SELECT, INSERT"),
)


def _role_ready() -> bool:
    bind = op.get_bind()
    if bind.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": ROLE}
    ).first():
        return True
    may = bind.execute(
        text(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )
    ).scalar()
    if not may:
        return False
    op.execute(f"CREATE ROLE {ROLE} NOLOGIN")
    op.execute(f"GRANT {ROLE} TO CURRENT_USER")
    return True


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql" or not _role_ready():
        return
    for table, privileges in AUDIT:
        op.execute(f"GRANT {privileges} ON {table} TO {ROLE}")
    sequence = (
        op.get_bind()
        .execute(text("SELECT pg_get_serial_sequence('audit_checkpoint', 'id')"))
        .scalar()
    )
    if sequence:
        op.execute(f"GRANT USAGE ON SEQUENCE {sequence} TO {ROLE}")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if bind.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": ROLE}
    ).first():
        for table, _privileges in AUDIT:
            op.execute(f"REVOKE ALL ON {table} FROM {ROLE}")
