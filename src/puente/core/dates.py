"""Dates and times in the reader's language and chosen format.

Babel has no Haitian Creole data: it falls back to root patterns and writes
"2026 M12 5". Creole therefore gets explicit patterns and month names here; every
other language uses Babel's CLDR data. The format (short, medium, long, ISO) is the
user's preference, then the state's default, set per request by the web layer.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import re
from typing import Final

from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.dates import get_date_format as get_babel_format

from puente.core import i18n

DATE_FORMATS: Final = ("medium", "short", "long", "iso")
DEFAULT_FORMAT: Final = "medium"
HT_MONTHS: Final = (
    "janvye",
    "fevriye",
    "mas",
    "avril",
    "me",
    "jen",
    "jiyè",
    "out",
    "septanm",
    "oktòb",
    "novanm",
    "desanm",
)
HT_MONTHS_SHORT: Final = (
    "jan",
    "fev",
    "mas",
    "avr",
    "me",
    "jen",
    "jiy",
    "out",
    "sep",
    "okt",
    "nov",
    "des",
)

_format: contextvars.ContextVar[str] = contextvars.ContextVar(
    "date_format", default=DEFAULT_FORMAT
)


def set_date_format(style: str | None) -> None:
    """Use `style` for the rest of this request (unknown or None: the default)."""
    _format.set(style if style in DATE_FORMATS else DEFAULT_FORMAT)


def get_date_format() -> str:
    return _format.get()


def _haitian(day: dt.date, style: str) -> str:
    if style == "short":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if style == "long":
        return f"{day.day} {HT_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {HT_MONTHS_SHORT[day.month - 1]} {day.year}"


def format_date(
    value: dt.date | dt.datetime, *, locale: str | None = None, style: str | None = None
) -> str:
    locale = locale or i18n.get_locale()
    style = style if style in DATE_FORMATS else get_date_format()
    day = value.date() if isinstance(value, dt.datetime) else value
    if style == "iso":
        return day.isoformat()
    if locale == "ht":
        return _haitian(day, style)
    if style == "short":
        # CLDR's short dates often have a two-digit year; a case file needs four.
        pattern = re.sub(r"y+", "y", get_babel_format("short", locale=locale).pattern)
        return babel_date(day, format=pattern, locale=locale)
    return babel_date(day, format=style, locale=locale)


def format_datetime(
    value: dt.datetime, *, locale: str | None = None, style: str | None = None
) -> str:
    """The date in the chosen format and the time as hours and minutes (UTC)."""
    locale = locale or i18n.get_locale()
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    day = format_date(value, locale=locale, style=style)
    if (style or get_date_format()) == "iso" or locale == "ht":
        return f"{day} {value:%H:%M}"
    return f"{day} {babel_time(value.time(), format='short', locale=locale)}"
