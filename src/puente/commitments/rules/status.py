"""Commitment status, targets and progress (pure).

Statuses follow the Global Refugee Forum's pledge follow-up: planned, in
progress, fulfilled. Moving to in progress or fulfilled needs evidence (a link
or a note); any move is allowed, because a state may reopen what it marked
fulfilled too early.

Targets are read from the seed's quantity, unit and deadline: "15000-20000"
is a range, "FY2023-FY2024" ends on 30 September 2024 (the U.S. fiscal year),
"2022-08" at the end of August 2022, a year at its end.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

from puente.core.i18n import N_


class Status(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    FULFILLED = "fulfilled"


STATUS_LABELS: Final[dict[str, str]] = {
    Status.PLANNED: N_("Planned"),
    Status.IN_PROGRESS: N_("In progress"),
    Status.FULFILLED: N_("Fulfilled"),
}
NEEDS_EVIDENCE: Final = frozenset({Status.IN_PROGRESS, Status.FULFILLED})


def needs_evidence(target: Status, url: str, note: str) -> bool:
    """Whether a move to `target` still lacks its evidence."""
    return target in NEEDS_EVIDENCE and not (url.strip() or note.strip())


def is_evidence_url(url: str) -> bool:
    """An evidence link must be a plain http(s) address."""
    return bool(re.fullmatch(r"https?://[^\s<>\"']{3,490}", url.strip()))


@dataclass(frozen=True, slots=True)
class Target:
    quantity: Decimal | None
    quantity_max: Decimal | None
    unit: str
    deadline: dt.date | None
    deadline_text: str


def parse_quantity(text: str) -> tuple[Decimal | None, Decimal | None]:
    clean = text.strip().replace(",", "")
    if not clean:
        return None, None
    parts = clean.split("-")
    try:
        values = [Decimal(part) for part in parts if part]
    except InvalidOperation:
        return None, None
    if len(values) == 1:
        return values[0], None
    if len(values) == 2:
        return min(values), max(values)
    return None, None


def parse_deadline(text: str) -> dt.date | None:
    clean = text.strip().upper()
    if not clean:
        return None
    fiscal = re.findall(r"FY(\d{4})", clean)
    if fiscal:
        return dt.date(int(fiscal[-1]), 9, 30)
    month = re.fullmatch(r"(\d{4})-(\d{2})", clean)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        if 1 <= number <= 12:
            return dt.date(year, number, calendar.monthrange(year, number)[1])
        return None
    years = re.findall(r"\d{4}", clean)
    return dt.date(int(years[-1]), 12, 31) if years else None


def target_of(quantity: str, unit: str, deadline: str) -> Target:
    low, high = parse_quantity(quantity)
    return Target(low, high, unit.strip(), parse_deadline(deadline), deadline.strip())


def progress_share(value: Decimal, target: Decimal | None) -> float | None:
    """`value` as a share of the target (None without a target)."""
    if target is None or target <= 0:
        return None
    return float(value / target)
