"""Return case screens: an approved return followed to a good end. Reception (a
child only into the hands of a named caregiver or child-protection authority),
the reintegration plan with referrals in the state of return, and follow-ups at
3, 6 and 12 months. Forms keep what was typed and name the field at fault."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from puente.core import i18n
from puente.core.i18n import _
from puente.identity import Actor
from puente.protection import service
from puente.protection.rules import reintegration
from puente.protection.service._people import person_label
from puente.protection.web._shared import (
    Csrf,
    ReturnDecider,
    _see,
    _text,
    rerender_on_refusal,
)
from puente.web.deps import DbSession
from puente.web.templating import (
    HomePanelView,
    PageSection,
    register_section,
    render,
)

router = APIRouter(prefix="/protection", include_in_schema=False)
REFERRAL_ROWS = 3
SCORES = ("0", "0.25", "0.5", "0.75", "1")


def _date(form: FormData, name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(_text(form, name))
    except ValueError:
        return None


def _case_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    case_id: uuid.UUID,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view = service.get_return_case(session, actor=actor, case_id=case_id)
    person = person_label(session, actor, view.case.person_id)
    plan = view.plan
    referrals = list(plan.get("referrals", []))
    referrals += [{}] * (REFERRAL_ROWS - len(referrals))
    return render(
        request,
        "protection/return_case.html",
        {
            "view": view,
            "person": person,
            "values": values or {},
            "errors": errors or {},
            "referrals": referrals[: max(REFERRAL_ROWS, len(referrals))],
            "dimensions": reintegration.DIMENSION_LABELS,
            "months": reintegration.FOLLOW_UP_MONTHS,
            "scores": SCORES,
            "received": view.case.status != "opened",
            "shared_reference": reintegration.shared_reference(
                view.case.tenant_code, str(view.case.id)
            ),
        },
        status_code=status_code,
    )


def _incoming_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    incoming_id: uuid.UUID,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view = service.get_incoming_return(session, actor=actor, incoming_id=incoming_id)
    return render(
        request,
        "protection/incoming_return.html",
        {
            "view": view,
            "values": values or {},
            "errors": errors or {},
            "dimensions": [
                _(reintegration.DIMENSION_LABELS[d])
                for d in view.record.dimensions.split(",")
                if d in reintegration.DIMENSION_LABELS
            ],
            "received": view.record.status == "received",
        },
        status_code=status_code,
    )


async def _save_reception(
    request: Request,
    save: Callable[..., object],
    page: Callable[[dict[str, Any], dict[str, str], int], Response],
    done: str,
) -> Response:
    """A reception form, on either side of a return: checked here (each missing
    field named), then saved by `save`; a refusal shows the page again with
    what was typed (`page(values, errors, status)`), success goes to `done`."""
    form = await request.form()
    values: dict[str, Any] = {
        name: _text(form, name)
        for name in (
            "arrival_date",
            "place",
            "receiving_party",
            "caregiver",
            "child_protection_authority",
        )
    }
    values["mark_received"] = bool(form.get("mark_received"))
    errors: dict[str, str] = {}
    arrival = _date(form, "arrival_date")
    if arrival is None:
        errors["arrival_date"] = _("Give the arrival date.")
    if not values["place"]:
        errors["place"] = _("Give the place of arrival.")
    if not values["receiving_party"]:
        errors["receiving_party"] = _("Say who received the person.")
    if errors or arrival is None:
        return page(values, errors, 422)
    refused = rerender_on_refusal(
        lambda: save(
            arrival_date=arrival,
            place=values["place"],
            receiving_party=values["receiving_party"],
            caregiver=values["caregiver"],
            child_protection_authority=values["child_protection_authority"],
            received=values["mark_received"],
        ),
        lambda exc, status: page(values, {"caregiver": exc.translated()}, status),
    )
    return refused or _see(done)


@router.get("/return-cases", response_class=HTMLResponse)
def return_cases(
    request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    rows = service.list_return_cases(session, actor=actor)
    return render(
        request,
        "protection/return_cases.html",
        {
            "cases": rows,
            "people": {r.id: person_label(session, actor, r.person_id) for r in rows},
            "counts": service.monthly_return_counts(session, actor=actor),
            "incoming": service.list_incoming_returns(session, actor=actor),
        },
    )


@router.post("/returns/{decision_id}/case", dependencies=[Csrf])
def open_case(
    decision_id: uuid.UUID, session: DbSession, actor: ReturnDecider
) -> Response:
    view = service.open_return_case(session, actor=actor, decision_id=decision_id)
    return _see(f"/protection/return-cases/{view.case.id}")


@router.get("/return-cases/{case_id}", response_class=HTMLResponse)
def return_case(
    case_id: uuid.UUID, request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    return _case_page(request, session, actor, case_id)


@router.get("/return-cases/{case_id}/table.{fmt}")
def return_case_table(
    case_id: uuid.UUID, fmt: str, session: DbSession, actor: ReturnDecider
) -> Response:
    """The return case as CSV or XLSX, for a state no returns agreement
    connects to (no name; the feared-state bar is checked again)."""
    file = service.export_return_case_table(
        session, actor=actor, case_id=case_id, fmt=fmt[:4]
    )
    return Response(
        file.body,
        media_type=file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/return-cases/{case_id}/reception", dependencies=[Csrf])
async def reception(
    case_id: uuid.UUID, request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    return await _save_reception(
        request,
        partial(service.record_reception, session, actor=actor, case_id=case_id),
        lambda values, errors, status: _case_page(
            request,
            session,
            actor,
            case_id,
            values=values,
            errors=errors,
            status_code=status,
        ),
        f"/protection/return-cases/{case_id}?saved=reception",
    )


@router.post("/return-cases/{case_id}/plan", dependencies=[Csrf])
async def plan(
    case_id: uuid.UUID, request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    form = await request.form()
    values: dict[str, Any] = {
        name: _text(form, name)[:2000] for name in reintegration.DIMENSIONS
    }
    referrals = []
    errors: dict[str, str] = {}
    for index in range(REFERRAL_ROWS):
        name = _text(form, f"referral-{index}-service")[:200]
        dimension = _text(form, f"referral-{index}-dimension")
        values[f"referral-{index}-service"] = name
        values[f"referral-{index}-dimension"] = dimension
        if not name:
            continue
        if dimension not in reintegration.DIMENSIONS:
            errors[f"referral-{index}-dimension"] = _(
                "Choose the dimension this service supports."
            )
        referrals.append({"service": name, "dimension": dimension})
    if not any(values[d] for d in reintegration.DIMENSIONS):
        errors["economic"] = _("Write the support for at least one dimension.")
    if not errors:
        service.record_plan(
            session,
            actor=actor,
            case_id=case_id,
            economic=values["economic"],
            social=values["social"],
            psychosocial=values["psychosocial"],
            referrals=referrals,
        )
        return _see(f"/protection/return-cases/{case_id}?saved=plan")
    return _case_page(
        request,
        session,
        actor,
        case_id,
        values={"plan": values},
        errors=errors,
        status_code=422,
    )


@router.post("/return-cases/{case_id}/follow-ups", dependencies=[Csrf])
async def follow_up(
    case_id: uuid.UUID, request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    form = await request.form()
    names = ("month", "done_on", *reintegration.DIMENSIONS)
    values = {f"fu_{name}": _text(form, name) for name in names}
    errors: dict[str, str] = {}
    done_on = _date(form, "done_on")
    month = values["fu_month"]
    if month not in {str(m) for m in reintegration.FOLLOW_UP_MONTHS}:
        errors["month"] = _("Choose 3, 6 or 12 months.")
    if done_on is None:
        errors["done_on"] = _("Give the date of the follow-up.")
    for dimension in reintegration.DIMENSIONS:
        if values[f"fu_{dimension}"] not in SCORES:
            errors[f"fu_{dimension}"] = _("Choose a score.")
    if not errors and done_on is not None:
        refused = rerender_on_refusal(
            lambda: service.record_follow_up(
                session,
                actor=actor,
                case_id=case_id,
                month=int(month),
                done_on=done_on,
                economic=values["fu_economic"],
                social=values["fu_social"],
                psychosocial=values["fu_psychosocial"],
            ),
            lambda exc, status: _case_page(
                request,
                session,
                actor,
                case_id,
                values=values,
                errors={"done_on": exc.translated()},
                status_code=status,
            ),
        )
        return refused or _see(f"/protection/return-cases/{case_id}?saved=follow_up")
    return _case_page(
        request, session, actor, case_id, values=values, errors=errors, status_code=422
    )


# --- returns and outcomes on other modules' pages (commitments, early warning) ----


def _outcomes_chart(rows: list[service.ReturnOutcome]) -> dict[str, Any] | None:
    """Returns per month by state of return; withheld cells are left out."""
    values = [
        {
            "month": r.month.isoformat(),
            "state": r.state,
            "returns": r.returns,
        }
        for r in rows
        if r.returns
    ]
    if not values:
        return None
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": "container",
        "height": 180,
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "month",
                "type": "temporal",
                "timeUnit": "yearmonth",
                "title": i18n.gettext("Month"),
            },
            "y": {
                "field": "returns",
                "type": "quantitative",
                "stack": "zero",
                "title": i18n.gettext("Returns"),
            },
            "color": {
                "field": "state",
                "type": "nominal",
                "legend": {"title": i18n.gettext("State of return"), "orient": "top"},
            },
            "tooltip": [
                {"field": "state", "title": i18n.gettext("State of return")},
                {"field": "month", "type": "temporal", "timeUnit": "yearmonth"},
                {"field": "returns", "type": "quantitative"},
            ],
        },
    }


def return_outcomes_section(
    session: DbSession, actor: Actor, state: str | None
) -> HomePanelView | None:
    """Returns and reintegration outcomes by state and month (small cells
    withheld): region-wide, or for the state a page is about."""
    rows = service.return_outcomes(session, actor=actor, state=state)
    if not rows:
        return None
    return HomePanelView(
        "protection/_return_outcomes.html",
        {
            "rows": rows,
            "state": state,
            "chart": _outcomes_chart(rows),
            "chart_label": i18n.gettext("Returns per month by state of return"),
        },
    )


for _page_name in ("commitments:board", "commitments:state", "early_warning:dashboard"):
    register_section(
        _page_name,
        PageSection(
            "protection:return_outcomes", "return:statistics", return_outcomes_section
        ),
    )


@router.get("/incoming-returns/{incoming_id}", response_class=HTMLResponse)
def incoming_return(
    incoming_id: uuid.UUID, request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    """A return another state shared: what it sent (no name) and this state's
    reception of the person."""
    return _incoming_page(request, session, actor, incoming_id)


@router.post("/incoming-returns/{incoming_id}/reception", dependencies=[Csrf])
async def incoming_reception(
    incoming_id: uuid.UUID, request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    return await _save_reception(
        request,
        partial(
            service.record_incoming_reception,
            session,
            actor=actor,
            incoming_id=incoming_id,
        ),
        lambda values, errors, status: _incoming_page(
            request,
            session,
            actor,
            incoming_id,
            values=values,
            errors=errors,
            status_code=status,
        ),
        f"/protection/incoming-returns/{incoming_id}?saved=1",
    )
