"""Docs are tested: every setting is in .env.example, every command in the README."""

from __future__ import annotations

from pathlib import Path

import typer.main

from puente.cli import app
from puente.core.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_listed_in_env_example() -> None:
    listed = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    }
    expected = {f"PUENTE_{name.upper()}" for name in Settings.model_fields}
    assert expected == listed


def test_every_command_group_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    click_app = typer.main.get_command(app)
    missing = []
    for name, command in click_app.commands.items():  # type: ignore[attr-defined]
        if f"puente {name}" not in readme:
            missing.append(name)
        for sub in getattr(command, "commands", {}):
            if name in {"db", "demo", "users", "audit"} and (
                f"puente {name} {sub}" not in readme
            ):
                missing.append(f"{name} {sub}")
    assert missing == []


def test_readme_has_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "make run" in readme
    assert "make test" in readme
