"""Organisations readable region-wide (read only).

A hub coordinator assigns response-plan tasks to the organisations of the
state a plan responds in (early_warning.service.plans): the application filter
allowed it, row-level security did not. Organisation names and kinds are a
directory, not case data; writes stay walled to the organisation's tenant.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

from puente.core.rls import share_rls_read, unshare_rls

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    share_rls_read("organisation")


def downgrade() -> None:
    unshare_rls("organisation")
