"""Funding flows: recorded by hand, moved pledge → commitment → paid, listed.

Permissions: `financing:read` to list; `financing:write` (coordinators) to
record any flow of their tenant; a donor (`financing:pledge`) moves the flows
of their own organisation. Every change is audited (`financing:flow:*`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.db import utcnow
from puente.core.errors import InvalidInput
from puente.core.i18n import N_
from puente.financing.errors import (
    DuplicateReference,
    FlowNotFound,
    InvalidAmount,
    NoExchangeRate,
    NotYourFlow,
    StatusChangeNotAllowed,
    UnknownCountry,
    UnknownSector,
)
from puente.financing.models import FinancePlan, FundingFlow, FundingOrganisation
from puente.financing.rules import codes
from puente.financing.rules.totals import money
from puente.financing.schemas import FlowCreate, FlowRead
from puente.financing.service.common import allow, flow_reads, get_plan_row, seen
from puente.financing.service.directory import (
    get_organisation,
    organisation_of,
    usd_rate,
)
from puente.identity import Actor, can
from puente.reference.countries import is_known_country

RATE_PLACES = Decimal("0.00000001")


@dataclass(frozen=True, slots=True)
class FlowFilter:
    plan_id: uuid.UUID | None = None
    status: str | None = None
    country: str | None = None
    sector: str | None = None
    year: int | None = None
    organisation_id: uuid.UUID | None = None
    source_country: str | None = None  # flows given by this state's government
    limit: int = 500


def usd_value(
    session: Session,
    *,
    amount: Decimal,
    currency: str,
    year: int,
    usd_per_unit: Decimal | None = None,
    amount_usd: Decimal | None = None,
) -> tuple[Decimal, Decimal]:
    """(US dollars per unit, USD value): the value given, else the rate given,
    else the stored annual rate of the currency; else NoExchangeRate."""
    if amount <= 0:
        raise InvalidAmount()
    code = currency.upper()
    if amount_usd is not None:
        if amount_usd <= 0:
            raise InvalidAmount()
        rate = (amount_usd / amount).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
        return rate, money(amount_usd)
    found = usd_per_unit if usd_per_unit is not None else usd_rate(session, code, year)
    if found is None or found <= 0:
        raise NoExchangeRate(currency=code, year=year)
    return found, money(amount * found)


def _check_place(country: str | None, sector: str | None) -> None:
    if country is not None and not is_known_country(country):
        raise UnknownCountry()
    if sector is not None and sector not in codes.SECTOR_LABELS:
        raise UnknownSector()


def new_reference() -> str:
    return f"PUENTE-{uuid.uuid4().hex[:12].upper()}"


def insert_flow(
    session: Session,
    actor: Actor,
    *,
    reference: str,
    source: FundingOrganisation,
    destination: FundingOrganisation | None,
    source_plan: FinancePlan | None,
    plan: FinancePlan | None,
    country: str | None,
    sector: str | None,
    usage_year: int,
    status: codes.FlowStatus,
    amount: Decimal,
    currency: str,
    rate: Decimal,
    amount_usd: Decimal,
    flow_date: dt.date,
    description: str,
    is_sample: bool = False,
    action: str = "financing:flow:create",
) -> FundingFlow:
    """Write one validated flow and audit it."""
    if session.scalars(
        select(FundingFlow.id).where(FundingFlow.reference == reference)
    ).first():
        raise DuplicateReference()
    flow = FundingFlow(
        tenant_code=actor.tenant_code,
        reference=reference,
        source_organisation_id=source.id,
        destination_organisation_id=destination.id if destination else None,
        source_plan_id=source_plan.id if source_plan else None,
        plan_id=plan.id if plan else None,
        country=country.upper() if country else None,
        sector=sector,
        usage_year=usage_year,
        status=status.value,
        amount=money(amount),
        currency=currency.upper(),
        usd_per_unit=rate,
        amount_usd=amount_usd,
        flow_date=flow_date,
        description=description.strip(),
        is_sample=is_sample,
        created_by=actor.user_id,
    )
    session.add(flow)
    session.flush()
    audit.record(
        session,
        actor,
        action,
        tenant_code=flow.tenant_code,
        object_type="funding_flow",
        object_id=flow.id,
        status=flow.status,
        amount_usd=str(flow.amount_usd),
    )
    return flow


def record_flow(session: Session, *, actor: Actor, data: FlowCreate) -> FlowRead:
    """Record a flow entered by hand. Needs `financing:write`."""
    allow(actor, "financing:write", tenant_code=actor.tenant_code)
    status = codes.parse_status(data.status)
    if status is None or status is codes.FlowStatus.CANCELLED:
        raise InvalidInput(N_("Choose pledge, commitment or paid."))
    _check_place(data.country, data.sector)
    if status is codes.FlowStatus.PAID and data.flow_date > utcnow().date():
        raise InvalidInput(N_("A payment cannot be dated in the future."))
    source = get_organisation(
        session, actor=actor, organisation_id=data.source_organisation_id
    )
    destination = (
        get_organisation(
            session, actor=actor, organisation_id=data.destination_organisation_id
        )
        if data.destination_organisation_id
        else None
    )
    plan = get_plan_row(session, actor, data.plan_id) if data.plan_id else None
    source_plan = (
        get_plan_row(session, actor, data.source_plan_id)
        if data.source_plan_id
        else None
    )
    year = data.usage_year or data.flow_date.year
    rate, usd = usd_value(
        session,
        amount=data.amount,
        currency=data.currency,
        year=data.flow_date.year,
        usd_per_unit=data.usd_per_unit,
        amount_usd=data.amount_usd,
    )
    flow = insert_flow(
        session,
        actor,
        reference=(data.reference or "").strip() or new_reference(),
        source=source,
        destination=destination,
        source_plan=source_plan,
        plan=plan,
        country=data.country,
        sector=data.sector,
        usage_year=year,
        status=status,
        amount=data.amount,
        currency=data.currency,
        rate=rate,
        amount_usd=usd,
        flow_date=data.flow_date,
        description=data.description,
    )
    return flow_reads(session, [flow])[0]


def _get_flow(session: Session, actor: Actor, flow_id: uuid.UUID) -> FundingFlow:
    flow = session.scalars(
        seen(actor, select(FundingFlow).where(FundingFlow.id == flow_id), FundingFlow)
    ).first()
    if flow is None:
        raise FlowNotFound()
    return flow


def get_flow(session: Session, *, actor: Actor, flow_id: uuid.UUID) -> FlowRead:
    return flow_reads(session, [_get_flow(session, actor, flow_id)])[0]


def can_change(session: Session, actor: Actor, flow: FundingFlow) -> bool:
    """Coordinators change their tenant's flows; a donor, their own pledges."""
    if actor.is_system:
        return True
    if can(actor, "financing:write") and flow.tenant_code == actor.tenant_code:
        return True
    if can(actor, "financing:pledge"):
        own = organisation_of(session, actor)
        return own is not None and own.id == flow.source_organisation_id
    return False


def can_change_flow(session: Session, actor: Actor, flow_id: uuid.UUID) -> bool:
    """Whether `actor` may move the flow's status (for the screens' buttons)."""
    return can_change(session, actor, _get_flow(session, actor, flow_id))


def change_flow_status(
    session: Session, *, actor: Actor, flow_id: uuid.UUID, status: str
) -> FlowRead:
    """Move a flow along pledge → commitment → paid (or cancel a pledge or a
    commitment). Audited."""
    flow = _get_flow(session, actor, flow_id)
    if not can_change(session, actor, flow):
        if can(actor, "financing:pledge"):
            raise NotYourFlow()
        allow(actor, "financing:write", tenant_code=flow.tenant_code)
    current = codes.FlowStatus(flow.status)
    target = codes.parse_status(status)
    if target is None or not codes.can_move(current, target):
        raise StatusChangeNotAllowed(current=current.value, target=status[:20])
    flow.status = target.value
    flow.status_changed_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "financing:flow:status",
        tenant_code=flow.tenant_code,
        object_type="funding_flow",
        object_id=flow.id,
        status=target.value,
        previous=current.value,
    )
    return flow_reads(session, [flow])[0]


def list_flows(
    session: Session, *, actor: Actor, where: FlowFilter | None = None
) -> list[FlowRead]:
    """Flows, newest first, filtered. Needs `financing:read`."""
    where = where or FlowFilter()
    stmt = select(FundingFlow).order_by(
        FundingFlow.flow_date.desc(), FundingFlow.reference
    )
    if where.plan_id is not None:
        stmt = stmt.where(
            (FundingFlow.plan_id == where.plan_id)
            | (FundingFlow.source_plan_id == where.plan_id)
        )
    if where.status:
        stmt = stmt.where(FundingFlow.status == where.status)
    if where.country:
        stmt = stmt.where(FundingFlow.country == where.country.upper())
    if where.sector:
        stmt = stmt.where(FundingFlow.sector == where.sector)
    if where.year is not None:
        stmt = stmt.where(FundingFlow.usage_year == where.year)
    if where.organisation_id is not None:
        stmt = stmt.where(
            (FundingFlow.source_organisation_id == where.organisation_id)
            | (FundingFlow.destination_organisation_id == where.organisation_id)
        )
    if where.source_country:
        stmt = stmt.join(
            FundingOrganisation,
            FundingOrganisation.id == FundingFlow.source_organisation_id,
        ).where(
            FundingOrganisation.country == where.source_country.upper(),
            FundingOrganisation.kind == codes.OrganisationKind.GOVERNMENT.value,
        )
    rows = list(
        session.scalars(
            seen(actor, stmt.limit(max(1, min(where.limit, 5000))), FundingFlow)
        )
    )
    return flow_reads(session, rows)


def paid_by_country(
    session: Session, *, actor: Actor, year: int | None = None
) -> dict[str, Decimal]:
    """USD funding (commitments and payments) given by each state: flows whose
    source is a government organisation, new money only (a flow that leaves a
    plan is an agency passing money on, not a state giving it again). Needs
    `financing:read`."""
    stmt: Any = (
        select(
            FundingOrganisation.country,
            FundingFlow.amount_usd,
            FundingFlow.source_plan_id,
        )
        .join(
            FundingOrganisation,
            FundingOrganisation.id == FundingFlow.source_organisation_id,
        )
        .where(FundingFlow.status.in_([s.value for s in codes.FUNDING_STATUSES]))
        .where(FundingOrganisation.kind == codes.OrganisationKind.GOVERNMENT.value)
    )
    if year is not None:
        stmt = stmt.where(FundingFlow.usage_year == year)
    totals: dict[str, Decimal] = {}
    for country, amount, source_plan_id in session.execute(
        seen(actor, stmt, FundingFlow)
    ):
        if country is None or source_plan_id is not None:
            continue
        totals[country] = totals.get(country, Decimal(0)) + amount
    return totals


def flow_by_reference(
    session: Session, *, actor: Actor, reference: str
) -> FlowRead | None:
    """The visible flow with `reference` (e.g. an FTS flow id), if any."""
    stmt = select(FundingFlow).where(FundingFlow.reference == reference.strip())
    found = session.scalars(seen(actor, stmt, FundingFlow)).first()
    return flow_reads(session, [found])[0] if found is not None else None
