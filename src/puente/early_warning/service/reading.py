"""Reading flow files (CSV, XLSX, HXL-tagged CSV) into validated long counts.

Pure apart from reading the file: returns a frame or raises `FlowFileRejected`
listing every problem with its file, row and column (first 20).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from puente.core import tabular
from puente.core.i18n import gettext
from puente.early_warning.errors import FlowFileRejected

MAX_PROBLEMS = 20
# A blank dimension cell imports as this member ("not stated", translated when
# shown); `strict` refuses blanks instead.
NOT_STATED = "not_stated"
# No month of movements counts more people than this: larger numbers are typos
# or hostile (1e308, 2^63).
MAX_COUNT = 1_000_000_000
# Characters that a spreadsheet runs as a formula when a cell starts with them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHOWN_COLUMNS = 10


@dataclass(frozen=True, slots=True)
class Mapping:
    date_column: str
    count_column: str
    dimensions: tuple[str, ...]
    date_format: str = "%Y-%m-%d"
    frequency: str = "month"
    from_period: dt.date | None = None
    to_period: dt.date | None = None
    # Some publishers list a code twice in a month (two names mapped to one
    # ISO3); the profile may say such rows are summed instead of rejected.
    sum_duplicates: bool = False
    # Value for an empty dimension cell (default: NOT_STATED).
    blank_value: str | None = None
    # Refuse blank dimension cells instead of importing them as not stated.
    strict: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]  # file row number of each of `rows` (1-based)
    hxl_tags: dict[str, str]


def read_table(path: Path, limits: tabular.Limits = tabular.DEFAULT_LIMITS) -> Table:
    """Header and rows as text, read by the shared reader (`core.tabular`):
    limits on bytes, rows, columns, cell length and unzipped XLSX size, encodings
    detected, ragged rows refused. An HXL hashtag row under the header is kept
    apart (columns may then be named by tag)."""
    name = path.name[:120]
    try:
        table = tabular.read_table(tabular.read_file(path, limits), name, limits)
    except tabular.TableRejected as exc:
        problems = [problem.text() for problem in exc.problems]
        raise FlowFileRejected(name, problems) from None
    return Table(table.header, table.rows, table.row_numbers, table.tags)


def _parse_date(text: str, date_format: str) -> dt.date | None:
    text = text.strip()
    for fmt in (date_format, "%Y-%m-%d", "%Y-%m"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None


_WHOLE = re.compile(r"[0-9]{1,15}(?:\.0*)?")


def _parse_count(text: str) -> tuple[bool, float | None]:
    """A whole number from 0 to MAX_COUNT written in digits (thousands commas
    allowed); no exponents, signs, NaN or infinity."""
    text = text.strip().replace(",", "")
    if text == "":
        return True, None
    if not _WHOLE.fullmatch(text):
        return False, None
    value = float(text)
    if value > MAX_COUNT:
        return False, None
    return True, value


def dimension_label(value: str) -> str:
    """How a dimension value is shown: NOT_STATED in words, others as stored."""
    return gettext("not stated") if value == NOT_STATED else value


def _columns_shown(header: list[str]) -> str:
    shown = ", ".join(tabular.printable(c) for c in header[:SHOWN_COLUMNS])
    if len(header) > SHOWN_COLUMNS:
        shown += f", … ({len(header) - SHOWN_COLUMNS} more)"
    return shown


def normalise_period(day: dt.date, frequency: str) -> dt.date:
    if frequency == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def to_counts(
    table: Table, mapping: Mapping, file_name: str
) -> tuple[pl.DataFrame, int]:
    """Validate and convert to `period, <dimensions>, count` (Float64, null =
    missing), filtered to the mapping's period range; with the number of blank
    dimension cells imported as not stated."""
    by_tag = {tag: column for column, tag in table.hxl_tags.items()}

    def resolve(name: str) -> str:
        return by_tag.get(name, name)

    problems: list[str] = []
    wanted = [mapping.date_column, mapping.count_column, *mapping.dimensions]
    index: dict[str, int] = {}
    for name in wanted:
        column = resolve(name)
        if column not in table.header:
            problems.append(
                f"{file_name}, row 1, column {tabular.printable(name)}: no such column "
                f"(columns: {_columns_shown(table.header)})"
            )
        else:
            index[name] = table.header.index(column)
    if problems:
        raise FlowFileRejected(file_name, problems)
    periods: list[dt.date] = []
    counts: list[float | None] = []
    dims: dict[str, list[str]] = {d: [] for d in mapping.dimensions}
    seen: dict[tuple[Any, ...], int] = {}
    not_stated = 0
    for row_number, row in zip(table.row_numbers, table.rows, strict=True):
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            position = index[name]
            return row[position] if position < len(row) else ""

        day = _parse_date(cell(mapping.date_column), mapping.date_format)
        if day is None:
            problems.append(
                f"{file_name}, row {row_number}, column {mapping.date_column}: "
                f"{cell(mapping.date_column)[:40]!r} is not a date "
                f"({mapping.date_format})"
            )
        ok, value = _parse_count(cell(mapping.count_column))
        if not ok:
            problems.append(
                f"{file_name}, row {row_number}, column {mapping.count_column}: "
                f"{cell(mapping.count_column)[:40]!r} is not a whole number "
                f"from 0 to {MAX_COUNT}"
            )
        values = []
        for dimension in mapping.dimensions:
            text = cell(dimension).strip()
            where = f"{file_name}, row {row_number}, column {dimension}"
            if not text and mapping.strict:
                problems.append(f"{where}: empty value (--strict)")
            elif not text:
                text = mapping.blank_value or NOT_STATED
                not_stated += 1
            elif text.startswith(FORMULA_START):
                problems.append(
                    f"{where}: {text[:40]!r} looks like a spreadsheet formula"
                )
            values.append(text)
        if len(problems) >= MAX_PROBLEMS:
            break
        if day is None or not ok:
            continue
        period = normalise_period(day, mapping.frequency)
        key = (period, *values)
        if key in seen and not mapping.sum_duplicates:
            problems.append(
                f"{file_name}, row {row_number}, column {mapping.date_column}: "
                f"repeats row {seen[key]} (same period and dimensions)"
            )
            continue
        seen[key] = row_number
        if mapping.from_period and period < mapping.from_period:
            continue
        if mapping.to_period and period > mapping.to_period:
            continue
        periods.append(period)
        counts.append(value)
        for dimension, text in zip(mapping.dimensions, values, strict=True):
            dims[dimension].append(text)
    if problems:
        raise FlowFileRejected(file_name, problems[:MAX_PROBLEMS])
    frame = pl.DataFrame(
        {
            "period": pl.Series(periods, dtype=pl.Date),
            **{d: pl.Series(v, dtype=pl.Utf8) for d, v in dims.items()},
            "count": pl.Series(counts, dtype=pl.Float64),
        }
    )
    if mapping.sum_duplicates:
        frame = frame.group_by("period", *mapping.dimensions).agg(
            pl.when(pl.col("count").null_count() > 0)
            .then(None)
            .otherwise(pl.col("count").sum())
            .alias("count")
        )
    return frame.sort("period", *mapping.dimensions), not_stated
