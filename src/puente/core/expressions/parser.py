"""A lint-only parser for the CEL grammar; the Rust parser stays authoritative."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Final

from puente.core.expressions.types import (
    ExpressionError,
    LintIssue,
)

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


class CelSyntaxError(Exception):
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
            raise CelSyntaxError(f"unexpected character {source[pos]!r}", pos)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), pos, match.end()))
        pos = match.end()
    tokens.append(_Token("end", "", pos, pos))
    return tokens


class Parser:
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
            raise CelSyntaxError(
                f"expected {text!r}, found {found!r}", self.token.start
            )
        return token

    def parse(self) -> Node:
        node = self.expr()
        if self.token.kind != "end":
            raise CelSyntaxError(f"unexpected {self.token.text!r}", self.token.start)
        return node

    def expr(self) -> Node:
        self.nesting += 1
        if self.nesting > _MAX_PARSE_NESTING:
            raise CelSyntaxError("expression nested too deeply", self.token.start)
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
                    raise CelSyntaxError("expected a field name", name.start)
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
                raise CelSyntaxError(
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
                raise CelSyntaxError("unexpected 'in'", token.start)
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
            raise CelSyntaxError("unexpected end of input", token.start)
        raise CelSyntaxError(f"unexpected {token.text!r}", token.start)

    @property
    def _last_end(self) -> int:
        return self.tokens[self.index - 1].end


def parse(source: str) -> Node:
    """Parse CEL for analysis. Raises `ExpressionError` on a syntax error."""
    try:
        return Parser(source).parse()
    except CelSyntaxError as exc:
        issue = LintIssue(exc.code, str(exc), exc.position)
        raise ExpressionError(str(issue), issues=(issue,)) from None
