"""Preferences and authenticator resets.

A user's date format (the language column already exists), a state's default
language and date format (used until the user chooses), and the requests to reset a
lost authenticator, which a second administrator approves.

Revision ID: uiadmin_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from puente.core.db import UTCDateTime
from puente.core.rls import disable_rls, enable_rls

revision: str = "uiadmin_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("date_format", sa.String(length=10), nullable=True))
    with op.batch_alter_table("tenant") as batch:
        batch.add_column(
            sa.Column("default_locale", sa.String(length=5), nullable=True)
        )
        batch.add_column(
            sa.Column("default_date_format", sa.String(length=10), nullable=True)
        )
    op.create_table(
        "mfa_reset_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_code", sa.String(length=3), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("requested_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["requested_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_mfa_reset_request_tenant_code", "mfa_reset_request", ["tenant_code"]
    )
    op.create_index("ix_mfa_reset_request_user_id", "mfa_reset_request", ["user_id"])
    enable_rls("mfa_reset_request")


def downgrade() -> None:
    disable_rls("mfa_reset_request")
    op.drop_index("ix_mfa_reset_request_user_id", table_name="mfa_reset_request")
    op.drop_index("ix_mfa_reset_request_tenant_code", table_name="mfa_reset_request")
    op.drop_table("mfa_reset_request")
    with op.batch_alter_table("tenant") as batch:
        batch.drop_column("default_date_format")
        batch.drop_column("default_locale")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("date_format")
