"""Partial birth dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) and their comparison.

Many people on the move know only their birth year, or give a date that was
estimated at a border post. A partial date is the range of days it covers;
two dates are compatible when their ranges overlap.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from puente.core.errors import InvalidInput

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_EARLIEST_YEAR = 1880


class InvalidPartialDate(InvalidInput):
    message = "A birth date is written YYYY, YYYY-MM or YYYY-MM-DD."


class DatePrecision(StrEnum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


class DateCompatibility(StrEnum):
    """How two birth dates relate, strongest first."""

    EXACT = "exact"  # same precision, same value
    COMPATIBLE = "compatible"  # one is less precise and contains the other
    NEAR = "near"  # a likely typo: day and month swapped, or one year apart
    INCOMPATIBLE = "incompatible"
    UNKNOWN = "unknown"  # at least one date is missing


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise InvalidPartialDate()
        if self.month is not None and not 1 <= self.month <= 12:
            raise InvalidPartialDate()
        if self.day is not None and self.month is not None:
            last_day = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last_day:
                raise InvalidPartialDate()

    @property
    def precision(self) -> DatePrecision:
        if self.day is not None:
            return DatePrecision.DAY
        if self.month is not None:
            return DatePrecision.MONTH
        return DatePrecision.YEAR

    @property
    def earliest(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> date:
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)

    def isoformat(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def __str__(self) -> str:
        return self.isoformat()


def parse_partial_date(text: str, *, today: date | None = None) -> PartialDate:
    """Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; refuse impossible or future dates.

    `today` bounds the future; pass it from the caller's clock (rules read no clock
    themselves, so they stay pure). Without it only the syntax and calendar are
    checked.
    """
    match = _PATTERN.match(text.strip())
    if match is None:
        raise InvalidPartialDate()
    year_text, month_text, day_text = match.groups()
    year = int(year_text)
    if year < _EARLIEST_YEAR:
        raise InvalidPartialDate()
    result = PartialDate(
        year=year,
        month=int(month_text) if month_text else None,
        day=int(day_text) if day_text else None,
    )
    if today is not None and result.earliest > today:
        raise InvalidPartialDate()
    return result


def compare_birth_dates(
    first: PartialDate | None, second: PartialDate | None
) -> DateCompatibility:
    """Compare two possibly partial birth dates."""
    if first is None or second is None:
        return DateCompatibility.UNKNOWN
    if first == second:
        return DateCompatibility.EXACT
    if first.earliest <= second.latest and second.earliest <= first.latest:
        return DateCompatibility.COMPATIBLE
    if _is_near(first, second):
        return DateCompatibility.NEAR
    return DateCompatibility.INCOMPATIBLE


def _is_near(first: PartialDate, second: PartialDate) -> bool:
    """One year apart at the same month/day, or day and month swapped."""
    if abs(first.year - second.year) == 1 and (
        first.month is None
        or second.month is None
        or (first.month, first.day) == (second.month, second.day)
    ):
        return True
    return (
        first.year == second.year
        and first.precision is DatePrecision.DAY
        and second.precision is DatePrecision.DAY
        and (first.month, first.day) == (second.day, second.month)
    )
