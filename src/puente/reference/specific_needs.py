"""UNHCR specific needs codes (IOM/030-FOM/030/2009 Annex 2, plus the proGres
disability codes on the Washington Group domains), read from
`data/unhcr_specific_needs.csv`.

Codes are a versioned code system (`code_system`): the 2009 standard and the
later disability set. The 2009 disability sub-codes are kept as `superseded` so
old records still have labels; new screenings should use the current ones.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType

from puente.core.errors import NotFound

LOCALES: tuple[str, ...] = ("en", "es", "pt", "fr", "ht")
DEFAULT_LOCALE = "en"
_DATA_FILE = "unhcr_specific_needs.csv"


class SpecificNeedNotFound(NotFound):
    message = "Unknown specific needs code."


class Sensitivity(StrEnum):
    """Research/07 DP-5 levels; SGBV, torture and health are strictly confidential."""

    CONFIDENTIAL = "confidential"
    STRICTLY_CONFIDENTIAL = "strictly_confidential"


class CodeLevel(StrEnum):
    CATEGORY = "category"
    SUB_CODE = "sub_code"


@dataclass(frozen=True, slots=True)
class SpecificNeed:
    code: str
    category: str
    level: CodeLevel
    code_system: str
    is_current: bool
    sensitivity: Sensitivity
    labels: MappingProxyType[str, str]

    def label(self, locale: str = DEFAULT_LOCALE) -> str:
        """Label in `locale` ("es", "pt-BR" ...), falling back to English."""
        language = locale.split("-")[0].split("_")[0].lower()
        return self.labels.get(language) or self.labels[DEFAULT_LOCALE]


@cache
def load_specific_needs() -> tuple[SpecificNeed, ...]:
    """Every category and sub-code, in file order."""
    text = (
        resources.files("puente.reference")
        .joinpath("data", _DATA_FILE)
        .read_text(encoding="utf-8")
    )
    needs = []
    for row in csv.DictReader(text.splitlines()):
        needs.append(
            SpecificNeed(
                code=row["code"],
                category=row["category"],
                level=CodeLevel(row["level"]),
                code_system=row["code_system"],
                is_current=row["status"] == "current",
                sensitivity=Sensitivity(row["sensitivity"]),
                labels=MappingProxyType(
                    {locale: row[f"label_{locale}"] for locale in LOCALES}
                ),
            )
        )
    return tuple(needs)


@cache
def _by_code() -> MappingProxyType[str, SpecificNeed]:
    return MappingProxyType({need.code: need for need in load_specific_needs()})


def specific_need(code: str) -> SpecificNeed:
    """The code's entry; raises `SpecificNeedNotFound`."""
    try:
        return _by_code()[code.strip().upper()]
    except KeyError:
        raise SpecificNeedNotFound(code=code) from None


def is_known_code(code: str) -> bool:
    return code.strip().upper() in _by_code()


def categories() -> tuple[SpecificNeed, ...]:
    return tuple(n for n in load_specific_needs() if n.level is CodeLevel.CATEGORY)


def sub_codes(
    category: str | None = None, *, current_only: bool = False
) -> tuple[SpecificNeed, ...]:
    """Sub-codes, of one category if given; `current_only` drops superseded ones."""
    return tuple(
        need
        for need in load_specific_needs()
        if need.level is CodeLevel.SUB_CODE
        and (category is None or need.category == category)
        and (need.is_current or not current_only)
    )
