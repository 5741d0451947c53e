"""Provinces and states (ISO 3166-2) of the states that publish most labour offers
and receive most arrivals (Brazil, Canada, Mexico, the United States), named as each
country names them, with the French name where it differs (Canada is bilingual).
Read from `data/subdivisions.csv` (ISO 3166-2 codes and names as published by the
ISO Online Browsing Platform). Other states' subdivisions are kept as recorded."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from puente.core import i18n
from puente.reference.occupations import fold

_DATA_FILE: Final = Path(__file__).resolve().parent / "data" / "subdivisions.csv"


@dataclass(frozen=True, slots=True)
class Subdivision:
    code: str
    country: str
    name_local: str
    name_fr: str

    def name(self, locale: str | None = None) -> str:
        wanted = (locale or i18n.get_locale()).split("-")[0]
        if wanted in ("fr", "ht") and self.name_fr:
            return self.name_fr
        return self.name_local


@cache
def subdivisions() -> tuple[Subdivision, ...]:
    with _DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Subdivision(row["code"], row["country"], row["name"], row["name_fr"])
            for row in csv.DictReader(handle)
        )


def find_subdivision(code: str) -> Subdivision | None:
    wanted = code.strip().upper()
    return next((s for s in subdivisions() if s.code == wanted), None)


def subdivision_name(code: str, locale: str | None = None) -> str:
    found = find_subdivision(code)
    return found.name(locale) if found is not None else code


def subdivision_options(locale: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """Country (alpha-3) -> (code, name) pairs sorted by name."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for s in subdivisions():
        grouped.setdefault(s.country, []).append((s.code, s.name(locale)))
    for pairs in grouped.values():
        pairs.sort(key=lambda pair: fold(pair[1]))
    return grouped
