"""MFA failures counted apart from password failures (issue 9, item 3).

A right password used to reset the one failure counter, so TOTP guessing was
unlimited (4 wrong codes, log in again, repeat). `mfa_failures` counts wrong
codes across logins; past the threshold `mfa_locked_at` is set and only an
administrator's `reset_mfa` lifts it. Identity's own branch from `0001`.

Revision ID: secauth_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from puente.core.db import UTCDateTime

revision: str = "secauth_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(
            sa.Column("mfa_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("mfa_locked_at", UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("mfa_locked_at")
        batch.drop_column("mfa_failures")
