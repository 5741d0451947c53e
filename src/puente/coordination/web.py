"""5W screens under /coordination: the map and table of who does what where,
with totals that count people in transit as assistance events; one row; the
form to record a row and the import of a file. Tables download as CSV, XLSX
and HXL."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from puente import financing
from puente.coordination import service
from puente.coordination.rules import codes
from puente.coordination.schemas import ReportCreate, ReportRead, TotalsRead
from puente.core import i18n
from puente.core.errors import DomainError
from puente.core.i18n import N_, lazy_gettext
from puente.core.tabular import DEFAULT_LIMITS, TableRejected
from puente.identity import Actor, can
from puente.reference.countries import ENDORSING_STATES, country_choices
from puente.web import lists
from puente.web.deps import DbSession, Require
from puente.web.downloads import hxl_download
from puente.web.maps import MAP_HEIGHT, MAP_WIDTH, shade
from puente.web.templating import DashboardCard, check_csrf, register_card, render

router = APIRouter(prefix="/coordination", include_in_schema=False)
Csrf = Depends(check_csrf)
Reader = Annotated[Actor, Depends(Require("coordination:read", web=True))]
Writer = Annotated[Actor, Depends(Require("coordination:write", web=True))]
Names = Annotated[Actor, Depends(Require("financing:read", web=True))]
BREAKS: Final = (1000.0, 5000.0, 10000.0, 25000.0)
LEVELS: Final = {
    0: N_("No activity reported"),
    1: N_("Under 1,000 people"),
    2: N_("1,000 to 5,000 people"),
    3: N_("5,000 to 10,000 people"),
    4: N_("10,000 to 25,000 people"),
    5: N_("25,000 people or more"),
}
FIELD_ERRORS: Final = {
    "organisation_id": N_("Choose the organisation that reports."),
    "indicator": N_("Choose an indicator from the list."),
    "country": N_("Choose a country from the list."),
    "month": N_("Choose the month."),
    "population_type": N_("Choose a population group from the list."),
    "new_people": N_("Write a whole number of zero or more, or leave it empty."),
}

register_card(
    DashboardCard(
        "coordination:read",
        lazy_gettext("Who does what where (5W)"),
        lazy_gettext(
            "Activities by organisation, sector, place and month, with the people "
            "reached, on a map."
        ),
        "/coordination",
        "📍",
    )
)

COUNTRIES: Final = tuple(
    sorted(set(ENDORSING_STATES) | {"VEN", "DOM", "GUY", "TTO", "BOL"})
)


def _page(
    request: Request, actor: Actor, name: str, context: dict[str, Any]
) -> HTMLResponse:
    context.setdefault("has_charts", bool(context.get("charts")))
    context["section_nav"] = [
        {
            "url": "/coordination",
            "label": i18n.gettext("Who does what where"),
            "current": request.url.path == "/coordination",
        },
    ]
    if can(actor, "coordination:write"):
        context["section_nav"] += [
            {
                "url": "/coordination/new",
                "label": i18n.gettext("Report an activity"),
                "current": request.url.path == "/coordination/new",
            },
            {
                "url": "/coordination/import",
                "label": i18n.gettext("Import a 5W file"),
                "current": request.url.path == "/coordination/import",
            },
        ]
    return render(request, name, context)


def _choices(session: Any, actor: Actor) -> dict[str, Any]:
    return {
        "organisations": financing.list_organisations(session, actor=actor),
        "indicators": [
            (code, i18n.gettext(item.label), service.sector_label(item.sector))
            for code, item in codes.INDICATORS.items()
        ],
        "sectors": [(code, service.sector_label(code)) for code in financing.SECTORS],
        "populations": [
            (code, i18n.gettext(label))
            for code, label in codes.POPULATION_LABELS.items()
        ],
        "countries": country_choices(COUNTRIES),
    }


def _month(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:7] + "-01")
    except ValueError:
        return None


def _sector_chart(found: TotalsRead) -> dict[str, Any]:
    individuals, events = (
        i18n.gettext("Individuals reached"),
        i18n.gettext("Assistance events in transit"),
    )
    values = []
    for row in found.by_sector:
        values.append(
            {"label": row.label, "kind": individuals, "people": row.individuals}
        )
        values.append(
            {"label": row.label, "kind": events, "people": row.transit_events}
        )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": i18n.gettext("People reached by sector"),
        "width": "container",
        "height": {"step": 22},
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": None, "title": None},
            "x": {
                "field": "people",
                "type": "quantitative",
                "stack": "zero",
                "title": i18n.gettext("People"),
            },
            "color": {
                "field": "kind",
                "type": "nominal",
                "scale": {
                    "domain": [individuals, events],
                    "range": ["#0b4f8a", "#8a5300"],
                },
                "legend": {"title": None, "orient": "top"},
            },
            "tooltip": [
                {"field": "label", "title": " "},
                {"field": "kind", "title": " "},
                {"field": "people", "type": "quantitative", "format": ","},
            ],
        },
    }


def _blank(value: int | None) -> int | str:
    return "" if value is None else value


_COLUMNS: Final[list[lists.Column[ReportRead]]] = [
    lists.Column("reference", lazy_gettext("Reference"), lambda r: r.reference),
    lists.Column(
        "organisation", lazy_gettext("Organisation"), lambda r: r.organisation
    ),
    lists.Column(
        "partner",
        lazy_gettext("Implementing partner"),
        lambda r: r.implementing_partner or "",
    ),
    lists.Column("sector", lazy_gettext("Sector"), lambda r: r.sector_label),
    lists.Column("indicator", lazy_gettext("Indicator"), lambda r: r.indicator_label),
    lists.Column("country", lazy_gettext("Country"), lambda r: r.country_name),
    lists.Column("admin1", lazy_gettext("Department or province"), lambda r: r.admin1),
    lists.Column("admin2", lazy_gettext("Municipality"), lambda r: r.admin2),
    lists.Column(
        "month",
        lazy_gettext("Month"),
        lambda r: r.month.isoformat()[:7],
        sort_value=lambda r: r.month,
    ),
    lists.Column(
        "population", lazy_gettext("Population group"), lambda r: r.population_label
    ),
    lists.Column("women", lazy_gettext("Women"), lambda r: r.women),
    lists.Column("men", lazy_gettext("Men"), lambda r: r.men),
    lists.Column("girls", lazy_gettext("Girls"), lambda r: r.girls),
    lists.Column("boys", lazy_gettext("Boys"), lambda r: r.boys),
    lists.Column("other", lazy_gettext("Other"), lambda r: r.other),
    lists.Column("total", lazy_gettext("Total"), lambda r: r.total),
    lists.Column("new", lazy_gettext("New people"), lambda r: _blank(r.new_people)),
    lists.Column("counted_as", lazy_gettext("Counted as"), lambda r: r.counted_as),
    lists.Column(
        "flow", lazy_gettext("Funding flow"), lambda r: r.flow_reference or ""
    ),
]


@router.get("")
def dashboard(
    request: Request,
    session: DbSession,
    actor: Reader,
    _names: Names,
    country: Annotated[str | None, Query(max_length=3)] = None,
    sector: Annotated[str | None, Query(max_length=30)] = None,
    population_type: Annotated[str | None, Query(max_length=20)] = None,
    month_from: Annotated[str | None, Query(max_length=10)] = None,
    month_to: Annotated[str | None, Query(max_length=10)] = None,
    download_as: Annotated[str | None, Query(alias="download")] = None,
) -> Response:
    where = service.ReportFilter(
        country=country or None,
        sector=sector or None,
        population_type=population_type or None,
        month_from=_month(month_from),
        month_to=_month(month_to),
        limit=5000,
    )
    if download_as == "hxl":
        return hxl_download(
            service.reports_hxl(session, actor=actor, where=where), "5w-hxl"
        )
    rows = service.list_reports(session, actor=actor, where=where)
    query = lists.read_query(request, default_sort="month", default_dir="desc")
    if download_as in ("csv", "xlsx"):  # the older download links
        query = lists.ListQuery(
            q=query.q, sort=query.sort, dir=query.dir, export=download_as
        )
    filters = {
        "country": country or "",
        "sector": sector or "",
        "population_type": population_type or "",
        "month_from": month_from or "",
        "month_to": month_to or "",
    }
    listing = lists.build(
        rows, _COLUMNS, query, base_url="/coordination", params=filters
    )
    if query.export:
        return lists.export_response(listing, "5w")
    found = service.totals(session, actor=actor, where=where)
    values: dict[str, float | None] = {
        t.key: float(t.individuals + t.transit_events) for t in found.by_country
    }
    labels = {
        t.key: f"{t.label}: {t.individuals:,} / {t.transit_events:,}"
        for t in found.by_country
    }
    countries = shade(values, BREAKS, labels)
    hxl_query = urlencode({k: v for k, v in filters.items() if v})
    return _page(
        request,
        actor,
        "coordination/dashboard.html",
        {
            "listing": listing,
            "totals": found,
            "countries": countries,
            "map_width": MAP_WIDTH,
            "map_height": MAP_HEIGHT,
            "levels": {k: i18n.gettext(v) for k, v in LEVELS.items()},
            "filters": filters,
            "hxl_query": hxl_query,
            "can_write": can(actor, "coordination:write"),
            "done": request.query_params.get("done") == "recorded",
            "charts": [
                {
                    "id": "sector-chart",
                    "spec": _sector_chart(found),
                    "label": i18n.gettext(
                        "Bar chart: people reached by sector, individuals apart from "
                        "assistance events in transit; the table below has the same "
                        "figures."
                    ),
                }
            ]
            if found.by_sector
            else [],
            **_choices(session, actor),
        },
    )


@router.get("/reports/{report_id}")
def report_page(
    request: Request,
    session: DbSession,
    actor: Reader,
    _names: Names,
    report_id: uuid.UUID,
) -> Response:
    report = service.get_report(session, actor=actor, report_id=report_id)
    return _page(
        request,
        actor,
        "coordination/report.html",
        {"report": report, "done": request.query_params.get("done") == "recorded"},
    )


def _form(
    request: Request,
    session: Any,
    actor: Actor,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    response = _page(
        request,
        actor,
        "coordination/form.html",
        {"values": values, "errors": errors, **_choices(session, actor)},
    )
    response.status_code = status
    return response


@router.get("/new")
def new_report(
    request: Request, session: DbSession, actor: Writer, _names: Names
) -> Response:
    return _form(request, session, actor, {"population_type": "in_destination"}, {})


@router.post("/new", dependencies=[Csrf])
async def record_report(
    request: Request, session: DbSession, actor: Writer, _names: Names
) -> Response:
    form = await request.form()
    values = {
        key: str(value)[:2000] for key, value in form.items() if isinstance(value, str)
    }
    raw: dict[str, Any] = {
        key: values.get(key) or None
        for key in (
            "organisation_id",
            "implementing_partner_id",
            "indicator",
            "country",
            "population_type",
            "new_people",
            "flow_id",
        )
    }
    raw.update(
        {
            key: values.get(key, "").strip()
            for key in ("admin1", "admin1_code", "admin2", "description")
        }
    )
    raw["month"] = (
        (values.get("month") or "")[:7] + "-01" if values.get("month") else None
    )
    for key in ("women", "men", "girls", "boys", "other"):
        raw[key] = (values.get(key) or "0").replace(",", "").strip() or "0"
    errors: dict[str, str] = {}
    try:
        data = ReportCreate.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            errors[field] = i18n.gettext(
                FIELD_ERRORS.get(field, N_("Write a whole number of zero or more."))
            )
        return _form(request, session, actor, values, errors, 422)
    try:
        report = service.record_report(session, actor=actor, data=data)
    except DomainError as exc:
        errors["form"] = exc.translated()
        return _form(request, session, actor, values, errors, 422)
    return RedirectResponse(
        f"/coordination/reports/{report.id}?done=recorded", status_code=303
    )


@router.get("/import")
def import_page(request: Request, actor: Writer) -> Response:
    return _page(
        request,
        actor,
        "coordination/import.html",
        {"limits": DEFAULT_LIMITS, "summary": None, "problems": []},
    )


@router.post("/import", dependencies=[Csrf])
async def import_form(
    request: Request,
    session: DbSession,
    actor: Writer,
    _names: Names,
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
        context["summary"] = service.import_reports(
            session,
            actor=actor,
            data=data,
            file_name=file.filename or "upload",
            add_organisations=add_organisations == "yes",
            dry_run=dry_run == "yes",
        )
    except TableRejected as exc:
        context["problems"] = exc.detail
    response = _page(request, actor, "coordination/import.html", context)
    if context["problems"]:
        response.status_code = 422
    return response
