"""Lists people use, one way for every list: a search box, sort by any column
(links with `aria-sort`), pages, a count line, and CSV/XLSX export of what the
filters chose, in words in the reader's language (never codes).

A route reads the query (`read_query`), builds the listing from the rows its
service returned (`build`), renders it with the macros in `_list.html`, and
answers an export with `export_response`, which writes through
`core.tabular` (formula injection neutralised there) and audits the export
when asked. Query parameters are `q`, `sort`, `dir`, `page` and `export`;
odd values fall back to the defaults rather than failing.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from puente.core import audit, i18n, tabular
from puente.identity import Actor

T = TypeVar("T")
PER_PAGE: Final = 25
MAX_QUERY: Final = 100
MAX_PAGE: Final = 1_000_000
FORMATS: Final = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
}


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    """One column: its key in links, its heading (a lazy translated string),
    the value shown and exported (words, not codes), and whether it sorts.
    `sort_value` orders differently from the value when given (a date, a rank)."""

    key: str
    label: Any
    value: Callable[[T], Any]
    sortable: bool = True
    sort_value: Callable[[T], Any] | None = None


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What the reader asked for: search words, sort column and direction, page,
    and an export format ('' for the page)."""

    q: str = ""
    sort: str = ""
    dir: str = "asc"
    page: int = 1
    export: str = ""


def read_query(
    request: Request, *, default_sort: str = "", default_dir: str = "asc"
) -> ListQuery:
    """The list parameters of `request`; anything odd reads as the default."""
    params = request.query_params
    q = " ".join(params.get("q", "").split())[:MAX_QUERY]
    chosen = params.get("sort", "")[:40]
    sort = chosen or default_sort
    direction = params.get("dir", "") or ("asc" if chosen else default_dir)
    if direction not in ("asc", "desc"):
        direction = "asc"
    raw_page = params.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and len(raw_page) < 8 else 1
    page = min(max(page, 1), MAX_PAGE)
    export = params.get("export", "")
    return ListQuery(
        q=q,
        sort=sort,
        dir=direction,
        page=page,
        export=export if export in FORMATS else "",
    )


def folded(text: str) -> str:
    """`text` without case or accents, for search: 'José' finds 'jose'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _sort_key(value: Any) -> tuple[int, Any]:
    """Blanks last; text without case or accents; numbers and dates as they are."""
    if value is None or value == "":
        return (2, "")
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return (0, moment.timestamp())
    if isinstance(value, dt.date):
        return (0, value.toordinal())
    return (1, folded(str(value)))


@dataclass(slots=True)
class Listing(Generic[T]):
    """One page of a list, and how to reach the others."""

    rows: list[T]
    matched: list[T]
    columns: Sequence[Column[T]]
    query: ListQuery
    base_url: str
    params: dict[str, str] = field(default_factory=dict)
    per_page: int = PER_PAGE
    count: int | None = None  # when the database counted (`paged`)

    @property
    def total(self) -> int:
        return len(self.matched) if self.count is None else self.count

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def page(self) -> int:
        return min(self.query.page, self.pages)

    @property
    def first(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)

    def url(self, **changes: Any) -> str:
        """This list's address with `changes` (None removes a parameter)."""
        values: dict[str, Any] = {
            **self.params,
            "q": self.query.q,
            "sort": self.query.sort,
            "dir": self.query.dir if self.query.sort else "",
            "page": self.page if self.page > 1 else "",
        }
        values.update(changes)
        if values.get("page") == 1:
            values["page"] = None
        kept = {k: v for k, v in values.items() if v not in (None, "")}
        return self.base_url + ("?" + urlencode(kept) if kept else "")

    def sort_url(self, key: str) -> str:
        """Sort by `key`, or turn the order round when it is already the sort."""
        turn = self.query.sort == key and self.query.dir == "asc"
        return self.url(sort=key, dir="desc" if turn else "asc", page=None)

    def aria_sort(self, key: str) -> str:
        if self.query.sort != key:
            return "none"
        return "ascending" if self.query.dir == "asc" else "descending"

    def column(self, key: str) -> Column[T] | None:
        return next((c for c in self.columns if c.key == key), None)

    @property
    def prev_url(self) -> str | None:
        return self.url(page=self.page - 1) if self.page > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(page=self.page + 1) if self.page < self.pages else None

    def export_url(self, fmt: str) -> str:
        return self.url(export=fmt, page=None)

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """Headings and every matching row (all pages), as the export writes them."""
        headers = [str(c.label) for c in self.columns]
        return headers, [
            [cell(c.value(row)) for c in self.columns] for row in self.matched
        ]


def cell(value: Any) -> Any:
    """A value as an export cell: dates as a spreadsheet reads them, yes/no in
    the reader's language, numbers as numbers, the rest as text."""
    if isinstance(value, bool):
        return i18n.gettext("Yes") if value else i18n.gettext("No")
    if isinstance(value, dt.datetime):
        moment = value.astimezone(dt.UTC) if value.tzinfo else value
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def build(
    rows: Iterable[T],
    columns: Sequence[Column[T]],
    query: ListQuery,
    *,
    base_url: str,
    params: Mapping[str, Any] | None = None,
    search: Callable[[T], str] | None = None,
    per_page: int = PER_PAGE,
) -> Listing[T]:
    """Search, sort and cut `rows` into the page `query` asks for. `params` are
    the page's own filters, kept in every link; `search` gives the text a row is
    found by (default: every column's value)."""
    matched = list(rows)
    if query.q:
        words = folded(query.q).split()

        def text(row: T) -> str:
            if search is not None:
                return folded(search(row))
            return folded(" ".join(str(c.value(row) or "") for c in columns))

        matched = [row for row in matched if all(w in text(row) for w in words)]
    chosen = next((c for c in columns if c.key == query.sort and c.sortable), None)
    if chosen is None and query.sort:
        query = ListQuery(q=query.q, page=query.page, export=query.export)
    if chosen is not None:
        pick = chosen.sort_value or chosen.value
        matched.sort(key=lambda row: _sort_key(pick(row)))
        if query.dir == "desc":
            blanks = [row for row in matched if _sort_key(pick(row))[0] == 2]
            filled = [row for row in matched if _sort_key(pick(row))[0] != 2]
            matched = filled[::-1] + blanks
    kept = {k: str(v) for k, v in (params or {}).items() if v not in (None, "")}
    listing = Listing(
        rows=[],
        matched=matched,
        columns=columns,
        query=query,
        base_url=base_url,
        params=kept,
        per_page=per_page,
    )
    start = (listing.page - 1) * per_page
    listing.rows = matched[start : start + per_page]
    return listing


def sort_key(query: ListQuery, columns: Sequence[Column[Any]]) -> str:
    """The sort column `query` asks for when it is one of `columns` and sortable,
    else '' (for lists whose service sorts in the database)."""
    chosen = next((c for c in columns if c.key == query.sort and c.sortable), None)
    return chosen.key if chosen is not None else ""


def paged(
    rows: Sequence[T],
    total: int,
    columns: Sequence[Column[T]],
    query: ListQuery,
    *,
    base_url: str,
    params: Mapping[str, Any] | None = None,
    per_page: int = PER_PAGE,
) -> Listing[T]:
    """A list too long to hold in memory (people, the audit log): the service
    searched, sorted and cut `rows` (this page, or every row for an export) in the
    database and counted `total`; the listing only draws it."""
    if query.sort and not sort_key(query, columns):
        query = ListQuery(q=query.q, page=query.page, export=query.export)
    kept = {k: str(v) for k, v in (params or {}).items() if v not in (None, "")}
    return Listing(
        rows=list(rows),
        matched=list(rows),
        columns=columns,
        query=query,
        base_url=base_url,
        params=kept,
        per_page=per_page,
        count=total,
    )


def export_response(
    listing: Listing[Any],
    name: str,
    *,
    session: Session | None = None,
    actor: Actor | None = None,
    action: str = "",
    object_type: str | None = None,
) -> Response:
    """Every row the filters matched as CSV or XLSX (the listing's export
    format), headed in the reader's language. With `action`, the export is
    audited (rows and format; never the search words)."""
    fmt = listing.query.export or "csv"
    media_type, suffix = FORMATS[fmt]
    headers, table = listing.table()
    if action and session is not None:
        audit.record(
            session, actor, action, object_type=object_type, rows=len(table), format=fmt
        )
    if fmt == "xlsx":
        body = tabular.to_xlsx(headers, table, sheet=name)
    else:
        body = tabular.to_csv(headers, table)
    filename = f"{name}.{suffix}"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
