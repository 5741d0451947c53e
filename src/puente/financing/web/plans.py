"""A donor's view: every plan's requirement, funding and gap; one plan by year,
country and sector, with charts, tables and downloads."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from puente.core import i18n
from puente.core.i18n import N_
from puente.financing import service
from puente.financing.schemas import GapRead, LineRead
from puente.financing.service import FlowFilter
from puente.financing.web._common import (
    DOWNLOADS,
    Reader,
    download,
    gap_chart,
    money_float,
    page,
    router,
    time_chart,
)
from puente.identity import can
from puente.web.deps import DbSession

MAX_BARS = 25


def _bars(lines: list[LineRead]) -> list[dict[str, object]]:
    return [
        {
            "label": line.label,
            "funding": money_float(line.funding_usd),
            "gap": money_float(line.gap_usd),
        }
        for line in lines
        if line.requirement_usd > 0 or line.funding_usd > 0
    ][:MAX_BARS]


@router.get("")
def plans_page(
    request: Request,
    session: DbSession,
    actor: Reader,
    download_as: Annotated[str | None, Query(alias="download")] = None,
) -> Response:
    plans = service.list_plans(session, actor=actor)
    if download_as in DOWNLOADS:
        headers = [
            i18n.gettext(h)
            for h in (
                N_("Plan"),
                N_("Years"),
                N_("Requirement (USD)"),
                N_("Funding (USD)"),
                N_("Gap (USD)"),
            )
        ]
        return download(
            download_as,
            "plans",
            headers,
            [
                [
                    p.title,
                    ", ".join(str(y) for y in p.years),
                    money_float(p.requirement_usd),
                    money_float(p.funding_usd),
                    money_float(p.gap_usd),
                ]
                for p in plans
            ],
        )
    chart = gap_chart(
        i18n.gettext("Funding and gap of each plan"),
        [
            {
                "label": p.title,
                "funding": money_float(p.funding_usd),
                "gap": money_float(p.gap_usd),
            }
            for p in plans
            if p.requirement_usd > 0
        ],
        i18n.gettext("Plan"),
    )
    return page(
        request,
        actor,
        "financing/plans.html",
        {
            "plans": plans,
            "charts": [
                {
                    "id": "plans-chart",
                    "spec": chart,
                    "label": i18n.gettext(
                        "Bar chart: funding and gap of each plan; the table below has "
                        "the same figures."
                    ),
                }
            ],
        },
    )


def _table_rows(gap: GapRead, which: str) -> tuple[list[str], list[list[object]]]:
    lines = {"country": gap.by_country, "sector": gap.by_sector, "year": gap.by_year}[
        which
    ]
    first = {"country": N_("Country"), "sector": N_("Sector"), "year": N_("Year")}[
        which
    ]
    headers = [
        i18n.gettext(h)
        for h in (
            first,
            N_("Requirement (USD)"),
            N_("Funding (USD)"),
            N_("Pledges (USD)"),
            N_("Gap (USD)"),
            N_("Coverage"),
        )
    ]
    rows: list[list[object]] = [
        [
            line.label,
            money_float(line.requirement_usd),
            money_float(line.funding_usd),
            money_float(line.pledged_usd),
            money_float(line.gap_usd),
            round(line.coverage, 4) if line.coverage is not None else "",
        ]
        for line in lines
    ]
    return headers, rows


@router.get("/plans/{plan}")
def plan_page(
    request: Request,
    session: DbSession,
    actor: Reader,
    plan: str,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    download_as: Annotated[str | None, Query(alias="download")] = None,
    table: Annotated[str, Query(pattern="^(country|sector|year|flows)$")] = "country",
) -> Response:
    gap = service.plan_gap(session, actor=actor, plan=plan, year=year)
    flows = service.list_flows(
        session, actor=actor, where=FlowFilter(plan_id=gap.plan_id, year=year)
    )
    if download_as in DOWNLOADS:
        if table == "flows":
            headers = [
                i18n.gettext(h)
                for h in (
                    N_("Reference"),
                    N_("Date"),
                    N_("Status"),
                    N_("From"),
                    N_("To"),
                    N_("Country"),
                    N_("Sector"),
                    N_("US dollars"),
                    N_("Counted in this plan"),
                )
            ]
            rows: list[list[object]] = [
                [
                    f.reference,
                    f.flow_date.isoformat(),
                    f.status_label,
                    f.source_organisation,
                    f.destination_organisation or "",
                    f.country_name or "",
                    f.sector_label or "",
                    money_float(f.amount_usd),
                    f.boundary_label,
                ]
                for f in flows
            ]
            return download(download_as, f"{gap.plan}-flows", headers, rows)
        headers, rows = _table_rows(gap, table)
        return download(download_as, f"{gap.plan}-{table}", headers, rows)
    years = next(
        (
            p.years
            for p in service.list_plans(session, actor=actor)
            if p.code == gap.plan
        ),
        [],
    )
    charts = [
        {
            "id": "gap-by-country",
            "spec": gap_chart(
                i18n.gettext("Funding and gap by country"),
                _bars(gap.by_country),
                i18n.gettext("Country"),
            ),
            "label": i18n.gettext(
                "Bar chart: funding and gap by country; the table below has the same "
                "figures."
            ),
        },
        {
            "id": "gap-by-sector",
            "spec": gap_chart(
                i18n.gettext("Funding and gap by sector"),
                _bars(gap.by_sector),
                i18n.gettext("Sector"),
            ),
            "label": i18n.gettext(
                "Bar chart: funding and gap by sector; the table below has the same "
                "figures."
            ),
        },
    ]
    if gap.over_time:
        charts.append(
            {
                "id": "funding-over-time",
                "spec": time_chart(
                    i18n.gettext("Funding and pledges over time"),
                    [
                        {
                            "month": p.month.isoformat(),
                            "funding": money_float(p.funding_usd),
                            "pledged": money_float(p.pledged_usd),
                        }
                        for p in gap.over_time
                    ],
                    money_float(gap.requirement_usd) if gap.requirement_usd else None,
                ),
                "label": i18n.gettext(
                    "Line chart: funding and pledges added up month by month; the "
                    "dashed line is the requirement."
                ),
            }
        )
    return page(
        request,
        actor,
        "financing/plan.html",
        {
            "gap": gap,
            "years": years,
            "year": year,
            "flows": flows,
            "charts": charts,
            "can_record": can(actor, "financing:write"),
        },
    )
