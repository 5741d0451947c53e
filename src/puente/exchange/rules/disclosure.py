"""Disclosure control for aggregates shared with peers: monthly counts by
nationality with each month's total. No count under five leaves, and no
withheld cell can be worked out from what is published.

- Primary suppression: a cell under `MIN_CELL` (zero included) is withheld,
  marked suppressed (never sent as a number, never as zero).
- A month whose total is under `MIN_CELL` is withheld whole (total and cells).
- Secondary suppression: otherwise, while a month has withheld cells and either
  only one of them, or their sum (the total minus what is published) under
  `MIN_CELL`, the smallest published cell of that month is withheld too. With
  two or more withheld cells summing to S >= 5, each could be anything from 0
  to S: none is determined by the total, and their sum is not a small count.

Months are independent (only month totals are published, no totals across
months), so the check is per month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

MIN_CELL: Final = 5
FORMAT: Final = "puente-monthly-counts/1"


@dataclass(frozen=True)
class Month:
    """One month as published: counts by nationality (None: suppressed) and the
    total (None: suppressed)."""

    month: dt.date
    cells: dict[str, int | None]
    total: int | None


def suppress_month(month: dt.date, counts: Mapping[str, int]) -> Month:
    """Primary and secondary suppression of one month's cells."""
    if any(c < 0 for c in counts.values()):
        raise ValueError("counts are never negative")
    total = sum(counts.values())
    if total < MIN_CELL:
        return Month(month, dict.fromkeys(counts), None)
    withheld = {k for k, c in counts.items() if c < MIN_CELL}
    while withheld and (
        len(withheld) < 2 or sum(counts[k] for k in withheld) < MIN_CELL
    ):
        published = sorted((c, k) for k, c in counts.items() if k not in withheld)
        if not published:  # every cell withheld: the total alone is published
            break
        withheld.add(published[0][1])
    return Month(
        month,
        {k: (None if k in withheld else c) for k, c in counts.items()},
        total,
    )


def suppressed_table(cells: Mapping[tuple[dt.date, str], int]) -> list[Month]:
    """The whole table (month, nationality) -> count, suppressed month by month."""
    by_month: dict[dt.date, dict[str, int]] = {}
    for (month, nationality), count in cells.items():
        by_month.setdefault(month, {})[nationality] = int(count)
    return [suppress_month(m, by_month[m]) for m in sorted(by_month)]


def as_payload(table: list[Month]) -> dict[str, Any]:
    """The envelope payload: one row per month; a withheld cell is listed by
    nationality under `suppressed`, never with a number."""
    return {
        "format": FORMAT,
        "min_cell": MIN_CELL,
        "months": [
            {
                "month": m.month.isoformat(),
                "counts": {k: v for k, v in sorted(m.cells.items()) if v is not None},
                "suppressed": sorted(k for k, v in m.cells.items() if v is None),
                "total": m.total,
                "total_suppressed": m.total is None,
            }
            for m in table
        ],
    }


def small_counts(payload: object) -> list[int]:
    """Every count in 1..MIN_CELL-1 anywhere in a payload (ints that are not
    booleans): checked before sending and on receipt."""
    found: list[int] = []
    if isinstance(payload, dict):
        for value in payload.values():
            found += small_counts(value)
    elif isinstance(payload, list):
        for item in payload:
            found += small_counts(item)
    elif (
        isinstance(payload, int)
        and not isinstance(payload, bool)
        and 0 < payload < MIN_CELL
    ):
        found.append(payload)
    return found


def from_payload(payload: Mapping[str, Any]) -> list[Month]:
    """Read a received payload back (raises ValueError/KeyError/TypeError when
    malformed, or when it carries a small count)."""
    if payload.get("format") != FORMAT:
        raise ValueError("format")
    if small_counts({k: v for k, v in payload.items() if k != "min_cell"}):
        raise ValueError("small count")
    out: list[Month] = []
    for item in payload["months"]:
        counts = {str(k).upper(): int(v) for k, v in dict(item["counts"]).items()}
        withheld = {str(k).upper() for k in item["suppressed"]}
        if withheld & set(counts):
            raise ValueError("both")
        cells: dict[str, int | None] = dict(counts)
        cells |= dict.fromkeys(withheld)
        total = None if item.get("total_suppressed") else int(item["total"])
        out.append(Month(dt.date.fromisoformat(str(item["month"])), cells, total))
    return out
