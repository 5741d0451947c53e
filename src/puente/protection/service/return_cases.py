"""Return cases: an approved return (it passed the safeguard gate, or its
two-person override) followed to a good end. Opening one re-runs the gate and the
feared-state bar (DESIGN.md: never toward the feared state), so a return toward a
state the person feared can never become a case, whatever the stored status says.

Reception (arrival date, place, receiving party; a child only into the hands of a
named caregiver or child-protection authority), the reintegration plan (economic,
social, psychosocial) with referrals in the state of return, follow-ups at 3, 6 and
12 months with a sustainability score, an export under a returns agreement (the
exchange module carries it where it exists), and monthly counts by state with small
cells withheld.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import events
from puente.core.db import new_id, utcnow
from puente.core.tabular import ExportFile
from puente.identity import Actor, authorize, visible
from puente.protection.errors import (
    FollowUpInvalid,
    ReturnBlocked,
    ReturnCaseNotFound,
    ReturnNotApproved,
)
from puente.protection.events import ReturnCaseOpened
from puente.protection.models import ReturnCase, ReturnFollowUp
from puente.protection.rules import reintegration
from puente.protection.rules.disclosure import Channel
from puente.protection.schemas import FollowUpRecord, ReturnCaseRecord
from puente.protection.service._common import (
    guard_disclosure,
    protection_facts,
    record,
    seal,
    unseal,
    visible_decision,
)
from puente.protection.service.return_sharing import (
    count_return,
    reception_fields,
    return_case_table,
)
from puente.protection.service.returns import reevaluate_decision

TABLE = "protection_return_case"
APPROVED = ("approved", "overridden")


@dataclass(frozen=True)
class ReturnCaseView:
    """A return case with its reception and plan (unsealed) and its follow-ups."""

    case: ReturnCaseRecord
    reception: dict[str, Any]
    plan: dict[str, Any]
    follow_ups: tuple[FollowUpRecord, ...]


def _sealed(row: ReturnCase, column: str, blob: bytes | None) -> dict[str, Any]:
    if blob is None:
        return {}
    data: dict[str, Any] = unseal(row.tenant_code, TABLE, column, row.id, blob)
    return data


def _view(session: Session, row: ReturnCase) -> ReturnCaseView:
    follow_ups = tuple(
        FollowUpRecord.model_validate(follow_up)
        for follow_up in session.scalars(
            select(ReturnFollowUp)
            .where(ReturnFollowUp.return_case_id == row.id)
            .order_by(ReturnFollowUp.month)
        )
    )
    return ReturnCaseView(
        ReturnCaseRecord.model_validate(row),
        _sealed(row, "reception_sealed", row.reception_sealed),
        _sealed(row, "plan_sealed", row.plan_sealed),
        follow_ups,
    )


def _case(session: Session, actor: Actor, case_id: uuid.UUID) -> ReturnCase:
    authorize(actor, "return:decide", tenant_code=actor.tenant_code)
    row = session.scalars(
        visible(
            actor,
            select(ReturnCase).where(ReturnCase.id == case_id),
            ReturnCase,
            "return:decide",
        )
    ).one_or_none()
    if row is None:
        raise ReturnCaseNotFound()
    return row


def open_return_case(
    session: Session, *, actor: Actor, decision_id: uuid.UUID
) -> ReturnCaseView:
    """Turn an approved return into a return case (once). The gate is re-run on
    today's facts and the feared-state bar is checked toward the state of return:
    either refuses, and nothing is written."""
    decision = visible_decision(session, actor, decision_id)
    existing = session.scalars(
        select(ReturnCase).where(ReturnCase.decision_id == decision.id)
    ).one_or_none()
    if existing is not None:
        return _view(session, existing)
    if decision.status not in APPROVED:
        raise ReturnNotApproved()
    gate = reevaluate_decision(session, actor, decision)
    if not gate.passed and decision.status != "overridden":
        failed = gate.failed_checks
        raise ReturnBlocked(checks=", ".join(failed), failed_checks=failed)
    _person, facts = protection_facts(session, actor, decision.person_id)
    guard_disclosure(
        session,
        actor,
        facts=facts,
        person_id=decision.person_id,
        recipient_state=decision.destination,
        channel=Channel.EXPORT,
        object_id=decision.id,
    )
    stored = unseal(
        decision.tenant_code,
        "protection_return_decision",
        "facts",
        decision.id,
        decision.facts_sealed,
    )
    row = ReturnCase(
        id=new_id(),
        tenant_code=decision.tenant_code,
        decision_id=decision.id,
        person_id=decision.person_id,
        destination=decision.destination,
        is_child=bool(stored.get("is_child")),
        status="opened",
        opened_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    count_return(session, row, "returns", row.opened_at.date())
    record(
        session,
        actor,
        "protection:return_case:open",
        object_type="return_case",
        object_id=row.id,
    )
    events.publish(
        session,
        ReturnCaseOpened(
            return_case_id=row.id,
            tenant_code=row.tenant_code,
            state=row.destination,
            person_id=row.person_id,
        ),
    )
    return _view(session, row)


def get_return_case(
    session: Session, *, actor: Actor, case_id: uuid.UUID
) -> ReturnCaseView:
    return _view(session, _case(session, actor, case_id))


def list_return_cases(session: Session, *, actor: Actor) -> list[ReturnCaseRecord]:
    """The return cases the actor may follow, newest first."""
    authorize(actor, "return:decide", tenant_code=actor.tenant_code)
    stmt = select(ReturnCase).order_by(ReturnCase.opened_at.desc())
    return [
        ReturnCaseRecord.model_validate(row)
        for row in session.scalars(visible(actor, stmt, ReturnCase, "return:decide"))
    ]


def return_case_for_decision(
    session: Session, *, actor: Actor, decision_id: uuid.UUID
) -> ReturnCaseRecord | None:
    """The return case opened from a decision, if any."""
    authorize(actor, "return:decide", tenant_code=actor.tenant_code)
    stmt = select(ReturnCase).where(ReturnCase.decision_id == decision_id)
    row = session.scalars(
        visible(actor, stmt, ReturnCase, "return:decide")
    ).one_or_none()
    return None if row is None else ReturnCaseRecord.model_validate(row)


def record_reception(
    session: Session,
    *,
    actor: Actor,
    case_id: uuid.UUID,
    arrival_date: dt.date,
    place: str,
    receiving_party: str,
    caregiver: str = "",
    child_protection_authority: str = "",
    received: bool = True,
) -> ReturnCaseView:
    """Record the reception; with `received`, mark the person received. A child
    needs a named caregiver or child-protection authority first (409, nothing
    written)."""
    row = _case(session, actor, case_id)
    reception = reception_fields(
        is_child=row.is_child, received=received, place=place,
        receiving_party=receiving_party, caregiver=caregiver,
        child_protection_authority=child_protection_authority,
    )  # fmt: skip
    row.arrival_date = arrival_date
    row.reception_sealed = seal(
        row.tenant_code, TABLE, "reception_sealed", row.id, reception
    )
    if received and row.status == "opened":
        row.status = "received"
        row.received_at = utcnow()
        count_return(session, row, "received", row.received_at.date())
    session.flush()
    record(
        session,
        actor,
        "protection:return_case:reception",
        object_type="return_case",
        object_id=row.id,
        received=received,
    )
    return _view(session, row)


def record_plan(
    session: Session,
    *,
    actor: Actor,
    case_id: uuid.UUID,
    economic: str,
    social: str,
    psychosocial: str,
    referrals: list[dict[str, str]] | None = None,
) -> ReturnCaseView:
    """The reintegration plan, one line of support per dimension, and referrals
    to services in the state of return (service, dimension)."""
    row = _case(session, actor, case_id)
    kept = []
    for item in referrals or []:
        dimension = str(item.get("dimension", ""))
        service_name = str(item.get("service", "")).strip()[:200]
        if dimension not in reintegration.DIMENSIONS or not service_name:
            raise FollowUpInvalid()
        kept.append({"dimension": dimension, "service": service_name})
    plan = {
        "economic": economic.strip()[:2000],
        "social": social.strip()[:2000],
        "psychosocial": psychosocial.strip()[:2000],
        "referrals": kept,
    }
    row.plan_sealed = seal(row.tenant_code, TABLE, "plan_sealed", row.id, plan)
    if row.status == "received":
        row.status = "plan_agreed"
    session.flush()
    record(
        session,
        actor,
        "protection:return_case:plan",
        object_type="return_case",
        object_id=row.id,
    )
    return _view(session, row)


def record_follow_up(
    session: Session,
    *,
    actor: Actor,
    case_id: uuid.UUID,
    month: int,
    done_on: dt.date,
    economic: object,
    social: object,
    psychosocial: object,
) -> ReturnCaseView:
    """A follow-up at 3, 6 or 12 months after arrival with its three scores;
    the sustainability score is their mean. The 12-month one closes the case."""
    row = _case(session, actor, case_id)
    if (
        month not in reintegration.FOLLOW_UP_MONTHS
        or row.arrival_date is None
        or done_on < row.arrival_date
    ):
        raise FollowUpInvalid()
    try:
        scores = [
            reintegration.score_value(v) for v in (economic, social, psychosocial)
        ]
    except (ValueError, ArithmeticError):
        raise FollowUpInvalid() from None
    follow_up = session.scalars(
        select(ReturnFollowUp).where(
            ReturnFollowUp.return_case_id == row.id, ReturnFollowUp.month == month
        )
    ).one_or_none()
    is_new = follow_up is None
    if follow_up is None:
        follow_up = ReturnFollowUp(
            id=new_id(), tenant_code=row.tenant_code, return_case_id=row.id, month=month
        )
        session.add(follow_up)
    follow_up.done_on = done_on
    follow_up.economic, follow_up.social, follow_up.psychosocial = scores
    follow_up.score = reintegration.sustainability_score(*scores)
    if is_new and month == reintegration.FOLLOW_UP_MONTHS[-1]:
        # The outcome is counted once, as first recorded (a statistic, not a
        # record to correct: a later correction changes the case, not the cell).
        count_return(session, row, "followed_up", done_on)
        if reintegration.is_sustainable(follow_up.score):
            count_return(session, row, "sustainable", done_on)
    follow_up.recorded_by = actor.user_id
    if month == reintegration.FOLLOW_UP_MONTHS[-1]:
        row.status = "closed"
    session.flush()
    record(
        session,
        actor,
        "protection:return_case:follow_up",
        object_type="return_case",
        object_id=row.id,
        month=month,
    )
    return _view(session, row)


def export_return_case(
    session: Session, *, actor: Actor, case_id: uuid.UUID, agreement_ref: str
) -> dict[str, Any]:
    """The return case as the state of return receives it under a returns
    agreement: reception, plan, referrals and follow-ups; no claim, no status,
    no screening. The feared-state bar is checked again (and audited)."""
    row = _case(session, actor, case_id)
    if not agreement_ref.strip():
        raise FollowUpInvalid()
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
    view = _view(session, row)
    return {
        "format": "puente.protection.return_case/1",
        "agreement": agreement_ref.strip()[:120],
        "return_case": str(row.id),
        "state_of_return": row.destination,
        "is_child": row.is_child,
        "status": row.status,
        "arrival_date": row.arrival_date.isoformat() if row.arrival_date else None,
        "reception": view.reception,
        "plan": view.plan,
        "follow_ups": [
            {
                "month": f.month,
                "done_on": f.done_on.isoformat(),
                "economic": str(f.economic),
                "social": str(f.social),
                "psychosocial": str(f.psychosocial),
                "score": str(f.score),
            }
            for f in view.follow_ups
        ],
    }


def export_return_case_table(
    session: Session, *, actor: Actor, case_id: uuid.UUID, fmt: str
) -> ExportFile:
    """The return case as CSV or XLSX (neutralised cells, no name) for a state
    of return no returns agreement connects to; feared-state bar re-checked."""
    if fmt not in ("csv", "xlsx"):
        raise FollowUpInvalid()
    row = _case(session, actor, case_id)
    view = _view(session, row)
    return return_case_table(
        session,
        actor=actor,
        row=row,
        reception=view.reception,
        plan=view.plan,
        scores={f.month: str(f.score) for f in view.follow_ups},
        fmt=fmt,
    )


@dataclass(frozen=True)
class ReturnCount:
    state: str
    month: dt.date
    returns: int | None
    received: int | None


def monthly_return_counts(session: Session, *, actor: Actor) -> list[ReturnCount]:
    """Return cases by state of return and month opened (and how many were
    received), over what the actor may see; cells of 1 to 4 are withheld."""
    authorize(actor, "return:decide", tenant_code=actor.tenant_code)
    rows = session.scalars(
        visible(actor, select(ReturnCase), ReturnCase, "return:decide")
    ).all()
    opened: Counter[tuple[str, dt.date]] = Counter()
    received: Counter[tuple[str, dt.date]] = Counter()
    for row in rows:
        key = (row.destination, row.opened_at.date().replace(day=1))
        opened[key] += 1
        if row.received_at is not None:
            received[key] += 1
    return [
        ReturnCount(
            state,
            month,
            reintegration.suppress(opened[(state, month)]),
            reintegration.suppress(received[(state, month)]),
        )
        for state, month in sorted(opened)
    ]
