"""What a CEL rule can tell apart about each fact it reads.

Screening memoises each rule on the values of the facts it reads (CEL is pure, so
this is exact). Real registries hold thousands of distinct entry dates and ages, so
keys on raw values rarely repeat. But a rule such as `date_of_entry <= "2021-01-31"`
only ever compares a fact with constants, and two values that sit at the same place
among every constant the catalogue compares that fact with give every such rule the
same answer. `value_classes` finds those facts (by parsing the linted CEL subset)
and maps each value to its class: its position among the constants, or for a list
the constants it contains. A fact used any other way (arithmetic, `size`, a string
function, against another fact) keeps its raw value, and so does every fact of a
rule this parser does not understand: the classes are exact or not used at all.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

Value = object
Classifier = Callable[[Value], object]

_TOKEN: Final = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\\n]|\\["\\])*"|'(?:[^'\\\n]|\\['\\])*')
    | (?P<number>\d+\.\d*(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+[uU]?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>==|!=|<=|>=|&&|\|\||[<>!?:()\[\],.+\-*/%])
    )""",
    re.VERBOSE,
)
_COMPARISONS: Final = frozenset({"==", "!=", "<", "<=", ">", ">="})


class ShapeUnknown(Exception):
    """The expression uses CEL this parser does not read (it is then left raw)."""


@dataclass(frozen=True, slots=True)
class Var:
    name: str


@dataclass(frozen=True, slots=True)
class Lit:
    value: object


@dataclass(frozen=True, slots=True)
class ListLit:
    items: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Node:
    """An operator or call: `op` is the operator, or the function's name."""

    op: str
    args: tuple[Expr, ...]


Expr = Var | Lit | ListLit | Node


def _tokens(source: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    source = source.rstrip()
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None or match.end() == position:
            raise ShapeUnknown(source[position:])
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        position = match.end()
    return out


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokens(source)
        self.at = 0

    def peek(self) -> str:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise ShapeUnknown("end of expression")
        token = self.tokens[self.at]
        if expected is not None and token[1] != expected:
            raise ShapeUnknown(token[1])
        self.at += 1
        return token

    def parse(self) -> Expr:
        expr = self.conditional()
        if self.at != len(self.tokens):
            raise ShapeUnknown(self.peek())
        return expr

    def conditional(self) -> Expr:
        test = self.binary(0)
        if self.peek() != "?":
            return test
        self.take("?")
        then = self.conditional()
        self.take(":")
        return Node("?:", (test, then, self.conditional()))

    _LEVELS: Final = (
        ("||",),
        ("&&",),
        ("==", "!=", "<", "<=", ">", ">=", "in"),
        ("+", "-"),
        ("*", "/", "%"),
    )

    def binary(self, level: int) -> Expr:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in self._LEVELS[level] and self._is_operator():
            op = self.take()[1]
            left = Node(op, (left, self.binary(level + 1)))
        return left

    def _is_operator(self) -> bool:
        kind = self.tokens[self.at][0]
        return kind == "op" or self.peek() == "in"

    def unary(self) -> Expr:
        if self.peek() in ("!", "-") and self.tokens[self.at][0] == "op":
            op = self.take()[1]
            return Node(op + "_", (self.unary(),))
        return self.member()

    def member(self) -> Expr:
        expr = self.primary()
        while self.peek() in (".", "["):
            if self.take()[1] == "[":
                index = self.conditional()
                self.take("]")
                expr = Node("[]", (expr, index))
                continue
            kind, name = self.take()
            if kind != "name" or self.peek() != "(":
                raise ShapeUnknown(name)  # field selection: not in the vocabulary
            expr = Node(name, (expr, *self.arguments("(", ")")))
        return expr

    def arguments(self, opening: str, closing: str) -> tuple[Expr, ...]:
        self.take(opening)
        items: list[Expr] = []
        while self.peek() != closing:
            items.append(self.conditional())
            if self.peek() == ",":
                self.take(",")
            elif self.peek() != closing:
                raise ShapeUnknown(self.peek())
        self.take(closing)
        return tuple(items)

    def primary(self) -> Expr:
        kind, text = self.tokens[self.at] if self.at < len(self.tokens) else ("", "")
        if text == "(":
            self.take("(")
            inner = self.conditional()
            self.take(")")
            return inner
        if text == "[":
            items = self.arguments("[", "]")
            if all(isinstance(i, Lit) for i in items):
                return ListLit(tuple(i.value for i in items if isinstance(i, Lit)))
            return Node("[list]", items)
        self.take()
        if kind == "string":
            return Lit(_string(text))
        if kind == "number":
            return Lit(_number(text))
        if kind == "name":
            if text in ("true", "false"):
                return Lit(text == "true")
            if text == "null":
                return Lit(None)
            if self.peek() == "(":
                return Node(text, self.arguments("(", ")"))
            return Var(text)
        raise ShapeUnknown(text)


def _string(token: str) -> str:
    body = token[1:-1]
    return re.sub(r"\\([\"'\\])", r"\1", body)


def _number(token: str) -> object:
    if token[-1] in "uU":
        raise ShapeUnknown(token)  # unsigned ints compare unlike Python ints
    if any(c in token for c in ".eE"):
        return float(token)
    return int(token)


def parse(source: str) -> Expr:
    """The expression's tree; `ShapeUnknown` when it leaves the subset."""
    return _Parser(source).parse()


@dataclass
class _Uses:
    scalar: dict[str, set[object]]
    member: dict[str, set[object]]
    raw: set[str]


def _collect(expr: Expr, uses: _Uses) -> None:
    if isinstance(expr, Var):
        uses.raw.add(expr.name)
        return
    if not isinstance(expr, Node):
        return
    a = expr.args
    if expr.op in _COMPARISONS and len(a) == 2:
        pair = (a[0], a[1]) if isinstance(a[0], Var) else (a[1], a[0])
        if isinstance(pair[0], Var) and isinstance(pair[1], Lit):
            uses.scalar.setdefault(pair[0].name, set()).add(pair[1].value)
            return
    if expr.op == "in" and len(a) == 2:
        if isinstance(a[0], Var) and isinstance(a[1], ListLit):
            uses.scalar.setdefault(a[0].name, set()).update(a[1].items)
            return
        if isinstance(a[0], Lit) and isinstance(a[1], Var):
            uses.member.setdefault(a[1].name, set()).add(a[0].value)
            return
    for arg in a:
        _collect(arg, uses)


def _scalar(constants: set[object], kind: type) -> Classifier | None:
    if not constants or any(type(c) is not kind for c in constants):
        return None
    ordered = tuple(sorted(constants))  # type: ignore[type-var]
    members = frozenset(constants)

    def classify(value: Value, ordered: tuple[object, ...] = ordered) -> object:
        at = bisect_left(ordered, value)  # type: ignore[call-overload]
        return at + at + (value in members)

    return classify


def _membership(constants: set[object]) -> Classifier | None:
    if not constants or any(type(c) is not str for c in constants):
        return None
    members = frozenset(constants)

    def classify(value: Value) -> object:
        return members.intersection(value)  # type: ignore[arg-type]

    return classify


def value_classes(
    expressions: Iterable[str], kinds: Mapping[str, type]
) -> dict[str, Classifier]:
    """For each fact that every expression reads only against constants, the
    function giving a value's class. `kinds` maps a scalar fact to its Python type
    (int or str) and a list fact to `tuple`; other facts are never classified."""
    uses = _Uses({}, {}, set())
    for source in expressions:
        try:
            tree = parse(source)
        except ShapeUnknown:
            uses.raw.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))
            continue
        _collect(tree, uses)
    out: dict[str, Classifier] = {}
    for name, kind in kinds.items():
        if name in uses.raw or (name in uses.scalar and name in uses.member):
            continue
        classify = (
            _membership(uses.member.get(name, set()))
            if kind is tuple
            else _scalar(uses.scalar.get(name, set()), kind)
        )
        if classify is not None:
            out[name] = classify
    return out
