"""What a caseworker or supervisor has to do now, for the home page: their open
cases, the case-plan tasks past their date, and the approvals waiting."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from puente.core.db import utcnow
from puente.identity import Actor, authorize, can, visible
from puente.protection.models import (
    Approval,
    Case,
    CasePlan,
    CasePlanGoal,
    CasePlanTask,
)

URGENT = ("emergency", "urgent")


@dataclass(frozen=True, slots=True)
class OverdueTask:
    case_id: uuid.UUID
    case_number: str
    description: str
    due_on: dt.date


@dataclass(frozen=True, slots=True)
class Work:
    """Counts (and the first overdue tasks) for one person's home page."""

    open_cases: int
    urgent_cases: int
    overdue: list[OverdueTask]
    overdue_total: int
    approvals: int | None  # None: the person does not approve


def overdue_case_ids(session: Session, *, actor: Actor) -> set[uuid.UUID]:
    """Cases the actor may read that have a case-plan task past its date, not
    done, on a case they own or a task they are responsible for."""
    authorize(actor, "case:read", tenant_code=actor.tenant_code)
    return {task.case_id for task in _overdue(session, actor)}


def _readable(actor: Actor) -> Select[tuple[uuid.UUID]]:
    return visible(actor, select(Case.id), Case, "case:read")


def _overdue(session: Session, actor: Actor) -> list[OverdueTask]:
    today = utcnow().date()
    stmt = (
        select(Case.id, Case.number, CasePlanTask.description, CasePlanTask.due_on)
        .join(CasePlan, CasePlan.case_id == Case.id)
        .join(CasePlanGoal, CasePlanGoal.plan_id == CasePlan.id)
        .join(CasePlanTask, CasePlanTask.goal_id == CasePlanGoal.id)
        .where(
            Case.state != "closed",
            CasePlanTask.done_at.is_(None),
            CasePlanTask.due_on.is_not(None),
            CasePlanTask.due_on < today,
            or_(
                Case.owner_id == actor.user_id,
                CasePlanTask.responsible_id == actor.user_id,
            ),
            Case.id.in_(_readable(actor)),
        )
        .order_by(CasePlanTask.due_on)
    )
    rows = session.execute(stmt)
    return [
        OverdueTask(case_id, number, description, due_on)
        for case_id, number, description, due_on in rows
        if due_on is not None
    ]


def my_work(session: Session, *, actor: Actor, shown: int = 5) -> Work:
    """The home page's summary for `actor` (needs `case:read`)."""
    authorize(actor, "case:read", tenant_code=actor.tenant_code)
    mine = (
        select(Case.priority, func.count())
        .where(
            Case.owner_id == actor.user_id,
            Case.state != "closed",
            Case.id.in_(_readable(actor)),
        )
        .group_by(Case.priority)
    )
    counts: dict[str, int] = {str(row[0]): int(row[1]) for row in session.execute(mine)}
    overdue = _overdue(session, actor)
    approvals = None
    if can(actor, "case:approve"):
        queue = select(Case.id)
        queue = visible(actor, queue, Case, "case:approve")
        approvals = (
            session.scalar(
                select(func.count())
                .select_from(Approval)
                .where(Approval.status == "requested", Approval.case_id.in_(queue))
            )
            or 0
        )
    return Work(
        open_cases=sum(counts.values()),
        urgent_cases=sum(counts.get(p, 0) for p in URGENT),
        overdue=overdue[:shown],
        overdue_total=len(overdue),
        approvals=approvals,
    )
