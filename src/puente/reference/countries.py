"""Countries: one reference table for every module (ISO 3166-1 alpha-3 and alpha-2),
with names in the five languages of Puente.

- `data/countries.csv`: the 249 officially assigned ISO 3166-1 codes, whether each is
  in the Americas (UN M49 region 019), and its Haitian Creole name. Names in en, es,
  pt and fr are Babel's (CLDR) territory names. CLDR has no Haitian Creole
  territory names, so the Creole column is ours: `ht_source` says where each name
  comes from (`puente`: the reviewed names Puente already showed; `compiled`: to be
  reviewed by a Creole speaker), and `fr` marks a code whose Creole name is not
  known yet: French is shown instead (`Country.ht_is_french`).
- `data/other_codes.csv`: codes that are not ISO 3166-1 countries but appear in travel
  documents (ICAO `XXA` stateless, `XXB`/`XXC` refugee, `XXX` unspecified) and in
  the data sources we ship (`XKX` Kosovo, UNHCR `STL` stateless, `TIB`, `OOO`, the
  former `CSK`), with their names in all five languages.

Names are for people; codes are for storage and exchange. A screen shows
`country_name(code)`; a picker lists `country_options()`.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Final

from babel import Locale

from puente.core import i18n
from puente.core.errors import NotFound
from puente.core.i18n import N_

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
LOCALES: Final = ("en", "es", "pt", "fr", "ht")
BABEL_LOCALES: Final = ("en", "es", "pt", "fr")

# The 20 states that endorsed the Los Angeles Declaration on 10 June 2022.
ENDORSING_STATES: Final = (
    "ARG",
    "BRB",
    "BLZ",
    "BRA",
    "CAN",
    "CHL",
    "COL",
    "CRI",
    "ECU",
    "SLV",
    "GTM",
    "HTI",
    "HND",
    "JAM",
    "MEX",
    "PAN",
    "PRY",
    "PER",
    "USA",
    "URY",
)


class CountryNotFound(NotFound):
    message = N_("Unknown country code %(code)s.")


class CodeKind(StrEnum):
    """What kind of code a row is (only `ISO` rows are ISO 3166-1 countries)."""

    ISO = "iso"
    USER_ASSIGNED = "user_assigned"
    ICAO = "icao"
    SOURCE = "source"
    FORMER = "former"


@dataclass(frozen=True, slots=True)
class Country:
    alpha3: str
    alpha2: str | None
    kind: CodeKind
    is_americas: bool
    names: Mapping[str, str]
    ht_is_french: bool
    ht_source: str

    def name(self, locale: str | None = None) -> str:
        """The name in `locale` (default: the current one; unknown locales: en)."""
        wanted = locale or i18n.get_locale()
        return self.names.get(wanted, self.names["en"])


def _babel_names(alpha2: str) -> dict[str, str]:
    return {
        locale: Locale.parse(locale).territories[alpha2] for locale in BABEL_LOCALES
    }


def _rows(file_name: str) -> list[dict[str, str]]:
    with (DATA_DIR / file_name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def _table() -> Mapping[str, Country]:
    table: dict[str, Country] = {}
    for row in _rows("countries.csv"):
        names = _babel_names(row["alpha2"])
        ht_is_french = row["ht_source"] == "fr"
        names["ht"] = names["fr"] if ht_is_french else row["ht"]
        table[row["alpha3"]] = Country(
            alpha3=row["alpha3"],
            alpha2=row["alpha2"],
            kind=CodeKind.ISO,
            is_americas=row["americas"] == "yes",
            names=MappingProxyType(names),
            ht_is_french=ht_is_french,
            ht_source=row["ht_source"],
        )
    for row in _rows("other_codes.csv"):
        table[row["code"]] = Country(
            alpha3=row["code"],
            alpha2=None,
            kind=CodeKind(row["kind"]),
            is_americas=False,
            names=MappingProxyType({locale: row[locale] for locale in LOCALES}),
            ht_is_french=False,
            ht_source="compiled",
        )
    return MappingProxyType(table)


@cache
def _by_alpha2() -> Mapping[str, Country]:
    return MappingProxyType(
        {c.alpha2: c for c in _table().values() if c.alpha2 is not None}
    )


def all_countries() -> tuple[Country, ...]:
    """Every row, ISO countries and the other codes, in code order."""
    return tuple(sorted(_table().values(), key=lambda c: c.alpha3))


def find_country(code: str) -> Country | None:
    """The country of an alpha-3 (or alpha-2) code, any case; None when unknown."""
    key = code.strip().upper()
    if len(key) == 2:
        return _by_alpha2().get(key)
    return _table().get(key)


def get_country(code: str) -> Country:
    """Like `find_country`, but an unknown code is a `CountryNotFound`."""
    found = find_country(code)
    if found is None:
        raise CountryNotFound(code=code)
    return found


def country_name(code: str, locale: str | None = None) -> str:
    """The name of `code` in `locale` (default: the current locale).

    Raises `CountryNotFound` for a code the table does not know.
    """
    return get_country(code).name(locale)


def americas() -> tuple[Country, ...]:
    """The countries and territories of the Americas (UN M49 region 019)."""
    return tuple(c for c in all_countries() if c.is_americas)


def endorsing_states() -> tuple[Country, ...]:
    """The 20 endorsing states, in the Declaration's order."""
    return tuple(get_country(code) for code in ENDORSING_STATES)


def _sort_key(name: str) -> str:
    # Accents must not send "Île" or "Émirats" after "Z": compare without them.
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def country_options(
    locale: str | None = None, codes: Iterable[str] | None = None
) -> list[tuple[str, str]]:
    """(alpha-3, name) pairs for a picker, sorted by name in `locale`.

    Without `codes`: every ISO 3166-1 country (not the travel-document and
    data-source codes, which a person picks only where they mean something).
    """
    chosen = (
        [get_country(code) for code in codes]
        if codes is not None
        else [c for c in all_countries() if c.kind is CodeKind.ISO]
    )
    wanted = locale or i18n.get_locale()
    pairs = [(c.alpha3, c.name(wanted)) for c in chosen]
    return sorted(pairs, key=lambda pair: _sort_key(pair[1]))


def is_known_country(code: str) -> bool:
    """True for an ISO 3166-1 country code (alpha-3 or alpha-2, any case)."""
    country = find_country(code)
    return country is not None and country.kind is CodeKind.ISO


def country_choices(
    codes: Iterable[str] | None = None, locale: str | None = None
) -> list[tuple[str, str]]:
    """`country_options` with the codes first: (alpha-3, name) pairs by name."""
    return country_options(locale, codes)


def _alpha2_table() -> dict[str, str]:
    return {
        c.alpha3: c.alpha2
        for c in all_countries()
        if c.kind is CodeKind.ISO and c.alpha2 is not None
    }


# ISO 3166-1 alpha-3 -> alpha-2 (IATI and HXL exchange use alpha-2).
ALPHA2: Final[Mapping[str, str]] = _alpha2_table()
