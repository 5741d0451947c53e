"""The shared list helper: search, sort, pages, links and exports (web/lists.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import openpyxl
from starlette.requests import Request

from puente.web import lists
from puente.web.lists import Column, ListQuery


@dataclass
class Row:
    name: str
    opened: dt.date | None
    count: int


ROWS = [
    Row("José Pérez", dt.date(2026, 1, 5), 3),
    Row("ana lima", dt.date(2026, 3, 1), 10),
    Row("=HYPERLINK(1)", None, 2),
    Row("Bruno", dt.date(2025, 12, 31), 1),
]
COLUMNS: list[Column[Row]] = [
    Column("name", "Name", lambda r: r.name),
    Column("opened", "Opened", lambda r: r.opened),
    Column("count", "Count", lambda r: r.count, sortable=False),
]


def request(query: bytes) -> Request:
    return Request({"type": "http", "query_string": query, "headers": []})


def test_odd_parameters_read_as_defaults() -> None:
    query = lists.read_query(
        request(b"page=-3&dir=sideways&export=exe&q=" + b"x" * 500)
    )
    assert query.page == 1
    assert query.dir == "asc"
    assert query.export == ""
    assert len(query.q) == lists.MAX_QUERY
    assert lists.read_query(request(b"page=99999999999999")).page == 1
    assert lists.read_query(request(b"page=3&export=xlsx")).export == "xlsx"
    chosen = lists.read_query(
        request(b"sort=name"), default_sort="d", default_dir="desc"
    )
    assert (chosen.sort, chosen.dir) == ("name", "asc")
    default = lists.read_query(request(b""), default_sort="d", default_dir="desc")
    assert (default.sort, default.dir) == ("d", "desc")


def test_search_ignores_case_and_accents() -> None:
    listing = lists.build(ROWS, COLUMNS, ListQuery(q="jose"), base_url="/x")
    assert [r.name for r in listing.rows] == ["José Pérez"]
    assert lists.build(ROWS, COLUMNS, ListQuery(q="ANA"), base_url="/x").total == 1
    assert lists.build(ROWS, COLUMNS, ListQuery(q="nobody"), base_url="/x").total == 0


def test_sort_both_ways_blanks_last() -> None:
    up = lists.build(ROWS, COLUMNS, ListQuery(sort="opened"), base_url="/x")
    assert [r.name for r in up.rows] == [
        "Bruno",
        "José Pérez",
        "ana lima",
        "=HYPERLINK(1)",
    ]
    down = lists.build(
        ROWS, COLUMNS, ListQuery(sort="opened", dir="desc"), base_url="/x"
    )
    assert next(r.name for r in down.rows) == "ana lima"
    assert down.rows[-1].opened is None
    by_name = lists.build(ROWS, COLUMNS, ListQuery(sort="name"), base_url="/x")
    assert [r.name for r in by_name.rows][1:] == ["ana lima", "Bruno", "José Pérez"]


def test_unknown_or_unsortable_column_keeps_the_order() -> None:
    listing = lists.build(ROWS, COLUMNS, ListQuery(sort="count"), base_url="/x")
    assert listing.rows == ROWS
    assert listing.query.sort == ""
    assert lists.build(ROWS, COLUMNS, ListQuery(sort="zzz"), base_url="/x").rows == ROWS


def test_pages_and_links_keep_filters() -> None:
    many = [Row(f"p{i:02}", None, i) for i in range(30)]
    listing = lists.build(
        many,
        COLUMNS,
        ListQuery(sort="name", dir="desc", page=2),
        base_url="/list",
        params={"state": "open", "empty": ""},
        per_page=25,
    )
    assert listing.pages == 2
    assert (listing.first, listing.last, listing.total) == (26, 30, 30)
    assert [r.name for r in listing.rows] == ["p04", "p03", "p02", "p01", "p00"]
    assert listing.next_url is None
    assert listing.prev_url == "/list?state=open&sort=name&dir=desc"
    assert listing.sort_url("name") == "/list?state=open&sort=name&dir=asc"
    assert listing.aria_sort("name") == "descending"
    assert listing.aria_sort("opened") == "none"
    assert "export=csv" in listing.export_url("csv")
    assert "page=" not in listing.export_url("csv")
    beyond = lists.build(many, COLUMNS, ListQuery(page=9), base_url="/list")
    assert beyond.page == 2
    assert len(beyond.rows) == 5


def test_csv_export_has_every_match_and_no_formula() -> None:
    listing = lists.build(
        ROWS, COLUMNS, ListQuery(export="csv"), base_url="/x", per_page=1
    )
    response = lists.export_response(listing, "things")
    assert (response.media_type or "").startswith("text/csv")
    assert 'filename="things.csv"' in response.headers["content-disposition"]
    text = bytes(response.body).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Name", "Opened", "Count"]
    assert len(rows) == 1 + len(ROWS)
    assert ["José Pérez", "2026-01-05", "3"] in rows
    assert ["'=HYPERLINK(1)", "", "2"] in rows


def test_xlsx_export_reads_back() -> None:
    listing = lists.build(
        ROWS, COLUMNS, ListQuery(q="lima", export="xlsx"), base_url="/x"
    )
    response = lists.export_response(listing, "things")
    book = openpyxl.load_workbook(io.BytesIO(bytes(response.body)))
    values = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    assert values == [["Name", "Opened", "Count"], ["ana lima", "2026-03-01", 10]]


def test_the_shared_filter_form_keeps_choices_and_order() -> None:
    """`filter_form`, `choice` and `check` (_list.html), the one filter markup of
    every list: the chosen option and box stay chosen, the order is kept."""
    from puente.web.templating import env

    listing = lists.build(
        ROWS, COLUMNS, ListQuery(sort="name", dir="desc"), base_url="/x"
    )
    page = env.from_string(
        '{% from "_list.html" import filter_form, choice, check %}'
        '{% call filter_form(listing, "/x", "Filter x") %}'
        '{{ choice("state", "Stage", ["open", "closed"], "closed",'
        ' labels={"open": "Open", "closed": "Closed"}) }}'
        '{{ choice("kind", "Kind", [("a", "Alpha"), ("b", "Beta")], "a", id="f-k") }}'
        '{{ check("mine", "Only mine", True) }}'
        "{% endcall %}"
    ).render(listing=listing)
    assert 'action="/x"' in page
    assert 'aria-label="Filter x"' in page
    assert '<option value="closed" selected>Closed</option>' in page
    assert '<option value="open">Open</option>' in page
    assert '<select id="f-k" name="kind">' in page
    assert '<option value="a" selected>Alpha</option>' in page
    assert 'id="f-mine" name="mine" value="1" checked' in page
    assert '<input type="hidden" name="sort" value="name">' in page
    assert '<input type="hidden" name="dir" value="desc">' in page
