"""Reading uploaded tables (CSV, XLSX, HXL-tagged CSV) safely, before any domain
code looks at them.

The import bar: limits on bytes, rows, columns and cell length, checked while
reading (a 10^6-column CSV or an XLSX bomb is refused early, with the limit
named); text encodings detected (UTF-8 with or without BOM, UTF-16 with BOM,
then Windows-1252); blank rows skipped; an HXL hashtag row under the header kept
apart so columns can be named by tag. Every problem names the file, row and
column. Nothing here writes anything.

XLSX files are zip archives: the number of members, their declared unzipped
sizes and compression ratios are checked before openpyxl parses them; openpyxl
parses through defusedxml, which refuses XML entity declarations (entity
bombs, external entities). A row with more cells than the header (ragged CSV)
is refused, naming row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from puente.core import i18n
from puente.core.errors import InvalidInput
from puente.core.i18n import N_

MAX_PROBLEMS: Final = 20
# The csv module refuses fields over 128 KiB with an error that cannot say
# which column; let it read any field a file within the byte limit can hold, so
# the cell-length check below names the row and the column.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on an uploaded table; each refusal names the limit it hit."""

    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 100_000
    max_columns: int = 100
    max_cell_chars: int = 2_000
    max_unzipped_bytes: int = 60 * 1024 * 1024
    max_zip_ratio: int = 100
    max_zip_members: int = 1_000


DEFAULT_LIMITS: Final = Limits()


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in an uploaded file: where it is and what is wrong (a msgid
    with named parameters, translated when shown)."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        what = i18n.gettext(self.message, **self.params)
        if self.row is not None and self.column:
            return i18n.gettext(
                "%(file)s, row %(row)s, column %(column)s: %(problem)s",
                file=printable(self.file, 120),
                row=self.row,
                column=printable(self.column),
                problem=what,
            )
        if self.row is not None:
            return i18n.gettext(
                "%(file)s, row %(row)s: %(problem)s",
                file=printable(self.file, 120),
                row=self.row,
                problem=what,
            )
        return i18n.gettext(
            "%(file)s: %(problem)s", file=printable(self.file, 120), problem=what
        )


def printable(text: str, limit: int = 40) -> str:
    """`text` fit for a one-line message: control characters (newlines, NULs)
    shown as `?`, cut to `limit` characters with an ellipsis."""
    clean = "".join("?" if not c.isprintable() else c for c in text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


class TableRejected(InvalidInput):
    """An uploaded table cannot be used; `problems` say where and why (at most
    MAX_PROBLEMS). Nothing was written."""

    message = N_("The file was rejected.")

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)[:MAX_PROBLEMS]
        super().__init__()

    def __str__(self) -> str:
        return "; ".join(problem.text() for problem in self.problems)

    def translated(self) -> str:
        return str(self)

    @property
    def detail(self) -> Any:
        return [problem.text() for problem in self.problems]


@dataclass(frozen=True, slots=True)
class Table:
    """Header and rows as stripped text. `row_numbers[i]` is the file row of
    `rows[i]` (1-based, as a spreadsheet shows it); `tags` maps a column to its
    HXL hashtag when the file has a hashtag row."""

    file_name: str
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    tags: dict[str, str]
    encoding: str

    def find(self, *names: str) -> str | None:
        """The header of the first column named (case-insensitively) or tagged
        (HXL, attributes in any order) like one of `names`; None if absent."""
        by_header = {column.casefold(): column for column in self.header}
        by_tag = {normalise_tag(tag): column for column, tag in self.tags.items()}
        for name in names:
            if name.startswith("#"):
                found = by_tag.get(normalise_tag(name))
            else:
                found = by_header.get(name.strip().casefold())
            if found is not None:
                return found
        return None

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(file row, {header: cell}) for every row; short rows pad with ''."""
        for number, row in zip(self.row_numbers, self.rows, strict=True):
            padded = row + [""] * (len(self.header) - len(row))
            yield number, dict(zip(self.header, padded, strict=False))


def normalise_tag(tag: str) -> str:
    """`#Reached +M+adults` -> `#reached+adults+m` (attributes sorted)."""
    parts = [part.strip().lower() for part in tag.replace(" ", "").split("+")]
    head, attributes = parts[0], sorted(part for part in parts[1:] if part)
    return "+".join([head, *attributes])


def is_xlsx(data: bytes, file_name: str) -> bool:
    return file_name.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04"


def read_table(data: bytes, file_name: str, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Parse `data` (CSV or XLSX) into a Table, or raise TableRejected."""
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1][:120] or "upload"
    if len(data) > limits.max_bytes:
        raise TableRejected([too_large(name, limits)])
    if not data.strip():
        raise TableRejected([Problem(name, N_("the file is empty"))])
    if is_xlsx(data, name):
        grid, encoding = _xlsx_rows(data, name, limits), "xlsx"
    else:
        text, encoding = decode(data)
        grid = _csv_rows(text, name)
    return _table(name, grid, encoding, limits)


def read_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of an uploaded file on disk, refused (TableRejected) before
    reading when larger than the limit."""
    name = path.name[:120] or "upload"
    try:
        if path.stat().st_size > limits.max_bytes:
            raise TableRejected([too_large(name, limits)])
        return path.read_bytes()
    except OSError as exc:
        raise TableRejected([Problem(name, N_("the file cannot be read"))]) from exc


def too_large(name: str, limits: Limits) -> Problem:
    return Problem(
        name,
        N_("the file is larger than %(limit)s MB"),
        params={"limit": limits.max_bytes // (1024 * 1024)},
    )


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: BOMs first, then UTF-8, then Windows-1252
    (which maps every byte, as spreadsheets exported on Windows use it)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def sniff_delimiter(text: str) -> str:
    """The delimiter of the first non-blank line: comma, semicolon (spreadsheets
    in languages with a decimal comma) or tab, whichever it has most of."""
    first = next((line for line in text[:65536].splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(text: str, name: str) -> Iterator[tuple[int, list[str]]]:
    dialect = csv.excel
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect, delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise TableRejected(
            [
                Problem(
                    name,
                    N_("the file is not valid CSV (%(error)s)"),
                    row=reader.line_num,
                    params={"error": str(exc)[:80]},
                )
            ]
        ) from exc


def _xlsx_rows(
    data: bytes, name: str, limits: Limits
) -> Iterator[tuple[int, list[str]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise TableRejected(
            [Problem(name, N_("the file is not a valid XLSX workbook"))]
        ) from exc
    if len(members) > limits.max_zip_members:
        raise TableRejected(
            [
                Problem(
                    name,
                    N_("the workbook has more than %(limit)s parts"),
                    params={"limit": limits.max_zip_members},
                )
            ]
        )
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > limits.max_unzipped_bytes or ratio > limits.max_zip_ratio:
            raise TableRejected(
                [
                    Problem(
                        name,
                        N_(
                            "the workbook expands to more than %(limit)s MB "
                            "or is compressed suspiciously well"
                        ),
                        params={"limit": limits.max_unzipped_bytes // (1024 * 1024)},
                    )
                ]
            )
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        # (defusedxml's EntitiesForbidden for an XML entity bomb among them)
        raise TableRejected(
            [Problem(name, N_("the file is not a valid XLSX workbook"))]
        ) from exc
    try:
        sheet = book.worksheets[0]
        if isinstance(sheet, ReadOnlyWorksheet):
            # The declared dimension (A1:XFD1048576 in a hostile file) would
            # pad every row to it; read each row as long as its cells instead.
            sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if len(values) > limits.max_columns and any(
                value not in (None, "") for value in values[limits.max_columns :]
            ):
                raise TableRejected(
                    [
                        Problem(
                            name,
                            N_("more than %(limit)s columns"),
                            row=number,
                            params={"limit": limits.max_columns},
                        )
                    ]
                )
            yield number, [cell_text(value) for value in values[: limits.max_columns]]
    except TableRejected:
        raise
    except Exception as exc:  # a sheet broken (or hostile) past its first rows
        raise TableRejected(
            [Problem(name, N_("the file is not a valid XLSX workbook"))]
        ) from exc
    finally:
        book.close()


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_hxl_row(row: list[str]) -> bool:
    cells = [cell for cell in row if cell]
    return bool(cells) and all(cell.startswith("#") for cell in cells)


def _table(
    name: str,
    grid: Iterable[tuple[int, list[str]]],
    encoding: str,
    limits: Limits,
) -> Table:
    header: list[str] | None = None
    tags: dict[str, str] = {}
    rows: list[list[str]] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    awaiting_tags = False
    for number, raw in grid:
        if len(raw) > limits.max_columns:
            raise TableRejected(
                [
                    Problem(
                        name,
                        N_("more than %(limit)s columns"),
                        row=number,
                        params={"limit": limits.max_columns},
                    )
                ]
            )
        row = [cell.strip() for cell in raw]
        if not any(row):
            continue
        for index, cell in enumerate(row):
            if len(cell) > limits.max_cell_chars or "\x00" in cell:
                column = header[index] if header and index < len(header) else ""
                problems.append(
                    Problem(
                        name,
                        N_("the cell is longer than %(limit)s characters")
                        if len(cell) > limits.max_cell_chars
                        else N_("the cell contains a NUL character"),
                        row=number,
                        column=column or str(index + 1),
                        params={"limit": limits.max_cell_chars},
                    )
                )
        if header is None:
            header = row
            awaiting_tags = True
            continue
        if awaiting_tags:
            awaiting_tags = False
            if _is_hxl_row(row):
                tags = {
                    column: cell
                    for column, cell in zip(header, row, strict=False)
                    if cell and column
                }
                continue
        width = len(header)
        while width and not header[width - 1]:
            width -= 1
        if any(row[width:]):
            index = max(i for i, cell in enumerate(row) if cell)
            problems.append(
                Problem(
                    name,
                    N_("the row has %(cells)s cells but the header has %(columns)s"),
                    row=number,
                    column=str(index + 1),
                    params={"cells": index + 1, "columns": width},
                )
            )
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        if len(rows) >= limits.max_rows:
            raise TableRejected(
                [
                    Problem(
                        name,
                        N_("more than %(limit)s rows"),
                        row=number,
                        params={"limit": limits.max_rows},
                    )
                ]
            )
        rows.append(row)
        numbers.append(number)
        if len(problems) >= MAX_PROBLEMS:
            break
    if header is None:
        raise TableRejected([Problem(name, N_("the file is empty"))])
    while header and not header[-1]:
        header.pop()
    seen: set[str] = set()
    for index, column in enumerate(header):
        if not column:
            problems.append(
                Problem(
                    name,
                    N_("the column has no name"),
                    row=numbers[0] - 1 if numbers else 1,
                    column=str(index + 1),
                )
            )
        elif column.casefold() in seen:
            problems.append(
                Problem(name, N_("the column name is repeated"), row=1, column=column)
            )
        seen.add(column.casefold())
    if problems:
        raise TableRejected(problems)
    return Table(name, header, rows, numbers, tags, encoding)


# --------------------------------------------------------------------------- export

# What a spreadsheet may read as the start of a formula or a DDE call: the
# classic = + - @, TAB and CR, and also a newline or a space before them (some
# spreadsheets trim), the fullwidth forms (＝ ＋ － ＠, which some locales fold to
# ASCII) and | (DDE in older Excel).
FORMULA_START: Final = (
    *("=", "+", "-", "@", "\t", "\r", "\n", " ", "|"),
    *("\uff1d", "\uff0b", "\uff0d", "\uff20"),
)


def neutralise(text: str) -> str:
    """`text` as a cell no spreadsheet evaluates: an apostrophe before a
    formula-like start (CSV injection). Every export writer calls this."""
    return "'" + text if text.startswith(FORMULA_START) else text


def restore(text: str) -> str:
    """The inverse of `neutralise` for imports of our own exports: an apostrophe
    before a formula-like start is dropped, so an export imports back unchanged."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def _safe(value: Any) -> Any:
    """Numbers stay numbers; text that a spreadsheet would run as a formula is
    prefixed with an apostrophe (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return neutralise(text)


XLSX_MEDIA: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA: Final = "text/csv; charset=utf-8"
TABLE_KINDS: Final = frozenset({"csv", "xlsx"})


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A file to hand over: its bytes, media type and a safe file name."""

    body: bytes
    media_type: str
    filename: str


def safe_name(name: str) -> str:
    """A file name stem of letters, digits, - and _ (never a path or a quote)."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:60] or "table"


def table_file(
    kind: str, name: str, headers: list[str], rows: Iterable[Iterable[Any]]
) -> ExportFile:
    """A table as CSV (`kind` "csv") or XLSX ("xlsx"); every text cell neutralised.
    The one writer behind every table download."""
    stem = safe_name(name)
    if kind == "xlsx":
        return ExportFile(
            to_xlsx(headers, rows, sheet=stem), XLSX_MEDIA, f"{stem}.xlsx"
        )
    return ExportFile(to_csv(headers, rows), CSV_MEDIA, f"{stem}.csv")


def to_hxl(
    headers: Iterable[str], tags: Iterable[str], rows: Iterable[Iterable[Any]]
) -> str:
    """HXL-tagged CSV (a header row, then the hashtag row): the import format of
    coordination and financing. Text cells are neutralised like every export; the
    importers `restore` them, so an export imports back unchanged."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(headers))
    writer.writerow(list(tags))
    for row in rows:
        writer.writerow(["" if cell is None else _safe(cell) for cell in row])
    return buffer.getvalue()


def to_csv(headers: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """UTF-8 CSV with a BOM (so spreadsheets read accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_safe(h) for h in headers])
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def to_xlsx(
    headers: list[str], rows: Iterable[Iterable[Any]], sheet: str = "Puente"
) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet[:31] or "Puente")
    worksheet.append([_safe(h) for h in headers])
    for row in rows:
        worksheet.append([_safe(cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
