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
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Final

from puente.core import i18n

_DATA_FILE: Final = Path(__file__).resolve().parent / "data" / "isco08_unit_groups.csv"
LOCALES: Final = ("en", "es", "pt", "fr", "ht")


# ISCO-08 major groups (first digit), the words that tell two titles apart.
MAJOR_GROUPS: Final[dict[str, dict[str, str]]] = {
    "0": {"en": "Armed forces", "es": "Fuerzas armadas", "pt": "Forças armadas",
          "fr": "Forces armées", "ht": "Fòs ame"},
    "1": {"en": "Managers", "es": "Directores y gerentes", "pt": "Dirigentes",
          "fr": "Directeurs et cadres", "ht": "Direktè ak manadjè"},
    "2": {"en": "Professionals", "es": "Profesionales", "pt": "Especialistas",
          "fr": "Professions intellectuelles", "ht": "Pwofesyonèl"},
    "3": {"en": "Technicians", "es": "Técnicos", "pt": "Técnicos",
          "fr": "Professions intermédiaires", "ht": "Teknisyen"},
    "4": {"en": "Clerical support", "es": "Personal de apoyo administrativo",
          "pt": "Pessoal administrativo", "fr": "Employés de type administratif",
          "ht": "Travay biwo"},
    "5": {"en": "Services and sales", "es": "Servicios y ventas",
          "pt": "Serviços e vendas", "fr": "Services et vente",
          "ht": "Sèvis ak lavant"},
    "6": {"en": "Agriculture, forestry and fishery",
          "es": "Agropecuario, forestal y pesquero",
          "pt": "Agricultura, floresta e pesca",
          "fr": "Agriculture, sylviculture et pêche",
          "ht": "Agrikilti, forè ak lapèch"},
    "7": {"en": "Crafts and trades", "es": "Oficiales y operarios",
          "pt": "Trabalhadores qualificados", "fr": "Métiers qualifiés",
          "ht": "Metye"},
    "8": {"en": "Machine operators and drivers",
          "es": "Operadores de máquinas y conductores",
          "pt": "Operadores de máquinas e condutores",
          "fr": "Conducteurs de machines et chauffeurs",
          "ht": "Operatè machin ak chofè"},
    "9": {"en": "Elementary occupations", "es": "Ocupaciones elementales",
          "pt": "Trabalhadores não qualificados", "fr": "Professions élémentaires",
          "ht": "Travay senp"},
}  # fmt: skip


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
        names = MAJOR_GROUPS[self.code[0]]
        return names.get(language) or names["en"]


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
