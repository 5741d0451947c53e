"""The visa and entry matrix screen: for one nationality, a map of the endorsing
states coloured by regime with the same figures in a table beside it, and the
whole matrix (every nationality of the Americas × the 20 states) as CSV or XLSX.
Public data: any signed-in role."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from puente.core import i18n
from puente.core.i18n import N_
from puente.core.tabular import to_csv, to_xlsx
from puente.identity import Actor
from puente.pathways import service
from puente.pathways.rules.catalogue import LAD_STATES
from puente.pathways.web._common import router
from puente.reference import country_name, country_options, find_country
from puente.web.deps import DbSession, Require
from puente.web.maps import MAP_HEIGHT, MAP_WIDTH, shade
from puente.web.templating import render

MAP_VALUE: Final = {
    "visa_free": 1.0,
    "evisa": 2.0,
    "visa": 3.0,
    "transit_visa": 3.0,
    "humanitarian_visa": 3.0,
    "suspended": 4.0,
}
MAP_BREAKS: Final = (2.0, 3.0, 4.0)
MAP_LEVELS: Final = {
    1: N_("No visa needed"),
    2: N_("Electronic visa or travel authorisation"),
    3: N_("Visa needed (ordinary, transit or humanitarian)"),
    4: N_("Entry or visas suspended"),
}
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(kind: str, rows: list[service.MatrixRow]) -> Response:
    headers = [
        i18n.gettext(h)
        for h in (
            N_("Nationality"),
            N_("Destination"),
            N_("Entry regime"),
            N_("Longest stay (days)"),
            N_("In force since"),
            N_("Source"),
        )
    ]
    table = [
        [
            country_name(row.nationality),
            country_name(cell.destination),
            service.regime_label(cell.regime.value),
            cell.max_stay_days if cell.max_stay_days is not None else "",
            cell.valid_from.isoformat(),
            cell.source_url,
        ]
        for row in rows
        for cell in row.cells
    ]
    body = (
        to_xlsx(headers, table, sheet="entry regimes")
        if kind == "xlsx"
        else to_csv(headers, table)
    )
    return Response(
        body,
        media_type=XLSX if kind == "xlsx" else "text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="entry-regimes.{kind}"'},
    )


@router.get("/entry-regimes")
def entry_regimes_page(
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(Require("me:read", web=True))],
    nationality: Annotated[str, Query(max_length=8)] = "VEN",
    download_as: Annotated[str | None, Query(alias="download")] = None,
) -> Response:
    if download_as in ("csv", "xlsx"):
        return _download(download_as, service.regime_matrix(session, actor=actor))
    nationalities = service.americas_nationalities()
    found = find_country(nationality.strip())
    chosen = found.alpha3 if found and found.alpha3 in nationalities else "VEN"
    row = service.regime_matrix(session, actor=actor, nationalities=[chosen])[0]
    values = {c.destination: MAP_VALUE[c.regime.value] for c in row.cells}
    labels = {
        c.destination: i18n.gettext(
            "%(state)s: %(regime)s",
            state=country_name(c.destination),
            regime=service.regime_label(c.regime.value),
        )
        for c in row.cells
    }
    order = {
        code: n for n, (code, _name) in enumerate(country_options(codes=LAD_STATES))
    }
    return render(
        request,
        "pathways/entry_regimes.html",
        {
            "nationality": chosen,
            "nationalities": country_options(codes=nationalities),
            "cells": sorted(row.cells, key=lambda c: order[c.destination]),
            "countries": shade(values, MAP_BREAKS, labels),
            "map_width": MAP_WIDTH,
            "map_height": MAP_HEIGHT,
            "levels": {k: i18n.gettext(v) for k, v in MAP_LEVELS.items()},
        },
    )
