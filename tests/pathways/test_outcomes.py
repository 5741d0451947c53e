"""Approvals become a statistic without persons, readable region-wide, small totals
withheld; commitments show them as people regularised or resettled."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente import pathways
from puente.commitments.service.progress import measure_for, progress_for
from puente.core.errors import PermissionDenied
from puente.identity import Role
from puente.pathways import service
from puente.pathways.models import OutcomeCount
from tests.financing.conftest import role_actor
from tests.pathways.helpers import actor


def _approve(session: Session, ref: str, outcome: str = "approved") -> None:
    officer = actor(session, "pathways.col")
    application = service.apply_to_pathway(
        session, actor=officer, pathway_id="col-etpv", applicant_ref=ref
    )
    for stage in ("documents", "biometrics", "decision"):
        service.advance_application(
            session, actor=officer, application_id=application.id, stage=stage
        )
    service.decide_application(
        session,
        actor=officer,
        application_id=application.id,
        outcome=outcome,
        reason="Decided on the file.",
    )


def _cells(session: Session) -> int:
    rows = session.scalars(
        select(OutcomeCount).where(
            OutcomeCount.pathway_state == "COL", OutcomeCount.kind == "regularisation"
        )
    ).all()
    return sum(row.approved for row in rows)


def test_an_approval_is_counted_and_a_refusal_is_not(session: Session) -> None:
    before = _cells(session)
    _approve(session, "OUT-1")
    _approve(session, "OUT-2", outcome="refused")
    assert _cells(session) == before + 1


def test_small_totals_are_withheld_and_larger_ones_read_region_wide(
    session: Session,
) -> None:
    analyst = role_actor(Role.ANALYST, "BRA")  # another state, a regional grant
    before = _cells(session)
    for n in range(max(0, 4 - before)):
        _approve(session, f"OUT-S{n}")
    if _cells(session) < 5:
        assert (
            pathways.approved_in_state(
                session, actor=analyst, state="COL", kinds=["regularisation"]
            )
            is None
        )
    while _cells(session) < 5:
        _approve(session, f"OUT-L{_cells(session)}")
    total = _cells(session)
    assert (
        pathways.approved_in_state(
            session, actor=analyst, state="COL", kinds=["regularisation"]
        )
        == total
    )
    # The commitment of Colombia's regularisation shows it as its progress.
    measure = measure_for("people", "AP2")
    assert measure == "people_regularised"

    class Row:
        state = "COL"
        target_quantity = Decimal(1000)

    Row.measure = measure  # type: ignore[attr-defined]
    progress = progress_for(session, analyst, Row())  # type: ignore[arg-type]
    assert progress is not None
    assert progress.value == Decimal(total)
    assert progress.share == pytest.approx(total / 1000)


def test_a_caseworker_reads_no_statistic(session: Session) -> None:
    with pytest.raises(PermissionDenied):
        pathways.approved_in_state(
            session,
            actor=role_actor(Role.CASEWORKER, "COL"),
            state="COL",
            kinds=["regularisation"],
        )
