"""Eligibility screening: a person's facts against every open pathway's CEL clauses.

Three-valued: a clause is true, false, or unknown (it needs a fact the person has not
given). A pathway is `not_eligible` when any clause is false, else `undetermined` when
any clause is unknown, else `eligible`. CEL's `&&`/`||` absorb unknowns the Kleene way
(`false && x` is false, `true || x` is true), so a clause decides whenever it can.

A result carries no language: its reasons are the deciding clauses (their published
texts in five languages) or messages naming the facts still needed; the service words
them for the reader (`service/text.py`).

Speed: each distinct expression is compiled once per `Screener`. A pathway's result
is memoised on the *classes* of the facts its clauses read (`cel_shape`): an entry
date or an age counts only by where it sits among the constants the rules compare it
with, so realistic, varied facts still hit the memo; CEL is pure, so this is exact.
On a pathway memo miss each clause is looked up in its own memo (keyed on the
classes of the facts that clause reads), and the decision in a memo keyed on the
clause values, so varied people rarely evaluate CEL or build a new result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from operator import itemgetter
from typing import Final

from puente.core.i18n import N_
from puente.pathways.rules.catalogue import Clause, LocalizedText, Pathway, PathwayKind
from puente.pathways.rules.cel import (
    CompiledRule,
    RuleFailed,
    UndefinedVariable,
    compile_rule,
)
from puente.pathways.rules.cel_shape import Classifier, value_classes
from puente.pathways.rules.facts import (
    FACTS,
    RULE_VARIABLES,
    TODAY,
    Facts,
    FactType,
    input_facts_for,
)
from puente.pathways.rules.messages import Message, Param, ParamKind

_CACHE_LIMIT: Final = 200_000
NEED_FACTS: Final = N_("To decide, we need to know %(facts)s.")
RULE_ERROR: Final = N_(
    "This rule could not be checked; a pathways officer will review it."
)


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNDETERMINED = "undetermined"


class ClauseState(StrEnum):
    PASS = "pass"  # noqa: S105 - a clause state, not a password
    FAIL = "fail"
    UNKNOWN = "unknown"


Reason = LocalizedText | Message
"""A published clause text (pass or fail), or a message: facts needed, rule error."""
ClauseValue = bool | tuple[str, ...]
"""True/False, or the sorted input facts it still needs (empty: the rule errored)."""


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """One pathway's answer for one person.

    `clauses` records each clause's state for the decision log; `reasons` say why
    (worded for a reader by the service); `missing` are the facts still needed.
    """

    pathway: Pathway
    outcome: Outcome
    reasons: tuple[Reason, ...]
    missing: tuple[str, ...]
    clauses: tuple[tuple[str, ClauseState], ...]

    @property
    def pathway_id(self) -> str:
        return self.pathway.id

    @property
    def state(self) -> str:
        return self.pathway.state

    @property
    def kind(self) -> PathwayKind:
        return self.pathway.kind

    @property
    def version(self) -> str:
        return self.pathway.version

    def title(self, language: str) -> str:
        return self.pathway.title.get(language)


def need_message(facts: Sequence[str]) -> Message:
    """ "To decide, we need to know …": the facts as the questions ask for them."""
    return Message(
        NEED_FACTS,
        {
            "facts": Param(
                ParamKind.LIST,
                items=tuple(Param(ParamKind.FACT, name) for name in facts),
            )
        },
    )


def evaluate_clause(rule: CompiledRule, values: Mapping[str, object]) -> ClauseValue:
    """One clause on the facts present in `values`: its truth, or the input facts
    it needs when it reads one that is absent, or () when the rule fails."""
    activation = {v: values[v] for v in rule.variables if v in values}
    try:
        outcome = rule.run(activation)
    except UndefinedVariable:
        return tuple(
            sorted(
                {
                    f
                    for v in rule.variables
                    if v not in values and v != TODAY
                    for f in input_facts_for(v)
                }
            )
        )
    except RuleFailed:
        return ()
    return outcome if isinstance(outcome, bool) else ()


def decide(
    pathway: Pathway, clauses: Sequence[Clause], values: Sequence[ClauseValue]
) -> ScreeningResult:
    """A pathway's outcome from its clauses' values, with the reasons that say why."""
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
    reasons: tuple[Reason, ...]
    if failed:
        outcome = Outcome.NOT_ELIGIBLE
        reasons = tuple(c.reason_fail for c in failed)
    elif unknown:
        outcome = Outcome.UNDETERMINED
        ordered: list[str] = []
        for needed in unknown:
            ordered.extend(f for f in needed if f not in ordered)
        missing = tuple(ordered)
        needs: list[tuple[str, ...]] = []
        for needed in unknown:
            if needed not in needs:
                needs.append(needed)
        reasons = tuple(
            need_message(needed) if needed else Message(RULE_ERROR) for needed in needs
        )
    else:
        outcome = Outcome.ELIGIBLE
        reasons = tuple(c.reason_pass for c in clauses)
    return ScreeningResult(
        pathway=pathway,
        outcome=outcome,
        reasons=reasons,
        missing=missing,
        clauses=states,
    )


_ABSENT: Final = object()
_CLASS_KINDS: Final[Mapping[FactType, type]] = {
    FactType.INTEGER: int,
    FactType.ISCED: int,
    FactType.ISO3: str,
    FactType.DATE: str,
    FactType.ISCO: str,
    FactType.ENUM: str,
    FactType.CEFR: str,
    FactType.SUBDIVISION: str,
    FactType.ISO3_LIST: tuple,
    FactType.TAG_LIST: tuple,
}


class _Unit:
    """One distinct expression: its compiled rule and a memo on its facts' classes."""

    __slots__ = ("cache", "getter", "rule")

    def __init__(self, rule: CompiledRule) -> None:
        self.rule = rule
        self.getter: Callable[[Mapping[str, object]], object] = (
            itemgetter(*rule.variables) if rule.variables else (lambda _values: ())
        )
        self.cache: dict[object, ClauseValue] = {}


class _Plan:
    """One open pathway: its clauses in force, and a memo of its result on the
    classes of every fact its clauses read, and of its decision on its clauses'
    values (many fact classes give the same clause values)."""

    __slots__ = ("cache", "clauses", "decided", "getter", "pathway", "units")

    def __init__(
        self, pathway: Pathway, clauses: tuple[Clause, ...], units: list[_Unit]
    ) -> None:
        self.pathway = pathway
        self.clauses = clauses
        self.units = units
        names = sorted({v for u in units for v in u.rule.variables})
        self.getter: Callable[[Mapping[str, object]], object] = (
            itemgetter(*names) if names else (lambda _values: ())
        )
        self.cache: dict[object, ScreeningResult] = {}
        self.decided: dict[tuple[ClauseValue, ...], ScreeningResult] = {}

    def compute(
        self, key: object, classes: Mapping[str, object], values: Mapping[str, object]
    ) -> ScreeningResult:
        clause_values: list[ClauseValue] = []
        for unit in self.units:
            unit_key = unit.getter(classes)
            value = unit.cache.get(unit_key)
            if value is None:
                value = evaluate_clause(unit.rule, values)
                if len(unit.cache) >= _CACHE_LIMIT:
                    unit.cache.clear()
                unit.cache[unit_key] = value
            clause_values.append(value)
        signature = tuple(clause_values)
        result = self.decided.get(signature)
        if result is None:
            result = decide(self.pathway, self.clauses, signature)
            if len(self.decided) >= _CACHE_LIMIT:
                self.decided.clear()
            self.decided[signature] = result
        if len(self.cache) >= _CACHE_LIMIT:
            self.cache.clear()
        self.cache[key] = result
        return result


class Screener:
    """Compiled screening of many people against the pathways open on `today`."""

    def __init__(self, pathways: Iterable[Pathway], today: date) -> None:
        self.today = today
        units: dict[str, _Unit] = {}
        self._plans: list[_Plan] = []
        for pathway in pathways:
            if not pathway.is_open(today):
                continue
            clauses = pathway.clauses_in_force(today)
            for clause in clauses:
                if clause.cel not in units:
                    units[clause.cel] = _Unit(compile_rule(clause.cel))
            self._plans.append(_Plan(pathway, clauses, [units[c.cel] for c in clauses]))
        kinds = {
            name: _CLASS_KINDS[spec.type]
            for name, spec in FACTS.items()
            if spec.type in _CLASS_KINDS
        }
        self._classes: dict[str, Classifier] = value_classes(units, kinds)
        self._base: dict[str, object] = dict.fromkeys(RULE_VARIABLES, _ABSENT)
        self._today_text = today.isoformat()
        self._base[TODAY] = self._today_text
        self._steps = tuple((plan.getter, plan.cache, plan) for plan in self._plans)
        read = {v for unit in units.values() for v in unit.rule.variables}
        self._years = "years_of_residence" in read

    @property
    def pathways(self) -> tuple[Pathway, ...]:
        return tuple(plan.pathway for plan in self._plans)

    @property
    def classified_facts(self) -> frozenset[str]:
        """The facts whose values are memoised by class (the others by value)."""
        return frozenset(self._classes)

    def screen(self, facts: Facts) -> list[ScreeningResult]:
        """Results for every open pathway, in catalogue order."""
        values = facts.to_cel(self.today)
        classes = dict(self._base)
        classify = self._classes
        for name, value in values.items():
            fn = classify.get(name)
            classes[name] = value if fn is None else fn(value)
        out: list[ScreeningResult] = []
        append = out.append
        for plan in self._plans:
            key = plan.getter(classes)
            result = plan.cache.get(key)
            append(result if result is not None else plan.compute(key, classes, values))
        return out


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
    facts: Facts, pathways: Sequence[Pathway], today: date
) -> list[ScreeningResult]:
    """Screen one person against every pathway open on `today`.

    Open means opens_on ≤ today ≤ closes_on (or no closing date).
    """
    return screener_for(pathways, today).screen(facts)


def questions_that_matter(
    facts: Facts, pathways: Sequence[Pathway], today: date
) -> list[str]:
    """Missing input facts that could change some outcome, most useful first.

    Only undetermined pathways can change: a pathway already not eligible stays so
    whatever else the person says, and an eligible one needs nothing more.
    """
    return questions_for(screen(facts, pathways, today))


def questions_for(results: Iterable[ScreeningResult]) -> list[str]:
    """The missing facts of undetermined results, most often needed first."""
    counts: Counter[str] = Counter()
    for result in results:
        if result.outcome is Outcome.UNDETERMINED:
            counts.update(result.missing)
    order = {name: i for i, name in enumerate(FACTS)}
    return sorted(counts, key=lambda name: (-counts[name], order[name]))
