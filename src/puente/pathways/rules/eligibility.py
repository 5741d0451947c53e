"""Eligibility screening: a person's facts against every open pathway's CEL clauses.

Three-valued: a clause is true, false, or unknown (it needs a fact the person has not
given). A pathway is `not_eligible` when any clause is false, else `undetermined` when
any clause is unknown, else `eligible`. CEL's `&&`/`||` absorb unknowns the Kleene way
(`false && x` is false, `true || x` is true), so a clause decides whenever it can.

Speed: each distinct expression is compiled once per `Screener`, and its result is
memoised on the values of the few variables it reads (CEL is pure, so this is exact).
Pathway results are memoised on their clause results and shared between people.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from operator import itemgetter
from typing import Final

import cel

from puente.pathways.rules.catalogue import Clause, Pathway, PathwayKind
from puente.pathways.rules.facts import (
    FACTS,
    RULE_VARIABLES,
    TODAY,
    Facts,
    input_facts_for,
)

MAX_EXPRESSION_LENGTH: Final = 1000
MAX_NESTING: Final = 12
ALLOWED_FUNCTIONS: Final = frozenset(
    {
        "!_",
        "-_",
        "@in",
        "_&&_",
        "_||_",
        "_==_",
        "_!=_",
        "_<_",
        "_<=_",
        "_>_",
        "_>=_",
        "_?_:_",
        "_+_",
        "_-_",
        "size",
        "startsWith",
        "endsWith",
    }
)
_CACHE_LIMIT: Final = 200_000


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNDETERMINED = "undetermined"


class ClauseState(StrEnum):
    PASS = "pass"  # noqa: S105 - a clause state, not a password
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """One pathway's answer for one person, in one language.

    `clauses` records each clause's state for the decision log; `version` is the
    pathway version the rules came from.
    """

    pathway_id: str
    state: str
    kind: PathwayKind
    title: str
    version: str
    outcome: Outcome
    reasons: tuple[str, ...]
    missing: tuple[str, ...]
    clauses: tuple[tuple[str, ClauseState], ...]

    def to_json(self) -> dict[str, object]:
        return {
            "pathway_id": self.pathway_id,
            "state": self.state,
            "kind": self.kind.value,
            "title": self.title,
            "version": self.version,
            "outcome": self.outcome.value,
            "reasons": list(self.reasons),
            "missing": list(self.missing),
        }


# --- the CEL seam ------------------------------------------------------------------
# Everything that touches the `cel` package is here, so core/expressions.py can
# replace it later without touching the screening logic.

_Runner = Callable[[Mapping[str, object]], object]


class _Undefined(Exception):
    """The expression read a variable that is not in the activation."""


def _cel_compile(expression: str) -> tuple[_Runner, tuple[str, ...], tuple[str, ...]]:
    """Compile CEL once; return (run, variables, functions). `run` raises
    `_Undefined` for a missing variable and `ValueError` for any other failure."""
    program = cel.compile(expression)
    references = program.references()

    def run(activation: Mapping[str, object]) -> object:
        try:
            return program.execute(dict(activation))
        except RuntimeError as error:
            if "Undefined variable" in str(error):
                raise _Undefined(str(error)) from None
            raise ValueError(str(error)) from None
        except (TypeError, ValueError) as error:
            raise ValueError(str(error)) from None

    return run, tuple(references["variables"]), tuple(references["functions"])


def lint_expression(expression: str) -> list[str]:
    """Problems with a rule expression (empty when it may be published).

    Limits size and nesting, allows only the vocabulary's variables (so no
    comprehension macros, whose bound names are not facts) and a small set of
    functions; this bounds evaluation time by the expression's length.
    """
    problems: list[str] = []
    if len(expression) > MAX_EXPRESSION_LENGTH:
        problems.append(f"longer than {MAX_EXPRESSION_LENGTH} characters")
    depth = deepest = 0
    for char in expression:
        depth += (char in "([") - (char in ")]")
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        problems.append(f"nested deeper than {MAX_NESTING}")
    try:
        _run, variables, functions = _cel_compile(expression)
    except Exception as error:
        return [*problems, f"does not compile: {str(error).splitlines()[0]}"]
    unknown = sorted(set(variables) - RULE_VARIABLES)
    if unknown:
        problems.append(f"unknown facts {unknown}")
    banned = sorted(set(functions) - ALLOWED_FUNCTIONS)
    if banned:
        problems.append(f"functions not allowed {banned}")
    return problems


# --- screening ---------------------------------------------------------------------

_ABSENT: Final = object()
_NOT_CACHED: Final = object()
ClauseValue = bool | tuple[str, ...]
"""True/False, or the sorted input facts it still needs (empty: the rule errored)."""


class _Unit:
    """One distinct expression: compiled program + memo keyed on its variables."""

    __slots__ = ("cache", "getter", "run", "variables")

    def __init__(self, expression: str) -> None:
        self.run, variables, _functions = _cel_compile(expression)
        self.variables = variables
        self.getter: Callable[[Mapping[str, object]], object] = (
            itemgetter(*variables) if variables else (lambda _values: ())
        )
        self.cache: dict[object, ClauseValue] = {}

    def compute(self, values: Mapping[str, object], key: object) -> ClauseValue:
        activation = {v: values[v] for v in self.variables if values[v] is not _ABSENT}
        result: ClauseValue
        try:
            outcome = self.run(activation)
            result = outcome if isinstance(outcome, bool) else ()
        except _Undefined:
            needed = {
                f
                for v in self.variables
                if values[v] is _ABSENT and v != TODAY
                for f in input_facts_for(v)
            }
            result = tuple(sorted(needed))
        except ValueError:
            result = ()
        if len(self.cache) >= _CACHE_LIMIT:
            self.cache.clear()
        self.cache[key] = result
        return result


_NEED: Final = {
    "en": ("To decide, we need to know {facts}.", " and "),
    "es": ("Para decidir, necesitamos saber {facts}.", " y "),
    "pt": ("Para decidir, precisamos saber {facts}.", " e "),
    "fr": ("Pour décider, il nous faut : {facts}.", " et "),
    "ht": ("Pou nou deside, nou bezwen konnen {facts}.", " ak "),
}
_RULE_ERROR: Final = {
    "en": "This rule could not be checked; a pathways officer will review it.",
    "es": "No se pudo verificar esta regla; un funcionario la revisará.",
    "pt": "Não foi possível verificar esta regra; um servidor vai revisá-la.",
    "fr": "Cette règle n'a pas pu être vérifiée ; un agent va l'examiner.",
    "ht": "Nou pa t ka verifye règ sa a; yon ofisye pral egzamine l.",
}


class _Plan:
    """One open pathway: its clauses in force and their units."""

    __slots__ = ("clauses", "getter", "pathway", "results")

    def __init__(self, pathway: Pathway, clauses: tuple[Clause, ...], idx: list[int]):
        self.pathway = pathway
        self.clauses = clauses
        self.getter: Callable[[Sequence[ClauseValue]], object] = (
            itemgetter(*idx) if idx else (lambda _values: ())
        )
        self.results: dict[str, dict[object, ScreeningResult]] = {}

    def result(self, key: object, language: str) -> ScreeningResult:
        by_language = self.results.get(language)
        if by_language is None:
            by_language = self.results[language] = {}
        cached = by_language.get(key)
        if cached is None:
            values: tuple[ClauseValue, ...] = (
                key if len(self.clauses) != 1 else (key,)  # type: ignore[assignment]
            )
            cached = _decide(self.pathway, self.clauses, values, language)
            if len(by_language) >= _CACHE_LIMIT:
                by_language.clear()
            by_language[key] = cached
        return cached


def _decide(
    pathway: Pathway,
    clauses: tuple[Clause, ...],
    values: tuple[ClauseValue, ...],
    language: str,
) -> ScreeningResult:
    states = tuple(
        (
            c.id,
            ClauseState.PASS
            if v is True
            else ClauseState.FAIL
            if v is False
            else ClauseState.UNKNOWN,
        )
        for c, v in zip(clauses, values, strict=True)
    )
    failed = [c for c, v in zip(clauses, values, strict=True) if v is False]
    unknown = [v for v in values if isinstance(v, tuple)]
    missing: tuple[str, ...] = ()
    if failed:
        outcome = Outcome.NOT_ELIGIBLE
        reasons = tuple(c.reason_fail.get(language) for c in failed)
    elif unknown:
        outcome = Outcome.UNDETERMINED
        ordered: list[str] = []
        for needed in unknown:
            ordered.extend(f for f in needed if f not in ordered)
        missing = tuple(ordered)
        template, conjunction = _NEED.get(language, _NEED["en"])
        reason_list = []
        for needed in unknown:
            if not needed:
                reason_list.append(_RULE_ERROR.get(language, _RULE_ERROR["en"]))
                continue
            labels = [FACTS[f].ask.get(language, FACTS[f].ask["en"]) for f in needed]
            text = template.format(facts=conjunction.join(labels))
            if text not in reason_list:
                reason_list.append(text)
        reasons = tuple(reason_list)
    else:
        outcome = Outcome.ELIGIBLE
        reasons = tuple(c.reason_pass.get(language) for c in clauses)
    return ScreeningResult(
        pathway_id=pathway.id,
        state=pathway.state,
        kind=pathway.kind,
        title=pathway.title.get(language),
        version=pathway.version,
        outcome=outcome,
        reasons=reasons,
        missing=missing,
        clauses=states,
    )


class Screener:
    """Compiled screening of many people against the pathways open on `today`."""

    def __init__(self, pathways: Iterable[Pathway], today: date) -> None:
        self.today = today
        self._today_text = today.isoformat()
        self._units: list[_Unit] = []
        index: dict[str, int] = {}
        self._plans: list[_Plan] = []
        for pathway in pathways:
            if not pathway.is_open(today):
                continue
            clauses = pathway.clauses_in_force(today)
            idx = []
            for clause in clauses:
                if clause.cel not in index:
                    index[clause.cel] = len(self._units)
                    self._units.append(_Unit(clause.cel))
                idx.append(index[clause.cel])
            self._plans.append(_Plan(pathway, clauses, idx))
        self._base: dict[str, object] = dict.fromkeys(RULE_VARIABLES, _ABSENT)

    @property
    def pathways(self) -> tuple[Pathway, ...]:
        return tuple(plan.pathway for plan in self._plans)

    def clause_values(self, facts: Facts) -> list[ClauseValue]:
        values = dict(self._base)
        values.update(facts.to_cel(self.today))
        out: list[ClauseValue] = []
        append = out.append
        for unit in self._units:
            key = unit.getter(values)
            value = unit.cache.get(key, _NOT_CACHED)
            if value is _NOT_CACHED:
                value = unit.compute(values, key)
            append(value)  # type: ignore[arg-type]
        return out

    def screen(self, facts: Facts, language: str = "en") -> list[ScreeningResult]:
        """Results for every open pathway, in catalogue order."""
        values = self.clause_values(facts)
        return [plan.result(plan.getter(values), language) for plan in self._plans]


_SCREENERS: dict[
    tuple[tuple[int, ...], date], tuple[tuple[Pathway, ...], Screener]
] = {}


def screener_for(pathways: Sequence[Pathway], today: date) -> Screener:
    """A cached `Screener` for these pathway objects and date (compiles once)."""
    key = (tuple(id(p) for p in pathways), today)
    entry = _SCREENERS.get(key)
    if entry is None:
        if len(_SCREENERS) >= 16:
            _SCREENERS.clear()
        # The entry keeps the pathways alive, so their ids cannot be reused meanwhile.
        entry = (tuple(pathways), Screener(pathways, today))
        _SCREENERS[key] = entry
    return entry[1]


def screen(
    facts: Facts, pathways: Sequence[Pathway], today: date, language: str = "en"
) -> list[ScreeningResult]:
    """Screen one person against every pathway open on `today`.

    Open means opens_on ≤ today ≤ closes_on (or no closing date).
    """
    return screener_for(pathways, today).screen(facts, language)


def questions_that_matter(
    facts: Facts, pathways: Sequence[Pathway], today: date
) -> list[str]:
    """Missing input facts that could change some outcome, most useful first.

    Only undetermined pathways can change: a pathway already not eligible stays so
    whatever else the person says, and an eligible one needs nothing more.
    """
    counts: Counter[str] = Counter()
    for result in screen(facts, pathways, today):
        if result.outcome is Outcome.UNDETERMINED:
            counts.update(result.missing)
    order = {name: i for i, name in enumerate(FACTS)}
    return sorted(counts, key=lambda name: (-counts[name], order[name]))
