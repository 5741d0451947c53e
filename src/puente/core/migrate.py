"""Alembic, driven from code (the CLI and the tests build the database this way)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str | None = None) -> Config:
    from puente.core.config import get_settings

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option(
        "file_template",
        "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s",
    )
    config.set_main_option(
        "sqlalchemy.url", database_url or get_settings().database_url
    )
    return config


def upgrade(revision: str = "heads", database_url: str | None = None) -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(revision: str, database_url: str | None = None) -> None:
    command.downgrade(alembic_config(database_url), revision)


def check(database_url: str | None = None) -> None:
    command.check(alembic_config(database_url))
