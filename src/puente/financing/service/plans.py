"""Response plans, their requirements and their gaps (FTS boundary rule).

Reads need `financing:read`. Creating a plan or setting a requirement needs
`financing:write`; both are audited (`financing:plan:*`).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit, i18n
from puente.core.errors import InvalidInput
from puente.core.i18n import N_
from puente.financing.errors import UnknownCountry, UnknownSector, YearNotInPlan
from puente.financing.models import FinancePlan, PlanRequirement
from puente.financing.rules import codes
from puente.financing.rules.totals import (
    Line,
    funding_over_time,
    money,
    plan_totals,
)
from puente.financing.schemas import GapRead, LineRead, MonthRead, PlanSummary
from puente.financing.service.common import (
    allow,
    flow_facts,
    get_plan_row,
    place_label,
    plan_flows,
    plan_requirements,
    requirement_facts,
    sector_label,
    seen,
)
from puente.identity import Actor
from puente.reference.countries import is_known_country


def _years(plan: FinancePlan) -> list[int]:
    return list(range(plan.first_year, plan.last_year + 1))


def list_plans(session: Session, *, actor: Actor) -> list[PlanSummary]:
    """Every plan with its all-year totals, newest first."""
    stmt = select(FinancePlan).order_by(FinancePlan.last_year.desc(), FinancePlan.code)
    summaries = []
    for plan in session.scalars(seen(actor, stmt, FinancePlan)):
        totals = plan_totals(
            plan.id,
            [requirement_facts(r) for r in plan_requirements(session, actor, plan.id)],
            [flow_facts(f) for f in plan_flows(session, actor, plan.id)],
        )
        summaries.append(
            PlanSummary(
                id=plan.id,
                code=plan.code,
                title=plan.title,
                kind=plan.kind,
                kind_label=i18n.gettext(
                    codes.PLAN_KIND_LABELS.get(plan.kind, plan.kind)
                ),
                years=_years(plan),
                early_warning_plan_id=plan.early_warning_plan_id,
                requirement_usd=totals.requirement_usd,
                funding_usd=totals.funding_usd,
                gap_usd=totals.gap_usd,
            )
        )
    return summaries


def _line(line: Line, label: str) -> LineRead:
    return LineRead(
        key=line.key,
        label=label,
        requirement_usd=line.requirement_usd,
        funding_usd=line.funding_usd,
        pledged_usd=line.pledged_usd,
        gap_usd=line.gap_usd,
        coverage=line.coverage,
    )


def plan_gap(
    session: Session, *, actor: Actor, plan: uuid.UUID | str, year: int | None = None
) -> GapRead:
    """Requirement, funding (commitments and payments entering the plan), pledges
    and gap, by country, sector and year, and funding over time. Internal
    transfers are reported apart and never counted. Needs `financing:read`."""
    row = get_plan_row(session, actor, plan)
    if year is not None and year not in _years(row):
        raise YearNotInPlan(year=year)
    requirements = plan_requirements(session, actor, row.id)
    flows = [flow_facts(f) for f in plan_flows(session, actor, row.id)]
    totals = plan_totals(
        row.id, [requirement_facts(r) for r in requirements], flows, year=year
    )
    return GapRead(
        plan=row.code,
        plan_id=row.id,
        title=row.title,
        year=year,
        requirement_usd=totals.requirement_usd,
        funding_usd=totals.funding_usd,
        pledged_usd=totals.pledged_usd,
        gap_usd=totals.gap_usd,
        internal_usd=totals.internal_usd,
        coverage=totals.coverage,
        counted_flows=totals.counted_flows,
        internal_flows=totals.internal_flows,
        by_country=[_line(line, place_label(line.key)) for line in totals.by_country],
        by_sector=[_line(line, sector_label(line.key)) for line in totals.by_sector],
        by_year=[_line(line, line.key) for line in totals.by_year],
        over_time=[
            MonthRead(
                month=p.month, funding_usd=p.funding_usd, pledged_usd=p.pledged_usd
            )
            for p in funding_over_time(row.id, flows, year=year)
        ],
    )


def create_plan(
    session: Session,
    *,
    actor: Actor,
    code: str,
    title: str,
    kind: str,
    first_year: int,
    last_year: int,
    source: str = "",
    early_warning_plan_id: uuid.UUID | None = None,
) -> FinancePlan:
    """Create a plan (or return the one with that code). Needs
    `financing:write`, or `financing:pledge` for an early-warning plan made
    fundable by a donor's pledge; audited."""
    permission = (
        "financing:pledge"
        if kind == codes.PlanKind.EARLY_WARNING and early_warning_plan_id
        else "financing:write"
    )
    allow(actor, permission, tenant_code=actor.tenant_code)
    clean_code = code.strip().upper()
    existing = session.scalars(
        select(FinancePlan).where(FinancePlan.code == clean_code)
    ).first()
    if existing is not None:
        return existing
    if kind not in codes.PLAN_KIND_LABELS or not (
        1990 <= first_year <= last_year <= 2100
    ):
        raise InvalidInput(
            N_("A plan needs a kind and a first year no later than its last.")
        )
    plan = FinancePlan(
        tenant_code=actor.tenant_code,
        code=clean_code,
        title=title.strip()[:200],
        kind=kind,
        first_year=first_year,
        last_year=last_year,
        source=source,
        early_warning_plan_id=early_warning_plan_id,
    )
    session.add(plan)
    session.flush()
    audit.record(
        session,
        actor,
        "financing:plan:create",
        tenant_code=plan.tenant_code,
        object_type="finance_plan",
        object_id=plan.id,
        code=plan.code,
    )
    return plan


def set_requirement(
    session: Session,
    *,
    actor: Actor,
    plan_id: uuid.UUID,
    year: int,
    amount_usd: Decimal,
    country: str | None = None,
    sector: str | None = None,
    is_sample: bool = False,
    source: str = "",
) -> PlanRequirement:
    """Set what a plan asks for in one year, country and sector (replacing the
    previous figure). Needs `financing:write` on the plan's tenant; audited."""
    plan = get_plan_row(session, actor, plan_id)
    allow(actor, "financing:write", tenant_code=plan.tenant_code)
    if year not in _years(plan):
        raise YearNotInPlan(year=year)
    if country is not None and not is_known_country(country):
        raise UnknownCountry()
    if sector is not None and sector not in codes.SECTOR_LABELS:
        raise UnknownSector()
    if amount_usd < 0:
        raise InvalidInput(N_("A requirement cannot be negative."))
    row = session.scalars(
        select(PlanRequirement).where(
            PlanRequirement.plan_id == plan.id,
            PlanRequirement.year == year,
            PlanRequirement.country.is_(None)
            if country is None
            else PlanRequirement.country == country,
            PlanRequirement.sector.is_(None)
            if sector is None
            else PlanRequirement.sector == sector,
        )
    ).first()
    value = money(amount_usd)
    if row is not None and row.amount_usd == value:
        return row
    if row is None:
        row = PlanRequirement(
            tenant_code=plan.tenant_code,
            plan_id=plan.id,
            year=year,
            country=country,
            sector=sector,
            amount_usd=value,
            is_sample=is_sample,
            source=source,
        )
        session.add(row)
    else:
        row.amount_usd, row.is_sample, row.source = value, is_sample, source
    session.flush()
    audit.record(
        session,
        actor,
        "financing:plan:requirement",
        tenant_code=plan.tenant_code,
        object_type="finance_requirement",
        object_id=row.id,
        plan_id=str(plan.id),
        year=year,
    )
    return row


def find_plan_code(session: Session, code: str) -> FinancePlan | None:
    """The plan with `code`, if any (no permission check: codes are not secret)."""
    return session.scalars(
        select(FinancePlan).where(FinancePlan.code == code.strip().upper())
    ).first()
