"""Protection screens (HTML): screening, cases with timeline and plan, approvals,
referrals and the service directory, tracing, return decisions, consular
notification and exports. Every route calls `protection.service`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from puente.core.errors import DomainError, InvalidInput
from puente.core.i18n import _, get_locale, lazy_gettext
from puente.core.inputs import plausible_moment, whole_number
from puente.identity import Actor, can
from puente.protection import service
from puente.protection.errors import CloseReasonMissing, StaleCase
from puente.protection.rules import screening as screening_rules
from puente.protection.rules import workflow
from puente.protection.service._people import person_label, person_labels
from puente.protection.service.cases import CASE_TYPES, PRIORITIES
from puente.protection.service.facts import WITHDRAWN_REASON
from puente.protection.service.referrals import SERVICE_TYPES, SHAREABLE_FIELDS
from puente.protection.service.tracing import RELATIONSHIPS
from puente.reference import ENDORSING_STATES, country_name
from puente.web.deps import DbSession, Require
from puente.web.templating import DashboardCard, check_csrf, register_card, render

router = APIRouter(prefix="/protection", include_in_schema=False)
Csrf = Depends(check_csrf)

CaseReader = Annotated[Actor, Depends(Require("case:read", web=True))]
CaseWriter = Annotated[Actor, Depends(Require("case:write", web=True))]
Approver = Annotated[Actor, Depends(Require("case:approve", web=True))]
Referrer = Annotated[Actor, Depends(Require("referral:write", web=True))]
ReturnDecider = Annotated[Actor, Depends(Require("return:decide", web=True))]
Exporter = Annotated[Actor, Depends(Require("export:cases", web=True))]

register_card(
    DashboardCard(
        "case:read",
        lazy_gettext("Protection cases"),
        lazy_gettext("Screen people, open and follow cases, refer to services."),
        "/protection",
        "⚑",
    )
)
register_card(
    DashboardCard(
        "case:approve",
        lazy_gettext("Approvals"),
        lazy_gettext("Assessments, case plans and closures waiting for you."),
        "/protection/approvals",
        "✓",
    )
)
register_card(
    DashboardCard(
        "referral:write",
        lazy_gettext("Referrals"),
        lazy_gettext("Referrals sent to your organisation, and the service directory."),
        "/protection/referrals",
        "⇄",
    )
)

STATE_LABELS = {
    "new": lazy_gettext("New"),
    "assessment": lazy_gettext("Assessment"),
    "case_plan": lazy_gettext("Case plan"),
    "services": lazy_gettext("Services"),
    "closure": lazy_gettext("Closure"),
    "closed": lazy_gettext("Closed"),
    "reopened": lazy_gettext("Reopened"),
}
APPROVAL_LABELS = {
    "assessment": lazy_gettext("Assessment"),
    "case_plan": lazy_gettext("Case plan"),
    "closure": lazy_gettext("Closure"),
}
TYPE_LABELS = {
    "general_protection": lazy_gettext("General protection"),
    "child_protection": lazy_gettext("Child protection"),
    "gbv": lazy_gettext("Gender-based violence"),
    "trafficking": lazy_gettext("Trafficking"),
    "statelessness": lazy_gettext("Statelessness"),
}
PRIORITY_LABELS = {
    "emergency": lazy_gettext("Emergency"),
    "urgent": lazy_gettext("Urgent"),
    "normal": lazy_gettext("Normal"),
}
FIELD_LABELS = {
    "identity": lazy_gettext("Name, sex and birth date"),
    "contact": lazy_gettext("Contact details"),
    "specific_needs": lazy_gettext("Specific needs"),
    "case_summary": lazy_gettext("Case summary"),
}
REFERRAL_STATUS = {
    "sent": lazy_gettext("Sent"),
    "accepted": lazy_gettext("Accepted"),
    "declined": lazy_gettext("Declined"),
    "completed": lazy_gettext("Completed"),
    "revoked": lazy_gettext("Consent withdrawn"),
    "withdrawn": lazy_gettext(WITHDRAWN_REASON),
}
SERVICE_LABELS = {
    "shelter": lazy_gettext("Shelter"),
    "health": lazy_gettext("Health care"),
    "mental_health": lazy_gettext("Mental health and psychosocial support"),
    "legal_aid": lazy_gettext("Legal aid"),
    "child_protection": lazy_gettext("Child protection"),
    "gbv_response": lazy_gettext("Gender-based violence response"),
    "anti_trafficking": lazy_gettext("Anti-trafficking assistance"),
    "asylum_information": lazy_gettext("Asylum information"),
    "family_tracing": lazy_gettext("Family tracing"),
    "cash_assistance": lazy_gettext("Cash assistance"),
    "education": lazy_gettext("Education"),
    "documentation": lazy_gettext("Documentation"),
}
WISH_LABELS = {
    "not_yet_asked": lazy_gettext("Not asked yet"),
    "requests": lazy_gettext("Wants the consulate to be informed"),
    "declines": lazy_gettext("Does not want the consulate to be informed"),
    "opposes": lazy_gettext("Opposes any consular contact"),
}
SECTION_LABELS = {
    "profile": lazy_gettext("Profile"),
    "specific_needs": lazy_gettext("Specific needs"),
    "vulnerability": lazy_gettext("Vulnerability factors"),
    "heightened_risk": lazy_gettext("Heightened risk"),
    "statelessness": lazy_gettext("Statelessness risk"),
    "sensitive_attributes": lazy_gettext("Identity (only with consent)"),
    "trafficking": lazy_gettext("Trafficking indicators"),
}


def _labels() -> dict[str, Any]:
    return {
        "state_labels": STATE_LABELS,
        "approval_labels": APPROVAL_LABELS,
        "type_labels": TYPE_LABELS,
        "priority_labels": PRIORITY_LABELS,
        "field_labels": FIELD_LABELS,
        "referral_status": REFERRAL_STATUS,
        "service_labels": SERVICE_LABELS,
        "wish_labels": WISH_LABELS,
        "withdrawn_reason": lazy_gettext(WITHDRAWN_REASON),
        "loc": get_locale(),
    }


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


# After an action: a confirmation on the page it leads to (`?done=<code>`); the
# page offers the natural next steps beside it.
DONE_MESSAGES = {
    "opened": lazy_gettext("Case opened."),
    "moved": lazy_gettext("Stage changed."),
    "closed": lazy_gettext("Case closed. The reason is on its timeline."),
    "submitted": lazy_gettext("Case plan submitted: it is in the supervisor's queue."),
    "approval_requested": lazy_gettext("Sent to the supervisor's queue for approval."),
    "referred": lazy_gettext("Referral sent. The service's answer will show here."),
    "decided": lazy_gettext("Decision saved."),
}
_MOVED = {"closed": "closed"}


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- case list ---------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def case_list(
    request: Request,
    session: DbSession,
    actor: CaseReader,
    state: str = "",
    case_type: str = "",
    priority: str = "",
    mine: str = "",
) -> Response:
    cases = service.list_cases(
        session,
        actor=actor,
        state=state or None,
        case_type=case_type or None,
        priority=priority or None,
        only_mine=mine == "1",
    )
    people = person_labels(session, actor, [c.person_id for c in cases])
    return render(
        request,
        "protection/list.html",
        {
            "cases": cases,
            "people": people,
            "filters": {
                "state": state,
                "case_type": case_type,
                "priority": priority,
                "mine": mine,
            },
            "states": list(STATE_LABELS),
            "case_types": CASE_TYPES,
            "priorities": PRIORITIES,
            "can_approve": can(actor, "case:approve"),
            "can_export": can(actor, "export:cases"),
            **_labels(),
        },
    )


# --- screening ---------------------------------------------------------------------


def _form_context(person_id: uuid.UUID, values: dict[str, Any]) -> dict[str, Any]:
    form = screening_rules.load_form()
    locale = get_locale()
    sections: dict[str, list[Any]] = {}
    for question in form.questions:
        sections.setdefault(question.section, []).append(question)
    return {
        "person_id": person_id,
        "sections": sections,
        "section_labels": SECTION_LABELS,
        "locale": locale,
        "values": values,
        "form_version": form.version,
    }


@router.get("/screen/{person_id}", response_class=HTMLResponse)
def screening_form(
    person_id: uuid.UUID, request: Request, session: DbSession, actor: CaseWriter
) -> Response:
    label = person_label(session, actor, person_id)
    return render(
        request,
        "protection/screening.html",
        {"person": label, "outcome": None, **_form_context(person_id, {}), **_labels()},
    )


@router.post("/screen/{person_id}", dependencies=[Csrf])
async def screen(
    person_id: uuid.UUID, request: Request, session: DbSession, actor: CaseWriter
) -> Response:
    form = await request.form()
    questions = screening_rules.load_form().questions
    answers: dict[str, Any] = {}
    consented = _text(form, "consents_sensitive_questions") == "yes"
    for question in questions:
        if question.type == "codes":
            codes = [c.strip().upper() for c in _text(form, question.id).split(",")]
            if any(codes):
                answers[question.id] = [c for c in codes if c]
        elif _text(form, question.id) == "yes":
            # Consent-gated questions are dropped unless consent was given.
            if question.needs_consent and not consented:
                continue
            answers[question.id] = True
    row, outcome = service.screen_person(
        session, actor=actor, person_id=person_id, answers=answers
    )
    label = person_label(session, actor, person_id)
    return render(
        request,
        "protection/screening_result.html",
        {"person": label, "screening": row, "outcome": outcome, **_labels()},
        status_code=201,
    )


# --- cases -------------------------------------------------------------------------


@router.post("/cases", dependencies=[Csrf])
async def open_case(
    request: Request, session: DbSession, actor: CaseWriter
) -> Response:
    form = await request.form()
    person_id = _uuid(_text(form, "person_id"))
    if person_id is None:
        raise InvalidInput()
    case = service.open_case(
        session,
        actor=actor,
        person_id=person_id,
        screening_id=_uuid(_text(form, "screening_id")),
        summary=_text(form, "summary"),
    )
    return _see(f"/protection/cases/{case.id}?done=opened")


def _case_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    case_id: uuid.UUID,
    *,
    edit: dict[str, str] | None = None,
    error: str | None = None,
    close_reason: str = "",
    status_code: int = 200,
) -> Response:
    case = service.get_case(session, actor=actor, case_id=case_id)
    done = request.query_params.get("done", "")
    granted = service.approvals_granted(session, case)
    approvals = service.case_approvals(session, actor=actor, case_id=case.id)
    pending = {
        a.kind for a in approvals if a.status == "requested" and a.cycle == case.cycle
    }
    moves = [
        (target, workflow.can_transition(case.state, target, granted))
        for target in sorted(workflow.next_states(case.state))
    ]
    approval_kind = {
        "assessment": "assessment",
        "case_plan": "case_plan",
        "closure": "closure",
    }.get(case.state)
    return render(
        request,
        "protection/case.html",
        {
            "case": case,
            "person": person_label(session, actor, case.person_id),
            "timeline": service.timeline(session, actor=actor, case_id=case.id),
            "plan": service.case_plan(session, actor=actor, case_id=case.id),
            "notes": service.list_notes(session, actor=actor, case_id=case.id),
            "referrals": service.list_referrals(session, actor=actor, case_id=case.id),
            "approvals": approvals,
            "moves": moves,
            "approval_kind": approval_kind
            if approval_kind
            and approval_kind not in pending
            and approval_kind not in {a.value for a in granted}
            else None,
            "pending": pending,
            "can_write": can(actor, "case:write"),
            "can_approve": can(actor, "case:approve"),
            "can_refer": can(actor, "referral:write"),
            "can_return": can(actor, "return:decide"),
            "edit": edit or {"summary": case.summary, "priority": case.priority},
            "error": error,
            "priorities": PRIORITIES,
            "done": DONE_MESSAGES.get(done),
            "done_code": done if done in DONE_MESSAGES else "",
            "close_reason": close_reason,
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_detail(
    case_id: uuid.UUID, request: Request, session: DbSession, actor: CaseReader
) -> Response:
    return _case_page(request, session, actor, case_id)


@router.post("/cases/{case_id}/edit", dependencies=[Csrf])
async def edit_case(
    case_id: uuid.UUID, request: Request, session: DbSession, actor: CaseWriter
) -> Response:
    form = await request.form()
    version = _text(form, "version")
    submitted = {"summary": _text(form, "summary"), "priority": _text(form, "priority")}
    try:
        service.update_case(
            session,
            actor=actor,
            case_id=case_id,
            expected_version=-1
            if (number := whole_number(version)) is None
            else number,
            summary=submitted["summary"],
            priority=submitted["priority"] or None,
        )
    except StaleCase as exc:
        # Show the page again with what the user typed: nothing is lost.
        return _case_page(
            request,
            session,
            actor,
            case_id,
            edit=submitted,
            error=exc.translated(),
            status_code=409,
        )
    return _see(f"/protection/cases/{case_id}")


@router.post("/cases/{case_id}/move", dependencies=[Csrf])
async def move_case(
    case_id: uuid.UUID, request: Request, session: DbSession, actor: CaseWriter
) -> Response:
    form = await request.form()
    version = _text(form, "version")
    target = _text(form, "target")
    reason = _text(form, "reason")
    try:
        service.move_case(
            session,
            actor=actor,
            case_id=case_id,
            target=target,
            expected_version=whole_number(version),
            reason=reason,
        )
    except (CloseReasonMissing, StaleCase) as exc:
        # The page again, the reason kept, the error next to the close form.
        return _case_page(
            request,
            session,
            actor,
            case_id,
            error=exc.translated(),
            close_reason=reason,
            status_code=422 if isinstance(exc, CloseReasonMissing) else 409,
        )
    return _see(f"/protection/cases/{case_id}?done={_MOVED.get(target, 'moved')}")


@router.post("/cases/{case_id}/approvals/{kind}", dependencies=[Csrf])
def request_approval(
    case_id: uuid.UUID, kind: str, session: DbSession, actor: CaseWriter
) -> Response:
    service.request_approval(session, actor=actor, case_id=case_id, kind=kind)
    done = "submitted" if kind == "case_plan" else "approval_requested"
    return _see(f"/protection/cases/{case_id}?done={done}")


@router.post("/cases/{case_id}/approvals/{kind}/decide", dependencies=[Csrf])
async def decide_approval(
    case_id: uuid.UUID, kind: str, request: Request, session: DbSession, actor: Approver
) -> Response:
    form = await request.form()
    service.decide_approval(
        session,
        actor=actor,
        case_id=case_id,
        kind=kind,
        approve=_text(form, "decision") == "approve",
        comment=_text(form, "comment"),
    )
    return _see("/protection/approvals?done=decided")


@router.post("/cases/{case_id}/goals", dependencies=[Csrf])
async def add_goal(
    case_id: uuid.UUID, request: Request, session: DbSession, actor: CaseWriter
) -> Response:
    form = await request.form()
    goal = service.add_goal(
        session,
        actor=actor,
        case_id=case_id,
        description=_text(form, "description"),
        need_code=_text(form, "need_code"),
    )
    task = _text(form, "task")
    if task:
        service.add_task(
            session,
            actor=actor,
            case_id=case_id,
            goal_id=goal.id,
            description=task,
            due_on=_date(_text(form, "due_on")),
        )
    return _see(f"/protection/cases/{case_id}#plan")


@router.post("/cases/{case_id}/tasks/{task_id}/done", dependencies=[Csrf])
def complete_task(
    case_id: uuid.UUID, task_id: uuid.UUID, session: DbSession, actor: CaseWriter
) -> Response:
    service.complete_task(session, actor=actor, case_id=case_id, task_id=task_id)
    return _see(f"/protection/cases/{case_id}#plan")


@router.post("/cases/{case_id}/notes", dependencies=[Csrf])
async def add_note(
    case_id: uuid.UUID, request: Request, session: DbSession, actor: CaseWriter
) -> Response:
    form = await request.form()
    service.add_note(session, actor=actor, case_id=case_id, body=_text(form, "body"))
    return _see(f"/protection/cases/{case_id}#notes")


# --- approvals ----------------------------------------------------------------------


@router.get("/approvals", response_class=HTMLResponse)
def approvals(request: Request, session: DbSession, actor: Approver) -> Response:
    queue = service.pending_approvals(session, actor=actor)
    cases = {
        a.case_id: service.get_case(session, actor=actor, case_id=a.case_id)
        for a in queue
    }
    people = person_labels(session, actor, [c.person_id for c in cases.values()])
    return render(
        request,
        "protection/approvals.html",
        {"queue": queue, "cases": cases, "people": people, **_labels()},
    )


# --- referrals and services --------------------------------------------------------


@router.get("/cases/{case_id}/refer", response_class=HTMLResponse)
def referral_form(
    case_id: uuid.UUID, request: Request, session: DbSession, actor: Referrer
) -> Response:
    case = service.get_case(session, actor=actor, case_id=case_id)
    return render(
        request,
        "protection/refer.html",
        {
            "case": case,
            "services": service.list_services(session, actor=actor),
            "shareable": SHAREABLE_FIELDS,
            "default_until": (
                dt.datetime.now(dt.UTC).date() + dt.timedelta(days=90)
            ).isoformat(),
            **_labels(),
        },
    )


@router.post("/cases/{case_id}/refer", dependencies=[Csrf])
async def refer(
    case_id: uuid.UUID, request: Request, session: DbSession, actor: Referrer
) -> Response:
    form = await request.form()
    service_id = _uuid(_text(form, "service_id"))
    until = _date(_text(form, "consent_until"))
    if service_id is None or until is None or _text(form, "consent") != "yes":
        from puente.protection.errors import ConsentMissing

        raise ConsentMissing()
    service.refer_case(
        session,
        actor=actor,
        case_id=case_id,
        service_id=service_id,
        purpose=_text(form, "purpose"),
        shared_fields=[str(v) for v in form.getlist("shared_fields")],
        consent_given_by=_text(form, "consent_given_by") or "person",
        consent_until=until,
    )
    return _see(f"/protection/cases/{case_id}?done=referred#referrals")


@router.get("/referrals", response_class=HTMLResponse)
def referral_inbox(request: Request, session: DbSession, actor: Referrer) -> Response:
    return render(
        request,
        "protection/inbox.html",
        {"referrals": service.referral_inbox(session, actor=actor), **_labels()},
    )


@router.get("/referrals/{referral_id}", response_class=HTMLResponse)
def referral_detail(
    referral_id: uuid.UUID, request: Request, session: DbSession, actor: Referrer
) -> Response:
    referral, is_recipient, is_sender = service.get_referral(
        session, actor=actor, referral_id=referral_id
    )
    view = None
    if is_recipient and referral.consent_revoked_at is None:
        view = service.read_referral(session, actor=actor, referral_id=referral_id)
    return render(
        request,
        "protection/referral.html",
        {
            "referral": referral,
            "view": view,
            "is_recipient": is_recipient,
            "is_sender": is_sender,
            **_labels(),
        },
    )


@router.post("/referrals/{referral_id}/{action}", dependencies=[Csrf])
async def referral_action(
    referral_id: uuid.UUID,
    action: str,
    request: Request,
    session: DbSession,
    actor: Referrer,
) -> Response:
    form = await request.form()
    if action == "revoke-consent":
        service.revoke_referral_consent(session, actor=actor, referral_id=referral_id)
    else:
        target = {"accept": "accepted", "decline": "declined", "complete": "completed"}
        if action not in target:
            raise InvalidInput()
        service.respond_to_referral(
            session,
            actor=actor,
            referral_id=referral_id,
            target=target[action],
            reason=_text(form, "reason"),
        )
    return _see(f"/protection/referrals/{referral_id}")


@router.get("/services", response_class=HTMLResponse)
def directory(
    request: Request,
    session: DbSession,
    actor: CaseReader,
    service_type: str = "",
    state: str = "",
    language: str = "",
) -> Response:
    entries = service.list_services(
        session,
        actor=actor,
        service_type=service_type or None,
        state=state or None,
        language=language or None,
    )
    return render(
        request,
        "protection/services.html",
        {
            "entries": entries,
            "service_types": SERVICE_TYPES,
            "filters": {
                "service_type": service_type,
                "state": state,
                "language": language,
            },
            **_labels(),
        },
    )


# --- tracing ----------------------------------------------------------------------


@router.get("/tracing", response_class=HTMLResponse)
def tracing(
    request: Request, session: DbSession, actor: CaseReader, person_id: str = ""
) -> Response:
    return render(
        request,
        "protection/tracing.html",
        {
            "requests": service.list_tracing_requests(session, actor=actor),
            "person_id": person_id,
            "relationships": RELATIONSHIPS,
            "search_states": [
                (code, country_name(code))
                for code in ENDORSING_STATES
                if code != actor.tenant_code
            ],
            "can_write": can(actor, "case:write"),
            **_labels(),
        },
    )


@router.post("/tracing", dependencies=[Csrf])
async def create_tracing(
    request: Request, session: DbSession, actor: CaseWriter
) -> Response:
    form = await request.form()
    requester = _uuid(_text(form, "requester_person_id"))
    if requester is None:
        raise InvalidInput()
    view = service.create_tracing_request(
        session,
        actor=actor,
        requester_person_id=requester,
        relationship=_text(form, "relationship"),
        sought_given_name=_text(form, "sought_given_name"),
        sought_family_name=_text(form, "sought_family_name"),
        sought_sex=_text(form, "sought_sex") or None,
        sought_birth_date=_text(form, "sought_birth_date") or None,
        last_seen_place=_text(form, "last_seen_place"),
        last_seen_on=_date(_text(form, "last_seen_on")),
        search_state=_text(form, "search_state")[:3] or None,
    )
    return _see(f"/protection/tracing/{view.request.id}")


@router.get("/tracing/{request_id}", response_class=HTMLResponse)
def tracing_detail(
    request_id: uuid.UUID, request: Request, session: DbSession, actor: CaseReader
) -> Response:
    import json

    view = service.get_tracing_request(session, actor=actor, request_id=request_id)
    people = person_labels(session, actor, [m.person_id for m in view.matches])
    return render(
        request,
        "protection/tracing_detail.html",
        {
            "view": view,
            "people": people,
            "comparisons": {m.id: json.loads(m.comparison) for m in view.matches},
            "remote": service.remote_matches(
                session, actor=actor, request_id=request_id
            ),
            "can_write": can(actor, "case:write"),
            **_labels(),
        },
    )


@router.post("/tracing/{request_id}/candidates/{match_id}", dependencies=[Csrf])
async def decide_remote_candidate(
    request_id: uuid.UUID,
    match_id: uuid.UUID,
    request: Request,
    session: DbSession,
    actor: CaseWriter,
) -> Response:
    form = await request.form()
    decision = _text(form, "decision")
    if decision not in ("confirm", "reject"):
        raise InvalidInput()
    service.decide_remote_match(
        session,
        actor=actor,
        request_id=request_id,
        match_id=match_id,
        confirm=decision == "confirm",
    )
    return _see(f"/protection/tracing/{request_id}")


# --- returns -----------------------------------------------------------------------

_RETURN_FACT_FIELDS = (
    "expressed_fear",
    "fear_claim_decided",
    "torture_risk_assessed",
    "torture_risk_found",
    "guardian_appointed",
    "child_heard",
    "caregiver_confirmed",
    "nationality_confirmed_by_destination",
    "consular_step_completed",
    "travel_document_available",
    "readmission_accepted",
    "fit_to_travel",
    "family_unity_respected",
)


def _returns_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    person_id: uuid.UUID | None,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    person = None
    if person_id is not None:
        try:
            person = person_label(session, actor, person_id)
        except DomainError:
            person = None
    return render(
        request,
        "protection/returns.html",
        {
            "decisions": service.list_returns(session, actor=actor),
            "person": person,
            "person_id": str(person_id) if person is not None else "",
            "fact_fields": _RETURN_FACT_FIELDS,
            "values": values or {},
            "errors": errors or {},
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/returns", response_class=HTMLResponse)
def returns(
    request: Request, session: DbSession, actor: ReturnDecider, person_id: str = ""
) -> Response:
    return _returns_page(request, session, actor, _uuid(person_id))


@router.post("/returns", dependencies=[Csrf])
async def request_return(
    request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    form = await request.form()
    person_id = _uuid(_text(form, "person_id"))
    destination = _text(form, "destination").upper()
    facts = {name: _text(form, name) == "yes" for name in _RETURN_FACT_FIELDS}
    values: dict[str, Any] = {"destination": destination, **facts}
    errors: dict[str, str] = {}
    if person_id is None:
        errors["person_id"] = _("Choose the person from their page or case.")
    if len(destination) != 3:
        errors["destination"] = _("Choose the country of destination.")
    if not errors and person_id is not None:
        try:
            view = service.request_return(
                session,
                actor=actor,
                person_id=person_id,
                destination=destination,
                facts=facts,
            )
        except DomainError as exc:
            errors["form"] = exc.translated()
        else:
            return _see(f"/protection/returns/{view.decision.id}")
    # Everything typed and ticked comes back, with the message beside its field.
    return _returns_page(
        request,
        session,
        actor,
        person_id,
        values=values,
        errors=errors,
        status_code=422,
    )


def _return_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    decision_id: uuid.UUID,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    view = service.get_return(session, actor=actor, decision_id=decision_id)
    return render(
        request,
        "protection/return.html",
        {"view": view, "error": error, **_labels()},
        status_code=status_code,
    )


@router.get("/returns/{decision_id}", response_class=HTMLResponse)
def return_detail(
    decision_id: uuid.UUID, request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    return _return_page(request, session, actor, decision_id)


@router.post("/returns/{decision_id}/approve", dependencies=[Csrf])
def approve_return(
    decision_id: uuid.UUID, request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    from puente.protection.errors import ReturnBlocked

    try:
        service.approve_return(session, actor=actor, decision_id=decision_id)
    except ReturnBlocked:
        return _return_page(
            request,
            session,
            actor,
            decision_id,
            error=_("This return cannot be approved: the checks marked as failed "
                    "block it."),
            status_code=409,
        )  # fmt: skip
    return _see(f"/protection/returns/{decision_id}")


@router.post("/returns/{decision_id}/override", dependencies=[Csrf])
async def sign_override(
    decision_id: uuid.UUID, request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    form = await request.form()
    service.sign_return_override(
        session,
        actor=actor,
        decision_id=decision_id,
        authority=_text(form, "authority"),
        legal_basis=_text(form, "legal_basis"),
    )
    return _see(f"/protection/returns/{decision_id}")


# --- consular ---------------------------------------------------------------------


@router.get("/consular", response_class=HTMLResponse)
def consular(
    request: Request, session: DbSession, actor: CaseReader, person_id: str = ""
) -> Response:
    return render(
        request,
        "protection/consular.html",
        {
            "rows": service.list_consular(session, actor=actor),
            "person_id": person_id,
            "wishes": list(WISH_LABELS),
            "can_write": can(actor, "case:write"),
            "now": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M"),
            **_labels(),
        },
    )


@router.post("/consular", dependencies=[Csrf])
async def record_consular(
    request: Request, session: DbSession, actor: CaseWriter
) -> Response:
    form = await request.form()
    person_id = _uuid(_text(form, "person_id"))
    detained = plausible_moment(_text(form, "detained_at"))
    if person_id is None or detained is None:
        raise InvalidInput()
    service.record_consular_wish(
        session,
        actor=actor,
        person_id=person_id,
        wish=_text(form, "wish"),
        detained_at=detained,
    )
    return _see("/protection/consular")


# --- exports -----------------------------------------------------------------------


@router.get(
    "/exports",
    response_class=HTMLResponse,
    dependencies=[Depends(Require("export:cases", web=True))],
)
def export_form(request: Request) -> Response:
    return render(request, "protection/export.html", {"error": None, **_labels()})


@router.post("/exports", dependencies=[Csrf])
async def export(request: Request, session: DbSession, actor: Exporter) -> Response:
    form = await request.form()
    file = service.export_cases(
        session,
        actor=actor,
        fmt=_text(form, "format") or "csv",
        password=_text(form, "password") or None,
        encrypt=True,
    )
    return Response(
        file.content,
        media_type=file.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )
