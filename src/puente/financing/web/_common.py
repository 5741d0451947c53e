"""What the financing screens share: the router, the menu, rendering with the
module's layout, table downloads (CSV/XLSX) and the Vega-Lite chart specs."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Final

from babel.numbers import format_currency, format_percent
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from puente.core import i18n
from puente.core.i18n import N_
from puente.identity import Actor, can
from puente.web.deps import Require
from puente.web.downloads import download as download
from puente.web.templating import check_csrf, env, render

router = APIRouter(prefix="/financing", include_in_schema=False)
Csrf = Depends(check_csrf)
Reader = Annotated[Actor, Depends(Require("financing:read", web=True))]
Writer = Annotated[Actor, Depends(Require("financing:write", web=True))]
Importer = Annotated[Actor, Depends(Require("financing:import", web=True))]
Pledger = Annotated[Actor, Depends(Require("financing:pledge", web=True))]

VEGA_SCHEMA: Final = "https://vega.github.io/schema/vega-lite/v5.json"
BLUE, RED, AMBER, GREY = "#0b4f8a", "#a4161a", "#8a5300", "#6b7785"
NAV: Final = (
    ("/financing", "financing:read", N_("Plans and gaps")),
    ("/financing/flows", "financing:read", N_("Funding flows")),
    ("/financing/response-plans", "financing:read", N_("Pledges to response plans")),
    ("/financing/burden", "financing:read", N_("Host burden")),
    ("/financing/fair-share", "financing:read", N_("Fair share")),
    ("/financing/instruments", "financing:read", N_("Instruments")),
)
DOWNLOADS: Final = frozenset({"csv", "xlsx"})


def usd(value: Decimal | float | int | None) -> str:
    """A US dollar amount in the current language, without cents."""
    if value is None:
        return "—"
    return str(
        format_currency(
            Decimal(str(value)),
            "USD",
            format="¤#,##0",
            locale=i18n.get_locale(),
            currency_digits=False,
        )
    )


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return str(format_percent(value, format="#,##0.#%", locale=i18n.get_locale()))


env.filters["usd"] = usd
env.filters["percent"] = percent


def page(
    request: Request, actor: Actor, name: str, context: dict[str, Any]
) -> HTMLResponse:
    path = request.url.path
    context["section_nav"] = [
        {
            "url": url,
            "label": i18n.gettext(label),
            "current": path == url
            or (url != "/financing" and path.startswith(url + "/")),
        }
        for url, permission, label in NAV
        if can(actor, permission)
    ]
    context.setdefault("has_charts", bool(context.get("charts")))
    return render(request, name, context)


def money_float(value: Decimal | float | int) -> float:
    return round(float(value), 2)


def gap_chart(title: str, rows: list[dict[str, Any]], field: str) -> dict[str, Any]:
    """Horizontal bars: funding and gap stacked up to the requirement, one bar per
    country or sector (`rows` carry `label`, `funding`, `gap`)."""
    funding, gap = i18n.gettext("Funding"), i18n.gettext("Gap")
    values = []
    for row in rows:
        values.append(
            {"label": row["label"], "part": funding, "usd": row["funding"], "order": 0}
        )
        values.append(
            {"label": row["label"], "part": gap, "usd": row["gap"], "order": 1}
        )
    return {
        "$schema": VEGA_SCHEMA,
        "title": title,
        "width": "container",
        "height": {"step": 22},
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": None, "title": field},
            "x": {
                "field": "usd",
                "type": "quantitative",
                "stack": "zero",
                "title": i18n.gettext("US dollars"),
                "axis": {"format": "~s"},
            },
            "color": {
                "field": "part",
                "type": "nominal",
                "scale": {"domain": [funding, gap], "range": [BLUE, RED]},
                "legend": {"title": None, "orient": "top"},
            },
            "order": {"field": "order"},
            "tooltip": [
                {"field": "label", "title": field},
                {"field": "part", "title": " "},
                {
                    "field": "usd",
                    "type": "quantitative",
                    "format": ",.0f",
                    "title": i18n.gettext("US dollars"),
                },
            ],
        },
    }


def time_chart(
    title: str, points: list[dict[str, Any]], requirement: float | None
) -> dict[str, Any]:
    """Cumulative funding and pledges by month, with the requirement as a rule."""
    funding, pledges = i18n.gettext("Funding"), i18n.gettext("Pledges")
    values = []
    for point in points:
        values.append(
            {"month": point["month"], "series": funding, "usd": point["funding"]}
        )
        values.append(
            {"month": point["month"], "series": pledges, "usd": point["pledged"]}
        )
    x = {
        "field": "month",
        "type": "temporal",
        "title": i18n.gettext("Month"),
        "axis": {"format": "%Y-%m"},
    }
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": values},
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": x,
                "y": {
                    "field": "usd",
                    "type": "quantitative",
                    "title": i18n.gettext("US dollars, cumulative"),
                    "axis": {"format": "~s"},
                },
                "color": {
                    "field": "series",
                    "type": "nominal",
                    "scale": {"domain": [funding, pledges], "range": [BLUE, AMBER]},
                    "legend": {"title": None, "orient": "top"},
                },
            },
        }
    ]
    if requirement:
        layers.append(
            {
                "data": {"values": [{"usd": requirement}]},
                "mark": {"type": "rule", "color": RED, "strokeDash": [6, 4]},
                "encoding": {"y": {"field": "usd", "type": "quantitative"}},
            }
        )
    return {
        "$schema": VEGA_SCHEMA,
        "title": title,
        "width": "container",
        "height": 220,
        "layer": layers,
    }


def grouped_bars(
    title: str, rows: list[dict[str, Any]], series: list[str], x_title: str
) -> dict[str, Any]:
    """Bars grouped by `label`, one bar per series (`rows` carry `label`,
    `series` and `value`)."""
    return {
        "$schema": VEGA_SCHEMA,
        "title": title,
        "width": "container",
        "data": {"values": rows},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": None, "title": None},
            "yOffset": {"field": "series", "sort": series},
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": x_title,
                "axis": {"format": "%"},
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "sort": series,
                "scale": {
                    "domain": series,
                    "range": [BLUE, AMBER, GREY][: len(series)],
                },
                "legend": {"title": None, "orient": "top"},
            },
            "tooltip": [
                {"field": "label", "title": " "},
                {"field": "series", "title": " "},
                {"field": "value", "type": "quantitative", "format": ".1%"},
            ],
        },
    }


def line_chart(title: str, rows: list[dict[str, Any]], y_title: str) -> dict[str, Any]:
    """One line by year (`rows` carry `year` and `value`)."""
    return {
        "$schema": VEGA_SCHEMA,
        "title": title,
        "width": "container",
        "height": 200,
        "data": {"values": rows},
        "mark": {"type": "line", "point": True, "color": BLUE},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": i18n.gettext("Year")},
            "y": {"field": "value", "type": "quantitative", "title": y_title},
            "tooltip": [
                {"field": "year", "title": i18n.gettext("Year")},
                {
                    "field": "value",
                    "type": "quantitative",
                    "format": ",.1f",
                    "title": y_title,
                },
            ],
        },
    }
