"""The one place protection rules call CEL.

Kept private and tiny so it can be swapped for `puente.core.expressions` once
that service exists. Programs are compiled once and cached by source text.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import cel


class RuleError(Exception):
    """A rule did not compile, referenced a missing fact or did not yield a bool."""


@lru_cache(maxsize=512)
def _compile(expression: str) -> Any:
    try:
        return cel.compile(expression)
    except ValueError as error:
        raise RuleError(f"cannot compile rule: {error}") from error


def evaluate_bool(expression: str, variables: Mapping[str, Any]) -> bool:
    """Evaluate a CEL expression that must yield a bool; else `RuleError`."""
    program = _compile(expression)
    try:
        result = program.execute(dict(variables))
    except Exception as error:  # the CEL binding raises KeyError, TypeError, ...
        raise RuleError(f"cannot evaluate rule: {type(error).__name__}") from error
    if not isinstance(result, bool):
        raise RuleError("rule did not yield a bool")
    return result


def check_compiles(expression: str) -> None:
    """Raise `RuleError` unless the expression compiles (used when loading data)."""
    _compile(expression)
