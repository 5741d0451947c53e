"""Pledges to early-warning response plans: a plan's sector gaps become fundable.

The plan and its requirement lines are read through `puente.early_warning`'s
public API (`plan:read`); a donor pledges money against one sector, naming the
quantities of the sector's lines it covers. The pledge is a funding flow (status
pledge) into a financing plan that stands for the early-warning plan, created at
the first pledge. The early-warning plan's own stock and pledges are shown
beside the donors' pledges recorded here; what neither covers is uncovered.

Needs `financing:pledge` and a directory entry for the donor's organisation;
audited (`financing:pledge:create`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente import early_warning
from puente.core import audit, i18n
from puente.core.db import utcnow
from puente.core.errors import Conflict, InvalidInput
from puente.core.i18n import N_
from puente.financing.errors import NoFinancingOrganisation, PledgeExceedsNeed
from puente.financing.models import FinancePlan, FundingFlow, PledgeCoverage
from puente.financing.rules import codes
from puente.financing.schemas import (
    EarlyWarningNeeds,
    FlowRead,
    NeedLineRead,
    NeedSectorRead,
    PlanPledge,
)
from puente.financing.service.common import READ, allow, flow_reads, seen
from puente.financing.service.directory import organisation_of
from puente.financing.service.flows import insert_flow, new_reference, usd_value
from puente.financing.service.plans import create_plan
from puente.identity import Actor
from puente.reference.countries import country_name

SECTOR_LABELS = {
    "shelter": N_("Shelter"),
    "wash": N_("Water, sanitation and hygiene"),
    "food": N_("Food"),
    "health": N_("Health"),
    "protection": N_("Protection"),
}


def _finance_plan(
    session: Session, actor: Actor, early_warning_plan_id: uuid.UUID
) -> FinancePlan | None:
    stmt = select(FinancePlan).where(
        FinancePlan.early_warning_plan_id == early_warning_plan_id
    )
    return session.scalars(seen(actor, stmt, FinancePlan)).first()


def early_warning_needs(
    session: Session, *, actor: Actor, early_warning_plan_id: uuid.UUID
) -> EarlyWarningNeeds:
    """The plan's requirement lines by sector: required, covered in the plan
    (stock and pledges recorded there), covered by donors' pledges here, and
    uncovered; with the pledges made. Needs `plan:read` and `financing:read`."""
    allow(actor, READ)
    detail = early_warning.get_plan(session, actor=actor, plan_id=early_warning_plan_id)
    plan = _finance_plan(session, actor, early_warning_plan_id)
    flows: list[FundingFlow] = []
    covered: dict[uuid.UUID, float] = defaultdict(float)
    pledged_usd: dict[str, Decimal] = defaultdict(Decimal)
    if plan is not None:
        flows = list(
            session.scalars(
                seen(
                    actor,
                    select(FundingFlow)
                    .where(FundingFlow.plan_id == plan.id)
                    .order_by(FundingFlow.flow_date.desc()),
                    FundingFlow,
                )
            )
        )
        live = {f.id for f in flows if f.status != codes.FlowStatus.CANCELLED}
        coverage = session.scalars(
            seen(
                actor,
                select(PledgeCoverage).where(
                    PledgeCoverage.early_warning_plan_id == early_warning_plan_id
                ),
                PledgeCoverage,
            )
        )
        sector_of_flow: dict[uuid.UUID, str] = {}
        for part in coverage:
            if part.flow_id in live:
                covered[part.early_warning_line_id] += part.quantity
                sector_of_flow[part.flow_id] = part.sector
        for flow in flows:
            if flow.id in live:
                sector = sector_of_flow.get(flow.id) or _ew_sector(flow.sector)
                pledged_usd[sector] += flow.amount_usd
    sectors: dict[str, list[NeedLineRead]] = defaultdict(list)
    for site in detail.sites:
        for line in site.lines:
            in_plan = line.in_stock + line.pledged
            donors = covered.get(line.id, 0.0)
            sectors[line.sector].append(
                NeedLineRead(
                    line_id=line.id,
                    site=site.name,
                    item=line.item,
                    unit=line.unit,
                    required=line.required,
                    covered_in_plan=in_plan,
                    covered_by_donors=donors,
                    uncovered=max(line.required - in_plan - donors, 0.0),
                )
            )
    return EarlyWarningNeeds(
        early_warning_plan_id=early_warning_plan_id,
        finance_plan_id=plan.id if plan else None,
        title=detail.alert_title,
        country=detail.country,
        country_name=country_name(detail.country) if detail.country else None,
        status=detail.status,
        sectors=[
            NeedSectorRead(
                sector=sector,
                sector_label=i18n.gettext(SECTOR_LABELS.get(sector, sector)),
                lines=lines,
                pledged_usd=pledged_usd.get(sector, Decimal(0)),
                lines_uncovered=sum(1 for item in lines if item.uncovered > 0),
            )
            for sector, lines in sectors.items()
        ],
        pledges=flow_reads(session, flows),
    )


def _ew_sector(sector: str | None) -> str:
    for ew_sector, rmrp_sector in codes.EARLY_WARNING_SECTORS.items():
        if rmrp_sector == sector:
            return ew_sector
    return sector or ""


def pledge_to_plan(
    session: Session,
    *,
    actor: Actor,
    early_warning_plan_id: uuid.UUID,
    pledge: PlanPledge,
) -> FlowRead:
    """A donor's pledge against one sector of an early-warning plan; it becomes
    a funding flow (pledge) into the plan. Quantities may not exceed what is
    still uncovered. Needs `financing:pledge`; audited."""
    allow(actor, "financing:pledge", tenant_code=actor.tenant_code)
    donor = organisation_of(session, actor)
    if donor is None:
        raise NoFinancingOrganisation()
    needs = early_warning_needs(
        session, actor=actor, early_warning_plan_id=early_warning_plan_id
    )
    if needs.status != "active":
        raise Conflict(N_("This response plan is closed; it takes no more pledges."))
    sector = next((s for s in needs.sectors if s.sector == pledge.sector), None)
    if sector is None:
        raise InvalidInput(N_("Choose one of the plan's sectors."))
    lines = {line.line_id: line for line in sector.lines}
    for item in pledge.lines:
        line = lines.get(item.line_id)
        if line is None:
            raise InvalidInput(N_("A line of the pledge is not in that sector."))
        if item.quantity > line.uncovered + 1e-9:
            raise PledgeExceedsNeed(item=line.item)
    today = utcnow().date()
    flow_date = pledge.flow_date or today
    rate, usd = usd_value(
        session,
        amount=pledge.amount,
        currency=pledge.currency,
        year=flow_date.year,
        usd_per_unit=pledge.usd_per_unit,
    )
    plan = _finance_plan(session, actor, early_warning_plan_id) or create_plan(
        session,
        actor=actor,
        code=f"EW-{early_warning_plan_id.hex[:8].upper()}",
        title=needs.title or i18n.gettext("Early-warning response plan"),
        kind=codes.PlanKind.EARLY_WARNING.value,
        first_year=flow_date.year,
        last_year=flow_date.year,
        early_warning_plan_id=early_warning_plan_id,
    )
    flow = insert_flow(
        session,
        actor,
        reference=new_reference(),
        source=donor,
        destination=None,
        source_plan=None,
        plan=plan,
        country=needs.country,
        sector=codes.EARLY_WARNING_SECTORS.get(pledge.sector, "multi_sector"),
        usage_year=flow_date.year,
        status=codes.FlowStatus.PLEDGE,
        amount=pledge.amount,
        currency=pledge.currency,
        rate=rate,
        amount_usd=usd,
        flow_date=flow_date,
        description=pledge.description,
        action="financing:pledge:create",
    )
    for item in pledge.lines:
        session.add(
            PledgeCoverage(
                tenant_code=flow.tenant_code,
                flow_id=flow.id,
                early_warning_plan_id=early_warning_plan_id,
                early_warning_line_id=item.line_id,
                sector=pledge.sector,
                quantity=item.quantity,
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "financing:pledge:lines",
        tenant_code=flow.tenant_code,
        object_type="funding_flow",
        object_id=flow.id,
        early_warning_plan_id=str(early_warning_plan_id),
        lines=len(pledge.lines),
    )
    return flow_reads(session, [flow])[0]
