"""Module boundaries (STYLE §2), checked by walking the import statements.

- no module imports another module's `models` or `repository`;
- `rules/` is pure: no SQLAlchemy, FastAPI, Starlette, Jinja2 or Typer;
- domain code (service, rules, models, schemas) never imports the web or CLI stack;
- `core` imports no domain module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "puente"
DOMAIN_MODULES = (
    "identity",
    "people",
    "protection",
    "pathways",
    "early_warning",
    "reference",
)
WEB_STACK = ("fastapi", "starlette", "jinja2", "typer")
DB_STACK = ("sqlalchemy", "alembic")


def _imports(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _files() -> Iterator[tuple[Path, str]]:
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.parts[0] == "migrations" or rel.name == "all_models.py":
            continue  # Alembic's registry of every module's tables
        yield path, rel.parts[0] if len(rel.parts) > 1 else ""


def test_no_module_reaches_into_another_modules_models_or_repository() -> None:
    offences = []
    for path, owner in _files():
        for name in _imports(path):
            parts = name.split(".")
            if (
                len(parts) >= 3
                and parts[0] == "puente"
                and parts[1] in DOMAIN_MODULES
                and parts[1] != owner
                and parts[2] in ("models", "repository")
            ):
                offences.append(f"{path.relative_to(SRC)} imports {name}")
    assert offences == []


def test_rules_are_pure() -> None:
    offences = [
        f"{path.relative_to(SRC)} imports {name}"
        for path, _owner in _files()
        if "rules" in path.relative_to(SRC).parts
        for name in _imports(path)
        if name.split(".")[0] in WEB_STACK + DB_STACK
    ]
    assert offences == []


def test_domain_code_never_imports_the_web_or_cli_stack() -> None:
    domain_files = (
        "service",
        "models",
        "schemas",
        "rules",
        "repository",
        "events",
        "errors",
    )
    offences = []
    for path, owner in _files():
        rel = path.relative_to(SRC)
        if owner not in DOMAIN_MODULES:
            continue
        if not any(part.removesuffix(".py") in domain_files for part in rel.parts[1:]):
            continue
        offences += [
            f"{rel} imports {name}"
            for name in _imports(path)
            if name.split(".")[0] in WEB_STACK
        ]
    assert offences == []


def test_core_imports_no_domain_module() -> None:
    offences = [
        f"{path.relative_to(SRC)} imports {name}"
        for path, owner in _files()
        if owner == "core"
        for name in _imports(path)
        if name.split(".")[:2][-1] in DOMAIN_MODULES and name.startswith("puente.")
    ]
    assert offences == []


def test_only_config_reads_the_environment() -> None:
    offences = []
    for path, _owner in _files():
        text = path.read_text("utf-8")
        if ("os.environ" in text or "os.getenv" in text) and path.name != "config.py":
            offences.append(str(path.relative_to(SRC)))
    assert offences == []
