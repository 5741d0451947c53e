"""Funding flows: the list with filters and downloads (CSV, XLSX, HXL), one flow
with its status moves, the form to record a flow and the import of a file."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Final

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from puente.core import i18n
from puente.core.errors import DomainError
from puente.core.i18n import N_
from puente.core.tabular import DEFAULT_LIMITS, TableRejected
from puente.financing import service
from puente.financing.rules import codes
from puente.financing.schemas import FlowCreate
from puente.financing.service import FlowFilter
from puente.financing.web._common import (
    DOWNLOADS,
    Csrf,
    Importer,
    Reader,
    Writer,
    download,
    money_float,
    page,
    router,
)
from puente.identity import Actor, can
from puente.reference.countries import ENDORSING_STATES, country_choices
from puente.web.deps import DbSession
from puente.web.downloads import hxl_download

CURRENCIES: Final = (
    "USD",
    "CAD",
    "EUR",
    "GBP",
    "JPY",
    "CHF",
    "NOK",
    "SEK",
    "DKK",
    "AUD",
    "KRW",
)
DONE: Final = {
    "recorded": N_("The flow is recorded."),
    "moved": N_("The flow's status is changed."),
}


def _choices(session: Any, actor: Actor) -> dict[str, Any]:
    return {
        "organisations": service.list_organisations(session, actor=actor),
        "plans": service.list_plans(session, actor=actor),
        "countries": country_choices(
            tuple(
                sorted(
                    set(ENDORSING_STATES)
                    | {"VEN", "DOM", "GUY", "TTO", "BOL", "CUB", "NIC"}
                )
            )
        ),
        "sectors": [
            (code, i18n.gettext(label)) for code, label in codes.SECTOR_LABELS.items()
        ],
        "statuses": [
            (s.value, i18n.gettext(codes.STATUS_LABELS[s]))
            for s in codes.FlowStatus
            if s is not codes.FlowStatus.CANCELLED
        ],
        "currencies": CURRENCIES,
    }


@router.get("/flows")
def flows_page(
    request: Request,
    session: DbSession,
    actor: Reader,
    plan: str | None = None,
    status: Annotated[str | None, Query(max_length=12)] = None,
    country: Annotated[str | None, Query(max_length=3)] = None,
    sector: Annotated[str | None, Query(max_length=30)] = None,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    download_as: Annotated[str | None, Query(alias="download")] = None,
) -> Response:
    plans = service.list_plans(session, actor=actor)
    plan_id = next((p.id for p in plans if p.code == plan), None) if plan else None
    flows = service.list_flows(
        session,
        actor=actor,
        where=FlowFilter(
            plan_id=plan_id,
            status=status or None,
            country=country or None,
            sector=sector or None,
            year=year,
        ),
    )
    if download_as == "hxl":
        text = service.flows_hxl(session, actor=actor, plan_id=plan_id)
        return hxl_download(text, "flows-hxl")
    if download_as in DOWNLOADS:
        headers = [
            i18n.gettext(h)
            for h in (
                N_("Reference"),
                N_("Date"),
                N_("Status"),
                N_("From"),
                N_("To"),
                N_("Plan"),
                N_("Country"),
                N_("Sector"),
                N_("Amount"),
                N_("Currency"),
                N_("US dollars"),
                N_("Counted in its plan"),
                N_("Sample"),
            )
        ]
        rows = [
            [
                f.reference,
                f.flow_date.isoformat(),
                f.status_label,
                f.source_organisation,
                f.destination_organisation or "",
                f.plan_title or "",
                f.country_name or "",
                f.sector_label or "",
                money_float(f.amount),
                f.currency,
                money_float(f.amount_usd),
                f.boundary_label,
                i18n.gettext("yes") if f.is_sample else i18n.gettext("no"),
            ]
            for f in flows
        ]
        return download(download_as, "flows", headers, rows)
    query = request.url.query
    return page(
        request,
        actor,
        "financing/flows.html",
        {
            "flows": flows,
            "filters": {
                "plan": plan or "",
                "status": status or "",
                "country": country or "",
                "sector": sector or "",
                "year": year,
            },
            "query": "&".join(
                p for p in query.split("&") if p and not p.startswith("download=")
            ),
            "can_record": can(actor, "financing:write"),
            "can_import": can(actor, "financing:import"),
            "done": i18n.gettext(DONE[request.query_params["done"]])
            if request.query_params.get("done") in DONE
            else None,
            **_choices(session, actor),
        },
    )


def _form_page(
    request: Request,
    session: Any,
    actor: Actor,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    response = page(
        request,
        actor,
        "financing/flow_form.html",
        {"values": values, "errors": errors, **_choices(session, actor)},
    )
    response.status_code = status_code
    return response


@router.get("/flows/new")
def new_flow_page(
    request: Request, session: DbSession, actor: Writer, plan: str | None = None
) -> Response:
    return _form_page(
        request,
        session,
        actor,
        {"plan": plan or "", "currency": "USD", "status": "pledge"},
        {},
    )


FIELD_ERRORS: Final = {
    "source_organisation_id": N_("Choose who gives the money."),
    "amount": N_("Write an amount greater than zero, for example 250000 or 250000.50."),
    "flow_date": N_("Choose the date."),
    "amount_usd": N_(
        "Write the value in US dollars greater than zero, or leave it empty."
    ),
    "usage_year": N_("Write a year between 1990 and 2100, or leave it empty."),
    "country": N_("Choose a country from the list."),
    "currency": N_("Choose a currency from the list."),
    "status": N_("Choose pledge, commitment or paid."),
}


@router.post("/flows/new", dependencies=[Csrf])
def record_flow_form(
    request: Request,
    session: DbSession,
    actor: Writer,
    source_organisation_id: Annotated[str, Form()] = "",
    destination_organisation_id: Annotated[str, Form()] = "",
    plan: Annotated[str, Form()] = "",
    source_plan: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "",
    sector: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "pledge",
    amount: Annotated[str, Form()] = "",
    currency: Annotated[str, Form()] = "USD",
    amount_usd: Annotated[str, Form()] = "",
    flow_date: Annotated[str, Form()] = "",
    usage_year: Annotated[str, Form()] = "",
    description: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {
        "source_organisation_id": source_organisation_id,
        "destination_organisation_id": destination_organisation_id,
        "plan": plan,
        "source_plan": source_plan,
        "country": country,
        "sector": sector,
        "status": status,
        "amount": amount,
        "currency": currency,
        "amount_usd": amount_usd,
        "flow_date": flow_date,
        "usage_year": usage_year,
        "description": description,
    }
    plans = {p.code: p.id for p in service.list_plans(session, actor=actor)}
    errors: dict[str, str] = {}
    raw = {
        "source_organisation_id": source_organisation_id or None,
        "destination_organisation_id": destination_organisation_id or None,
        "plan_id": plans.get(plan),
        "source_plan_id": plans.get(source_plan),
        "country": country or None,
        "sector": sector or None,
        "status": status,
        "amount": amount.replace(",", "").strip() or None,
        "currency": currency,
        "amount_usd": amount_usd.replace(",", "").strip() or None,
        "flow_date": flow_date or None,
        "usage_year": usage_year.strip() or None,
        "description": description,
    }
    try:
        data = FlowCreate.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            errors[field] = i18n.gettext(
                FIELD_ERRORS.get(field, N_("Check this field."))
            )
        return _form_page(request, session, actor, values, errors, 422)
    try:
        flow = service.record_flow(session, actor=actor, data=data)
    except DomainError as exc:
        errors["form"] = exc.translated()
        return _form_page(request, session, actor, values, errors, 422)
    return RedirectResponse(
        f"/financing/flows/{flow.id}?done=recorded", status_code=303
    )


@router.get("/flows/{flow_id}")
def flow_page(
    request: Request, session: DbSession, actor: Reader, flow_id: uuid.UUID
) -> Response:
    flow = service.get_flow(session, actor=actor, flow_id=flow_id)
    done = request.query_params.get("done")
    return page(
        request,
        actor,
        "financing/flow.html",
        {
            "flow": flow,
            "can_change": service.can_change_flow(session, actor, flow_id),
            "next_statuses": [
                (s, i18n.gettext(codes.STATUS_LABELS[s])) for s in flow.next_statuses
            ],
            "done": i18n.gettext(DONE[done]) if done in DONE else None,
        },
    )


@router.post("/flows/{flow_id}/status", dependencies=[Csrf])
def move_flow(
    request: Request,
    session: DbSession,
    actor: Reader,
    flow_id: uuid.UUID,
    status: Annotated[str, Form(max_length=12)],
    confirm: Annotated[str, Form()] = "",
) -> Response:
    flow = service.get_flow(session, actor=actor, flow_id=flow_id)
    if status == codes.FlowStatus.CANCELLED and confirm != "yes":
        response = page(
            request,
            actor,
            "financing/flow.html",
            {
                "flow": flow,
                "can_change": service.can_change_flow(session, actor, flow_id),
                "next_statuses": [
                    (s, i18n.gettext(codes.STATUS_LABELS[s]))
                    for s in flow.next_statuses
                ],
                "error": i18n.gettext(
                    "Tick the box to confirm that this flow will not be paid."
                ),
            },
        )
        response.status_code = 422
        return response
    service.change_flow_status(session, actor=actor, flow_id=flow_id, status=status)
    return RedirectResponse(f"/financing/flows/{flow_id}?done=moved", status_code=303)


@router.get("/import")
def import_page(request: Request, actor: Importer) -> Response:
    return page(
        request,
        actor,
        "financing/import.html",
        {"limits": DEFAULT_LIMITS, "summary": None, "problems": []},
    )


@router.post("/import", dependencies=[Csrf])
async def import_form(
    request: Request,
    session: DbSession,
    actor: Importer,
    file: Annotated[UploadFile, File()],
    add_organisations: Annotated[str, Form()] = "",
    dry_run: Annotated[str, Form()] = "",
) -> Response:
    data = await file.read(DEFAULT_LIMITS.max_bytes + 1)
    context: dict[str, Any] = {
        "limits": DEFAULT_LIMITS,
        "summary": None,
        "problems": [],
        "dry_run": dry_run == "yes",
        "add_organisations": add_organisations == "yes",
    }
    try:
        context["summary"] = service.import_flows(
            session,
            actor=actor,
            data=data,
            file_name=file.filename or "upload",
            add_organisations=add_organisations == "yes",
            dry_run=dry_run == "yes",
        )
    except TableRejected as exc:
        context["problems"] = exc.detail
    response = page(request, actor, "financing/import.html", context)
    if context["problems"]:
        response.status_code = 422
    return response
