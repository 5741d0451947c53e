"""Country names in the five languages of Puente, keyed by ISO 3166-1 alpha-3.

Names come from the Unicode CLDR territory names that Babel ships (en, es, pt,
fr). Babel has no Haitian Creole data: `HAITIAN_NAMES` is a reviewed table for
the countries of the Americas and the usual donor states; elsewhere Creole falls
back to the French name. Codes with no CLDR entry (none in the Americas) show as
the code itself, never as an error.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from babel import Locale

from puente.core import i18n

# ISO 3166-1 alpha-3 -> alpha-2 for the Americas and the states that fund
# responses in the region.
ALPHA2: Final[dict[str, str]] = {
    "ABW": "AW", "AIA": "AI", "ARG": "AR", "ATG": "AG", "BHS": "BS", "BLZ": "BZ",
    "BMU": "BM", "BOL": "BO", "BRA": "BR", "BRB": "BB", "CAN": "CA", "CHL": "CL",
    "COL": "CO", "CRI": "CR", "CUB": "CU", "CUW": "CW", "CYM": "KY", "DMA": "DM",
    "DOM": "DO", "ECU": "EC", "FLK": "FK", "GLP": "GP", "GRD": "GD", "GTM": "GT",
    "GUF": "GF", "GUY": "GY", "HND": "HN", "HTI": "HT", "JAM": "JM", "KNA": "KN",
    "LCA": "LC", "MEX": "MX", "MSR": "MS", "MTQ": "MQ", "NIC": "NI", "PAN": "PA",
    "PER": "PE", "PRI": "PR", "PRY": "PY", "SLV": "SV", "SUR": "SR", "TCA": "TC",
    "TTO": "TT", "URY": "UY", "USA": "US", "VCT": "VC", "VEN": "VE", "VGB": "VG",
    "VIR": "VI",
    # Donors and partners outside the Americas.
    "AUS": "AU", "AUT": "AT", "BEL": "BE", "CHE": "CH", "DEU": "DE", "DNK": "DK",
    "ESP": "ES", "FIN": "FI", "FRA": "FR", "GBR": "GB", "IRL": "IE", "ITA": "IT",
    "JPN": "JP", "KOR": "KR", "LUX": "LU", "NLD": "NL", "NOR": "NO", "NZL": "NZ",
    "PRT": "PT", "SWE": "SE",
}  # fmt: skip

# Reviewed Haitian Creole names; other codes fall back to French.
HAITIAN_NAMES: Final[dict[str, str]] = {
    "ARG": "Ajantin", "BHS": "Bahamas", "BLZ": "Beliz", "BOL": "Bolivi",
    "BRA": "Brezil", "BRB": "Babad", "CAN": "Kanada", "CHL": "Chili",
    "COL": "Kolonbi", "CRI": "Kosta Rika", "CUB": "Kiba",
    "DOM": "Repiblik Dominikèn", "ECU": "Ekwatè", "GTM": "Gwatemala",
    "GUY": "Giyana", "HND": "Ondiras", "HTI": "Ayiti", "JAM": "Jamayik",
    "MEX": "Meksik", "NIC": "Nikaragwa", "PAN": "Panama", "PER": "Pewou",
    "PRY": "Paragwe", "SLV": "Salvadò", "SUR": "Sirinam",
    "TTO": "Trinidad ak Tobago", "URY": "Irigwe", "USA": "Etazini",
    "VEN": "Venezyela", "ESP": "Espay", "FRA": "Lafrans", "DEU": "Almay",
    "GBR": "Wayòm Ini", "JPN": "Japon", "KOR": "Kore disid",
}  # fmt: skip

# The 20 states that endorsed the Declaration in June 2022.
ENDORSING_STATES: Final[tuple[str, ...]] = (
    "ARG", "BRB", "BLZ", "BRA", "CAN", "CHL", "COL", "CRI", "ECU", "SLV",
    "GTM", "HTI", "HND", "JAM", "MEX", "PAN", "PRY", "PER", "USA", "URY",
)  # fmt: skip


@cache
def _territories(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


def country_name(code: str, locale: str | None = None) -> str:
    """The name of country `code` (alpha-3) in `locale` (default: the current one)."""
    locale = locale or i18n.get_locale()
    upper = code.upper()
    if locale == "ht" and upper in HAITIAN_NAMES:
        return HAITIAN_NAMES[upper]
    alpha2 = ALPHA2.get(upper)
    if alpha2 is None:
        return upper
    territories = _territories("fr" if locale == "ht" else locale)
    return territories.get(alpha2, upper)


def is_known_country(code: str) -> bool:
    return code.upper() in ALPHA2


def country_choices(
    codes: tuple[str, ...] | None = None, locale: str | None = None
) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in `locale`, for pickers."""
    chosen = codes if codes is not None else tuple(ALPHA2)
    pairs = [(code, country_name(code, locale)) for code in chosen]
    return sorted(pairs, key=lambda pair: pair[1].casefold())
