"""Protection JSON routes under /api/v1/protection."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from puente.core.errors import NotFound
from puente.core.i18n import get_locale, gettext
from puente.identity import Actor
from puente.protection import service
from puente.protection.models import (
    Referral,
)
from puente.protection.schemas import (
    ApprovalDecision,
    ApprovalRead,
    BidCreate,
    CaseCreate,
    CaseMove,
    CaseRead,
    CaseUpdate,
    CaseView,
    CheckRead,
    ConsularCreate,
    ConsularRead,
    ConsularView,
    ExportRequest,
    FollowUpIn,
    FollowUpRead,
    GoalCreate,
    IdRead,
    IncomingReturnRead,
    IncomingReturnRecord,
    NoteCreate,
    OverrideSign,
    ProfileWithdraw,
    ProfileWrite,
    ReceptionIn,
    ReferralContent,
    ReferralCreate,
    ReferralRead,
    ReferralRecord,
    ReferralResponse,
    ReintegrationPlanIn,
    RemoteMatchView,
    ReturnCaseFields,
    ReturnCaseRead,
    ReturnCountRead,
    ReturnCreate,
    ReturnRead,
    ScreeningCreate,
    ScreeningRead,
    ServiceRead,
    TaskCreate,
    TracingCandidateRead,
    TracingCreate,
    TracingDecision,
    TracingMatchRead,
    TracingRead,
)
from puente.protection.service.facts import WITHDRAWN, WITHDRAWN_REASON
from puente.protection.service.return_cases import ReturnCaseView
from puente.protection.service.returns import ReturnView
from puente.protection.service.tracing import TracingView
from puente.web.deps import DbSession, Require

router = APIRouter(prefix="/api/v1/protection", tags=["protection"])

CaseReader = Annotated[Actor, Depends(Require("case:read"))]
CaseWriter = Annotated[Actor, Depends(Require("case:write"))]
Approver = Annotated[Actor, Depends(Require("case:approve"))]
Referrer = Annotated[Actor, Depends(Require("referral:write"))]
ReturnDecider = Annotated[Actor, Depends(Require("return:decide"))]
Exporter = Annotated[Actor, Depends(Require("export:cases"))]
FactWithdrawer = Annotated[Actor, Depends(Require("protection:withdraw_fact"))]


def _case(case: CaseView) -> CaseRead:
    return CaseRead.model_validate(case)


def _return(view: ReturnView) -> ReturnRead:
    locale = get_locale()
    decision = view.decision
    return ReturnRead(
        id=decision.id,
        person_id=decision.person_id,
        destination=decision.destination,
        status=decision.status,
        gate_passed=decision.gate_passed,
        failed_checks=[c["id"] for c in view.checks if c["result"] != "pass"],
        checks=[
            CheckRead(
                id=c["id"],
                result=c["result"],
                applicable=c["applicable"],
                overridable=c["overridable"],
                legal_basis=c["legal_basis"],
                title=c["title"].get(locale, c["title"]["en"]),
                reason=c["reason"].get(locale, c["reason"]["en"]),
            )
            for c in view.checks
        ],
        signatures=len(view.signatures),
    )


def _tracing(view: TracingView, remote: Sequence[RemoteMatchView] = ()) -> TracingRead:
    return TracingRead(
        id=view.request.id,
        status=view.request.status,
        relationship=view.request.relationship,
        search_state=view.request.search_state,
        matches=[TracingMatchRead.model_validate(m) for m in view.matches],
        candidates=[TracingCandidateRead.model_validate(m) for m in remote],
    )


def _referral(referral: Referral | ReferralRecord) -> ReferralRead:
    return ReferralRead.model_validate(referral)


# --- screening -------------------------------------------------------------------


@router.post("/screenings", response_model=ScreeningRead, status_code=201)
def screen(
    body: ScreeningCreate, session: DbSession, actor: CaseWriter
) -> ScreeningRead:
    """Screen a person with the versioned form; returns flags and the action."""
    row, outcome = service.screen_person(
        session,
        actor=actor,
        person_id=body.person_id,
        answers=body.answers,
        form_version=body.form_version,
    )
    return ScreeningRead(
        id=row.id,
        person_id=row.person_id,
        form=row.form,
        form_version=row.form_version,
        priority=row.priority,
        recommended_action=row.recommended_action,
        flags=[f.id for f in outcome.flags],
        suggested_specific_needs=list(outcome.suggested_specific_needs),
    )


@router.get("/screenings/{screening_id}", response_model=ScreeningRead)
def read_screening(
    screening_id: uuid.UUID, session: DbSession, actor: CaseReader
) -> ScreeningRead:
    view = service.get_screening(session, actor=actor, screening_id=screening_id)
    return ScreeningRead(
        id=view.id,
        person_id=view.person_id,
        form=view.form,
        form_version=view.form_version,
        priority=view.priority,
        recommended_action=view.recommended_action,
        flags=list(view.flags),
        suggested_specific_needs=list(view.suggested_specific_needs),
    )


@router.put("/people/{person_id}/profile", status_code=204)
@router.patch("/people/{person_id}/profile", status_code=204)
def write_profile(
    person_id: uuid.UUID, body: ProfileWrite, session: DbSession, actor: CaseWriter
) -> Response:
    """Add to the claim, feared states and status the feared-state bar needs.
    PUT and PATCH both merge: omitted facts stay; weakening one answers 409
    (`FactWithdrawalRequired`): use the withdraw action."""
    service.record_protection_profile(
        session, actor=actor, person_id=person_id, **body.model_dump()
    )
    return Response(status_code=204)


@router.post("/people/{person_id}/profile/withdraw", status_code=204)
def withdraw_fact(
    person_id: uuid.UUID,
    body: ProfileWithdraw,
    session: DbSession,
    actor: FactWithdrawer,
) -> Response:
    """Withdraw one protection fact (protection officer or supervisor), with a
    reason; everything that depends on it is re-evaluated. Audited."""
    service.withdraw_protection_fact(
        session,
        actor=actor,
        person_id=person_id,
        fact=body.fact,
        state=body.state,
        reason=body.reason,
    )
    return Response(status_code=204)


# --- cases -------------------------------------------------------------------------


@router.post("/cases", response_model=CaseRead, status_code=201)
def open_case(body: CaseCreate, session: DbSession, actor: CaseWriter) -> CaseRead:
    """Open a case for a person (another tenant's person answers 404)."""
    return _case(
        service.open_case(
            session,
            actor=actor,
            person_id=body.person_id,
            screening_id=body.screening_id,
            case_type=body.case_type,
            summary=body.summary,
        )
    )


@router.get("/cases", response_model=list[CaseRead])
def list_cases(
    session: DbSession,
    actor: CaseReader,
    state: str | None = None,
    case_type: str | None = None,
    priority: str | None = None,
    mine: bool = False,
) -> list[CaseRead]:
    cases = service.list_cases(
        session,
        actor=actor,
        state=state,
        case_type=case_type,
        priority=priority,
        only_mine=mine,
    )
    return [_case(c) for c in cases]


@router.get("/cases/{case_id}", response_model=CaseRead)
def read_case(case_id: uuid.UUID, session: DbSession, actor: CaseReader) -> CaseRead:
    return _case(service.get_case(session, actor=actor, case_id=case_id))


@router.patch("/cases/{case_id}", response_model=CaseRead)
def update_case(
    case_id: uuid.UUID, body: CaseUpdate, session: DbSession, actor: CaseWriter
) -> CaseRead:
    """Edit a case; a stale `expected_version` answers 409."""
    return _case(
        service.update_case(
            session,
            actor=actor,
            case_id=case_id,
            expected_version=body.expected_version,
            summary=body.summary,
            priority=body.priority,
        )
    )


@router.post("/cases/{case_id}/move", response_model=CaseRead)
def move_case(
    case_id: uuid.UUID, body: CaseMove, session: DbSession, actor: CaseWriter
) -> CaseRead:
    return _case(
        service.move_case(
            session,
            actor=actor,
            case_id=case_id,
            target=body.target,
            expected_version=body.expected_version,
        )
    )


@router.post(
    "/cases/{case_id}/approvals/{kind}", response_model=ApprovalRead, status_code=201
)
def request_approval(
    case_id: uuid.UUID, kind: str, session: DbSession, actor: CaseWriter
) -> ApprovalRead:
    approval = service.request_approval(
        session, actor=actor, case_id=case_id, kind=kind
    )
    return ApprovalRead.model_validate(approval)


@router.post("/cases/{case_id}/approvals/{kind}/decide", response_model=ApprovalRead)
def decide_approval(
    case_id: uuid.UUID,
    kind: str,
    body: ApprovalDecision,
    session: DbSession,
    actor: Approver,
) -> ApprovalRead:
    approval = service.decide_approval(
        session,
        actor=actor,
        case_id=case_id,
        kind=kind,
        approve=body.approve,
        comment=body.comment,
    )
    return ApprovalRead.model_validate(approval)


@router.get("/approvals", response_model=list[ApprovalRead])
def approvals_queue(session: DbSession, actor: Approver) -> list[ApprovalRead]:
    return [
        ApprovalRead.model_validate(a)
        for a in service.pending_approvals(session, actor=actor)
    ]


@router.post("/cases/{case_id}/goals", response_model=IdRead, status_code=201)
def add_goal(
    case_id: uuid.UUID, body: GoalCreate, session: DbSession, actor: CaseWriter
) -> IdRead:
    goal = service.add_goal(
        session,
        actor=actor,
        case_id=case_id,
        description=body.description,
        need_code=body.need_code,
    )
    return IdRead(id=goal.id)


@router.post(
    "/cases/{case_id}/goals/{goal_id}/tasks", response_model=IdRead, status_code=201
)
def add_task(
    case_id: uuid.UUID,
    goal_id: uuid.UUID,
    body: TaskCreate,
    session: DbSession,
    actor: CaseWriter,
) -> IdRead:
    task = service.add_task(
        session,
        actor=actor,
        case_id=case_id,
        goal_id=goal_id,
        description=body.description,
        due_on=body.due_on,
    )
    return IdRead(id=task.id)


@router.post("/cases/{case_id}/notes", response_model=IdRead, status_code=201)
def add_note(
    case_id: uuid.UUID, body: NoteCreate, session: DbSession, actor: CaseWriter
) -> IdRead:
    note = service.add_note(session, actor=actor, case_id=case_id, body=body.body)
    return IdRead(id=note.id)


@router.post("/cases/{case_id}/bid", response_model=IdRead, status_code=201)
def record_bid(
    case_id: uuid.UUID, body: BidCreate, session: DbSession, actor: Approver
) -> IdRead:
    """A best-interests determination (panel decision) for a child's case."""
    row = service.record_bid(session, actor=actor, case_id=case_id, **body.model_dump())
    return IdRead(id=row.id)


# --- services and referrals ---------------------------------------------------------


@router.get("/services", response_model=list[ServiceRead])
def services(
    session: DbSession,
    actor: CaseReader,
    service_type: str | None = None,
    state: str | None = None,
) -> list[ServiceRead]:
    return [
        ServiceRead.model_validate(s)
        for s in service.list_services(
            session, actor=actor, service_type=service_type, state=state
        )
    ]


@router.post("/referrals", response_model=ReferralRead, status_code=201)
def refer(body: ReferralCreate, session: DbSession, actor: Referrer) -> ReferralRead:
    """Refer a case with purpose-bound consent; refused toward a feared state."""
    return _referral(
        service.refer_case(
            session,
            actor=actor,
            case_id=body.case_id,
            service_id=body.service_id,
            purpose=body.purpose,
            shared_fields=body.shared_fields,
            consent_given_by=body.consent_given_by,
            consent_until=body.consent_until,
        )
    )


@router.get("/referrals/inbox", response_model=list[ReferralRead])
def inbox(session: DbSession, actor: Referrer) -> list[ReferralRead]:
    return [_referral(r) for r in service.referral_inbox(session, actor=actor)]


@router.get("/referrals/{referral_id}", response_model=ReferralContent)
def read_referral(
    referral_id: uuid.UUID, session: DbSession, actor: Referrer
) -> ReferralContent:
    """The recipient's view; 403 ConsentRevoked once consent is withdrawn."""
    view = service.read_referral(session, actor=actor, referral_id=referral_id)
    return ReferralContent(
        referral=_referral(view.referral),
        given_name=view.person.given_name if view.person else None,
        family_name=view.person.family_name if view.person else None,
        specific_needs=list(view.specific_needs),
        case_summary=view.case_summary,
    )


@router.post("/referrals/{referral_id}/{action}", response_model=ReferralRead)
def respond(
    referral_id: uuid.UUID,
    action: str,
    session: DbSession,
    actor: Referrer,
    body: ReferralResponse | None = None,
) -> ReferralRead:
    """accept | decline (with a reason) | complete | revoke-consent."""
    if action == "revoke-consent":
        referral = service.revoke_referral_consent(
            session, actor=actor, referral_id=referral_id
        )
    else:
        target = {
            "accept": "accepted",
            "decline": "declined",
            "complete": "completed",
        }.get(action)
        if target is None:
            raise NotFound()
        referral = service.respond_to_referral(
            session,
            actor=actor,
            referral_id=referral_id,
            target=target,
            reason=body.reason if body else "",
        )
    return _referral(referral)


# --- tracing -------------------------------------------------------------------


@router.post("/tracing", response_model=TracingRead, status_code=201)
def trace(body: TracingCreate, session: DbSession, actor: CaseWriter) -> TracingRead:
    return _tracing(
        service.create_tracing_request(session, actor=actor, **body.model_dump())
    )


@router.get("/tracing/{request_id}", response_model=TracingRead)
def read_tracing(
    request_id: uuid.UUID, session: DbSession, actor: CaseReader
) -> TracingRead:
    return _tracing(
        service.get_tracing_request(session, actor=actor, request_id=request_id),
        service.remote_matches(session, actor=actor, request_id=request_id),
    )


@router.post("/tracing/{request_id}/candidates/{match_id}", response_model=TracingRead)
def decide_candidate(
    request_id: uuid.UUID,
    match_id: uuid.UUID,
    body: TracingDecision,
    session: DbSession,
    actor: CaseWriter,
) -> TracingRead:
    """Confirm or reject another state's candidate; that state is told."""
    service.decide_remote_match(
        session,
        actor=actor,
        request_id=request_id,
        match_id=match_id,
        confirm=body.confirm,
    )
    return _tracing(
        service.get_tracing_request(session, actor=actor, request_id=request_id),
        service.remote_matches(session, actor=actor, request_id=request_id),
    )


# --- returns ----------------------------------------------------------------------


@router.post("/returns", response_model=ReturnRead, status_code=201)
def request_return(
    body: ReturnCreate, session: DbSession, actor: ReturnDecider
) -> ReturnRead:
    """Record a return decision with each safeguard check's result and reason."""
    return _return(
        service.request_return(
            session,
            actor=actor,
            person_id=body.person_id,
            destination=body.destination.upper(),
            facts=(
                body.facts
                if body.unaccompanied is None
                else {**body.facts, "is_unaccompanied_or_separated": body.unaccompanied}
            ),
            case_id=body.case_id,
        )
    )


@router.get("/returns/{decision_id}", response_model=ReturnRead)
def read_return(
    decision_id: uuid.UUID, session: DbSession, actor: ReturnDecider
) -> ReturnRead:
    return _return(service.get_return(session, actor=actor, decision_id=decision_id))


@router.post("/returns/{decision_id}/approve", response_model=ReturnRead)
def approve_return(
    decision_id: uuid.UUID, session: DbSession, actor: ReturnDecider
) -> ReturnRead:
    """409 `ReturnBlocked` with `detail.failed_checks` when the gate fails."""
    return _return(
        service.approve_return(session, actor=actor, decision_id=decision_id)
    )


@router.post("/returns/{decision_id}/override", response_model=ReturnRead)
def sign_override(
    decision_id: uuid.UUID, body: OverrideSign, session: DbSession, actor: ReturnDecider
) -> ReturnRead:
    """One of the two signatures an override needs (never the requester's)."""
    return _return(
        service.sign_return_override(
            session,
            actor=actor,
            decision_id=decision_id,
            authority=body.authority,
            legal_basis=body.legal_basis,
            checks=body.checks,
        )
    )


# --- return cases ------------------------------------------------------------------


def _return_case(view: ReturnCaseView) -> ReturnCaseRead:
    row = view.case
    return ReturnCaseRead(
        **row.model_dump(include=set(ReturnCaseFields.model_fields)),
        reception=view.reception,
        plan=view.plan,
        follow_ups=[
            FollowUpRead(
                month=f.month,
                done_on=f.done_on,
                economic=float(f.economic),
                social=float(f.social),
                psychosocial=float(f.psychosocial),
                score=float(f.score),
            )
            for f in view.follow_ups
        ],
    )


@router.post("/returns/{decision_id}/case", response_model=ReturnCaseRead)
def open_return_case(
    decision_id: uuid.UUID, session: DbSession, actor: ReturnDecider
) -> ReturnCaseRead:
    """An approved return becomes a return case (409 when the gate fails now,
    403 toward a state the person feared)."""
    return _return_case(
        service.open_return_case(session, actor=actor, decision_id=decision_id)
    )


@router.get("/return-cases/counts", response_model=list[ReturnCountRead])
def return_counts(session: DbSession, actor: ReturnDecider) -> list[ReturnCountRead]:
    """Return cases by state of return and month; cells of 1 to 4 withheld."""
    return [
        ReturnCountRead(
            state=c.state, month=c.month, returns=c.returns, received=c.received
        )
        for c in service.monthly_return_counts(session, actor=actor)
    ]


@router.get("/return-cases/{case_id}", response_model=ReturnCaseRead)
def read_return_case(
    case_id: uuid.UUID, session: DbSession, actor: ReturnDecider
) -> ReturnCaseRead:
    return _return_case(service.get_return_case(session, actor=actor, case_id=case_id))


@router.put("/return-cases/{case_id}/reception", response_model=ReturnCaseRead)
def record_reception(
    case_id: uuid.UUID, body: ReceptionIn, session: DbSession, actor: ReturnDecider
) -> ReturnCaseRead:
    """409 `ChildHandoverMissing` for a child without a named caregiver or
    child-protection authority."""
    return _return_case(
        service.record_reception(
            session, actor=actor, case_id=case_id, **body.model_dump()
        )
    )


@router.put("/return-cases/{case_id}/plan", response_model=ReturnCaseRead)
def record_plan(
    case_id: uuid.UUID,
    body: ReintegrationPlanIn,
    session: DbSession,
    actor: ReturnDecider,
) -> ReturnCaseRead:
    return _return_case(
        service.record_plan(
            session,
            actor=actor,
            case_id=case_id,
            economic=body.economic,
            social=body.social,
            psychosocial=body.psychosocial,
            referrals=[r.model_dump() for r in body.referrals],
        )
    )


@router.post("/return-cases/{case_id}/follow-ups", response_model=ReturnCaseRead)
def record_follow_up(
    case_id: uuid.UUID, body: FollowUpIn, session: DbSession, actor: ReturnDecider
) -> ReturnCaseRead:
    return _return_case(
        service.record_follow_up(
            session, actor=actor, case_id=case_id, **body.model_dump()
        )
    )


@router.get("/return-cases/{case_id}/export")
def export_return_case(
    case_id: uuid.UUID, agreement: str, session: DbSession, actor: ReturnDecider
) -> Response:
    """The return case as the state of return receives it under a returns
    agreement (JSON download)."""
    document = service.export_return_case(
        session, actor=actor, case_id=case_id, agreement_ref=agreement[:120]
    )
    return Response(
        json.dumps(document, ensure_ascii=False, indent=1),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="return-case.json"'},
    )


@router.get("/return-cases/{case_id}/table.{fmt}")
def export_return_case_table(
    case_id: uuid.UUID, fmt: str, session: DbSession, actor: ReturnDecider
) -> Response:
    """The return case as CSV or XLSX for a state of return no returns
    agreement connects to (cells neutralised, no name)."""
    file = service.export_return_case_table(
        session, actor=actor, case_id=case_id, fmt=fmt
    )
    return Response(
        file.body,
        media_type=file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "no-store",
        },
    )


def _incoming(
    r: IncomingReturnRecord, reception: dict[str, str] | None = None
) -> IncomingReturnRead:
    return IncomingReturnRead(
        id=r.id,
        sender_state=r.sender_state,
        reference=r.reference,
        is_child=r.is_child,
        arrival_date=r.arrival_date,
        dimensions=[d for d in r.dimensions.split(",") if d],
        status=r.status,
        received_at=r.received_at,
        reference_shown=r.display_reference,
        reception=reception or {},
    )


@router.get("/incoming-returns", response_model=list[IncomingReturnRead])
def incoming_returns(
    session: DbSession, actor: ReturnDecider
) -> list[IncomingReturnRead]:
    """Return cases other states' nodes shared with this one (reception here)."""
    return [_incoming(r) for r in service.list_incoming_returns(session, actor=actor)]


@router.get("/incoming-returns/{incoming_id}", response_model=IncomingReturnRead)
def incoming_return(
    incoming_id: uuid.UUID, session: DbSession, actor: ReturnDecider
) -> IncomingReturnRead:
    """One shared return with this state's reception (receivers' names)."""
    view = service.get_incoming_return(session, actor=actor, incoming_id=incoming_id)
    return _incoming(view.record, view.reception)


@router.put(
    "/incoming-returns/{incoming_id}/reception", response_model=IncomingReturnRead
)
def record_incoming_reception(
    incoming_id: uuid.UUID, body: ReceptionIn, session: DbSession, actor: ReturnDecider
) -> IncomingReturnRead:
    """This state's reception of a return another state shared: 409
    `ChildHandoverMissing` for a child without a named caregiver or authority."""
    view = service.record_incoming_reception(
        session, actor=actor, incoming_id=incoming_id, **body.model_dump()
    )
    return _incoming(view.record, view.reception)


# --- consular notification ---------------------------------------------------------


@router.post("/consular", response_model=list[ConsularRead], status_code=201)
def consular(
    body: ConsularCreate, session: DbSession, actor: CaseWriter
) -> list[ConsularRead]:
    rows = service.record_consular_wish(session, actor=actor, **body.model_dump())
    return [_consular(r) for r in rows]


def _consular(row: ConsularView) -> ConsularRead:
    read = ConsularRead.model_validate(row)
    if row.status == WITHDRAWN:
        read.status_reason = gettext(WITHDRAWN_REASON)
    return read


@router.get("/consular/tasks", response_model=list[ConsularRead])
def consular_tasks(session: DbSession, actor: CaseReader) -> list[ConsularRead]:
    """Open notification tasks, and those withdrawn by a later protection fact
    (status `withdrawn`, with the translated reason)."""
    return [
        _consular(r)
        for r in service.list_consular(session, actor=actor)
        if r.status in ("task_open", WITHDRAWN)
    ]


# --- exports -----------------------------------------------------------------------


@router.post("/exports", response_class=Response)
def export(body: ExportRequest, session: DbSession, actor: Exporter) -> Response:
    """The caller's own cases; encrypted (see `puente protection decrypt-export`)."""
    file = service.export_cases(
        session,
        actor=actor,
        fmt=body.format,
        password=body.password,
        encrypt=body.encrypt,
    )
    return Response(
        file.content,
        media_type=file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "no-store",
            "X-Puente-Export": json.dumps({"count": file.count}),
        },
    )
