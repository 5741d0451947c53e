"""Progress computed from Puente's own data, where the data exists:

- `funding_paid`: commitments and payments from the state's government
  organisations recorded in financing (for targets in US dollars);
- `regularisation_help`: people helped with documentation or regularisation,
  from the 5W reports of the state (for targets in people).

People resettled or regularised by a state are not yet counted by any module
that exposes them (pathways keeps applications, not a public count); such
commitments show no computed progress rather than a guess.

The payments behind `funding_paid` are listed with the commitment, read from
financing when it is shown (nothing is copied, so nothing goes stale).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from sqlalchemy.orm import Session

from puente import coordination, financing
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
}


def measure_for(unit: str, package: str | None) -> str:
    """The measure a seeded deliverable is tracked with ("" for none)."""
    if unit == "USD":
        return "funding_paid"
    if package == "AP2" and unit.startswith("people"):
        return "regularisation_help"
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
