"""The pathways module keeps the one module shape: its top level, no cycles between
its files, typed seams (no reflection), private names kept private, small files."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

MODULE = Path(__file__).resolve().parents[2] / "src" / "puente" / "pathways"
TOP_LEVEL = {
    "__init__.py",
    "models.py",
    "schemas.py",
    "errors.py",
    "events.py",
    "rules",
    "service",
    "api.py",
    "web.py",
    "web",
    "cli.py",
    "demo.py",
    "data",
    "templates",
    "repository.py",
    "_common.py",
}


def _files() -> Iterator[Path]:
    yield from sorted(MODULE.rglob("*.py"))


def _name(path: Path) -> str:
    parts = path.relative_to(MODULE.parents[1]).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(module, names) for every import in the file, at any depth."""
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [alias.name for alias in node.names]


def test_the_top_level_holds_only_the_module_shape() -> None:
    found = {p.name for p in MODULE.iterdir() if p.name != "__pycache__"}
    assert found <= TOP_LEVEL, sorted(found - TOP_LEVEL)


def test_no_file_imports_the_files_that_import_it() -> None:
    names = {_name(p): p for p in _files()}
    graph: dict[str, set[str]] = {name: set() for name in names}
    for name, path in names.items():
        for module, members in _imports(path):
            for target in (module, *(f"{module}.{m}" for m in members)):
                if target in names and target != name:
                    graph[name].add(target)
    # A package imports its own files to re-export them; that is not a cycle.
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(f"{name}.")}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_no_reflection_seams() -> None:
    offences = []
    for path in _files():
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "__import__")
            ):
                offences.append(f"{path.name}:{node.lineno} {node.func.id}")
        offences += [
            f"{path.name} imports importlib"
            for module, _members in _imports(path)
            if module.split(".")[0] == "importlib"
        ]
    assert offences == []


def test_private_names_are_not_imported_across_files() -> None:
    offences = [
        f"{path.relative_to(MODULE)} imports {module}.{member}"
        for path in _files()
        for module, members in _imports(path)
        if module.startswith("puente.")
        for member in members
        if member.startswith("_")
    ]
    assert offences == []


def test_other_modules_are_reached_only_through_their_package() -> None:
    offences = [
        f"{path.relative_to(MODULE)} imports {module}"
        for path in _files()
        for module, _members in _imports(path)
        if module.startswith("puente.")
        and module.split(".")[1] in ("people", "protection", "early_warning")
        and len(module.split(".")) > 2
    ]
    assert offences == []


def test_no_file_is_over_800_lines() -> None:
    long = {
        str(p.relative_to(MODULE)): n
        for p in _files()
        if (n := len(p.read_text("utf-8").splitlines())) > 800
    }
    assert long == {}


def test_rules_read_no_files() -> None:
    offences = [
        f"{path.name} imports {module}"
        for path in sorted((MODULE / "rules").glob("*.py"))
        for module, _members in _imports(path)
        if module.split(".")[0] in ("pathlib", "os", "io", "cryptography", "sqlalchemy")
    ]
    assert offences == []
