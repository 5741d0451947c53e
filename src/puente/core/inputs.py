"""Parsing numbers and moments a person typed, in forms and query parameters.

`int()` takes `'²'`-free text only when it is decimal, and refuses more than
4,300 digits with a `ValueError`; `str.isdigit()` says yes to `'²'`. Each was a
500 (issue 9, item 10). Routes call these instead and answer 4xx (or fall back to
their default) when they return None.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Final

from pydantic import AfterValidator

MAX_DIGITS: Final = 9
EARLIEST: Final = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST: Final = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def whole_number(text: str | None, *, max_digits: int = MAX_DIGITS) -> int | None:
    """A non-negative whole number of at most `max_digits` decimal digits
    (fullwidth and other Unicode decimal digits count), else None: `'²'`, `'-1'`,
    `'1e3'` and a 5,000-digit number are not numbers here."""
    if text is None:
        return None
    text = text.strip()
    if not text or len(text) > max_digits or not text.isdecimal():
        return None
    return int(text)


def _plausible(value: dt.datetime) -> dt.datetime:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    if not EARLIEST <= aware < LATEST:
        raise ValueError(f"must be between {EARLIEST.year} and {LATEST.year - 1}")
    return value


def plausible_moment(text: str | None) -> dt.datetime | None:
    """An ISO 8601 date-time between 1900 and 2099 (UTC when no zone), else None:
    `9999-12-31T23:59:59+00:00` would overflow the first `+ timedelta`."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        return _plausible(value)
    except ValueError:
        return None


# A date-time field of a request body: years 1900-2099 (arithmetic on it cannot
# overflow; the database can store it).
Moment = Annotated[dt.datetime, AfterValidator(_plausible)]


# Amounts of money: at most 14 digits before the point (a hundred trillion), two
# after; quantities: finite, at most a billion units. `Decimal("1e308")`,
# `Decimal("NaN")` (whose comparisons raise) and `float("inf")` are refused here,
# before any arithmetic, so a form answers with its own error, never a 500.
MAX_AMOUNT: Final = Decimal("99999999999999.99")
MAX_QUANTITY: Final = 1_000_000_000.0


def amount(text: str | None, *, maximum: Decimal = MAX_AMOUNT) -> Decimal | None:
    """A positive amount with at most two decimals, or None (empty, not a plain
    decimal number, not finite, zero or less, or over `maximum`)."""
    clean = (text or "").replace(",", "").replace("\u00a0", "").strip()
    if not clean or len(clean) > 24 or not all(c.isascii() for c in clean):
        return None
    if any(c in clean for c in "eEnNiI"):  # exponents, nan, inf, infinity
        return None
    try:
        value = Decimal(clean)
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value > maximum:
        return None
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def quantity(text: str | None, *, maximum: float = MAX_QUANTITY) -> float | None:
    """A finite quantity from 0 to `maximum` (a decimal comma is read as a point),
    or None."""
    clean = (text or "").replace(",", ".").strip()
    if not clean or len(clean) > 24 or not all(c.isascii() for c in clean):
        return None
    if any(c in clean for c in "eEnNiI"):
        return None
    try:
        value = float(clean)
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0 or value > maximum:
        return None
    return value
