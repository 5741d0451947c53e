"""Pledges to early-warning response plans: the plan's sector gaps, read through
`puente.early_warning`, become fundable."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente import early_warning
from puente.core.audit import AuditEvent
from puente.core.errors import Conflict, PermissionDenied
from puente.early_warning.service import alerts as alert_service
from puente.early_warning.service import plans as plan_service
from puente.financing import service
from puente.financing.errors import NoFinancingOrganisation, PledgeExceedsNeed
from puente.financing.models import FundingFlow, PledgeCoverage
from puente.financing.schemas import PlanPledge, PledgeLineIn
from puente.identity import Actor, Role, system_actor
from tests.early_warning.alert_factories import Firing
from tests.financing.conftest import role_actor


@pytest.fixture
def plan_id(demo_session: Session) -> uuid.UUID:
    [alert] = alert_service.raise_alerts(
        demo_session, actor=system_actor(), firings=[Firing(tenant_code="HUB")]
    )
    plan = plan_service.activate_plan(
        demo_session, actor=role_actor(Role.COORDINATOR), alert_id=alert.id
    )
    return plan.id


def _counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(FundingFlow)) or 0,
        session.scalar(select(func.count()).select_from(PledgeCoverage)) or 0,
        session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
    )


def test_a_donor_pledge_covers_part_of_a_sector_gap(
    demo_session: Session, plan_id: uuid.UUID, demo_actor: Callable[[str], Actor]
) -> None:
    donor = demo_actor("donor.can")
    needs = service.early_warning_needs(
        demo_session, actor=donor, early_warning_plan_id=plan_id
    )
    wash = next(s for s in needs.sectors if s.sector == "wash")
    line = wash.lines[0]
    assert line.uncovered == line.required > 0
    detail = early_warning.get_plan(demo_session, actor=donor, plan_id=plan_id)
    assert {x.id for s in detail.sites for x in s.lines if x.sector == "wash"} == {
        x.line_id for x in wash.lines
    }

    flow = service.pledge_to_plan(
        demo_session,
        actor=donor,
        early_warning_plan_id=plan_id,
        pledge=PlanPledge(
            sector="wash",
            amount=Decimal("250000"),
            lines=[PledgeLineIn(line_id=line.line_id, quantity=line.required / 2)],
        ),
    )
    assert flow.status == "pledge"
    assert flow.source_organisation == "Government of Canada"
    assert flow.sector == "wash"
    assert flow.amount_usd == Decimal("250000.00")
    after = service.early_warning_needs(
        demo_session, actor=donor, early_warning_plan_id=plan_id
    )
    covered = next(
        x for s in after.sectors for x in s.lines if x.line_id == line.line_id
    )
    assert covered.covered_by_donors == pytest.approx(line.required / 2)
    assert covered.uncovered == pytest.approx(line.required / 2)
    assert next(s for s in after.sectors if s.sector == "wash").pledged_usd == Decimal(
        "250000.00"
    )
    assert [p.id for p in after.pledges] == [flow.id]
    gap = service.plan_gap(demo_session, actor=donor, plan=flow.plan or "")
    assert gap.pledged_usd == Decimal("250000.00")
    assert gap.funding_usd == 0
    actions = demo_session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(flow.id))
    ).all()
    assert actions == ["financing:pledge:create", "financing:pledge:lines"]


def test_a_pledge_cannot_cover_more_than_is_uncovered(
    demo_session: Session, plan_id: uuid.UUID, demo_actor: Callable[[str], Actor]
) -> None:
    donor = demo_actor("donor.can")
    needs = service.early_warning_needs(
        demo_session, actor=donor, early_warning_plan_id=plan_id
    )
    line = next(s for s in needs.sectors if s.sector == "health").lines[0]
    before = _counts(demo_session)
    with pytest.raises(PledgeExceedsNeed):
        service.pledge_to_plan(
            demo_session,
            actor=donor,
            early_warning_plan_id=plan_id,
            pledge=PlanPledge(
                sector="health",
                amount=Decimal("1"),
                lines=[PledgeLineIn(line_id=line.line_id, quantity=line.required + 1)],
            ),
        )
    assert _counts(demo_session) == before


def test_only_donors_with_a_directory_entry_pledge(
    demo_session: Session, plan_id: uuid.UUID
) -> None:
    before = _counts(demo_session)
    pledge = PlanPledge(sector="food", amount=Decimal("10"))
    with pytest.raises(NoFinancingOrganisation):
        service.pledge_to_plan(
            demo_session,
            actor=role_actor(Role.DONOR, "CAN"),
            early_warning_plan_id=plan_id,
            pledge=pledge,
        )
    with pytest.raises(PermissionDenied):
        service.pledge_to_plan(
            demo_session,
            actor=role_actor(Role.ANALYST),
            early_warning_plan_id=plan_id,
            pledge=pledge,
        )
    assert _counts(demo_session) == before


def test_a_closed_plan_takes_no_pledge(
    demo_session: Session, plan_id: uuid.UUID, demo_actor: Callable[[str], Actor]
) -> None:
    plan_service.close_plan(
        demo_session, actor=role_actor(Role.COORDINATOR), plan_id=plan_id
    )
    before = _counts(demo_session)
    with pytest.raises(Conflict):
        service.pledge_to_plan(
            demo_session,
            actor=demo_actor("donor.can"),
            early_warning_plan_id=plan_id,
            pledge=PlanPledge(sector="food", amount=Decimal("10")),
        )
    assert _counts(demo_session) == before
