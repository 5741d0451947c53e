"""Return safeguard gate (research/01 §3.7): CEL checks over a case's facts.

`protection/data/return_safeguards.json` declares the facts (type, default) and
the checks: `applies_when` and `pass_when` CEL over `facts`, the legal basis,
whether an override may lift it, and a title and failure reason in five
languages. `evaluate_gate()` runs every check and returns each result with its
reason; the service stores that snapshot with the return decision, and a
decision can only reach "approved" when `require_gate_passed()` does not raise,
or through `require_override()`.

Missing facts take the declared default, chosen to fail closed (for example an
unrecorded torture-risk assessment counts as not done). A rule that cannot be
evaluated fails its check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from puente.core.errors import Conflict, InvalidInput
from puente.protection.rules._cel import RuleError, check_compiles, evaluate_bool

LOCALES: tuple[str, ...] = ("en", "es", "pt", "fr", "ht")
_COUNTRY = re.compile(r"^[A-Z]{3}$")

Labels = Mapping[str, str]


class InvalidGateFacts(InvalidInput):
    message = "The return decision facts are not valid: %(problem)s"


class ReturnGateFailed(Conflict):
    """The gate did not pass; `params["failed_checks"]` names the checks."""

    message = "The return safeguards do not pass: %(checks)s."


class OverrideNotAllowed(Conflict):
    message = "This override is not allowed: %(problem)s"


class CheckResultKind(StrEnum):
    PASS = "pass"  # noqa: S105  # a check result, not a password
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class SafeguardCheck:
    id: str
    legal_basis: str
    applies_when: str
    pass_when: str
    is_overridable: bool
    title: Labels
    fail_reason: Labels


@dataclass(frozen=True, slots=True)
class FactSpec:
    name: str
    type: str  # bool, enum, country, countries, codes
    default: Any
    is_required: bool = False
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Ruleset:
    name: str
    version: int
    facts: Mapping[str, FactSpec]
    checks: tuple[SafeguardCheck, ...]
    messages: Mapping[str, Labels]


@dataclass(frozen=True, slots=True)
class CheckResult:
    id: str
    result: CheckResultKind
    is_applicable: bool
    is_overridable: bool
    title: Labels
    reason: Labels
    legal_basis: str

    @property
    def passed(self) -> bool:
        return self.result is CheckResultKind.PASS


@dataclass(frozen=True, slots=True)
class GateResult:
    ruleset: str
    version: int
    checks: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed_checks(self) -> tuple[str, ...]:
        return tuple(check.id for check in self.checks if not check.passed)

    def check(self, check_id: str) -> CheckResult:
        return next(check for check in self.checks if check.id == check_id)


@dataclass(frozen=True, slots=True)
class OverrideSignature:
    """One person's signature on an override, as the service resolved it."""

    user_id: str
    is_authorised: bool  # holds the return-override permission in this tenant
    authority: str  # the office or authority the person signs for
    legal_basis: str


# --- loading -----------------------------------------------------------------


def _labels(raw: Mapping[str, str], where: str) -> Labels:
    missing = [locale for locale in LOCALES if not raw.get(locale)]
    if missing:
        raise ValueError(f"{where} lacks labels {missing}")
    return MappingProxyType(dict(raw))


def parse_ruleset(data: Mapping[str, Any]) -> Ruleset:
    """Build and validate a ruleset: every rule compiles and every label exists."""
    facts = {
        name: FactSpec(
            name=name,
            type=spec["type"],
            default=spec.get("default"),
            is_required=bool(spec.get("required", False)),
            values=tuple(spec.get("values", ())),
        )
        for name, spec in data["facts"].items()
    }
    checks = []
    for raw in data["checks"]:
        for expression in (raw["applies_when"], raw["pass_when"]):
            check_compiles(expression)
            unknown = set(re.findall(r"facts\.(\w+)", expression)) - set(facts)
            if unknown:
                raise ValueError(f"{raw['id']} uses unknown facts {sorted(unknown)}")
        checks.append(
            SafeguardCheck(
                id=raw["id"],
                legal_basis=raw["legal_basis"],
                applies_when=raw["applies_when"],
                pass_when=raw["pass_when"],
                is_overridable=bool(raw["overridable"]),
                title=_labels(raw["title"], raw["id"]),
                fail_reason=_labels(raw["fail_reason"], raw["id"]),
            )
        )
    messages = {key: _labels(value, key) for key, value in data["messages"].items()}
    return Ruleset(
        name=data["ruleset"],
        version=int(data["version"]),
        facts=MappingProxyType(facts),
        checks=tuple(checks),
        messages=MappingProxyType(messages),
    )


@cache
def load_ruleset() -> Ruleset:
    """The packaged return-safeguard ruleset."""
    text = (
        resources.files("puente.protection")
        .joinpath("data", "return_safeguards.json")
        .read_text(encoding="utf-8")
    )
    return parse_ruleset(json.loads(text))


# --- evaluation --------------------------------------------------------------


def _complete_facts(facts: Mapping[str, Any], ruleset: Ruleset) -> dict[str, Any]:
    """Facts with defaults filled in and types checked; raise `InvalidGateFacts`."""
    unknown = set(facts) - set(ruleset.facts)
    if unknown:
        raise InvalidGateFacts(problem=f"unknown facts {sorted(unknown)}")
    complete: dict[str, Any] = {}
    for name, spec in ruleset.facts.items():
        if name not in facts or facts[name] is None:
            if spec.is_required:
                raise InvalidGateFacts(problem=f"{name} is required")
            value = spec.default
        else:
            value = facts[name]
        complete[name] = _checked(spec, value)
    return complete


def _checked(spec: FactSpec, value: Any) -> Any:
    problem = InvalidGateFacts(problem=f"{spec.name} is not a valid {spec.type}")
    if spec.type == "bool":
        if not isinstance(value, bool):
            raise problem
        return value
    if spec.type == "enum":
        if value not in spec.values:
            raise problem
        return value
    if spec.type == "country":
        if not isinstance(value, str) or not _COUNTRY.match(value.strip().upper()):
            raise problem
        return value.strip().upper()
    if isinstance(value, str) or not isinstance(value, Sequence | frozenset | set):
        raise problem
    items = sorted({str(item).strip().upper() for item in value})
    if spec.type == "countries" and not all(_COUNTRY.match(item) for item in items):
        raise problem
    return items


def evaluate_gate(
    facts: Mapping[str, Any], ruleset: Ruleset | None = None
) -> GateResult:
    """Evaluate every safeguard check over the facts of one return decision."""
    ruleset = ruleset or load_ruleset()
    variables = {"facts": _complete_facts(facts, ruleset)}
    results = []
    for check in ruleset.checks:
        try:
            applies = evaluate_bool(check.applies_when, variables)
            passed = (not applies) or evaluate_bool(check.pass_when, variables)
            reason = (
                check.fail_reason
                if not passed
                else ruleset.messages["passed" if applies else "not_applicable"]
            )
        except RuleError:
            applies, passed, reason = True, False, ruleset.messages["rule_error"]
        results.append(
            CheckResult(
                id=check.id,
                result=CheckResultKind.PASS if passed else CheckResultKind.FAIL,
                is_applicable=applies,
                is_overridable=check.is_overridable,
                title=check.title,
                reason=reason,
                legal_basis=check.legal_basis,
            )
        )
    return GateResult(ruleset.name, ruleset.version, tuple(results))


def require_gate_passed(gate: GateResult) -> None:
    """Raise `ReturnGateFailed` naming every failed check."""
    if not gate.passed:
        failed = gate.failed_checks
        raise ReturnGateFailed(checks=", ".join(failed), failed_checks=failed)


# --- two-person override -------------------------------------------------------


def require_two_person_rule(
    requester_id: str, signatures: Sequence[OverrideSignature]
) -> None:
    """Two different authorised people, neither of them the requester, each
    naming an authority and a legal basis; else `OverrideNotAllowed`."""
    if any(not s.is_authorised for s in signatures):
        raise OverrideNotAllowed(problem="a signer is not authorised")
    if any(s.user_id == requester_id for s in signatures):
        raise OverrideNotAllowed(problem="the requester cannot sign")
    if any(not s.legal_basis.strip() or not s.authority.strip() for s in signatures):
        raise OverrideNotAllowed(problem="each signer names authority and legal basis")
    if len({s.user_id for s in signatures}) < 2:
        raise OverrideNotAllowed(problem="two different people must sign")


def require_override(
    gate: GateResult,
    *,
    requester_id: str,
    signatures: Sequence[OverrideSignature],
    checks: Collection[str] | None = None,
) -> None:
    """Allow approving a return despite failed checks, or raise `OverrideNotAllowed`.

    `checks` are the failed checks the override claims to lift (all of them when
    None); each must be failed, overridable, and together they must cover every
    failed check. Torture risk and recognised protection can never be lifted.
    """
    failed = set(gate.failed_checks)
    claimed = set(failed if checks is None else checks)
    if claimed - failed:
        raise OverrideNotAllowed(problem=f"not failed: {sorted(claimed - failed)}")
    if failed - claimed:
        raise OverrideNotAllowed(problem=f"still failing: {sorted(failed - claimed)}")
    locked = sorted(
        c.id for c in gate.checks if c.id in claimed and not c.is_overridable
    )
    if locked:
        raise OverrideNotAllowed(problem=f"cannot be overridden: {locked}")
    require_two_person_rule(requester_id, signatures)
