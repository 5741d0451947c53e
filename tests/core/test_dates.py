"""Dates in every language and format; Haitian Creole never reads "2026 M12 5"."""

from __future__ import annotations

import datetime as dt

import pytest

from puente.core.dates import (
    DATE_FORMATS,
    format_date,
    format_datetime,
    set_date_format,
)
from puente.core.i18n import LOCALES

DAY = dt.date(2026, 12, 5)


@pytest.mark.parametrize("style", list(DATE_FORMATS))
@pytest.mark.parametrize("locale", LOCALES)
def test_every_language_and_format_reads_as_a_date(locale: str, style: str) -> None:
    text = format_date(DAY, locale=locale, style=style)
    assert "M12" not in text
    assert "2026" in text
    assert "5" in text


def test_haitian_creole_has_its_own_month_names() -> None:
    assert format_date(DAY, locale="ht", style="long") == "5 desanm 2026"
    assert format_date(DAY, locale="ht", style="medium") == "5 des 2026"
    assert format_date(DAY, locale="ht", style="short") == "05/12/2026"
    assert format_date(dt.date(2026, 7, 14), locale="ht", style="long") == (
        "14 jiyè 2026"
    )


def test_other_languages_use_their_own_names() -> None:
    assert format_date(DAY, locale="es", style="long") == "5 de diciembre de 2026"
    assert format_date(DAY, locale="fr", style="long") == "5 décembre 2026"
    assert format_date(DAY, locale="en", style="iso") == "2026-12-05"


def test_the_request_preference_applies_and_unknown_falls_back() -> None:
    moment = dt.datetime(2026, 12, 5, 14, 30, tzinfo=dt.UTC)
    set_date_format("iso")
    try:
        assert format_datetime(moment, locale="pt") == "2026-12-05 14:30"
        set_date_format("nonsense")
        assert "dez" in format_datetime(moment, locale="pt")
    finally:
        set_date_format(None)
