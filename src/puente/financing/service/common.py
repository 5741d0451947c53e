"""What the financing services share: reading rows through the visibility
helper, labels in the current language, and building the read models."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, Final, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from puente.core import i18n
from puente.core.i18n import N_
from puente.financing.errors import PlanNotFound
from puente.financing.models import (
    FinancePlan,
    FundingFlow,
    FundingOrganisation,
    PlanRequirement,
)
from puente.financing.rules import codes
from puente.financing.rules.totals import (
    Boundary,
    FlowFacts,
    RequirementFacts,
    classify,
)
from puente.financing.schemas import FlowRead, OrganisationRead
from puente.identity import Actor, Sensitivity, authorize, visible
from puente.reference.countries import country_name

READ: Final = "financing:read"
SelectT = TypeVar("SelectT", bound=Select[Any])

BOUNDARY_LABELS: Final = {
    Boundary.INCOMING: N_("Counted: enters the plan"),
    Boundary.INTERNAL: N_("Inside the plan: shown, not counted again"),
    Boundary.OUTGOING: N_("Leaves the plan"),
    Boundary.OUTSIDE: N_("Outside any plan"),
}


def allow(actor: Actor, permission: str, *, tenant_code: str | None = None) -> None:
    """`authorize` for financing data, which is public: plans, money and
    organisations carry no personal data (grants have the PUBLIC ceiling)."""
    authorize(
        actor, permission, tenant_code=tenant_code, sensitivity=Sensitivity.PUBLIC
    )


def seen(actor: Actor, stmt: SelectT, model: Any) -> SelectT:
    """`stmt` narrowed to what `actor` may read (financing is read region-wide)."""
    allow(actor, READ)
    return visible(actor, stmt, model, READ)


def sector_label(sector: str | None) -> str:
    if not sector:
        return i18n.gettext("Several sectors or not assigned")
    return i18n.gettext(codes.SECTOR_LABELS.get(sector, sector))


def place_label(country: str | None) -> str:
    if not country:
        return i18n.gettext("Regional or not assigned")
    return country_name(country)


def organisation_read(org: FundingOrganisation) -> OrganisationRead:
    return OrganisationRead(
        id=org.id,
        name=org.name,
        kind=org.kind,
        kind_label=i18n.gettext(codes.ORGANISATION_KIND_LABELS.get(org.kind, org.kind)),
        country=org.country,
        country_name=country_name(org.country) if org.country else None,
        iati_ref=org.iati_ref,
        is_sample=org.is_sample,
    )


def organisation_names(
    session: Session, ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(FundingOrganisation.id, FundingOrganisation.name).where(
            FundingOrganisation.id.in_(wanted)
        )
    )
    return {row.id: row.name for row in rows}


def plans_by_id(
    session: Session, ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, FinancePlan]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        plan.id: plan
        for plan in session.scalars(
            select(FinancePlan).where(FinancePlan.id.in_(wanted))
        )
    }


def get_plan_row(session: Session, actor: Actor, plan: uuid.UUID | str) -> FinancePlan:
    """A plan by id or code, or PlanNotFound."""
    if isinstance(plan, uuid.UUID):
        condition = FinancePlan.id == plan
    else:
        try:
            condition = FinancePlan.id == uuid.UUID(plan)
        except ValueError:
            condition = FinancePlan.code == plan.strip().upper()
    found = session.scalars(
        seen(actor, select(FinancePlan).where(condition), FinancePlan)
    ).first()
    if found is None:
        raise PlanNotFound()
    return found


def flow_facts(flow: FundingFlow) -> FlowFacts:
    return FlowFacts(
        id=flow.id,
        status=codes.FlowStatus(flow.status),
        amount_usd=flow.amount_usd,
        plan_id=flow.plan_id,
        source_plan_id=flow.source_plan_id,
        country=flow.country,
        sector=flow.sector,
        usage_year=flow.usage_year,
        flow_date=flow.flow_date,
    )


def requirement_facts(row: PlanRequirement) -> RequirementFacts:
    return RequirementFacts(row.year, row.country, row.sector, row.amount_usd)


def plan_flows(session: Session, actor: Actor, plan_id: uuid.UUID) -> list[FundingFlow]:
    """Every flow that touches the plan's boundary (into it or out of it)."""
    stmt = select(FundingFlow).where(
        (FundingFlow.plan_id == plan_id) | (FundingFlow.source_plan_id == plan_id)
    )
    return list(session.scalars(seen(actor, stmt, FundingFlow)))


def plan_requirements(
    session: Session, actor: Actor, plan_id: uuid.UUID
) -> list[PlanRequirement]:
    stmt = select(PlanRequirement).where(PlanRequirement.plan_id == plan_id)
    return list(session.scalars(seen(actor, stmt, PlanRequirement)))


def flow_reads(session: Session, flows: list[FundingFlow]) -> list[FlowRead]:
    names = organisation_names(
        session,
        [f.source_organisation_id for f in flows]
        + [f.destination_organisation_id for f in flows],
    )
    plans = plans_by_id(
        session, [f.plan_id for f in flows] + [f.source_plan_id for f in flows]
    )
    reads = []
    for flow in flows:
        status = codes.FlowStatus(flow.status)
        plan = plans.get(flow.plan_id) if flow.plan_id else None
        source_plan = plans.get(flow.source_plan_id) if flow.source_plan_id else None
        boundary = (
            classify(flow_facts(flow), flow.plan_id)
            if flow.plan_id
            else (Boundary.OUTGOING if flow.source_plan_id else Boundary.OUTSIDE)
        )
        reads.append(
            FlowRead(
                id=flow.id,
                reference=flow.reference,
                status=flow.status,
                status_label=i18n.gettext(codes.STATUS_LABELS[status]),
                source_organisation_id=flow.source_organisation_id,
                source_organisation=names.get(flow.source_organisation_id, ""),
                destination_organisation_id=flow.destination_organisation_id,
                destination_organisation=names.get(flow.destination_organisation_id)
                if flow.destination_organisation_id
                else None,
                source_plan=source_plan.code if source_plan else None,
                plan=plan.code if plan else None,
                plan_title=plan.title if plan else None,
                boundary=boundary.value,
                boundary_label=i18n.gettext(BOUNDARY_LABELS[boundary]),
                country=flow.country,
                country_name=country_name(flow.country) if flow.country else None,
                sector=flow.sector,
                sector_label=sector_label(flow.sector) if flow.sector else None,
                usage_year=flow.usage_year,
                amount=flow.amount,
                currency=flow.currency,
                usd_per_unit=flow.usd_per_unit,
                amount_usd=flow.amount_usd,
                flow_date=flow.flow_date,
                description=flow.description,
                is_sample=flow.is_sample,
                next_statuses=sorted(s.value for s in codes.STATUS_TRANSITIONS[status]),
            )
        )
    return reads
