"""ISCO-08 unit groups (four-digit occupations) with their titles in the five
languages of Puente, read from `data/isco08_unit_groups.csv`.

The table holds the unit groups that regular labour pathways in the Americas
recruit for (agriculture, construction, hospitality, care, manufacturing,
transport, cleaning) and the ones the pathway catalogue's rules name. English
titles are ILO's (ISCO-08, 2012, short titles); Spanish follows CIUO-08; the
Portuguese, French and Haitian Creole titles were compiled for Puente and are to be
reviewed by native speakers. A code missing here is still a valid ISCO-08 code
for the offer schema; it just cannot be found by words yet.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Final

from puente.core import i18n
from puente.core.i18n import N_

_DATA_FILE: Final = Path(__file__).resolve().parent / "data" / "isco08_unit_groups.csv"
LOCALES: Final = ("en", "es", "pt", "fr", "ht")


# ISCO-08 major groups (first digit), the words that tell two titles apart
# (msgids: translated through the gettext catalogues like every other label).
MAJOR_GROUPS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "0": N_("Armed forces"),
        "1": N_("Managers"),
        "2": N_("Professionals"),
        "3": N_("Technicians"),
        "4": N_("Clerical support"),
        "5": N_("Services and sales"),
        "6": N_("Agriculture, forestry and fishery"),
        "7": N_("Crafts and trades"),
        "8": N_("Machine operators and drivers"),
        "9": N_("Elementary occupations"),
    }
)


@dataclass(frozen=True, slots=True)
class Occupation:
    code: str
    labels: MappingProxyType[str, str]

    def label(self, locale: str | None = None) -> str:
        language = (locale or i18n.get_locale()).split("-")[0].split("_")[0].lower()
        return self.labels.get(language) or self.labels["en"]

    def group(self, locale: str | None = None) -> str:
        """The major group's name: the words that tell two titles apart."""
        language = (locale or i18n.get_locale()).split("-")[0].split("_")[0].lower()
        known = language if language in LOCALES else "en"
        return i18n.translations(known).gettext(MAJOR_GROUPS[self.code[0]])


def fold(text: str) -> str:
    """Lower case without accents, for matching typed words to titles."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def occupations() -> tuple[Occupation, ...]:
    with _DATA_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        Occupation(
            code=row["code"],
            labels=MappingProxyType({loc: row[f"label_{loc}"] for loc in LOCALES}),
        )
        for row in rows
    )


@cache
def _by_code() -> MappingProxyType[str, Occupation]:
    return MappingProxyType({o.code: o for o in occupations()})


def find_occupation(code: str) -> Occupation | None:
    return _by_code().get(code.strip())


def occupation_label(code: str, locale: str | None = None) -> str:
    """The title of a unit group in `locale`; the code itself when not in the table
    (a valid ISCO-08 code the table does not list yet)."""
    found = find_occupation(code)
    return found.label(locale) if found is not None else code


def search_occupations(
    query: str, locale: str | None = None, limit: int = 10
) -> list[Occupation]:
    """Unit groups whose title, in any of the five languages, contains every typed
    word (accents and case folded); titles in the reader's language rank first."""
    words = fold(query).split()
    if not words:
        return []
    wanted = (locale or i18n.get_locale()).split("-")[0]
    ranked: list[tuple[int, str, Occupation]] = []
    for occupation in occupations():
        own = fold(occupation.label(wanted))
        every = " ".join(fold(label) for label in occupation.labels.values())
        if all(word in own for word in words):
            rank = 0 if own.startswith(words[0]) else 1
        elif all(word in every for word in words):
            rank = 2
        else:
            continue
        ranked.append((rank, own, occupation))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in ranked[:limit]]
