"""The Parquet flow store: `<var_dir>/flows/source=<name>/vintage=<id>/counts.parquet`.

A file is written under a temporary name and renamed into place; if the unit
of work then rolls back, the file is removed, so a rejected or failed import
leaves nothing behind. DuckDB reads the files; the database holds metadata.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb
import polars as pl
from sqlalchemy import event
from sqlalchemy.orm import Session

from puente.core.config import get_settings
from puente.core.paths import safe_join, safe_name

_WRITTEN = "flow_store_written"


def root() -> Path:
    return get_settings().var_dir / "flows"


def vintage_dir(source: str, vintage_id: uuid.UUID) -> str:
    safe_name(source, field="source", max_length=60)
    return f"source={source}/vintage={vintage_id}"


def write_counts(session: Session, relative: str, counts: pl.DataFrame) -> Path:
    """Write a vintage's counts atomically; undone if `session` rolls back."""
    target = safe_join(root(), relative, field="store_path")
    target.mkdir(parents=True, exist_ok=True)
    final = target / "counts.parquet"
    temporary = target / f".tmp-{uuid.uuid4().hex}.parquet"
    counts.write_parquet(temporary)
    os.replace(temporary, final)
    session.info.setdefault(_WRITTEN, []).append(target)
    return final


def read_counts(relative: str) -> pl.DataFrame:
    """A vintage's long counts (`period, <dimensions>, count`) via DuckDB."""
    path = safe_join(root(), relative, "counts.parquet", field="store_path")
    with duckdb.connect() as connection:
        table = connection.read_parquet(str(path)).to_arrow_table()
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)  # noqa: S101 - a table gives a frame
    return frame


def cache_path(relative: str, name: str) -> Path:
    safe_name(name, field="cache")
    return safe_join(root(), relative, f"{name}.parquet", field="store_path")


@event.listens_for(Session, "after_commit")
def _keep(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_rollback")
def _remove(session: Session) -> None:
    for directory in session.info.pop(_WRITTEN, []):
        shutil.rmtree(directory, ignore_errors=True)
