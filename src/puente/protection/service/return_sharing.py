"""Return cases beyond this node: what the state of return receives (through the
exchange module under a returns agreement, or as a CSV/XLSX export otherwise),
the return cases other states' nodes shared with this one, and returns with their
outcomes counted per state of return and month for commitments and early warning.

What crosses is an opaque reference (the return case's random id, never the
person's) and the fields reception needs: whether a child is coming (a named
caregiver or child-protection authority must be ready), the arrival date once
known, and which reintegration dimensions the plan covers. Never a name, a claim,
a screening or free text (docs/returns.md).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Final, cast

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from puente.core import audit, events
from puente.core.db import utcnow
from puente.core.tabular import ExportFile, table_file
from puente.identity import Actor, Sensitivity, authorize, visible
from puente.protection.errors import (
    ChildHandoverMissing,
    IncomingReturnNotFound,
    ReceptionIncomplete,
    ReturnCaseNotFound,
)
from puente.protection.events import IncomingReturnReceived
from puente.protection.models import IncomingReturn, ReturnCase, ReturnCount
from puente.protection.rules import reintegration
from puente.protection.rules.disclosure import Channel
from puente.protection.schemas import IncomingReturnRecord
from puente.protection.service._common import (
    guard_disclosure,
    protection_facts,
    record,
    seal,
    unseal,
)

STATISTICS: Final = "return:statistics"
EXCHANGE: Final = "exchange"
TABLE_FORMATS: Final = ("csv", "xlsx")
COUNT_COLUMNS: Final = ("returns", "received", "followed_up", "sustainable")
_COLUMNS: Final = {
    "returns": ReturnCount.returns,
    "received": ReturnCount.received,
    "followed_up": ReturnCount.followed_up,
    "sustainable": ReturnCount.sustainable,
}


# --- what crosses -------------------------------------------------------------------


def _dimensions(plan: dict[str, Any]) -> list[str]:
    return [d for d in reintegration.DIMENSIONS if str(plan.get(d, "")).strip()]


def shared_fields(row: ReturnCase, plan: dict[str, Any]) -> dict[str, Any]:
    """The reception fields of a return case under its opaque reference."""
    return {
        "reference": str(row.id),
        "is_child": row.is_child,
        "arrival_date": row.arrival_date.isoformat() if row.arrival_date else None,
        "dimensions": _dimensions(plan),
        "follow_up_months": list(reintegration.FOLLOW_UP_MONTHS),
    }


def return_case_for_exchange(
    session: Session, *, tenant_code: str, return_case_id: uuid.UUID
) -> dict[str, Any]:
    """The payload the exchange module sends to the state of return (the
    outbound queue checks the feared-state bar again, at queueing and sending)."""
    row = session.scalars(
        select(ReturnCase).where(
            ReturnCase.id == return_case_id, ReturnCase.tenant_code == tenant_code
        )
    ).one_or_none()
    if row is None:
        raise ReturnCaseNotFound()
    return shared_fields(row, {})


def mark_return_case_shared(
    session: Session, *, tenant_code: str, return_case_id: uuid.UUID
) -> None:
    """The exchange module queued the case toward the state of return."""
    row = session.scalars(
        select(ReturnCase).where(
            ReturnCase.id == return_case_id, ReturnCase.tenant_code == tenant_code
        )
    ).one()
    row.shared_via = EXCHANGE
    session.flush()


def return_case_table(
    session: Session,
    *,
    actor: Actor,
    row: ReturnCase,
    reception: dict[str, Any],
    plan: dict[str, Any],
    scores: dict[int, str],
    fmt: str,
) -> ExportFile:
    """The return case as a one-row CSV or XLSX for the state of return when no
    returns agreement carries it: reception, plan dimensions and follow-up
    scores; no name. The feared-state bar is checked again (and audited)."""
    _person, facts = protection_facts(session, actor, row.person_id)
    guard_disclosure(
        session,
        actor,
        facts=facts,
        person_id=row.person_id,
        recipient_state=row.destination,
        channel=Channel.EXPORT,
        object_id=row.id,
    )
    fields = shared_fields(row, plan)
    headers = [
        "reference",
        "state_of_return",
        "is_child",
        "arrival_date",
        "place",
        "receiving_party",
        "caregiver",
        "child_protection_authority",
        *reintegration.DIMENSIONS,
        *(f"score_{m}_months" for m in reintegration.FOLLOW_UP_MONTHS),
    ]
    values = [
        fields["reference"],
        row.destination,
        row.is_child,
        fields["arrival_date"] or "",
        reception.get("place", ""),
        reception.get("receiving_party", ""),
        reception.get("caregiver", ""),
        reception.get("child_protection_authority", ""),
        *(str(plan.get(d, "")) for d in reintegration.DIMENSIONS),
        *(scores.get(m, "") for m in reintegration.FOLLOW_UP_MONTHS),
    ]
    record(
        session,
        actor,
        "protection:return_case:export",
        object_type="return_case",
        object_id=row.id,
        format=fmt,
    )
    return table_file(fmt, f"return-case-{row.id}", headers, [values])


# --- what arrives -------------------------------------------------------------------


def receive_incoming_return(
    session: Session, *, tenant_code: str, sender_state: str, payload: dict[str, Any]
) -> IncomingReturnRecord:
    """Store a return case another state's node shared (once per reference);
    raises ValueError on a malformed payload (the envelope is refused)."""
    reference = str(uuid.UUID(str(payload["reference"])))
    arrival = payload.get("arrival_date")
    dimensions = payload.get("dimensions") or []
    if not isinstance(dimensions, list) or not set(dimensions) <= set(
        reintegration.DIMENSIONS
    ):
        raise ValueError("dimensions")
    row = session.scalars(
        select(IncomingReturn).where(
            IncomingReturn.tenant_code == tenant_code,
            IncomingReturn.sender_state == sender_state,
            IncomingReturn.reference == reference,
        )
    ).one_or_none()
    if row is None:
        row = IncomingReturn(
            tenant_code=tenant_code, sender_state=sender_state, reference=reference
        )
        session.add(row)
    row.is_child = payload.get("is_child") is True
    if row.reception_recorded_at is None:  # this node's reception has the last word
        row.arrival_date = dt.date.fromisoformat(str(arrival)) if arrival else None
    row.dimensions = ",".join(d for d in reintegration.DIMENSIONS if d in dimensions)
    session.flush()
    # a peer's envelope, not a user: no actor; the reference, never the person
    audit.record(
        session,
        None,
        "protection:incoming_return:received",
        tenant_code=tenant_code,
        object_type="incoming_return",
        object_id=row.id,
        sender_state=sender_state,
    )
    return IncomingReturnRecord.model_validate(row)


def list_incoming_returns(
    session: Session, *, actor: Actor
) -> list[IncomingReturnRecord]:
    """Return cases other states shared with this one, newest first."""
    authorize(actor, "return:decide", tenant_code=actor.tenant_code)
    stmt = select(IncomingReturn).order_by(IncomingReturn.received_at.desc())
    return [
        IncomingReturnRecord.model_validate(row)
        for row in session.scalars(
            visible(actor, stmt, IncomingReturn, "return:decide")
        )
    ]


INCOMING_TABLE: Final = "protection_incoming_return"
RECEPTION_FIELDS: Final = (
    "place",
    "receiving_party",
    "caregiver",
    "child_protection_authority",
)


@dataclass(frozen=True)
class IncomingReturnView:
    """A shared return as this node sees it, with its own reception (unsealed)."""

    record: IncomingReturnRecord
    reception: dict[str, str]


def _incoming(session: Session, actor: Actor, incoming_id: uuid.UUID) -> IncomingReturn:
    authorize(actor, "return:decide", tenant_code=actor.tenant_code)
    stmt = select(IncomingReturn).where(IncomingReturn.id == incoming_id)
    row = session.scalars(
        visible(actor, stmt, IncomingReturn, "return:decide")
    ).one_or_none()
    if row is None:
        raise IncomingReturnNotFound()
    return row


def _incoming_view(row: IncomingReturn) -> IncomingReturnView:
    reception: dict[str, str] = {}
    if row.reception_sealed is not None:
        data = unseal(
            row.tenant_code, INCOMING_TABLE, "reception_sealed", row.id,
            row.reception_sealed,
        )  # fmt: skip
        reception = {k: str(data.get(k) or "") for k in RECEPTION_FIELDS}
    return IncomingReturnView(IncomingReturnRecord.model_validate(row), reception)


def reception_fields(
    *,
    is_child: bool,
    received: bool,
    place: str,
    receiving_party: str,
    caregiver: str,
    child_protection_authority: str,
) -> dict[str, str]:
    """A reception as stored (sealed), on either side of a return. Refuses one
    without place or receiver (422) and a child marked received without a named
    caregiver or child-protection authority (409)."""
    if not place.strip() or not receiving_party.strip():
        raise ReceptionIncomplete()
    if (
        received
        and is_child
        and not reintegration.child_can_be_received(
            caregiver, child_protection_authority
        )
    ):
        raise ChildHandoverMissing()
    return {
        "place": place.strip()[:200],
        "receiving_party": receiving_party.strip()[:200],
        "caregiver": caregiver.strip()[:200],
        "child_protection_authority": child_protection_authority.strip()[:200],
    }


def get_incoming_return(
    session: Session, *, actor: Actor, incoming_id: uuid.UUID
) -> IncomingReturnView:
    """One return another state shared, with this node's reception."""
    return _incoming_view(_incoming(session, actor, incoming_id))


def record_incoming_reception(
    session: Session,
    *,
    actor: Actor,
    incoming_id: uuid.UUID,
    arrival_date: dt.date,
    place: str,
    receiving_party: str,
    caregiver: str = "",
    child_protection_authority: str = "",
    received: bool = True,
) -> IncomingReturnView:
    """The receiving state's reception of a shared return (`return:decide`).
    Same rule as the sending side: a child is marked received only into the
    hands of a named caregiver or child-protection authority (409, nothing
    written). The receivers' names are sealed; the audit row names none."""
    row = _incoming(session, actor, incoming_id)
    reception = reception_fields(
        is_child=row.is_child, received=received, place=place,
        receiving_party=receiving_party, caregiver=caregiver,
        child_protection_authority=child_protection_authority,
    )  # fmt: skip
    row.arrival_date = arrival_date
    row.reception_sealed = seal(
        row.tenant_code, INCOMING_TABLE, "reception_sealed", row.id, reception
    )
    row.reception_recorded_at = utcnow()
    row.reception_recorded_by = actor.user_id
    first = received and row.status != "received"
    if received:
        row.status = "received"
    session.flush()
    if first:
        events.publish(
            session,
            IncomingReturnReceived(
                incoming_id=row.id,
                tenant_code=row.tenant_code,
                sender_state=row.sender_state,
                reference=row.reference,
                arrival_date=arrival_date,
            ),
        )
    record(
        session,
        actor,
        "protection:incoming_return:reception",
        object_type="incoming_return",
        object_id=row.id,
        received=received,
    )
    return _incoming_view(row)


def reception_for_exchange(event: IncomingReturnReceived) -> dict[str, Any]:
    """What goes back to the sending state: its own reference and the arrival
    date. Never the place or who received the person (they stay sealed here)."""
    return {
        "reference": event.reference,
        "arrival_date": event.arrival_date.isoformat(),
        "received": True,
    }


def receive_reception_report(
    session: Session, *, tenant_code: str, sender_state: str, payload: dict[str, Any]
) -> bool:
    """The state of return reports one of this node's return cases received.
    Only that state may report it (the case's destination); the first report
    marks an opened case received and counts it; a repeat changes nothing.
    Raises ValueError on a malformed payload or a case that is not this
    sender's (the envelope is refused)."""
    reference = uuid.UUID(str(payload["reference"]))
    arrival = dt.date.fromisoformat(str(payload["arrival_date"]))
    if payload.get("received") is not True:
        raise ValueError("received")
    row = session.scalars(
        select(ReturnCase).where(
            ReturnCase.id == reference,
            ReturnCase.tenant_code == tenant_code,
            ReturnCase.destination == sender_state,
        )
    ).one_or_none()
    if row is None:
        raise ValueError("reference")
    if row.reception_confirmed_at is not None:
        return False
    now = utcnow()
    row.reception_confirmed_at = now
    if row.arrival_date is None:
        row.arrival_date = arrival
    if row.status == "opened":
        row.status = "received"
        row.received_at = now
        count_return(session, row, "received", now.date())
    session.flush()
    audit.record(
        session,
        None,
        "protection:return:reception_reported",
        tenant_code=tenant_code,
        object_type="return_case",
        object_id=row.id,
        reported_by=sender_state,
    )
    return True


# --- counted ------------------------------------------------------------------------


def count_return(session: Session, row: ReturnCase, column: str, on: dt.date) -> None:
    """Add one to a state x month cell (same transaction as the change)."""
    if column not in COUNT_COLUMNS:
        raise ValueError(column)
    month = dt.date(on.year, on.month, 1)
    cell = session.scalars(
        select(ReturnCount).where(
            ReturnCount.tenant_code == row.tenant_code,
            ReturnCount.state == row.destination,
            ReturnCount.month == month,
        )
    ).one_or_none()
    if cell is None:
        cell = ReturnCount(
            tenant_code=row.tenant_code,
            state=row.destination,
            month=month,
            returns=0,
            received=0,
            followed_up=0,
            sustainable=0,
        )
        session.add(cell)
    if column == "returns":
        cell.returns += 1
    elif column == "received":
        cell.received += 1
    elif column == "followed_up":
        cell.followed_up += 1
    else:
        cell.sustainable += 1


@dataclass(frozen=True)
class ReturnOutcome:
    """Returns toward one state in one month and their outcomes: opened,
    received, 12-month follow-ups done and found sustainable. None: fewer than
    five (withheld)."""

    state: str
    month: dt.date
    returns: int | None
    received: int | None
    followed_up: int | None
    sustainable: int | None


def return_outcomes(
    session: Session, *, actor: Actor, state: str | None = None
) -> list[ReturnOutcome]:
    """Returns and outcomes by state of return and month over every tenant the
    actor may read (`return:statistics`); cells of 1 to 4 withheld."""
    authorize(actor, STATISTICS, sensitivity=Sensitivity.PUBLIC)
    sums = [func.sum(_COLUMNS[c]) for c in COUNT_COLUMNS]
    # One row per state and month; typed loosely, as `visible` takes any select.
    stmt: Select[Any] = cast(
        "Select[Any]",
        select(ReturnCount.state, ReturnCount.month, *sums).group_by(
            ReturnCount.state, ReturnCount.month
        ),
    )
    if state:
        stmt = stmt.where(ReturnCount.state == state.upper())
    rows = session.execute(
        visible(actor, stmt, ReturnCount, STATISTICS).order_by(
            ReturnCount.state, ReturnCount.month
        )
    ).all()
    return [
        ReturnOutcome(
            str(s),
            m,
            *(reintegration.suppress(int(v or 0)) for v in values),
        )
        for s, m, *values in rows
    ]


def returns_total(
    session: Session, *, actor: Actor, state: str, column: str = "returns"
) -> int | None:
    """All months together for one state of return; None under five."""
    authorize(actor, STATISTICS, sensitivity=Sensitivity.PUBLIC)
    if column not in COUNT_COLUMNS:
        raise ValueError(column)
    stmt = visible(
        actor,
        select(func.coalesce(func.sum(_COLUMNS[column]), 0)).where(
            ReturnCount.state == state.upper()
        ),
        ReturnCount,
        STATISTICS,
    )
    total = int(session.scalar(stmt) or 0)
    return total if total >= reintegration.SMALL_CELL else None
