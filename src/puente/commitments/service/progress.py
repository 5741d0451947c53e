"""Progress computed from Puente's own data, where the data exists:

- `funding_paid`: commitments and payments from the state's government
  organisations recorded in financing (for targets in US dollars);
- `regularisation_help`: people helped with documentation or regularisation,
  from the 5W reports of the state (kept for entries that chose it);
- `people_regularised`, `people_resettled`, `labour_admissions`: applications
  approved in Puente for a regularisation, resettlement or humanitarian, or labour
  pathway into the state (pathways' statistic: no person in it, and totals under
  five withheld, when the commitment shows no computed progress rather than a
  small number).

The payments behind `funding_paid` are listed with the commitment, read from
financing when it is shown (nothing is copied, so nothing goes stale).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from sqlalchemy.orm import Session

from puente import coordination, financing, pathways
from puente.commitments.models import Commitment
from puente.commitments.rules.status import progress_share
from puente.commitments.schemas import PaymentRead, ProgressRead
from puente.core import i18n
from puente.core.i18n import N_
from puente.identity import Actor, can

MEASURE_LABELS: Final[dict[str, str]] = {
    "funding_paid": N_(
        "Funding committed or paid by the state's government, as recorded in Puente"
    ),
    "regularisation_help": N_(
        "People helped with documentation or regularisation, from the 5W reports "
        "in Puente"
    ),
    "people_regularised": N_(
        "People whose regularisation was approved through Puente's pathways"
    ),
    "people_resettled": N_(
        "People approved for resettlement or a humanitarian pathway through Puente"
    ),
    "labour_admissions": N_("Workers approved for a labour pathway through Puente"),
}
# Measure -> the pathway kinds whose approvals it counts.
PATHWAY_MEASURES: Final[dict[str, tuple[str, ...]]] = {
    "people_regularised": ("regularisation",),
    "people_resettled": ("resettlement", "humanitarian"),
    "labour_admissions": ("labour",),
}


def measure_for(unit: str, package: str | None) -> str:
    """The measure a seeded deliverable is tracked with ("" for none)."""
    if unit == "USD":
        return "funding_paid"
    if package == "AP2" and unit.startswith("people"):
        return "people_regularised"
    if package == "AP7" and unit.startswith("people"):
        return "people_resettled"
    if package == "AP5" and (unit.startswith("people") or unit == "visas"):
        return "labour_admissions"
    return ""


def progress_for(
    session: Session, actor: Actor, row: Commitment
) -> ProgressRead | None:
    """The commitment's computed progress, or None when there is no measure or
    the actor may not read its data."""
    if not row.measure or not row.state:
        return None
    if row.measure == "funding_paid":
        if not can(actor, "financing:read"):
            return None
        value = financing.paid_by_country(session, actor=actor).get(
            row.state, Decimal(0)
        )
    elif row.measure == "regularisation_help":
        if not can(actor, "coordination:read"):
            return None
        value = Decimal(
            coordination.people_reached(
                session, actor=actor, country=row.state, indicators=["PRO-02"]
            )
        )
    elif row.measure in PATHWAY_MEASURES:
        if not can(actor, "pathway:statistics"):
            return None
        approved = pathways.approved_in_state(
            session, actor=actor, state=row.state, kinds=PATHWAY_MEASURES[row.measure]
        )
        if approved is None:
            return None
        value = Decimal(approved)
    else:
        return None
    return ProgressRead(
        measure=row.measure,
        label=i18n.gettext(MEASURE_LABELS[row.measure]),
        value=value,
        share=progress_share(value, row.target_quantity),
    )


def payments(session: Session, actor: Actor, row: Commitment) -> list[PaymentRead]:
    """The state government's commitments and payments recorded in financing,
    newest first: the evidence behind a `funding_paid` progress figure."""
    if (
        row.measure != "funding_paid"
        or not row.state
        or not can(actor, "financing:read")
    ):
        return []
    flows = financing.list_flows(
        session,
        actor=actor,
        where=financing.FlowFilter(source_country=row.state, limit=200),
    )
    return [
        PaymentRead(
            flow_id=flow.id,
            reference=flow.reference,
            flow_date=flow.flow_date,
            status=flow.status,
            status_label=flow.status_label,
            recipient=flow.destination_organisation or flow.plan_title or "",
            amount_usd=flow.amount_usd,
        )
        for flow in flows
        if flow.status in ("commitment", "paid")
    ]
