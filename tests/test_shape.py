"""Every domain module has one shape, seams are typed imports, files stay small and no
file imports a file that imports it (issue #10). Known deviations are listed by name
below, each with the work that removes it; a listed deviation that has gone fails the
suite too, so the lists only ever shrink."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "puente"
DOMAIN_MODULES = (
    "people",
    "protection",
    "pathways",
    "early_warning",
    "financing",
    "coordination",
    "commitments",
    "enforcement",
)
# name -> the accepted forms (a file or a package)
REQUIRED = {
    "__init__": ("__init__.py",),
    "models": ("models.py", "models"),
    "schemas": ("schemas.py", "schemas"),
    "errors": ("errors.py",),
    "events": ("events.py",),
    "rules": ("rules",),
    "service": ("service",),
    "api": ("api.py",),
    "web": ("web.py", "web"),
    "cli": ("cli.py",),
    "demo": ("demo.py",),
    "data": ("data",),
}
OPTIONAL = {"templates", "repository.py", "_common.py"}
# Deviations still to remove: module -> entries that are extra or missing.
PENDING_LAYOUT: dict[str, set[str]] = {}
MAX_LINES = 800
# Files still over the limit, with their line count when listed.
PENDING_SIZE: set[str] = set()
# Reflection seams still to replace by typed imports or events.
PENDING_REFLECTION: set[str] = set()
PENDING_CYCLES: set[frozenset[str]] = set()
# Where a module may be reached other than through its `__init__`: shared kits.
KITS = ("puente.core", "puente.web", "puente.reference")
ROOT = ("puente.app", "puente.cli", "puente.demo", "puente.all_models", "puente.labels")


def _layout_deviations(module: str) -> set[str]:
    folder = SRC / module
    found = {p.name for p in folder.iterdir() if p.name != "__pycache__"}
    deviations: set[str] = set()
    known: set[str] = set(OPTIONAL)
    for name, forms in REQUIRED.items():
        present = [form for form in forms if form in found]
        known.update(forms)
        if not present:
            deviations.add(f"missing {name}")
        elif len(present) > 1:
            deviations.add(f"both {present[0]} and {present[1]}")
        elif present[0] == "service" and not (folder / "service/__init__.py").exists():
            deviations.add("service is not a package")
    return deviations | (found - known)


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_every_domain_module_has_the_same_top_level_layout(module: str) -> None:
    assert _layout_deviations(module) == PENDING_LAYOUT.get(module, set())


def _sources() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def test_no_source_file_is_over_800_lines() -> None:
    over = {
        str(path.relative_to(SRC))
        for path in _sources()
        if len(path.read_text("utf-8").splitlines()) > MAX_LINES
    }
    assert over == PENDING_SIZE


_IMPORTLIB = re.compile(
    r"\bimport_module\s*\(|\b__import__\s*\(|\bimportlib\.(?!resources)"
)


def _reflection(path: Path) -> list[str]:
    """importlib / __import__ / getattr(x, "name") seams. Allowed: Starlette's bags
    `request.state` and `request.app.state`, and package data read with
    importlib.resources."""
    text = path.read_text("utf-8")
    found = [m.group(0) for m in _IMPORTLIB.finditer(text)]
    for node in ast.walk(ast.parse(text)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
        ):
            target = ast.unparse(node.args[0])
            if target not in {"request.state", "request.app.state"}:
                found.append(f"{node.func.id}({target}, ...) line {node.lineno}")
    return found


def test_no_importlib_or_getattr_seam_is_left() -> None:
    offenders = {str(p.relative_to(SRC)) for p in _sources() if _reflection(p)}
    assert offenders == PENDING_REFLECTION


def _graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("puente")
    return {
        module: {
            imported
            for imported in graph.find_modules_directly_imported_by(module)
            if imported.startswith("puente.")
        }
        for module in graph.modules
    }


def _cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one file (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[frozenset[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [frozenset({"a", "b", "c"})]


def test_no_file_imports_a_file_that_imports_it() -> None:
    assert set(_cycles(_graph())) == PENDING_CYCLES


def _owner(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_a_module_is_reached_only_through_its_init() -> None:
    """`from puente.people import get_person`, never `puente.people.service`."""
    reaches = sorted(
        f"{importer} -> {imported}"
        for importer, imported_set in _graph().items()
        if _owner(importer) not in ROOT
        for imported in imported_set
        if _owner(imported) != _owner(importer)
        and _owner(imported) not in KITS
        and imported != _owner(imported)
    )
    assert reaches == []
