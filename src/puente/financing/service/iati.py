"""IATI 2.03 export of every plan with its budgets and transactions, validated
against the vendored IATI schema before it is handed out (an export that does
not validate is an error, never a file). Needs `financing:read`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.db import utcnow
from puente.financing.errors import IatiExportInvalid
from puente.financing.models import FinancePlan, FundingOrganisation
from puente.financing.rules import codes, iati
from puente.financing.rules.totals import Boundary, classify
from puente.financing.service.common import (
    flow_facts,
    plan_flows,
    plan_requirements,
    seen,
)
from puente.identity import Actor
from puente.reference.countries import ALPHA2

SCHEMA_PATH: Final = (
    Path(__file__).resolve().parent.parent
    / "data"
    / "iati-schema"
    / "iati-activities-schema.xsd"
)
REPORTING_REF: Final = "XM-PUENTE"
REPORTING_ORG: Final = iati.Org(
    "Puente regional hub (Los Angeles Declaration)", REPORTING_REF, "40"
)
INCOMING_TYPES: Final = {
    codes.FlowStatus.PLEDGE: iati.INCOMING_PLEDGE,
    codes.FlowStatus.COMMITMENT: iati.INCOMING_COMMITMENT,
    codes.FlowStatus.PAID: iati.INCOMING_FUNDS,
}
OUTGOING_TYPES: Final = {
    codes.FlowStatus.PLEDGE: iati.OUTGOING_PLEDGE,
    codes.FlowStatus.COMMITMENT: iati.OUTGOING_COMMITMENT,
    codes.FlowStatus.PAID: iati.DISBURSEMENT,
}


@cache
def schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMA_PATH))


def _org(row: FundingOrganisation | None) -> iati.Org | None:
    if row is None:
        return None
    return iati.Org(
        row.name, row.iati_ref, codes.IATI_ORGANISATION_TYPES.get(row.kind, "90")
    )


def _shares(amounts: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    total = sum(amounts.values())
    if total <= 0:
        return []
    return [
        (code, value * 100 / total)
        for code, value in sorted(amounts.items())
        if value > 0
    ]


def _activity(
    session: Session, actor: Actor, plan: FinancePlan, today: dt.date
) -> iati.Activity:
    identifier = f"{REPORTING_REF}-{plan.code}"
    requirements = plan_requirements(session, actor, plan.id)
    flows = [
        f
        for f in plan_flows(session, actor, plan.id)
        if f.status != codes.FlowStatus.CANCELLED
    ]
    orgs = {org.id: org for org in session.scalars(select(FundingOrganisation))}
    by_country: dict[str, Decimal] = defaultdict(Decimal)
    by_sector: dict[str, Decimal] = defaultdict(Decimal)
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    for need in requirements:
        if need.country and need.country in ALPHA2:
            by_country[ALPHA2[need.country]] += need.amount_usd
        by_sector[codes.DAC_PURPOSE.get(need.sector or "multi_sector", "72010")] += (
            need.amount_usd
        )
        by_year[need.year] += need.amount_usd
    transactions: list[iati.Transaction] = []
    funders: dict[str, iati.Org] = {}
    implementers: dict[str, iati.Org] = {}
    for flow in sorted(flows, key=lambda f: (f.flow_date, f.reference)):
        status = codes.FlowStatus(flow.status)
        side = classify(flow_facts(flow), plan.id)
        provider = _org(orgs.get(flow.source_organisation_id))
        receiver = (
            _org(orgs.get(flow.destination_organisation_id))
            if flow.destination_organisation_id
            else None
        )
        if side is Boundary.INCOMING:
            kind = INCOMING_TYPES[status]
            if provider is not None:
                funders[provider.name] = provider
        else:
            kind = OUTGOING_TYPES[status]
        if receiver is not None:
            implementers[receiver.name] = receiver
        transactions.append(
            iati.Transaction(
                type=kind,
                date=flow.flow_date,
                value_usd=flow.amount_usd,
                description=flow.description or plan.title,
                provider=provider,
                receiver=receiver,
                provider_activity_id=identifier
                if side is not Boundary.INCOMING
                else "",
                sector_code=codes.DAC_PURPOSE.get(flow.sector, "")
                if flow.sector
                else "",
                country_alpha2=ALPHA2.get(flow.country, "") if flow.country else "",
                ref=flow.reference,
            )
        )
    if not by_sector and flows:
        by_sector["72010"] = Decimal(1)
    participants = [(org, iati.ROLE_FUNDING) for org in funders.values()]
    participants += [(org, iati.ROLE_IMPLEMENTING) for org in implementers.values()]
    if not participants:
        participants = [(REPORTING_ORG, iati.ROLE_ACCOUNTABLE)]
    return iati.Activity(
        identifier=identifier,
        title=plan.title,
        description=plan.title
        if not plan.source
        else f"{plan.title}. Sources: {plan.source}",
        reporting_org=REPORTING_ORG,
        start=dt.date(plan.first_year, 1, 1),
        end=dt.date(plan.last_year, 12, 31),
        status=iati.ACTIVITY_STATUS_IMPLEMENTATION
        if plan.last_year >= today.year
        else "4",
        participants=participants,
        countries=_shares(by_country),
        sectors=_shares(by_sector),
        budgets=[iati.Budget(year, value) for year, value in sorted(by_year.items())],
        transactions=transactions,
        last_updated=utcnow().replace(microsecond=0),
    )


def export_iati(session: Session, *, actor: Actor) -> bytes:
    """Every visible plan as an IATI 2.03 `iati-activities` document, validated
    against the schema (IatiExportInvalid otherwise)."""
    plans = list(
        session.scalars(
            seen(actor, select(FinancePlan).order_by(FinancePlan.code), FinancePlan)
        )
    )
    today = utcnow().date()
    activities = [_activity(session, actor, plan, today) for plan in plans]
    if not activities:
        raise IatiExportInvalid(reason="there is no plan to export")
    document = iati.build_document(activities, utcnow().replace(microsecond=0))
    errors = list(schema().iter_errors(document.decode("utf-8")))
    if errors:
        raise IatiExportInvalid(reason=str(errors[0].reason)[:300])
    return document
