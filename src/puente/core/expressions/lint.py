"""Static checks of a CEL expression against `Limits` before it is compiled."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Final

import cel

from puente.core.expressions.parser import (
    CelSyntaxError,
    Node,
    Parser,
    parse,
)
from puente.core.expressions.types import (
    COMPREHENSIONS,
    DEFAULT_LIMITS,
    SCALAR_TYPES,
    Limits,
    LintIssue,
    VarType,
)

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


def free_variables_of(root: Node) -> frozenset[str]:
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
            if target.value not in bound and declared in SCALAR_TYPES:
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
        program(source)
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
def program(source: str) -> cel.Program:
    return cel.compile(source)


def lint_with(
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
        tree = Parser(source).parse()
    except CelSyntaxError as exc:
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
    return lint_with(source, variables, limits)[1]


def free_variables(source: str) -> frozenset[str]:
    """Top-level identifiers `source` reads (`a.b[0]` reads `a`); comprehension
    variables are not included. Raises `ExpressionError` on a syntax error."""
    return free_variables_of(parse(source))
