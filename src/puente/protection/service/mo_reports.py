"""Anonymised modus-operandi reports: victims identified in protection stay here.
At most, with the victim's informed consent and a protection officer's approval
(someone other than who drafted it), the report's two text fields — the route and
the way the network works — cross into enforcement. Names, ids, dates of birth,
case facts never do; the caseworker writes the fields without them."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import events
from puente.core.db import new_id, utcnow
from puente.identity import Actor, authorize
from puente.protection.errors import (
    InformedConsentMissing,
    ReportNotFound,
    SelfApprovalNotAllowed,
)
from puente.protection.events import ModusOperandiReportApproved
from puente.protection.models import ModusOperandiReport
from puente.protection.schemas import MoReportRecord
from puente.protection.service._common import record, visible_case


def draft_mo_report(
    session: Session,
    *,
    actor: Actor,
    case_id: uuid.UUID,
    route: str,
    modus_operandi: str,
    informed_consent: bool,
) -> MoReportRecord:
    """Draft the report (`case:write`); refused without informed consent."""
    case = visible_case(session, actor, case_id)
    authorize(actor, "case:write", tenant_code=case.tenant_code)
    if not informed_consent:
        raise InformedConsentMissing()
    row = ModusOperandiReport(
        id=new_id(),
        tenant_code=case.tenant_code,
        case_id=case.id,
        route=route.strip()[:2000],
        modus_operandi=modus_operandi.strip()[:4000],
        informed_consent=True,
        status="draft",
        drafted_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "protection:mo_report:draft",
        object_type="mo_report",
        object_id=row.id,
    )
    return MoReportRecord.model_validate(row)


def approve_mo_report(
    session: Session, *, actor: Actor, report_id: uuid.UUID
) -> MoReportRecord:
    """A protection officer (`case:approve`, not the drafter) lets it cross."""
    authorize(actor, "case:approve", tenant_code=actor.tenant_code)
    row = session.scalars(
        select(ModusOperandiReport).where(
            ModusOperandiReport.id == report_id,
            ModusOperandiReport.tenant_code == actor.tenant_code,
        )
    ).one_or_none()
    if row is None:
        raise ReportNotFound()
    if row.drafted_by == actor.user_id:
        raise SelfApprovalNotAllowed()
    if not row.informed_consent:
        raise InformedConsentMissing()
    row.status = "approved"
    row.approved_by = actor.user_id
    row.approved_at = utcnow()
    session.flush()
    record(
        session,
        actor,
        "protection:mo_report:approve",
        object_type="mo_report",
        object_id=row.id,
    )
    events.publish(session, ModusOperandiReportApproved(row.id, row.tenant_code))
    return MoReportRecord.model_validate(row)


def anonymised_text(session: Session, report_id: uuid.UUID) -> dict[str, str] | None:
    """The two text fields of an approved report, and nothing else (for the
    composition root to hand to enforcement)."""
    row = session.get(ModusOperandiReport, report_id)
    if row is None or row.status != "approved" or not row.informed_consent:
        return None
    return {"route": row.route, "modus_operandi": row.modus_operandi}
