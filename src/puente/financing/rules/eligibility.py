"""Eligibility of a state for a development-finance instrument: each instrument's
conditions are CEL clauses (data, in `data/instruments.json`), evaluated with
three-valued logic over facts computed from the shipped data.

A fact that is a policy judgement (whether a state has a strong refugee
protection framework) is never guessed: left out, its clause is unknown and the
instrument is "undetermined", naming what is missing.

Income groups follow the World Bank's thresholds for fiscal year 2025 (GNI per
person, Atlas method: low ≤ 1,145; lower-middle ≤ 4,515; upper-middle ≤ 14,005
USD). The shipped data has GDP, not GNI, per person: the group is an
approximation and is labelled as such where it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from puente.core.expressions import Truth, compile_expression, explain
from puente.core.i18n import N_

INCOME_THRESHOLDS: Final = (
    (1145.0, "low"),
    (4515.0, "lower_middle"),
    (14005.0, "upper_middle"),
)
INCOME_GROUP_LABELS: Final = {
    "low": N_("Low income"),
    "lower_middle": N_("Lower-middle income"),
    "upper_middle": N_("Upper-middle income"),
    "high": N_("High income"),
}
CLAUSE_LABELS: Final = {
    "middle_income": N_("A middle-income country"),
    "hosts_many_refugees": N_(
        "Hosts at least 25,000 refugees, or refugees equal to 0.1 % of its population"
    ),
    "protection_framework": N_("Has a strong refugee protection policy framework"),
    "intraregional_share": N_(
        "Hosts people from elsewhere in the Americas equal to at least 0.5 % of its "
        "population"
    ),
}
BASIS_LABELS: Final = {
    "gcff": N_(
        "Middle-income countries that host at least 25,000 refugees or refugees "
        "equal to at least 0.1 % of their population, with strong refugee "
        "protection policies. The numbers are to be checked against the GCFF "
        "operations manual; the policies are judged by its Steering Committee."
    ),
    "idb-migration": N_(
        "Host countries that received migrants from elsewhere in the region equal "
        "to 0.5 % of their population in the last three years, or that host that "
        "many; eligibility lasts three years and is reviewed yearly. Puente checks "
        "the number hosted (refugees, asylum-seekers and other people in need of "
        "international protection from the Americas, UNHCR)."
    ),
}
FACT_LABELS: Final = {
    "population": N_("Population"),
    "refugees_hosted": N_("People hosted"),
    "intraregional_hosted": N_("People hosted from elsewhere in the Americas"),
    "gdp_per_capita_usd": N_("GDP per person (USD)"),
    "income_group": N_("Income group (approximated from GDP per person)"),
    "has_protection_framework": N_("Strong refugee protection policy framework"),
}


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNDETERMINED = "undetermined"


OUTCOME_LABELS: Final = {
    Outcome.ELIGIBLE: N_("Eligible"),
    Outcome.NOT_ELIGIBLE: N_("Not eligible"),
    Outcome.UNDETERMINED: N_("Undetermined"),
}
TRUTH_LABELS: Final = {
    Truth.TRUE: N_("Met"),
    Truth.FALSE: N_("Not met"),
    Truth.UNKNOWN: N_("Not known"),
    Truth.ERROR: N_("Could not be checked"),
}


def income_group(gdp_per_capita: float) -> str:
    for ceiling, group in INCOME_THRESHOLDS:
        if gdp_per_capita <= ceiling:
            return group
    return "high"


@dataclass(frozen=True, slots=True)
class Clause:
    id: str
    cel: str


@dataclass(frozen=True, slots=True)
class ClauseResult:
    id: str
    truth: Truth
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Eligibility:
    outcome: Outcome
    clauses: tuple[ClauseResult, ...]
    missing: tuple[str, ...]


def facts_for(
    *,
    population: int | None,
    hosted: int,
    intraregional: int,
    gdp_per_capita: float | None,
    has_protection_framework: bool | None = None,
) -> dict[str, Any]:
    """CEL facts (floats, so that division is never integer division); a fact
    that is not known is left out."""
    facts: dict[str, Any] = {
        "refugees_hosted": float(hosted),
        "intraregional_hosted": float(intraregional),
    }
    if population:
        facts["population"] = float(population)
    if gdp_per_capita is not None:
        facts["gdp_per_capita_usd"] = float(gdp_per_capita)
        facts["income_group"] = income_group(gdp_per_capita)
    if has_protection_framework is not None:
        facts["has_protection_framework"] = has_protection_framework
    return facts


def check(clauses: Sequence[Clause], facts: Mapping[str, Any]) -> Eligibility:
    """All clauses must hold: false wins, then unknown, else eligible."""
    results: list[ClauseResult] = []
    for clause in clauses:
        explained = explain(compile_expression(clause.cel), facts)
        if explained.value is True:
            truth = Truth.TRUE
        elif explained.value is False:
            truth = Truth.FALSE
        elif explained.missing:
            truth = Truth.UNKNOWN
        else:
            truth = Truth.ERROR
        results.append(ClauseResult(clause.id, truth, tuple(sorted(explained.missing))))
    truths = [result.truth for result in results]
    if Truth.FALSE in truths:
        outcome = Outcome.NOT_ELIGIBLE
    elif all(truth is Truth.TRUE for truth in truths):
        outcome = Outcome.ELIGIBLE
    else:
        outcome = Outcome.UNDETERMINED
    missing = sorted({name for result in results for name in result.missing})
    return Eligibility(outcome, tuple(results), tuple(missing))
