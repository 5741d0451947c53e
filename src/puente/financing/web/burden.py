"""Host burden (a map of the Americas and a table), one state's burden over
time, the fair-share calculator and the instruments with their eligibility."""

from __future__ import annotations

from typing import Annotated, Any, Final

from babel.numbers import format_decimal
from fastapi import Query, Request
from fastapi.responses import Response

from puente.core import i18n
from puente.core.errors import InvalidInput
from puente.core.i18n import N_
from puente.financing import service
from puente.financing.rules.fair_share import INDICATOR_LABELS, PRESETS
from puente.financing.web._common import (
    DOWNLOADS,
    VEGA_SCHEMA,
    Reader,
    download,
    grouped_bars,
    line_chart,
    money_float,
    page,
    router,
)
from puente.reference.countries import ENDORSING_STATES, country_choices, country_name
from puente.web.deps import DbSession
from puente.web.maps import MAP_HEIGHT, MAP_WIDTH, shade

BREAKS: Final = (1.0, 5.0, 15.0, 30.0)
LEVEL_LABELS: Final = {
    0: N_("No figure"),
    1: N_("Under 1 per 1,000"),
    2: N_("1 to 5 per 1,000"),
    3: N_("5 to 15 per 1,000"),
    4: N_("15 to 30 per 1,000"),
    5: N_("30 or more per 1,000"),
}


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern, locale=i18n.get_locale()))


@router.get("/burden")
def burden_page(
    request: Request,
    session: DbSession,
    actor: Reader,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    download_as: Annotated[str | None, Query(alias="download")] = None,
) -> Response:
    rows = service.host_burden_table(session, actor=actor, year=year)
    chosen = rows[0].year if rows else service.latest_year()
    if download_as in DOWNLOADS:
        headers = [
            i18n.gettext(h)
            for h in (
                N_("State"),
                N_("Year"),
                N_("Population"),
                N_("Refugees"),
                N_("Asylum-seekers"),
                N_("Other people in need of international protection"),
                N_("People hosted"),
                N_("Per 1,000 inhabitants"),
                N_("Per USD 1 of GDP per person"),
                N_("Complete figures"),
            )
        ]
        return download(
            download_as,
            f"host-burden-{chosen}",
            headers,
            [
                [
                    r.state_name,
                    r.year,
                    r.population or "",
                    r.refugees,
                    r.asylum_seekers,
                    r.oip if r.oip_known else "",
                    r.hosted,
                    round(r.per_1000, 3) if r.per_1000 is not None else "",
                    round(r.per_usd_gdp_per_capita, 2)
                    if r.per_usd_gdp_per_capita is not None
                    else "",
                    i18n.gettext("yes") if r.is_complete else i18n.gettext("no"),
                ]
                for r in rows
            ],
        )
    values = {r.state: r.per_1000 for r in rows}
    labels = {r.state: f"{r.state_name}: {_num(r.per_1000)}" for r in rows}
    countries = shade(values, BREAKS, labels)
    chart = {
        "$schema": VEGA_SCHEMA,
        "title": i18n.gettext(
            "People hosted per 1,000 inhabitants, %(year)s", year=chosen
        ),
        "width": "container",
        "data": {
            "values": [
                {"label": r.state_name, "value": round(r.per_1000, 2)}
                for r in rows
                if r.per_1000 is not None
            ]
        },
        "mark": {"type": "bar", "color": "#0b4f8a"},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": "-x", "title": None},
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": i18n.gettext("People hosted per 1,000 inhabitants"),
            },
            "tooltip": [
                {"field": "label", "title": " "},
                {"field": "value", "type": "quantitative", "format": ",.1f"},
            ],
        },
    }
    return page(
        request,
        actor,
        "financing/burden.html",
        {
            "rows": rows,
            "year": chosen,
            "years": service.burden_years(),
            "countries": [
                c for c in countries if c.code in ENDORSING_STATES or c.level
            ],
            "others": [
                c for c in countries if c.code not in ENDORSING_STATES and not c.level
            ],
            "map_width": MAP_WIDTH,
            "map_height": MAP_HEIGHT,
            "levels": {k: i18n.gettext(v) for k, v in LEVEL_LABELS.items()},
            "num": _num,
            "incomplete": [r for r in rows if not r.is_complete],
            "charts": [
                {
                    "id": "burden-chart",
                    "spec": chart,
                    "label": i18n.gettext(
                        "Bar chart: people hosted per 1,000 inhabitants by state; the "
                        "table below has the same figures."
                    ),
                }
            ],
        },
    )


@router.get("/burden/{state}")
def state_page(
    request: Request, session: DbSession, actor: Reader, state: str
) -> Response:
    code = state.upper()
    if code not in ENDORSING_STATES:
        raise InvalidInput(N_("Choose one of the endorsing states."))
    history = service.state_history(session, actor=actor, state=code)
    latest = service.state_burden(session, actor=actor, state=code)
    chart = line_chart(
        i18n.gettext(
            "%(state)s: people hosted per 1,000 inhabitants", state=country_name(code)
        ),
        [
            {"year": str(r.year), "value": round(r.per_1000, 2)}
            for r in history
            if r.per_1000 is not None
        ],
        i18n.gettext("People hosted per 1,000 inhabitants"),
    )
    return page(
        request,
        actor,
        "financing/state_burden.html",
        {
            "state": code,
            "name": country_name(code),
            "history": history,
            "latest": latest,
            "num": _num,
            "charts": [
                {
                    "id": "state-chart",
                    "spec": chart,
                    "label": i18n.gettext(
                        "Line chart: people hosted per 1,000 inhabitants each year; "
                        "the table below has the same figures."
                    ),
                }
            ],
        },
    )


def _float(value: str | None) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    return (
        number if number >= 0 and number == number and number != float("inf") else None
    )


@router.get("/fair-share")
def fair_share_page(
    request: Request,
    session: DbSession,
    actor: Reader,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    preset: Annotated[str, Query(max_length=20)] = "eu_2015",
    custom: bool = False,
    download_as: Annotated[str | None, Query(alias="download")] = None,
) -> Response:
    params = request.query_params
    weights = None
    cap = None
    errors: dict[str, str] = {}
    if custom:
        weights = {}
        for key in INDICATOR_LABELS:
            value = _float(params.get(f"w_{key}"))
            if value is None and params.get(f"w_{key}"):
                errors[f"w_{key}"] = i18n.gettext("Write a number of zero or more.")
            weights[key] = value or 0.0
        cap_value = _float(params.get("cap"))
        cap = cap_value / 100 if cap_value else None
    unemployment = {
        state: v
        for state in ENDORSING_STATES
        if (v := _float(params.get(f"u_{state}"))) is not None
    }
    result = service.fair_share_table(
        session,
        actor=actor,
        year=year,
        preset=preset if preset in PRESETS else "eu_2015",
        weights=weights,
        cap=cap,
        unemployment=unemployment,
    )
    if download_as in DOWNLOADS:
        headers = [
            i18n.gettext(h)
            for h in (
                N_("State"),
                N_("Fair share under the key"),
                N_("Share of the people hosted"),
                N_("Share of the funding given"),
                N_("People hosted"),
                N_("Funding given (USD)"),
            )
        ]
        return download(
            download_as,
            f"fair-share-{result.year}",
            headers,
            [
                [
                    s.state_name,
                    round(s.fair_share, 4),
                    round(s.hosted_share, 4),
                    round(s.funding_share, 4),
                    s.hosted,
                    money_float(s.funding_usd),
                ]
                for s in result.shares
            ],
        )
    series = [
        i18n.gettext("Fair share under the key"),
        i18n.gettext("Share of the people hosted"),
        i18n.gettext("Share of the funding given"),
    ]
    chart_rows: list[dict[str, Any]] = []
    for share in result.shares[:12]:
        for name, value in zip(
            series,
            (share.fair_share, share.hosted_share, share.funding_share),
            strict=True,
        ):
            chart_rows.append(
                {"label": share.state_name, "series": name, "value": round(value, 4)}
            )
    chart = grouped_bars(
        i18n.gettext(
            "Fair share beside what each state hosts and funds, %(year)s",
            year=result.year,
        ),
        chart_rows,
        series,
        i18n.gettext("Share of the total"),
    )
    preset_cap = PRESETS[preset].cap if preset in PRESETS else None
    shown_cap = cap if custom else preset_cap
    shown_weights = (
        weights
        if weights is not None
        else dict(PRESETS.get(preset, PRESETS["eu_2015"]).weights)
    )
    return page(
        request,
        actor,
        "financing/fair_share.html",
        {
            "result": result,
            "years": service.burden_years(),
            "presets": [
                (key, i18n.gettext(p.label), p.source) for key, p in PRESETS.items()
            ],
            "preset": preset,
            "custom": custom,
            "weights": shown_weights,
            "cap": round(shown_cap * 100) if shown_cap else "",
            "indicators": [
                (key, i18n.gettext(label)) for key, label in INDICATOR_LABELS.items()
            ],
            "left_out": [
                i18n.gettext(INDICATOR_LABELS.get(k, k)) for k in result.left_out
            ],
            "states": country_choices(ENDORSING_STATES),
            "unemployment": {k: params.get(f"u_{k}", "") for k in ENDORSING_STATES},
            "errors": errors,
            "query": "&".join(
                p
                for p in request.url.query.split("&")
                if p and not p.startswith("download=")
            ),
            "charts": [
                {
                    "id": "fair-share-chart",
                    "spec": chart,
                    "label": i18n.gettext(
                        "Bar chart: for each state, its fair share, its share of the "
                        "people hosted and its share of the funding given; the table "
                        "below has the same figures."
                    ),
                }
            ],
        },
    )


@router.get("/instruments")
def instruments_page(
    request: Request,
    session: DbSession,
    actor: Reader,
    instrument: Annotated[str | None, Query(max_length=40)] = None,
    state: Annotated[str | None, Query(max_length=3)] = None,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    framework: Annotated[str, Query(pattern="^(yes|no|unknown)?$")] = "unknown",
    download_as: Annotated[str | None, Query(alias="download")] = None,
) -> Response:
    instruments = service.list_instruments(session, actor=actor)
    if download_as in DOWNLOADS:
        headers = [
            i18n.gettext(h)
            for h in (
                N_("Instrument"),
                N_("Kind"),
                N_("Grants (USD)"),
                N_("Loans enabled (USD)"),
                N_("Loans per dollar of grant"),
                N_("Beneficiary states"),
            )
        ]
        return download(
            download_as,
            "instruments",
            headers,
            [
                [
                    i.name,
                    i.kind_label,
                    money_float(i.grant_usd),
                    money_float(i.loan_usd),
                    round(i.leverage, 2) if i.leverage else "",
                    ", ".join(i.beneficiary_names),
                ]
                for i in instruments
            ],
        )
    result = None
    if instrument and state:
        result = service.check_eligibility(
            session,
            actor=actor,
            instrument=instrument,
            state=state,
            year=year,
            has_protection_framework={"yes": True, "no": False}.get(framework),
        )
    return page(
        request,
        actor,
        "financing/instruments.html",
        {
            "instruments": instruments,
            "result": result,
            "chosen": {
                "instrument": instrument or "",
                "state": (state or "").upper(),
                "year": year,
                "framework": framework,
            },
            "states": country_choices(ENDORSING_STATES),
            "years": service.burden_years(),
        },
    )
