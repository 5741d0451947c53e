"""Migrations go up, down and up again, and agree with the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from puente.core.config import Settings
from puente.core.db import make_engine
from puente.core.migrate import check, downgrade, upgrade
from tests.conftest import drop_pg_database, fresh_database_url


@pytest.mark.slow
def test_up_down_up_and_check(db_url: str, settings: Settings, tmp_path: Path) -> None:
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    url = fresh_database_url(backend, tmp_path, "migrations")
    upgrade("heads", url)
    check(url)  # alembic check: models and migrations agree
    engine = make_engine(url)
    tables_up = set(inspect(engine).get_table_names())
    assert {"app_user", "audit_event", "tenant"} <= tables_up
    downgrade("base", url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade("heads", url)
    assert set(inspect(engine).get_table_names()) == tables_up
    engine.dispose()
    if backend == "postgresql":
        drop_pg_database(url.rsplit("/", 1)[1])


def test_migration_files_are_date_prefixed() -> None:
    versions = Path(__file__).resolve().parents[1] / "src/puente/migrations/versions"
    names = [p.name for p in versions.glob("*.py")]
    assert names
    assert all(name[:4].isdigit() and name[4] == "_" for name in names)
