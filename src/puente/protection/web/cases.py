"""Protection screens for screening, cases with timeline and plan, and approvals."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from puente.core.errors import InvalidInput, PermissionDenied
from puente.core.i18n import get_locale, lazy_gettext
from puente.core.inputs import whole_number
from puente.identity import Actor, Scope, can, widest_scope
from puente.protection import service
from puente.protection.errors import CloseReasonMissing, StaleCase
from puente.protection.rules import screening as screening_rules
from puente.protection.rules import workflow
from puente.protection.schemas import CaseView
from puente.protection.service._people import person_label, person_labels
from puente.protection.service.cases import CASE_TYPES, PRIORITIES
from puente.protection.web._shared import (
    _MOVED,
    DONE_MESSAGES,
    PRIORITY_LABELS,
    SECTION_LABELS,
    STATE_LABELS,
    TYPE_LABELS,
    Approver,
    CaseReader,
    CaseWriter,
    Csrf,
    _date,
    _labels,
    _see,
    _text,
    _uuid,
    rerender_on_refusal,
)
from puente.web import lists
from puente.web.deps import DbSession
from puente.web.templating import render

router = APIRouter(prefix="/protection", include_in_schema=False)


# --- case list ---------------------------------------------------------------------


def _word(labels: dict[str, Any], code: str) -> str:
    return str(labels.get(code, code))


def _case_columns(people: dict[Any, Any]) -> tuple[lists.Column[CaseView], ...]:
    def name(case: CaseView) -> str:
        found = people.get(case.person_id)
        return found.name if found else ""

    return (
        lists.Column("number", lazy_gettext("Case"), lambda c: c.number),
        lists.Column("person", lazy_gettext("Person"), name),
        lists.Column(
            "type", lazy_gettext("Type"), lambda c: _word(TYPE_LABELS, c.case_type)
        ),
        lists.Column(
            "stage", lazy_gettext("Stage"), lambda c: _word(STATE_LABELS, c.state)
        ),
        lists.Column(
            "priority",
            lazy_gettext("Priority"),
            lambda c: _word(PRIORITY_LABELS, c.priority),
            sort_value=lambda c: RANKS.get(c.priority, len(RANKS)),
        ),
        lists.Column("opened", lazy_gettext("Opened"), lambda c: c.opened_at),
    )


RANKS = {"emergency": 0, "urgent": 1, "normal": 2}


@router.get("", response_class=HTMLResponse)
def case_list(
    request: Request,
    session: DbSession,
    actor: CaseReader,
    state: Annotated[str, Query(max_length=20)] = "",
    case_type: Annotated[str, Query(max_length=40)] = "",
    priority: Annotated[str, Query(max_length=20)] = "",
    mine: Annotated[str, Query(max_length=1)] = "",
    overdue: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    state = state if state in STATE_LABELS else ""
    case_type = case_type if case_type in CASE_TYPES else ""
    priority = priority if priority in PRIORITIES else ""
    query = lists.read_query(request, default_sort="opened", default_dir="desc")
    cases = service.list_cases(
        session,
        actor=actor,
        state=state or None,
        case_type=case_type or None,
        priority=priority or None,
        only_mine=mine == "1",
        limit=5000,
    )
    if overdue == "1":
        late = service.overdue_case_ids(session, actor=actor)
        cases = [c for c in cases if c.id in late]
    can_export = can(actor, "export:cases")
    if query.export:
        if not can_export:
            raise PermissionDenied()
        if widest_scope(actor, "export:cases") == Scope.OWN:
            cases = [c for c in cases if c.owner_id == actor.user_id]
    people = person_labels(session, actor, [c.person_id for c in cases])
    filters = {
        "state": state,
        "case_type": case_type,
        "priority": priority,
        "mine": "1" if mine == "1" else "",
        "overdue": "1" if overdue == "1" else "",
    }
    listing = lists.build(
        cases,
        _case_columns(people),
        query,
        base_url="/protection",
        params=filters,
    )
    if query.export:
        return lists.export_response(
            listing,
            "cases",
            session=session,
            actor=actor,
            action="protection:case:export",
            object_type="case",
        )
    return render(
        request,
        "protection/list.html",
        {
            "listing": listing,
            "people": people,
            "filters": filters,
            "states": list(STATE_LABELS),
            "case_types": CASE_TYPES,
            "priorities": PRIORITIES,
            "can_approve": can(actor, "case:approve"),
            "can_export": can_export,
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
    values: dict[str, Any] = {}
    consented = _text(form, "consents_sensitive_questions") == "yes"
    for question in questions:
        if question.type == "codes":
            # Ticked boxes send one code each; the API's comma form still reads.
            sent = [v for v in form.getlist(question.id) if isinstance(v, str)]
            codes = [c.strip().upper() for v in sent for c in v.split(",")][:200]
            if any(codes):
                answers[question.id] = [c for c in codes if c]
                values[question.id] = answers[question.id]
        elif _text(form, question.id) == "yes":
            values[question.id] = True
            # Consent-gated questions are dropped unless consent was given.
            if question.needs_consent and not consented:
                continue
            answers[question.id] = True
    label = person_label(session, actor, person_id)
    try:
        row, outcome = service.screen_person(
            session, actor=actor, person_id=person_id, answers=answers
        )
    except InvalidInput as exc:
        # Every answer comes back ticked, with the message above the form.
        return render(
            request,
            "protection/screening.html",
            {
                "person": label,
                "outcome": None,
                "error": exc.translated(),
                **_form_context(person_id, values),
                **_labels(),
            },
            status_code=422,
        )
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
    refused = rerender_on_refusal(
        lambda: service.update_case(
            session,
            actor=actor,
            case_id=case_id,
            expected_version=-1
            if (number := whole_number(version)) is None
            else number,
            summary=submitted["summary"],
            priority=submitted["priority"] or None,
        ),
        # Show the page again with what the user typed: nothing is lost.
        lambda exc, status: _case_page(
            request,
            session,
            actor,
            case_id,
            edit=submitted,
            error=exc.translated(),
            status_code=status,
        ),
        catch=(StaleCase,),
    )
    if refused is not None:
        return refused
    return _see(f"/protection/cases/{case_id}")


@router.post("/cases/{case_id}/move", dependencies=[Csrf])
async def move_case(
    case_id: uuid.UUID, request: Request, session: DbSession, actor: CaseWriter
) -> Response:
    form = await request.form()
    version = _text(form, "version")
    target = _text(form, "target")
    reason = _text(form, "reason")
    refused = rerender_on_refusal(
        lambda: service.move_case(
            session,
            actor=actor,
            case_id=case_id,
            target=target,
            expected_version=whole_number(version),
            reason=reason,
        ),
        # The page again, the reason kept, the error next to the close form.
        lambda exc, status: _case_page(
            request,
            session,
            actor,
            case_id,
            error=exc.translated(),
            close_reason=reason,
            status_code=status,
        ),
        catch=(CloseReasonMissing, StaleCase),
    )
    if refused is not None:
        return refused
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
