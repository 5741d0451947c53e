"""Approved applications as a statistic: counted per destination state, pathway kind
and month in the decision's transaction, read region-wide by whoever follows the
Declaration's commitments (`pathway:statistics`). No person, no application id, and
totals under `SMALL_CELL` are withheld (research/07: small cells re-identify)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.identity import Actor, Sensitivity, authorize, visible
from puente.pathways.models import Application, OutcomeCount

STATISTICS: Final = "pathway:statistics"
SMALL_CELL: Final = 5


def count_approval(session: Session, application: Application, on: dt.date) -> None:
    """Add one approval to its state x kind x month cell (same transaction)."""
    month = dt.date(on.year, on.month, 1)
    row = session.scalars(
        select(OutcomeCount).where(
            OutcomeCount.tenant_code == application.tenant_code,
            OutcomeCount.pathway_state == application.pathway_state,
            OutcomeCount.kind == application.kind,
            OutcomeCount.month == month,
        )
    ).one_or_none()
    if row is None:
        session.add(
            OutcomeCount(
                tenant_code=application.tenant_code,
                pathway_state=application.pathway_state,
                kind=application.kind,
                month=month,
                approved=1,
            )
        )
    else:
        row.approved += 1


def approved_in_state(
    session: Session, *, actor: Actor, state: str, kinds: Iterable[str]
) -> int | None:
    """People approved for a pathway into `state` of one of `kinds`, over every
    tenant the actor may read; None when the total is under `SMALL_CELL`."""
    authorize(actor, STATISTICS, sensitivity=Sensitivity.PUBLIC)
    stmt = visible(
        actor,
        select(func.coalesce(func.sum(OutcomeCount.approved), 0)).where(
            OutcomeCount.pathway_state == state.upper(),
            OutcomeCount.kind.in_(list(kinds)),
        ),
        OutcomeCount,
        STATISTICS,
    )
    total = int(session.scalar(stmt) or 0)
    return total if total >= SMALL_CELL else None
