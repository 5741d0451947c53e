"""Protection screening: a versioned form (data) and `screen()`, a pure function.

The form (`protection/data/screening_v<N>.json`) holds the questions with labels
in five languages, the ILO/EC trafficking indicators with their strength and the
combination rule, the actions, and the flags as CEL conditions. Changing a rule
means publishing a new form version, so an old screening can always be
re-explained with the form it was answered on.

`screen()` raises flags, each with its reason and the answers that caused it,
suggests UNHCR specific-needs codes and recommends one action (the most urgent).
A trafficking result is at most "presumed victim - refer for formal
identification", never a determination (research/01 §3.4).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from puente.core.errors import InvalidInput, NotFound
from puente.protection.rules._cel import RuleError, check_compiles, evaluate_bool

LOCALES: tuple[str, ...] = ("en", "es", "pt", "fr", "ht")
CURRENT_VERSION = 1
_CODE = re.compile(r"^[A-Z]{2}(-[A-Z]{1,3})?$")
_ANSWER_REFERENCE = re.compile(r"answers\.(\w+)")

Labels = Mapping[str, str]


class ScreeningFormNotFound(NotFound):
    message = "No screening form with this version."


class InvalidScreeningForm(InvalidInput):
    message = "The screening form definition is not valid: %(problem)s"


class InvalidScreeningAnswers(InvalidInput):
    message = "The screening answers are not valid: %(problem)s"


class SensitiveAnswerWithoutConsent(InvalidInput):
    """A consent-gated question was answered although consent was not given."""

    message = "Question %(question)s may only be asked with the person's consent."


class Priority(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    NORMAL = "normal"

    @property
    def rank(self) -> int:
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.EMERGENCY: 0, Priority.URGENT: 1, Priority.NORMAL: 2}


class Strength(StrEnum):
    STRONG = "strong"
    MEDIUM = "medium"
    WEAK = "weak"


class TraffickingStatus(StrEnum):
    NONE = "none"
    POSSIBLE = "possible"  # some indicators: complete a full assessment
    PRESUMED = "presumed"  # meets the rule: refer for formal identification


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    section: str
    type: str  # "boolean" or "codes"
    labels: Labels
    is_sensitive: bool = False
    needs_consent: bool = False
    consent_question: str | None = None
    element: str | None = None  # trafficking element of an indicator
    strength: Strength | None = None
    factor_level: str | None = None  # IOM DoMV level of a vulnerability factor
    factor_polarity: str | None = None  # "risk" or "protective"


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    priority: Priority
    labels: Labels


@dataclass(frozen=True, slots=True)
class FlagRule:
    id: str
    when: str  # CEL over `answers`, `needs`, `trafficking`, `vulnerability`
    action: str
    priority: Priority
    suggested_specific_needs: tuple[str, ...]
    is_sensitive: bool
    reason: Labels


@dataclass(frozen=True, slots=True)
class TraffickingRule:
    elements: Mapping[str, str]  # element id -> group
    element_labels: Mapping[str, Labels]
    element_present_when_any: tuple[Mapping[str, int], ...]
    presumed_when_all_groups: Mapping[str, tuple[str, ...]]  # "adult"/"child"
    possible_when_any: tuple[Mapping[str, int], ...]


@dataclass(frozen=True, slots=True)
class ScreeningForm:
    form: str
    version: int
    questions: tuple[Question, ...]
    actions: Mapping[str, Action]
    flags: tuple[FlagRule, ...]
    trafficking: TraffickingRule

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)


@dataclass(frozen=True, slots=True)
class RaisedFlag:
    id: str
    priority: Priority
    action: str
    reason: Labels
    evidence: tuple[str, ...]  # question ids (or codes) that made the flag true
    is_sensitive: bool


@dataclass(frozen=True, slots=True)
class VulnerabilityFactor:
    question: str
    level: str
    polarity: str


@dataclass(frozen=True, slots=True)
class TraffickingAssessment:
    status: TraffickingStatus
    elements_present: tuple[str, ...]
    indicators: tuple[str, ...]  # indicator questions answered yes


@dataclass(frozen=True, slots=True)
class ScreeningOutcome:
    form: str
    version: int
    priority: Priority
    recommended_action: str
    recommended_action_labels: Labels
    actions: tuple[str, ...]  # every flagged action, most urgent first
    flags: tuple[RaisedFlag, ...]
    suggested_specific_needs: tuple[str, ...]
    vulnerability_factors: tuple[VulnerabilityFactor, ...]
    trafficking: TraffickingAssessment
    # Sensitive questions answered yes: the service stores them encrypted and
    # shows them only to roles whose sensitivity ceiling allows it.
    sensitive_answers: frozenset[str]

    def flag(self, flag_id: str) -> RaisedFlag | None:
        return next((f for f in self.flags if f.id == flag_id), None)


# --- loading -----------------------------------------------------------------


@cache
def load_form(version: int = CURRENT_VERSION) -> ScreeningForm:
    """The packaged screening form of `version`, validated."""
    resource = resources.files("puente.protection").joinpath(
        "data", f"screening_v{version}.json"
    )
    if not resource.is_file():
        raise ScreeningFormNotFound(version=version)
    return parse_form(json.loads(resource.read_text(encoding="utf-8")))


def _labels(raw: Mapping[str, str], where: str) -> Labels:
    missing = [locale for locale in LOCALES if not raw.get(locale)]
    if missing:
        raise InvalidScreeningForm(problem=f"{where} lacks labels {missing}")
    return MappingProxyType(dict(raw))


def parse_form(data: Mapping[str, Any]) -> ScreeningForm:
    """Build and validate a form from its JSON data; raise `InvalidScreeningForm`."""
    try:
        return _parse_form(data)
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidScreeningForm(problem=repr(error)) from error
    except RuleError as error:
        raise InvalidScreeningForm(problem=str(error)) from error


def _parse_form(data: Mapping[str, Any]) -> ScreeningForm:
    rule = data["trafficking_rule"]
    elements = {item["id"]: item["group"] for item in rule["elements"]}
    questions = tuple(
        Question(
            id=raw["id"],
            section=raw["section"],
            type=raw["type"],
            labels=_labels(raw["labels"], raw["id"]),
            is_sensitive=bool(raw.get("sensitive", False)),
            needs_consent=bool(raw.get("consent_required", False)),
            consent_question=raw.get("consent_question"),
            element=raw.get("element"),
            strength=Strength(raw["strength"]) if raw.get("strength") else None,
            factor_level=(raw.get("factor") or {}).get("level"),
            factor_polarity=(raw.get("factor") or {}).get("polarity"),
        )
        for raw in data["questions"]
    )
    ids = [q.id for q in questions]
    if len(ids) != len(set(ids)):
        raise InvalidScreeningForm(problem="duplicate question ids")
    for question in questions:
        if question.type not in ("boolean", "codes"):
            raise InvalidScreeningForm(problem=f"{question.id}: type {question.type}")
        if question.element is not None and (
            question.element not in elements or question.strength is None
        ):
            raise InvalidScreeningForm(problem=f"{question.id}: bad indicator")
        if question.needs_consent and question.consent_question not in ids:
            raise InvalidScreeningForm(problem=f"{question.id}: no consent question")
    actions = {
        raw["id"]: Action(
            raw["id"], Priority(raw["priority"]), _labels(raw["labels"], raw["id"])
        )
        for raw in data["actions"]
    }
    flags = []
    for raw in data["flags"]:
        check_compiles(raw["when"])
        if raw["action"] not in actions:
            raise InvalidScreeningForm(problem=f"{raw['id']}: unknown action")
        unknown = set(_ANSWER_REFERENCE.findall(raw["when"])) - set(ids)
        if unknown:
            raise InvalidScreeningForm(problem=f"{raw['id']}: unknown {unknown}")
        flags.append(
            FlagRule(
                id=raw["id"],
                when=raw["when"],
                action=raw["action"],
                priority=Priority(raw["priority"]),
                suggested_specific_needs=tuple(raw.get("suggested_specific_needs", ())),
                is_sensitive=bool(raw.get("sensitive", False)),
                reason=_labels(raw["reason"], raw["id"]),
            )
        )
    trafficking = TraffickingRule(
        elements=MappingProxyType(elements),
        element_labels=MappingProxyType(
            {
                item["id"]: _labels(item["labels"], item["id"])
                for item in rule["elements"]
            }
        ),
        element_present_when_any=tuple(
            MappingProxyType(dict(c)) for c in rule["element_present_when_any"]
        ),
        presumed_when_all_groups=MappingProxyType(
            {k: tuple(v) for k, v in rule["presumed_victim_when_all_groups"].items()}
        ),
        possible_when_any=tuple(
            MappingProxyType(dict(c)) for c in rule["possible_victim_when_any"]
        ),
    )
    if "register_only" not in actions:
        raise InvalidScreeningForm(problem="no register_only action")
    return ScreeningForm(
        form=data["form"],
        version=int(data["version"]),
        questions=questions,
        actions=MappingProxyType(actions),
        flags=tuple(flags),
        trafficking=trafficking,
    )


# --- screening ---------------------------------------------------------------


def _validated_answers(
    answers: Mapping[str, object], form: ScreeningForm
) -> dict[str, bool | tuple[str, ...]]:
    """Answers completed with defaults (no = False, no codes = ()); raise if invalid."""
    by_id = {question.id: question for question in form.questions}
    unknown = set(answers) - set(by_id)
    if unknown:
        raise InvalidScreeningAnswers(problem=f"unknown questions {sorted(unknown)}")
    complete: dict[str, bool | tuple[str, ...]] = {}
    for question in form.questions:
        value = answers.get(question.id)
        if question.type == "codes":
            if value is None:
                value = ()
            if isinstance(value, str) or not isinstance(value, Sequence | frozenset):
                raise InvalidScreeningAnswers(problem=f"{question.id} is a list")
            codes = tuple(sorted({str(code).strip().upper() for code in value}))
            if not all(_CODE.match(code) for code in codes):
                raise InvalidScreeningAnswers(problem=f"{question.id}: bad code")
            complete[question.id] = codes
        else:
            if value is not None and not isinstance(value, bool):
                raise InvalidScreeningAnswers(problem=f"{question.id} is yes/no")
            complete[question.id] = bool(value)
    for question in form.questions:
        if (
            question.needs_consent
            and question.id in answers
            and complete.get(question.consent_question or "") is not True
        ):
            raise SensitiveAnswerWithoutConsent(question=question.id)
    return complete


def _meets(counts: Mapping[str, int], condition: Mapping[str, int]) -> bool:
    """True when every minimum in `condition` is reached by `counts`."""
    return all(counts.get(key, 0) >= minimum for key, minimum in condition.items())


def assess_trafficking(
    answers: Mapping[str, bool | tuple[str, ...]],
    form: ScreeningForm,
    *,
    is_child: bool,
) -> TraffickingAssessment:
    """Apply the form's ILO/EC combination rule to the indicator answers."""
    rule = form.trafficking
    indicators = [
        q for q in form.questions if q.element is not None and answers.get(q.id) is True
    ]
    per_element: dict[str, Counter[str]] = {
        element: Counter() for element in rule.elements
    }
    for question in indicators:
        if question.element is not None and question.strength is not None:
            per_element[question.element][question.strength.value] += 1
    present = []
    for element, counter in per_element.items():
        counts = dict(counter)
        counts["medium_or_weak"] = counter["medium"] + counter["weak"]
        if any(
            _meets(counts, condition) for condition in rule.element_present_when_any
        ):
            present.append(element)
    groups_present = {rule.elements[element] for element in present}
    required = rule.presumed_when_all_groups["child" if is_child else "adult"]
    overall = {
        "elements_present": len(present),
        "strong": sum(c["strong"] for c in per_element.values()),
    }
    if present and all(group in groups_present for group in required):
        status = TraffickingStatus.PRESUMED
    elif any(_meets(overall, condition) for condition in rule.possible_when_any):
        status = TraffickingStatus.POSSIBLE
    else:
        status = TraffickingStatus.NONE
    return TraffickingAssessment(
        status=status,
        elements_present=tuple(present),
        indicators=tuple(q.id for q in indicators),
    )


def _evidence(
    rule: FlagRule,
    answers: Mapping[str, bool | tuple[str, ...]],
    needs: Sequence[str],
    trafficking: TraffickingAssessment,
) -> tuple[str, ...]:
    evidence = [
        name
        for name in _ANSWER_REFERENCE.findall(rule.when)
        if answers.get(name) is True
    ]
    if "needs" in rule.when:
        evidence += [
            code for code in needs if code in rule.when or code[:2] in rule.when
        ]
    if "trafficking" in rule.when:
        evidence += list(trafficking.indicators)
    return tuple(dict.fromkeys(evidence))


def screen(
    answers: Mapping[str, object], form: ScreeningForm | None = None
) -> ScreeningOutcome:
    """Raise flags with reasons and recommend an action from screening answers.

    Unanswered yes/no questions count as no. A consent-gated answer without the
    consent question answered yes raises `SensitiveAnswerWithoutConsent`.
    """
    form = form or load_form()
    complete = _validated_answers(answers, form)
    needs = sorted(
        code
        for value in complete.values()
        if isinstance(value, tuple)
        for code in value
    )
    is_child = complete.get("is_child") is True
    trafficking = assess_trafficking(complete, form, is_child=is_child)
    factors = tuple(
        VulnerabilityFactor(q.id, q.factor_level, q.factor_polarity or "risk")
        for q in form.questions
        if q.factor_level is not None and complete.get(q.id) is True
    )
    polarity = Counter(factor.polarity for factor in factors)
    variables = {
        "answers": {
            key: list(v) if isinstance(v, tuple) else v for key, v in complete.items()
        },
        "needs": needs,
        "trafficking": {
            "status": trafficking.status.value,
            "elements_present": list(trafficking.elements_present),
        },
        "vulnerability": {
            "risk": polarity["risk"],
            "protective": polarity["protective"],
        },
    }
    raised = tuple(
        RaisedFlag(
            id=rule.id,
            priority=rule.priority,
            action=rule.action,
            reason=rule.reason,
            evidence=_evidence(rule, complete, needs, trafficking),
            is_sensitive=rule.is_sensitive,
        )
        for rule in form.flags
        if evaluate_bool(rule.when, variables)
    )
    action_order = list(form.actions)
    actions = sorted(
        {flag.action for flag in raised},
        key=lambda a: (form.actions[a].priority.rank, action_order.index(a)),
    )
    recommended = form.actions[actions[0] if actions else "register_only"]
    priority = min(
        (f.priority for f in raised), key=lambda p: p.rank, default=Priority.NORMAL
    )
    suggested = sorted(
        set(needs)
        | {
            code
            for flag_rule in form.flags
            if flag_rule.id in {flag.id for flag in raised}
            for code in flag_rule.suggested_specific_needs
        }
    )
    sensitive_answers = frozenset(
        q.id for q in form.questions if q.is_sensitive and complete.get(q.id) is True
    )
    return ScreeningOutcome(
        form=form.form,
        version=form.version,
        priority=priority,
        recommended_action=recommended.id,
        recommended_action_labels=recommended.labels,
        actions=tuple(actions),
        flags=raised,
        suggested_specific_needs=tuple(suggested),
        vulnerability_factors=factors,
        trafficking=trafficking,
        sensitive_answers=sensitive_answers,
    )
