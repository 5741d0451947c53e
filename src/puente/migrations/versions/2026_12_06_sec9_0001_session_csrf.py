"""A CSRF token stored with each server session (issue 9, item 11).

The token was a plain double-submit cookie: any value the client chose matched
itself. Now a logged-in request must send the token kept with its session, drawn
afresh at every login and MFA step. Sessions started before this revision have
none and get one at their next request. Identity's own branch after `secauth_0001`.

Revision ID: sec9_0001
Revises: secauth_0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sec9_0001"
down_revision: str | None = "secauth_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.add_column(sa.Column("csrf_token", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.drop_column("csrf_token")
