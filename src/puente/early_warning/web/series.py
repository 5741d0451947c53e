"""The flow series a person may read, as a list: each series named in words, its
source, the months it covers and its last count; searched, filtered by source,
sorted, paged and exported (CSV, XLSX) with the list kit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from puente.core.i18n import lazy_gettext
from puente.early_warning.schemas import SeriesRead
from puente.early_warning.service import flows
from puente.early_warning.web import FlowsReader, ew_page
from puente.early_warning.web.words import series_words
from puente.web import lists
from puente.web.deps import DbSession

router = APIRouter(prefix="/early-warning", include_in_schema=False)


def _month(row: SeriesRead, which: str) -> str:
    period = row.first_period if which == "first" else row.last_period
    return period.strftime("%Y-%m") if period else ""


def series_columns(titles: dict[str, str]) -> tuple[lists.Column[SeriesRead], ...]:
    """The list's columns; `titles` names each source as the person reads it."""
    return (
        lists.Column(
            "series",
            lazy_gettext("Series"),
            lambda s: series_words(s.series_key, titles.get(s.source)),
        ),
        lists.Column(
            "source", lazy_gettext("Source"), lambda s: titles.get(s.source, s.source)
        ),
        lists.Column(
            "first", lazy_gettext("First month"), lambda s: _month(s, "first")
        ),
        lists.Column("last", lazy_gettext("Last month"), lambda s: _month(s, "last")),
        lists.Column(
            "months", lazy_gettext("Months of data"), lambda s: s.months_of_data
        ),
        lists.Column("count", lazy_gettext("Last count"), lambda s: s.last_count),
    )


@router.get("/series", response_class=HTMLResponse)
def series_list(
    request: Request,
    session: DbSession,
    actor: FlowsReader,
    source: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    sources = flows.list_sources(session, actor=actor)
    titles = {s.name: s.title for s in sources}
    chosen = source if source in titles else None
    rows = flows.list_series(session, actor=actor, source=chosen)
    query = lists.read_query(request)
    listing = lists.build(
        rows,
        series_columns(titles),
        query,
        base_url="/early-warning/series",
        params={"source": chosen or ""},
    )
    if query.export:
        return lists.export_response(listing, "flow-series")
    context: dict[str, Any] = {
        "listing": listing,
        "sources": [(s.name, s.title) for s in sources],
        "source": chosen,
    }
    return ew_page(request, actor, "early_warning/series.html", context)
