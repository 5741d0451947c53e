"""Compile, evaluate and explain CEL expressions (the Rust engine, timed)."""

from __future__ import annotations

import enum
import functools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import cel

from puente.core.expressions.lint import (
    free_variables_of,
    lint_with,
    program,
)
from puente.core.expressions.parser import (
    Node,
)
from puente.core.expressions.types import (
    DEFAULT_LIMITS,
    ExpressionError,
    ExpressionTimeout,
    Limits,
    VarType,
)

# --------------------------------------------------------------------------- compile


@dataclass(frozen=True, slots=True, eq=False)
class CompiledExpression:
    """A linted, compiled expression; cheap to evaluate many times."""

    source: str
    tree: Node = field(repr=False)
    free_variables: frozenset[str]
    program: cel.Program = field(repr=False)
    # Sorted tuple: building the per-call context iterates it.
    _names: tuple[str, ...] = field(repr=False)


def compile_expression(
    source: str,
    *,
    variables: Mapping[str, VarType] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> CompiledExpression:
    """Lint and compile `source`. Raises `ExpressionError` listing every issue.

    Results are cached by (source, variables, limits).
    """
    declared = None if variables is None else tuple(sorted(variables.items()))
    return _compile_cached(source, declared, limits)


@functools.lru_cache(maxsize=4096)
def _compile_cached(
    source: str, declared: tuple[tuple[str, VarType], ...] | None, limits: Limits
) -> CompiledExpression:
    variables = None if declared is None else dict(declared)
    tree, issues = lint_with(source, variables, limits)
    if issues or tree is None:
        summary = "; ".join(str(issue) for issue in issues)
        raise ExpressionError(f"Invalid expression: {summary}", issues=tuple(issues))
    names = free_variables_of(tree)
    return CompiledExpression(
        source, tree, names, program(source), tuple(sorted(names))
    )


# --------------------------------------------------------------------------- evaluate


class Bindings:
    """Facts converted to CEL once, for evaluating many expressions over them
    (one person against every pathway). About 10x cheaper per evaluation than
    passing a mapping, which is converted on every call.

    Values must be plain data (bool, int, float, str, bytes, None, datetime,
    timedelta, lists, dicts): a callable would become a CEL function.
    """

    __slots__ = ("_context", "names")

    def __init__(self, facts: Mapping[str, Any]) -> None:
        values = dict(facts)
        for name, value in values.items():
            if callable(value):
                raise ExpressionError(f"Fact {name!r} is not data.")
        self.names: frozenset[str] = frozenset(values)
        self._context = cel.Context(values)


# Errors the Rust evaluator raises for undefined variables, type mismatches,
# overflow, bad conversions, missing keys and out-of-range indexes.
_EVALUATION_ERRORS: Final = (
    RuntimeError,
    TypeError,
    ValueError,
    ArithmeticError,
    LookupError,
)


def evaluate(
    compiled: CompiledExpression,
    context: Mapping[str, Any] | Bindings,
    *,
    timeout_ms: int = 50,
) -> Any:
    """Evaluate `compiled` over `context` (facts by name) within `timeout_ms`.

    Raises `ExpressionError` (with `.missing` set when variables were absent)
    or `ExpressionTimeout`. The budget is checked after the call (see the
    module docstring): lint-time bounds keep the work small, the measurement
    catches what slipped through.
    """
    if isinstance(context, Bindings):
        cel_context: cel.Context | dict[str, Any] = context._context
    else:
        # Only the facts this rule reads: converting a 40-fact person for a
        # 3-fact rule costs more than the evaluation.
        cel_context = {
            name: context[name] for name in compiled._names if name in context
        }
    started = time.perf_counter_ns()
    try:
        result = compiled.program.execute(cel_context)
    except _EVALUATION_ERRORS as exc:
        present = context.names if isinstance(context, Bindings) else context.keys()
        missing = compiled.free_variables - frozenset(present)
        detail = f"missing {', '.join(sorted(missing))}" if missing else str(exc)
        raise ExpressionError(
            f"Evaluation failed: {detail.splitlines()[0]}", missing=missing
        ) from exc
    elapsed_ns = time.perf_counter_ns() - started
    if elapsed_ns > timeout_ms * 1_000_000:
        raise ExpressionTimeout(
            f"Evaluation took {elapsed_ns / 1e6:.1f} ms; the budget is {timeout_ms} ms."
        )
    return result


# --------------------------------------------------------------------------- explain


class Truth(enum.StrEnum):
    """Three-valued outcome of a clause; an error counts as unknown when combined."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"  # a variable it reads is missing
    ERROR = "error"  # evaluated, but failed or did not give a boolean


@dataclass(frozen=True, slots=True)
class ClauseExplanation:
    """One top-level `&&`/`||` operand: its source, outcome and missing facts."""

    source: str
    truth: Truth
    value: Any
    missing: frozenset[str]
    is_deciding: bool
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why an expression came out as it did. `value` is None when undetermined;
    `missing` lists the facts read by clauses that are still unknown."""

    value: Any
    operator: Literal["&&", "||"] | None
    clauses: tuple[ClauseExplanation, ...]
    missing: frozenset[str]


def _combine(operator: str, truths: list[Truth]) -> Truth:
    absorbing, neutral = (
        (Truth.FALSE, Truth.TRUE) if operator == "&&" else (Truth.TRUE, Truth.FALSE)
    )
    if absorbing in truths:
        return absorbing
    if all(truth is neutral for truth in truths):
        return neutral
    return Truth.UNKNOWN


def _flatten(node: Node, operator: str) -> list[Node]:
    operands: list[Node] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if current.kind == "binary" and current.value == operator:
            pending.extend(reversed(current.children))
        else:
            operands.append(current)
    return operands


class _Explainer:
    def __init__(
        self, source: str, context: Mapping[str, Any], timeout_ms: int
    ) -> None:
        self.source = source
        self.context = context
        self.timeout_ms = timeout_ms

    def clause(self, node: Node) -> tuple[Truth, Any, frozenset[str], str | None]:
        """Three-valued value of `node`, looking through nested &&, || and !."""
        missing = free_variables_of(node) - frozenset(self.context)
        if node.kind == "binary" and node.value in ("&&", "||"):
            parts = [self.clause(part) for part in _flatten(node, node.value)]
            truth = _combine(node.value, [part[0] for part in parts])
            return truth, _truth_value(truth), missing, None
        if node.kind == "unary" and node.value == "!":
            truth, _, _, error = self.clause(node.children[0])
            flipped = {Truth.TRUE: Truth.FALSE, Truth.FALSE: Truth.TRUE}.get(
                truth, truth
            )
            return flipped, _truth_value(flipped), missing, error
        if missing:
            return Truth.UNKNOWN, None, missing, None
        text = self.source[node.start : node.end]
        names = free_variables_of(node)
        compiled = CompiledExpression(
            text, node, names, program(text), tuple(sorted(names))
        )
        try:
            value = evaluate(compiled, self.context, timeout_ms=self.timeout_ms)
        except ExpressionTimeout:
            raise
        except ExpressionError as exc:
            return Truth.ERROR, None, missing, str(exc)
        if isinstance(value, bool):
            return (Truth.TRUE if value else Truth.FALSE), value, missing, None
        return Truth.ERROR, value, missing, "not a boolean"


def _truth_value(truth: Truth) -> bool | None:
    return {Truth.TRUE: True, Truth.FALSE: False}.get(truth)


def explain(
    expression: str | CompiledExpression,
    context: Mapping[str, Any],
    *,
    limits: Limits = DEFAULT_LIMITS,
    timeout_ms: int = 50,
) -> Explanation:
    """Evaluate each top-level `&&`/`||` clause with three-valued logic.

    A clause reading a missing fact is unknown: `false && unknown` is false,
    `true || unknown` is true, anything else with an unknown is undetermined
    (`value` None). Nested `&&`, `||` and `!` inside a clause follow the same
    logic. An expression without a top-level `&&`/`||` is one clause whose
    value may be of any type.
    """
    compiled = (
        expression
        if isinstance(expression, CompiledExpression)
        else compile_expression(expression, limits=limits)
    )
    tree = compiled.tree
    explainer = _Explainer(compiled.source, context, timeout_ms)
    operator: Literal["&&", "||"] | None = None
    if tree.kind == "binary" and tree.value in ("&&", "||"):
        operator = "&&" if tree.value == "&&" else "||"
    operands = _flatten(tree, operator) if operator else [tree]
    results = [explainer.clause(node) for node in operands]
    if operator is None:
        overall: Truth = results[0][0]
        value = results[0][1]
    else:
        overall = _combine(operator, [result[0] for result in results])
        value = _truth_value(overall)
    undecided = (Truth.UNKNOWN, Truth.ERROR)
    clauses = tuple(
        ClauseExplanation(
            source=compiled.source[node.start : node.end],
            truth=truth,
            value=clause_value,
            missing=missing,
            is_deciding=truth is overall
            or (overall in undecided and truth in undecided),
            error=error,
        )
        for node, (truth, clause_value, missing, error) in zip(
            operands, results, strict=True
        )
    )
    unknown = frozenset().union(
        *(clause.missing for clause in clauses if clause.truth is Truth.UNKNOWN)
    )
    return Explanation(value, operator, clauses, unknown)
