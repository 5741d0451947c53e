"""The CEL seam: compile, lint and run one rule expression.

Everything that touches the `cel` package (the Rust engine) is here, so the catalogue
(which lints each clause it parses) and screening (which runs them) share one
implementation without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Protocol

import cel

from puente.pathways.rules.facts import RULE_VARIABLES

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


class UndefinedVariable(Exception):
    """The expression read a variable that is not in the activation."""


class RuleFailed(Exception):
    """The expression failed for another reason (a type error, an overflow)."""


class Runner(Protocol):
    def __call__(self, activation: Mapping[str, object], /) -> object: ...


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """One compiled expression: `run` raises `UndefinedVariable` for a missing
    variable and `RuleFailed` for any other failure."""

    source: str
    run: Runner
    variables: tuple[str, ...]
    functions: tuple[str, ...]


def compile_rule(expression: str) -> CompiledRule:
    """Compile CEL once (raises the engine's error when it does not parse)."""
    program = cel.compile(expression)
    references = program.references()

    def run(activation: Mapping[str, object], /) -> object:
        try:
            return program.execute(dict(activation))
        except RuntimeError as error:
            if "Undefined variable" in str(error):
                raise UndefinedVariable(str(error)) from None
            raise RuleFailed(str(error)) from None
        except (TypeError, ValueError) as error:
            raise RuleFailed(str(error)) from None

    return CompiledRule(
        source=expression,
        run=run,
        variables=tuple(references["variables"]),
        functions=tuple(references["functions"]),
    )


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
        compiled = compile_rule(expression)
    except Exception as error:  # the engine raises several types for bad syntax
        return [*problems, f"does not compile: {str(error).splitlines()[0]}"]
    unknown = sorted(set(compiled.variables) - RULE_VARIABLES)
    if unknown:
        problems.append(f"unknown facts {unknown}")
    banned = sorted(set(compiled.functions) - ALLOWED_FUNCTIONS)
    if banned:
        problems.append(f"functions not allowed {banned}")
    return problems
