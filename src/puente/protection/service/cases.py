"""Cases: open, read, list, move through the workflow (optimistic locking),
approvals, case plan with goals and tasks, notes, assignment and best interests."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from puente.core.db import new_id, utcnow
from puente.core.errors import InvalidInput
from puente.identity import Actor, authorize, visible
from puente.protection.errors import (
    ApprovalNotPending,
    CloseReasonMissing,
    ScreeningNotFound,
    SelfApprovalNotAllowed,
    StaleCase,
)
from puente.protection.models import (
    Approval,
    BestInterestsAssessment,
    BestInterestsDetermination,
    Case,
    CaseAssignment,
    CaseEvent,
    CasePlan,
    CasePlanGoal,
    CasePlanTask,
    Note,
    Screening,
)
from puente.protection.rules import workflow
from puente.protection.rules.best_interests import BidRecommendation
from puente.protection.rules.workflow import ApprovalKind, CaseState
from puente.protection.schemas import (
    ApprovalView,
    AssignmentView,
    BiaView,
    BidView,
    CaseView,
    EventView,
    GoalView,
    NoteRecorded,
    TaskView,
)
from puente.protection.service._common import (
    add_event,
    record,
    seal,
    unseal,
    visible_case,
)
from puente.protection.service._people import people_named, person_facts

CASE_TYPES = (
    "general_protection",
    "child_protection",
    "gbv",
    "trafficking",
    "statelessness",
)
PRIORITIES = ("emergency", "urgent", "normal")
_CHILD_FLAGS = {"unaccompanied_child", "separated_child"}


@dataclass(frozen=True)
class PlanGoalView:
    goal: GoalView
    tasks: tuple[TaskView, ...]


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and case.version != expected_version:
        raise StaleCase()


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleCase() from exc


def open_case(
    session: Session,
    *,
    actor: Actor,
    person_id: uuid.UUID,
    screening_id: uuid.UUID | None = None,
    case_type: str | None = None,
    summary: str = "",
) -> CaseView:
    """Open a case for a person (`case:write`); from a screening when given, whose
    flags and priority it takes. Another tenant's person answers 404. Audits
    `protection:case:open`."""
    authorize(actor, "case:write", tenant_code=actor.tenant_code)
    facts = person_facts(session, actor, person_id)
    flags: list[str] = []
    priority = "normal"
    if screening_id is not None:
        screening = session.scalars(
            visible(
                actor,
                select(Screening).where(
                    Screening.id == screening_id, Screening.person_id == person_id
                ),
                Screening,
                "case:read",
            )
        ).one_or_none()
        if screening is None:
            raise ScreeningNotFound()
        flags = [f for f in screening.flags.split(",") if f]
        priority = screening.priority
    if case_type is None:
        case_type = "general_protection"
        if _CHILD_FLAGS & set(flags) or (
            facts.age_years is not None and facts.age_years < 18
        ):
            case_type = "child_protection"
    if case_type not in CASE_TYPES:
        raise InvalidInput()
    case_id = new_id()
    case = Case(
        id=case_id,
        number=f"{actor.tenant_code}-{case_id.hex[:8].upper()}",
        tenant_code=actor.tenant_code,
        person_id=person_id,
        screening_id=screening_id,
        organisation_id=actor.organisation_id,
        owner_id=actor.user_id,
        case_type=case_type,
        state=CaseState.NEW.value,
        priority=priority,
        flags=",".join(flags),
        summary=summary[:300],
        opened_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(case)
    session.flush()
    add_event(session, actor, case, "opened", case_type)
    record(
        session, actor, "protection:case:open", object_type="case", object_id=case.id
    )
    return CaseView.model_validate(case)


def get_case(session: Session, *, actor: Actor, case_id: uuid.UUID) -> CaseView:
    """A case the actor may read (`case:read`); others answer 404. Audited."""
    case = visible_case(session, actor, case_id)
    record(
        session, actor, "protection:case:read", object_type="case", object_id=case.id
    )
    return CaseView.model_validate(case)


def list_cases(
    session: Session,
    *,
    actor: Actor,
    state: str | None = None,
    case_type: str | None = None,
    priority: str | None = None,
    only_mine: bool = False,
    limit: int = 200,
) -> list[CaseView]:
    """Cases the actor may read, newest first, with optional filters."""
    authorize(actor, "case:read", tenant_code=actor.tenant_code)
    stmt = select(Case)
    if state:
        stmt = stmt.where(Case.state == state)
    if case_type:
        stmt = stmt.where(Case.case_type == case_type)
    if priority:
        stmt = stmt.where(Case.priority == priority)
    if only_mine:
        stmt = stmt.where(Case.owner_id == actor.user_id)
    stmt = stmt.order_by(Case.opened_at.desc()).limit(limit)
    return [
        CaseView.model_validate(row)
        for row in list(session.scalars(visible(actor, stmt, Case, "case:read")))
    ]


def find_cases(
    session: Session, *, actor: Actor, words: str, limit: int = 10
) -> list[CaseView]:
    """Cases the actor may read whose person is named by `words` or whose number
    holds every word, newest first: searched in the database, so an old case is
    found as easily as a new one. The words are never logged."""
    authorize(actor, "case:read", tenant_code=actor.tenant_code)
    parts = words.split()
    if not parts:
        return []
    named = people_named(session, actor, words)
    match: ColumnElement[bool] = Case.person_id.in_(named)
    # A number is typed with a digit or a dash; a name that happens to spell
    # hexadecimal ("Abe", "Ada") does not search the numbers.
    if all(any(c.isdigit() or c == "-" for c in w) for w in parts):
        number = and_(
            *(Case.number.contains(w.upper(), autoescape=True) for w in parts)
        )
        match = or_(match, number)
    stmt = select(Case).where(match).order_by(Case.opened_at.desc()).limit(limit)
    return [
        CaseView.model_validate(row)
        for row in session.scalars(visible(actor, stmt, Case, "case:read"))
    ]


def update_case(
    session: Session,
    *,
    actor: Actor,
    case_id: uuid.UUID,
    expected_version: int,
    summary: str | None = None,
    priority: str | None = None,
) -> CaseView:
    """Edit a case (`case:write`); a stale `expected_version` raises StaleCase
    (409) and changes nothing."""
    case = visible_case(session, actor, case_id, "case:write")
    _check_version(case, expected_version)
    if priority is not None:
        if priority not in PRIORITIES:
            raise InvalidInput()
        case.priority = priority
    if summary is not None:
        case.summary = summary[:300]
    case.updated_at = utcnow()
    _flush(session)
    add_event(session, actor, case, "updated")
    record(
        session, actor, "protection:case:update", object_type="case", object_id=case.id
    )
    return CaseView.model_validate(case)


def approvals_granted(session: Session, case: Case | CaseView) -> set[ApprovalKind]:
    rows = session.scalars(
        select(Approval.kind).where(
            Approval.case_id == case.id,
            Approval.cycle == case.cycle,
            Approval.status == "approved",
        )
    )
    return {ApprovalKind(kind) for kind in rows}


def move_case(
    session: Session,
    *,
    actor: Actor,
    case_id: uuid.UUID,
    target: str,
    expected_version: int | None = None,
    reason: str = "",
) -> CaseView:
    """Move a case along the transition table (`case:write`); moves that need a
    supervisor's approval raise ApprovalRequired until it is granted. Closing
    needs a reason, kept on the case's timeline (the audit notes that one was
    given, not what it says)."""
    case = visible_case(session, actor, case_id, "case:write")
    _check_version(case, expected_version)
    reason = reason.strip()[:500]
    if target == CaseState.CLOSED and not reason:
        raise CloseReasonMissing()
    workflow.require_transition(case.state, target, approvals_granted(session, case))
    previous = case.state
    case.state = CaseState(target).value
    case.updated_at = utcnow()
    if case.state == CaseState.CLOSED:
        case.closed_at = utcnow()
    if case.state == CaseState.REOPENED:
        case.cycle += 1
        case.closed_at = None
    _flush(session)
    add_event(session, actor, case, "moved", f"{previous}>{case.state}")
    if reason:
        add_event(session, actor, case, "close_reason", reason)
    record(
        session,
        actor,
        "protection:case:move",
        object_type="case",
        object_id=case.id,
        source=previous,
        target=case.state,
        reason_given=bool(reason),
    )
    return CaseView.model_validate(case)


_APPROVAL_STATE = {
    ApprovalKind.ASSESSMENT: CaseState.ASSESSMENT,
    ApprovalKind.CASE_PLAN: CaseState.CASE_PLAN,
    ApprovalKind.CLOSURE: CaseState.CLOSURE,
}


def request_approval(
    session: Session, *, actor: Actor, case_id: uuid.UUID, kind: str
) -> ApprovalView:
    """Ask a supervisor to approve the assessment, case plan or closure."""
    case = visible_case(session, actor, case_id, "case:write")
    approval_kind = ApprovalKind(kind)
    if case.state != _APPROVAL_STATE[approval_kind]:
        raise workflow.TransitionNotAllowed(state=case.state, target=kind)
    existing = session.scalars(
        select(Approval).where(
            Approval.case_id == case.id,
            Approval.kind == approval_kind.value,
            Approval.cycle == case.cycle,
            Approval.status.in_(("requested", "approved")),
        )
    ).first()
    if existing is not None:
        return ApprovalView.model_validate(existing)
    approval = Approval(
        id=new_id(),
        tenant_code=case.tenant_code,
        case_id=case.id,
        kind=approval_kind.value,
        cycle=case.cycle,
        status="requested",
        requested_by=actor.user_id,
        requested_at=utcnow(),
    )
    session.add(approval)
    session.flush()
    add_event(session, actor, case, "approval_requested", approval_kind.value)
    record(
        session,
        actor,
        "protection:approval:request",
        object_type="case",
        object_id=case.id,
        kind=approval_kind.value,
    )
    return ApprovalView.model_validate(approval)


def pending_approvals(session: Session, *, actor: Actor) -> list[ApprovalView]:
    """The supervisor's queue (`case:approve`)."""
    authorize(actor, "case:approve", tenant_code=actor.tenant_code)
    case_ids = select(Case.id)
    case_ids = visible(actor, case_ids, Case, "case:approve")
    stmt = (
        select(Approval)
        .where(Approval.status == "requested", Approval.case_id.in_(case_ids))
        .order_by(Approval.requested_at)
    )
    return [ApprovalView.model_validate(row) for row in list(session.scalars(stmt))]


def decide_approval(
    session: Session,
    *,
    actor: Actor,
    case_id: uuid.UUID,
    kind: str,
    approve: bool,
    comment: str = "",
) -> ApprovalView:
    """A supervisor approves or rejects (`case:approve`); not their own request."""
    case = visible_case(session, actor, case_id, "case:approve")
    approval = session.scalars(
        select(Approval).where(
            Approval.case_id == case.id,
            Approval.kind == ApprovalKind(kind).value,
            Approval.cycle == case.cycle,
            Approval.status == "requested",
        )
    ).first()
    if approval is None:
        raise ApprovalNotPending(kind=kind)
    if approval.requested_by is not None and approval.requested_by == actor.user_id:
        raise SelfApprovalNotAllowed()
    approval.status = "approved" if approve else "rejected"
    approval.decided_by = actor.user_id
    approval.decided_at = utcnow()
    approval.comment = comment[:500]
    session.flush()
    add_event(
        session,
        actor,
        case,
        "approval_" + approval.status,
        approval.kind,
    )
    record(
        session,
        actor,
        "protection:approval:decide",
        object_type="case",
        object_id=case.id,
        kind=approval.kind,
        approved=approve,
    )
    return ApprovalView.model_validate(approval)


def case_approvals(
    session: Session, *, actor: Actor, case_id: uuid.UUID
) -> list[ApprovalView]:
    case = visible_case(session, actor, case_id)
    return [
        ApprovalView.model_validate(row)
        for row in list(
            session.scalars(
                select(Approval)
                .where(Approval.case_id == case.id)
                .order_by(Approval.requested_at)
            )
        )
    ]


def assign_user(
    session: Session, *, actor: Actor, case_id: uuid.UUID, user_id: uuid.UUID
) -> AssignmentView:
    case = visible_case(session, actor, case_id, "case:write")
    row = CaseAssignment(
        id=new_id(), tenant_code=case.tenant_code, case_id=case.id, user_id=user_id
    )
    session.add(row)
    session.flush()
    add_event(session, actor, case, "assigned", str(user_id))
    record(
        session, actor, "protection:case:assign", object_type="case", object_id=case.id
    )
    return AssignmentView.model_validate(row)


# --- case plan -----------------------------------------------------------------


def _plan(session: Session, actor: Actor, case: Case) -> CasePlan:
    plan = session.scalars(
        select(CasePlan).where(CasePlan.case_id == case.id)
    ).one_or_none()
    if plan is None:
        plan = CasePlan(
            id=new_id(),
            tenant_code=case.tenant_code,
            case_id=case.id,
            created_by=actor.user_id,
        )
        session.add(plan)
        session.flush()
    return plan


def add_goal(
    session: Session,
    *,
    actor: Actor,
    case_id: uuid.UUID,
    description: str,
    need_code: str = "",
) -> GoalView:
    case = visible_case(session, actor, case_id, "case:write")
    if not description.strip():
        raise InvalidInput()
    plan = _plan(session, actor, case)
    goal = CasePlanGoal(
        id=new_id(),
        tenant_code=case.tenant_code,
        plan_id=plan.id,
        description=description.strip()[:500],
        need_code=need_code.strip().upper()[:10],
    )
    session.add(goal)
    session.flush()
    add_event(session, actor, case, "goal_added")
    record(
        session,
        actor,
        "protection:plan:goal_add",
        object_type="case",
        object_id=case.id,
    )
    return GoalView.model_validate(goal)


def add_task(
    session: Session,
    *,
    actor: Actor,
    case_id: uuid.UUID,
    goal_id: uuid.UUID,
    description: str,
    due_on: dt.date | None = None,
    responsible_id: uuid.UUID | None = None,
) -> TaskView:
    case = visible_case(session, actor, case_id, "case:write")
    plan = _plan(session, actor, case)
    goal = session.scalars(
        select(CasePlanGoal).where(
            CasePlanGoal.id == goal_id, CasePlanGoal.plan_id == plan.id
        )
    ).one_or_none()
    if goal is None or not description.strip():
        raise InvalidInput()
    task = CasePlanTask(
        id=new_id(),
        tenant_code=case.tenant_code,
        goal_id=goal.id,
        description=description.strip()[:500],
        due_on=due_on,
        responsible_id=responsible_id or actor.user_id,
    )
    session.add(task)
    session.flush()
    add_event(session, actor, case, "task_added")
    record(
        session,
        actor,
        "protection:plan:task_add",
        object_type="case",
        object_id=case.id,
    )
    return TaskView.model_validate(task)


def complete_task(
    session: Session, *, actor: Actor, case_id: uuid.UUID, task_id: uuid.UUID
) -> TaskView:
    case = visible_case(session, actor, case_id, "case:write")
    plan = _plan(session, actor, case)
    task = session.scalars(
        select(CasePlanTask)
        .join(CasePlanGoal, CasePlanGoal.id == CasePlanTask.goal_id)
        .where(CasePlanTask.id == task_id, CasePlanGoal.plan_id == plan.id)
    ).one_or_none()
    if task is None:
        raise InvalidInput()
    task.done_at = utcnow()
    session.flush()
    add_event(session, actor, case, "task_done")
    record(
        session,
        actor,
        "protection:plan:task_done",
        object_type="case",
        object_id=case.id,
    )
    return TaskView.model_validate(task)


def case_plan(
    session: Session, *, actor: Actor, case_id: uuid.UUID
) -> list[PlanGoalView]:
    case = visible_case(session, actor, case_id)
    plan = session.scalars(
        select(CasePlan).where(CasePlan.case_id == case.id)
    ).one_or_none()
    if plan is None:
        return []
    goals = session.scalars(
        select(CasePlanGoal)
        .where(CasePlanGoal.plan_id == plan.id)
        .order_by(CasePlanGoal.created_at)
    ).all()
    views = []
    for goal in goals:
        tasks = session.scalars(
            select(CasePlanTask)
            .where(CasePlanTask.goal_id == goal.id)
            .order_by(CasePlanTask.due_on)
        ).all()
        views.append(
            PlanGoalView(
                GoalView.model_validate(goal),
                tuple(TaskView.model_validate(task) for task in tasks),
            )
        )
    return views


# --- notes, timeline -------------------------------------------------------------


def add_note(
    session: Session, *, actor: Actor, case_id: uuid.UUID, body: str
) -> NoteRecorded:
    """A case note, encrypted at rest."""
    case = visible_case(session, actor, case_id, "case:write")
    if not body.strip():
        raise InvalidInput()
    note = Note(id=new_id(), tenant_code=case.tenant_code, case_id=case.id)
    note.author_id = actor.user_id
    note.body_sealed = seal(case.tenant_code, "protection_note", "body", note.id, body)
    session.add(note)
    session.flush()
    add_event(session, actor, case, "note_added")
    record(
        session, actor, "protection:note:create", object_type="case", object_id=case.id
    )
    return NoteRecorded.model_validate(note)


@dataclass(frozen=True)
class NoteView:
    id: uuid.UUID
    author_id: uuid.UUID | None
    created_at: dt.datetime
    body: str


def list_notes(session: Session, *, actor: Actor, case_id: uuid.UUID) -> list[NoteView]:
    """Decrypted notes of a case (the read is audited)."""
    case = visible_case(session, actor, case_id)
    notes = session.scalars(
        select(Note).where(Note.case_id == case.id).order_by(Note.created_at)
    ).all()
    if notes:
        record(
            session,
            actor,
            "protection:note:read",
            object_type="case",
            object_id=case.id,
        )
    return [
        NoteView(
            n.id,
            n.author_id,
            n.created_at,
            str(unseal(n.tenant_code, "protection_note", "body", n.id, n.body_sealed)),
        )
        for n in notes
    ]


def timeline(session: Session, *, actor: Actor, case_id: uuid.UUID) -> list[EventView]:
    case = visible_case(session, actor, case_id)
    return [
        EventView.model_validate(row)
        for row in list(
            session.scalars(
                select(CaseEvent)
                .where(CaseEvent.case_id == case.id)
                .order_by(CaseEvent.occurred_at, CaseEvent.id)
            )
        )
    ]


# --- best interests ----------------------------------------------------------------


def record_bia(
    session: Session, *, actor: Actor, case_id: uuid.UUID, findings: str
) -> BiaView:
    case = visible_case(session, actor, case_id, "case:write")
    row = BestInterestsAssessment(id=new_id(), tenant_code=case.tenant_code)
    row.case_id = case.id
    row.assessed_by = actor.user_id
    row.findings_sealed = seal(
        case.tenant_code, "protection_bia", "findings", row.id, findings
    )
    session.add(row)
    session.flush()
    add_event(session, actor, case, "bia_recorded")
    record(
        session, actor, "protection:bia:create", object_type="case", object_id=case.id
    )
    return BiaView.model_validate(row)


def record_bid(
    session: Session,
    *,
    actor: Actor,
    case_id: uuid.UUID,
    panel_member_ids: list[str],
    child_heard: bool,
    options_considered: list[str],
    recommendation: str,
    decided_on: dt.date,
    review_on: dt.date | None = None,
    reason_child_not_heard: str = "",
) -> BidView:
    """A best-interests determination by a panel (`case:approve`)."""
    case = visible_case(session, actor, case_id, "case:approve")
    BidRecommendation(recommendation)
    row = BestInterestsDetermination(
        id=new_id(),
        tenant_code=case.tenant_code,
        case_id=case.id,
        panel_member_ids=",".join(panel_member_ids),
        child_heard=child_heard,
        reason_child_not_heard=reason_child_not_heard[:300],
        options_considered=",".join(options_considered),
        recommendation=recommendation,
        decided_on=decided_on,
        review_on=review_on,
        recorded_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    add_event(session, actor, case, "bid_recorded", recommendation)
    record(
        session, actor, "protection:bid:create", object_type="case", object_id=case.id
    )
    return BidView.model_validate(row)


def latest_bid(session: Session, *, actor: Actor, case_id: uuid.UUID) -> BidView | None:
    case = visible_case(session, actor, case_id)
    row = session.scalars(
        select(BestInterestsDetermination)
        .where(BestInterestsDetermination.case_id == case.id)
        .order_by(BestInterestsDetermination.recorded_at.desc())
    ).first()
    return None if row is None else BidView.model_validate(row)
