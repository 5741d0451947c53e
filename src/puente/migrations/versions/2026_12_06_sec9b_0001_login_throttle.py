"""Wrong passwords counted per name, per source and per name from one source
(issue 9, item 11), in a table of digests: no name, no address. A name that
exists is counted like one that does not, and one guesser no longer locks an
account for everyone. Identity's own branch after `sec9_0001`.

Revision ID: sec9b_0001
Revises: sec9_0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import puente.core.db

revision: str = "sec9b_0001"
down_revision: str | None = "sec9_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("name_key", sa.String(64), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column(
            "window_started_at",
            puente.core.db.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "blocked_until", puente.core.db.UTCDateTime(timezone=True), nullable=True
        ),
    )
    op.create_index(
        "ix_login_throttle_name_key", "login_throttle", ["name_key"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_login_throttle_name_key", table_name="login_throttle")
    op.drop_table("login_throttle")
