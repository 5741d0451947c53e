"""The CEL service's types: variable types, limits, lint issues and errors."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from puente.core.errors import InvalidInput

# --------------------------------------------------------------------------- API types


class VarType(enum.StrEnum):
    """Declared type of a rule variable (a fact); used by the linter."""

    BOOL = "bool"
    INT = "int"
    UINT = "uint"
    DOUBLE = "double"
    STRING = "string"
    BYTES = "bytes"
    TIMESTAMP = "timestamp"
    DURATION = "duration"
    LIST = "list"
    MAP = "map"
    DYN = "dyn"


SCALAR_TYPES: Final = frozenset(VarType) - {VarType.LIST, VarType.MAP, VarType.DYN}

COMPREHENSIONS: Final = frozenset({"all", "exists", "exists_one", "map", "filter"})

DEFAULT_FUNCTIONS: Final = frozenset(
    {
        "size", "has", "int", "uint", "double", "string", "bytes", "timestamp",
        "duration", "matches", "contains", "startsWith", "endsWith",
        "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek",
        "getDayOfYear", "getHours", "getMinutes", "getSeconds", "getMilliseconds",
    }
    | COMPREHENSIONS
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Limits:
    """Static bounds an expression must respect before it may be evaluated."""

    max_source_length: int = 2000
    max_depth: int = 24
    max_nodes: int = 200
    max_comprehensions: int = 4
    max_comprehension_nesting: int = 2
    max_regex_length: int = 100
    max_regex_repeat: int = 100
    allowed_functions: frozenset[str] = DEFAULT_FUNCTIONS


DEFAULT_LIMITS: Final = Limits()


@dataclass(frozen=True, slots=True)
class LintIssue:
    """One problem found in an expression; `position` is a 0-based offset."""

    code: str
    message: str
    position: int | None = None

    def __str__(self) -> str:
        where = "" if self.position is None else f" (at {self.position + 1})"
        return f"{self.code}: {self.message}{where}"


class ExpressionError(InvalidInput):
    """An expression is invalid, breaks a limit, or failed to evaluate."""

    message = "The expression is not valid."

    def __init__(
        self,
        message: str,
        *,
        issues: tuple[LintIssue, ...] = (),
        missing: frozenset[str] = frozenset(),
    ) -> None:
        # No **params: rule text may contain "%(" and must not be formatted.
        super().__init__(message)
        self.issues = issues
        self.missing = missing


class ExpressionTimeout(ExpressionError):
    """An evaluation used more than its time budget; its result was discarded."""

    message = "The expression took too long to evaluate."
