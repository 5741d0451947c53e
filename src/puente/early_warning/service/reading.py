"""Reading flow files (CSV, XLSX, HXL-tagged CSV) into validated long counts.

Pure apart from reading the file: returns a frame or raises `FlowFileRejected`
listing every problem with its file, row and column (first 20).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from puente.early_warning.errors import FlowFileRejected

MAX_PROBLEMS = 20


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
    # Value for an empty dimension cell; None rejects the file.
    blank_value: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    first_row: int  # file row number of rows[0]
    hxl_tags: dict[str, str]


def read_table(path: Path) -> Table:
    """Header and rows as text; an HXL hashtag row under the header is kept
    apart (columns may then be named by tag)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        grid = _read_xlsx(path)
    else:
        frame = pl.read_csv(
            path, infer_schema=False, has_header=False, truncate_ragged_lines=False
        )
        grid = [["" if v is None else str(v) for v in row] for row in frame.rows()]
    if not grid:
        raise FlowFileRejected(path.name, [f"{path.name}: the file is empty"])
    header = [cell.strip() for cell in grid[0]]
    body = grid[1:]
    tags: dict[str, str] = {}
    first_row = 2
    if body and _is_hxl_row(body[0]):
        tags = {
            column: cell.strip()
            for column, cell in zip(header, body[0], strict=False)
            if cell.strip()
        }
        body = body[1:]
        first_row = 3
    return Table(header, body, first_row, tags)


def _is_hxl_row(row: Sequence[str]) -> bool:
    cells = [cell.strip() for cell in row if cell and cell.strip()]
    return bool(cells) and all(cell.startswith("#") for cell in cells)


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    grid: list[list[str]] = []
    for row in sheet.iter_rows(values_only=True):
        grid.append([_cell_text(value) for value in row])
    book.close()
    return grid


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse_date(text: str, date_format: str) -> dt.date | None:
    text = text.strip()
    for fmt in (date_format, "%Y-%m-%d", "%Y-%m"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None


def _parse_count(text: str) -> tuple[bool, float | None]:
    text = text.strip().replace(",", "")
    if text == "":
        return True, None
    try:
        value = float(text)
    except ValueError:
        return False, None
    if math.isnan(value) or value < 0 or not value.is_integer():
        return False, None
    return True, value


def normalise_period(day: dt.date, frequency: str) -> dt.date:
    if frequency == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def to_counts(table: Table, mapping: Mapping, file_name: str) -> pl.DataFrame:
    """Validate and convert to `period, <dimensions>, count` (Float64, null =
    missing), filtered to the mapping's period range."""
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
                f"{file_name}, row 1, column {name}: no such column "
                f"(columns: {', '.join(table.header)})"
            )
        else:
            index[name] = table.header.index(column)
    if problems:
        raise FlowFileRejected(file_name, problems)
    periods: list[dt.date] = []
    counts: list[float | None] = []
    dims: dict[str, list[str]] = {d: [] for d in mapping.dimensions}
    seen: dict[tuple[Any, ...], int] = {}
    for offset, row in enumerate(table.rows):
        row_number = table.first_row + offset
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            position = index[name]
            return row[position] if position < len(row) else ""

        day = _parse_date(cell(mapping.date_column), mapping.date_format)
        if day is None:
            problems.append(
                f"{file_name}, row {row_number}, column {mapping.date_column}: "
                f"{cell(mapping.date_column)!r} is not a date ({mapping.date_format})"
            )
        ok, value = _parse_count(cell(mapping.count_column))
        if not ok:
            problems.append(
                f"{file_name}, row {row_number}, column {mapping.count_column}: "
                f"{cell(mapping.count_column)!r} is not a whole number >= 0"
            )
        values = []
        for dimension in mapping.dimensions:
            text = cell(dimension).strip() or (mapping.blank_value or "")
            if not text:
                problems.append(
                    f"{file_name}, row {row_number}, column {dimension}: empty value"
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
    return frame.sort("period", *mapping.dimensions)
