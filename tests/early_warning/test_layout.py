"""The early-warning package: typed seams only, no cycles, no private names
shared across files, files of a readable size."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import puente.early_warning

ROOT = Path(puente.early_warning.__file__).parent
FILES = sorted(ROOT.rglob("*.py"))
SEAM = re.compile(
    r"\bimportlib\b|getattr\(\s*\w+\s*,\s*[\"']|getattr\(\s*\w+\s*,\s*name"
)


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(("puente", *parts)).removesuffix(".__init__")


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every `from puente.early_warning... import` in a file."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "puente.early_warning"
        ):
            found.append((str(node.module), [a.name for a in node.names]))
    return found


def test_no_reflection_seams() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in FILES
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if SEAM.search(line)
    ]
    assert offenders == []


def test_no_private_name_imported_from_another_file() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {module}.{name}"
        for path in FILES
        for module, names in _imports(path)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert offenders == []


def test_no_import_cycle_between_files() -> None:
    modules = {_module(path): path for path in FILES}
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for module, imported in _imports(path):
            for target in (module, *(f"{module}.{n}" for n in imported)):
                if target in modules and target != name:
                    edges[name].add(target)
    # A package's __init__ re-exports its files; only file-to-file edges count.
    packages = {n for n, p in modules.items() if p.name == "__init__.py"}
    state: dict[str, int] = {}
    cycles: list[str] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node] - packages):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for name in sorted(set(modules) - packages):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_files_stay_under_800_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)}: {n}"
        for path in FILES
        if (n := len(path.read_text("utf-8").splitlines())) > 800
    ]
    assert long == []


def test_alerts_are_a_package() -> None:
    assert (ROOT / "service" / "alerts" / "__init__.py").exists()
    assert not list((ROOT / "service").glob("alerts_*.py"))
