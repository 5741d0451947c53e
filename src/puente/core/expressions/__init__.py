"""Puente's one CEL service: compile, lint, evaluate, explain.

Early-warning triggers, pathway eligibility rules and return-safeguard checks are
CEL expressions, often written by another state. They are data, never code: every
expression is parsed by our own small parser (for linting only), checked against
`Limits`, compiled once by `common-expression-language` (Rust) and evaluated with
a time budget.

How evaluation is bounded (why there is no watchdog thread or process per call):

- CEL has no loops, recursion or user functions, so the only work that grows
  faster than the expression is a comprehension (`all`, `exists`, `exists_one`,
  `map`, `filter`). The linter allows comprehensions only over input data (a
  variable path or a literal list), never over a computed value, and a nested
  comprehension must iterate over part of the enclosing element. Evaluation work
  is therefore at most about `max_nodes x input size`, and regexes are literal,
  short and run by Rust's linear-time engine.
- `evaluate` measures each call with `perf_counter_ns` (about 80 ns) and raises
  `ExpressionTimeout` when the budget was exceeded: the result is discarded, so a
  rule that is too slow on real data is reported, never silently used.
- Preempting the Rust evaluator is impossible in-process (it never checks for
  interrupts, and an abandoned thread keeps burning CPU); a killable worker
  process would add 50-100 us of IPC per call, about 100x the evaluation itself,
  which pathway screening (500k evaluations/s) cannot afford.
"""

from __future__ import annotations

from puente.core.expressions.engine import (
    Bindings,
    ClauseExplanation,
    CompiledExpression,
    Explanation,
    Truth,
    compile_expression,
    evaluate,
    explain,
)
from puente.core.expressions.lint import (
    free_variables,
    lint,
)
from puente.core.expressions.parser import (
    Node,
    parse,
)
from puente.core.expressions.types import (
    DEFAULT_LIMITS,
    ExpressionError,
    ExpressionTimeout,
    Limits,
    LintIssue,
    VarType,
)

__all__ = [
    "DEFAULT_LIMITS",
    "Bindings",
    "ClauseExplanation",
    "CompiledExpression",
    "Explanation",
    "ExpressionError",
    "ExpressionTimeout",
    "Limits",
    "LintIssue",
    "Node",
    "Truth",
    "VarType",
    "compile_expression",
    "evaluate",
    "explain",
    "free_variables",
    "lint",
    "parse",
]
