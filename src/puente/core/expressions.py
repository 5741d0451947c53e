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

import dataclasses
import enum
import functools
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import cel

from puente.core.errors import InvalidInput

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


_SCALAR_TYPES: Final = frozenset(VarType) - {VarType.LIST, VarType.MAP, VarType.DYN}

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


# --------------------------------------------------------------------------- parser

# Lint-only parser for the CEL grammar (cel-spec langdef.md): literals,
# identifiers, member access, index, calls, unary/binary operators, ternary,
# lists and maps. Message construction (`Foo{a: 1}`) and optional syntax
# (`a.?b`) are rejected as unsupported. The Rust parser stays authoritative.

_TOKEN_RE: Final = re.compile(
    r"""
    (?P<space>\s+|//[^\n]*)
  | (?P<string>
      (?:[rR][bB]?|[bB][rR])(?:'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"|'[^'\n]*'|"[^"\n]*")
    | [bB]?(?:'''(?:[^\\]|\\[\s\S])*?'''|\"\"\"(?:[^\\]|\\[\s\S])*?\"\"\"
             |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    )
  | (?P<number>
      (?:\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\.\d+(?:[eE][+-]?\d+)?)
    | 0[xX][0-9a-fA-F]+[uU]? | \d+[uU]?
    )
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/%!<>?:.,()\[\]{}])
    """,
    re.VERBOSE,
)
_KEYWORD_LITERALS: Final = frozenset({"true", "false", "null"})
_RELATIONS: Final = frozenset({"<", "<=", ">=", ">", "==", "!=", "in"})
_MAX_PARSE_NESTING: Final = 50  # keeps Python recursion far from its limit


@dataclass(frozen=True, slots=True)
class Node:
    """A CEL syntax node. `start`/`end` index the source (end exclusive).

    kind: literal | ident | select | index | call | list | map | unary | binary
    | ternary. For a call, `receiver` says `children[0]` is the target of
    `x.f(...)`. A map's children alternate key, value.
    """

    kind: str
    value: str
    children: tuple[Node, ...]
    start: int
    end: int
    receiver: bool = False


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # string | number | ident | op | end
    text: str
    start: int
    end: int


class _SyntaxError(Exception):
    def __init__(self, message: str, position: int, *, code: str = "syntax") -> None:
        super().__init__(message)
        self.position = position
        self.code = code


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN_RE.match(source, pos)
        if match is None:
            raise _SyntaxError(f"unexpected character {source[pos]!r}", pos)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), pos, match.end()))
        pos = match.end()
    tokens.append(_Token("end", "", pos, pos))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.index = 0
        self.nesting = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def _take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _accept(self, text: str) -> _Token | None:
        token = self.token
        if token.text == text and token.kind in ("op", "ident"):
            self.index += 1
            return token
        return None

    def _expect(self, text: str) -> _Token:
        token = self._accept(text)
        if token is None:
            found = self.token.text or "end of input"
            raise _SyntaxError(f"expected {text!r}, found {found!r}", self.token.start)
        return token

    def parse(self) -> Node:
        node = self.expr()
        if self.token.kind != "end":
            raise _SyntaxError(f"unexpected {self.token.text!r}", self.token.start)
        return node

    def expr(self) -> Node:
        self.nesting += 1
        if self.nesting > _MAX_PARSE_NESTING:
            raise _SyntaxError("expression nested too deeply", self.token.start)
        condition = self._binary(0)
        if self._accept("?"):
            then = self._binary(0)
            self._expect(":")
            otherwise = self.expr()
            condition = Node(
                "ternary",
                "?:",
                (condition, then, otherwise),
                condition.start,
                otherwise.end,
            )
        self.nesting -= 1
        return condition

    # Precedence levels, loosest first; each level is left-associative.
    _LEVELS: Final = (
        frozenset({"||"}),
        frozenset({"&&"}),
        _RELATIONS,
        frozenset({"+", "-"}),
        frozenset({"*", "/", "%"}),
    )

    def _binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self._unary()
        left = self._binary(level + 1)
        while (
            self.token.kind in ("op", "ident")
            and self.token.text in self._LEVELS[level]
        ):
            op = self._take().text
            right = self._binary(level + 1)
            left = Node("binary", op, (left, right), left.start, right.end)
        return left

    def _unary(self) -> Node:
        ops: list[_Token] = []
        while self.token.kind == "op" and self.token.text in ("!", "-"):
            ops.append(self._take())
        node = self._member()
        for op in reversed(ops):
            node = Node("unary", op.text, (node,), op.start, node.end)
        return node

    def _member(self) -> Node:
        node = self._primary()
        while True:
            if self._accept("."):
                name = self._take()
                if name.kind != "ident" or name.text in _KEYWORD_LITERALS | {"in"}:
                    raise _SyntaxError("expected a field name", name.start)
                if self._accept("("):
                    args, end = self._args(")")
                    node = Node("call", name.text, (node, *args), node.start, end, True)
                else:
                    node = Node("select", name.text, (node,), node.start, name.end)
            elif self._accept("["):
                key = self.expr()
                end = self._expect("]").end
                node = Node("index", "[]", (node, key), node.start, end)
            elif self.token.text == "{" and node.kind in ("ident", "select"):
                raise _SyntaxError(
                    "message construction is not supported",
                    self.token.start,
                    code="unsupported-syntax",
                )
            else:
                return node

    def _args(self, close: str) -> tuple[list[Node], int]:
        args: list[Node] = []
        if not self._accept(close):
            args.append(self.expr())
            while self._accept(","):
                args.append(self.expr())
            return args, self._expect(close).end
        return args, self.tokens[self.index - 1].end

    def _primary(self) -> Node:
        token = self._take()
        if token.kind in ("string", "number"):
            return Node("literal", token.text, (), token.start, token.end)
        if token.kind == "ident":
            if token.text in _KEYWORD_LITERALS:
                return Node("literal", token.text, (), token.start, token.end)
            if token.text == "in":
                raise _SyntaxError("unexpected 'in'", token.start)
            if self._accept("("):
                args, end = self._args(")")
                return Node("call", token.text, tuple(args), token.start, end)
            return Node("ident", token.text, (), token.start, token.end)
        if token.text == "." and self.token.kind == "ident":
            name = self._take()  # leading dot: root-scoped identifier
            if self._accept("("):
                args, end = self._args(")")
                return Node("call", name.text, tuple(args), token.start, end)
            return Node("ident", name.text, (), token.start, name.end)
        if token.text == "(":
            inner = self.expr()
            closing = self._expect(")")
            # Widen the span so that every node's text is a valid expression.
            return dataclasses.replace(inner, start=token.start, end=closing.end)
        if token.text in ("[", "{"):
            close = "]" if token.text == "[" else "}"
            items: list[Node] = []
            while not self._accept(close):
                items.append(self.expr())
                if token.text == "{":
                    self._expect(":")
                    items.append(self.expr())
                if not self._accept(","):
                    self._expect(close)
                    break
            kind = "list" if token.text == "[" else "map"
            return Node(kind, token.text, tuple(items), token.start, self._last_end)
        if token.kind == "end":
            raise _SyntaxError("unexpected end of input", token.start)
        raise _SyntaxError(f"unexpected {token.text!r}", token.start)

    @property
    def _last_end(self) -> int:
        return self.tokens[self.index - 1].end


def parse(source: str) -> Node:
    """Parse CEL for analysis. Raises `ExpressionError` on a syntax error."""
    try:
        return _Parser(source).parse()
    except _SyntaxError as exc:
        issue = LintIssue(exc.code, str(exc), exc.position)
        raise ExpressionError(str(issue), issues=(issue,)) from None


# --------------------------------------------------------------------------- analysis


def _is_comprehension(node: Node) -> bool:
    if node.kind != "call" or not node.receiver or node.value not in COMPREHENSIONS:
        return False
    arity = (2, 3) if node.value == "map" else (2,)
    return len(node.children) - 1 in arity and node.children[1].kind == "ident"


def _path_root(node: Node) -> str | None:
    """The identifier a data path (`a.b[0].c`) starts from, else None."""
    while node.kind in ("select", "index"):
        if node.kind == "index" and node.children[1].kind != "literal":
            return None
        node = node.children[0]
    return node.value if node.kind == "ident" else None


def _is_literal_collection(node: Node) -> bool:
    return node.kind in ("list", "map") and all(
        child.kind == "literal" for child in node.children
    )


def _walk(root: Node) -> Iterator[tuple[Node, int, frozenset[str], tuple[str, ...]]]:
    """Yield (node, depth, bound iteration variables, enclosing comprehension
    variables) without recursion: a 2,000-character rule can chain a thousand
    left-deep `+` nodes (a chain of one operator counts as one level)."""
    stack: list[tuple[Node, int, frozenset[str], tuple[str, ...]]] = [
        (root, 1, frozenset(), ())
    ]
    while stack:
        node, depth, bound, loops = stack.pop()
        yield node, depth, bound, loops
        if _is_comprehension(node):
            variable = node.children[1].value
            stack.append((node.children[0], depth + 1, bound, loops))
            inner_bound, inner_loops = bound | {variable}, (*loops, variable)
            for body in node.children[2:]:
                stack.append((body, depth + 1, inner_bound, inner_loops))
        else:
            for child in node.children:
                # `a && b && c ...` is one level, not one per clause.
                chained = (
                    node.kind == child.kind == "binary" and child.value == node.value
                )
                stack.append((child, depth + (not chained), bound, loops))


def _free_variables(root: Node) -> frozenset[str]:
    return frozenset(
        node.value
        for node, _, bound, _ in _walk(root)
        if node.kind == "ident" and node.value not in bound
    )


_REPEAT_RE: Final = re.compile(r"\{(\d+)(?:,(\d*))?\}")
_SIMPLE_ESCAPE_RE: Final = re.compile(
    r"\\(?:[0-7]{3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)"
)


def _string_literal_value(text: str) -> str | None:
    """Approximate decoded value of a CEL string literal (escapes count as one
    character), or None when the text is not a string literal."""
    prefix = re.match(r"[rRbB]*", text)
    head = prefix.group() if prefix else ""
    if "b" in head.lower() or len(text) < 2 or text[len(head)] not in "'\"":
        return None
    body = text[len(head) :]
    quote = 3 if body[:3] in ("'''", '"""') else 1
    inner = body[quote:-quote]
    return inner if "r" in head.lower() else _SIMPLE_ESCAPE_RE.sub("_", inner)


def _lint_tree(
    root: Node, variables: Mapping[str, VarType] | None, limits: Limits
) -> list[LintIssue]:
    issues: list[LintIssue] = []
    nodes = max_depth = comprehensions = 0
    deepest: Node | None = None
    for node, depth, bound, loops in _walk(root):
        nodes += 1
        if depth > max_depth:
            max_depth, deepest = depth, node
        if (
            node.kind == "ident"
            and variables is not None
            and node.value not in bound
            and node.value not in variables
        ):
            issues.append(
                LintIssue(
                    "unknown-variable",
                    f"unknown variable {node.value!r}",
                    node.start,
                )
            )
        if node.kind == "select" and variables is not None:
            target = node.children[0]
            declared = variables.get(target.value) if target.kind == "ident" else None
            if target.value not in bound and declared in _SCALAR_TYPES:
                issues.append(
                    LintIssue(
                        "field-on-scalar",
                        f"{target.value!r} is a {declared} and has no field "
                        f"{node.value!r}",
                        node.start,
                    )
                )
        if node.kind != "call":
            continue
        if node.value not in limits.allowed_functions:
            issues.append(
                LintIssue(
                    "function-not-allowed",
                    f"function {node.value!r} is not allowed",
                    node.start,
                )
            )
        if node.value == "matches":
            issues.extend(_lint_regex(node, limits))
        if _is_comprehension(node):
            comprehensions += 1
            issues.extend(_lint_comprehension(node, loops, limits))
    if nodes > limits.max_nodes:
        issues.append(
            LintIssue(
                "too-many-nodes",
                f"expression has {nodes} nodes; the limit is {limits.max_nodes}",
            )
        )
    if max_depth > limits.max_depth:
        issues.append(
            LintIssue(
                "too-deep",
                f"expression nests {max_depth} levels; the limit is {limits.max_depth}",
                deepest.start if deepest else None,
            )
        )
    if comprehensions > limits.max_comprehensions:
        issues.append(
            LintIssue(
                "too-many-comprehensions",
                f"expression has {comprehensions} comprehensions (all, exists, "
                f"exists_one, map, filter); the limit is {limits.max_comprehensions}",
            )
        )
    return issues


def _lint_comprehension(
    node: Node, loops: tuple[str, ...], limits: Limits
) -> list[LintIssue]:
    issues: list[LintIssue] = []
    if len(loops) + 1 > limits.max_comprehension_nesting:
        issues.append(
            LintIssue(
                "comprehension-too-deep",
                f"comprehensions nest {len(loops) + 1} levels; the limit is "
                f"{limits.max_comprehension_nesting}",
                node.start,
            )
        )
    target = node.children[0]
    root = _path_root(target)
    if root is None and not _is_literal_collection(target):
        issues.append(
            LintIssue(
                "comprehension-range",
                f"{node.value}() must iterate over a variable, a field of one, or "
                "a literal list, not over a computed value",
                target.start,
            )
        )
    elif root is not None and loops and root not in loops:
        issues.append(
            LintIssue(
                "nested-comprehension",
                f"a {node.value}() inside another comprehension must iterate over "
                "part of the enclosing element, otherwise the work multiplies",
                node.start,
            )
        )
    return issues


def _lint_regex(node: Node, limits: Limits) -> list[LintIssue]:
    pattern_node = node.children[-1]
    pattern = (
        _string_literal_value(pattern_node.value)
        if pattern_node.kind == "literal"
        else None
    )
    if len(node.children) != 2 or pattern is None:
        return [
            LintIssue(
                "regex-not-literal",
                "matches() takes a string literal pattern",
                pattern_node.start,
            )
        ]
    if len(pattern) > limits.max_regex_length:
        return [
            LintIssue(
                "regex-too-long",
                f"pattern has {len(pattern)} characters; the limit is "
                f"{limits.max_regex_length}",
                pattern_node.start,
            )
        ]
    for match in _REPEAT_RE.finditer(pattern):
        counts = [int(group) for group in match.groups() if group]
        if max(counts) > limits.max_regex_repeat:
            return [
                LintIssue(
                    "regex-repeat",
                    f"pattern repeats {max(counts)} times; the limit is "
                    f"{limits.max_regex_repeat}",
                    pattern_node.start,
                )
            ]
    return []


def _cel_syntax_issue(source: str) -> LintIssue | None:
    """The Rust parser's verdict; it is authoritative on what CEL accepts."""
    try:
        _program(source)
    except ValueError as exc:
        return _issue_from_cel_error(source, str(exc))
    return None


_CEL_POSITION_RE: Final = re.compile(r"<input>:(\d+):(\d+): (.*)")


def _issue_from_cel_error(source: str, text: str) -> LintIssue:
    match = _CEL_POSITION_RE.search(text)
    if match is None:
        return LintIssue("syntax", text.splitlines()[0] if text else "syntax error")
    line, column = int(match.group(1)), int(match.group(2))
    offset = sum(len(row) + 1 for row in source.split("\n")[: line - 1]) + column - 1
    return LintIssue(
        "syntax", f"line {line}, column {column}: {match.group(3).strip()}", offset
    )


@functools.lru_cache(maxsize=4096)
def _program(source: str) -> cel.Program:
    return cel.compile(source)


def _lint(
    source: str, variables: Mapping[str, VarType] | None, limits: Limits
) -> tuple[Node | None, list[LintIssue]]:
    if len(source) > limits.max_source_length:
        # Checked first: nothing else may spend time on an oversized rule.
        issue = LintIssue(
            "source-too-long",
            f"expression has {len(source)} characters; the limit is "
            f"{limits.max_source_length}",
        )
        return None, [issue]
    try:
        tree = _Parser(source).parse()
    except _SyntaxError as exc:
        # Too deep for us means too deep for anyone: do not hand it to Rust.
        if "nested too deeply" in str(exc):
            return None, [LintIssue("too-deep", str(exc), exc.position)]
        cel_issue = _cel_syntax_issue(source)
        return None, [cel_issue or LintIssue(exc.code, str(exc), exc.position)]
    cel_issue = _cel_syntax_issue(source)
    if cel_issue is not None:
        return None, [cel_issue]
    return tree, _lint_tree(tree, variables, limits)


def lint(
    source: str,
    *,
    variables: Mapping[str, VarType] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list[LintIssue]:
    """Every problem with `source`: syntax, limits, functions, unknown variables.

    With `variables`, identifiers not declared there are reported.
    """
    return _lint(source, variables, limits)[1]


def free_variables(source: str) -> frozenset[str]:
    """Top-level identifiers `source` reads (`a.b[0]` reads `a`); comprehension
    variables are not included. Raises `ExpressionError` on a syntax error."""
    return _free_variables(parse(source))


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
    tree, issues = _lint(source, variables, limits)
    if issues or tree is None:
        summary = "; ".join(str(issue) for issue in issues)
        raise ExpressionError(f"Invalid expression: {summary}", issues=tuple(issues))
    names = _free_variables(tree)
    return CompiledExpression(
        source, tree, names, _program(source), tuple(sorted(names))
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
        missing = _free_variables(node) - frozenset(self.context)
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
        names = _free_variables(node)
        compiled = CompiledExpression(
            text, node, names, _program(text), tuple(sorted(names))
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
