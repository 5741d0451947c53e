"""The Parquet flow store: `<var_dir>/flows/source=<name>/vintage=<id>/counts.parquet`.

A vintage is written into a staging directory (`<var_dir>/flows/.staging/<uuid>`)
and renamed into place only after the unit of work commits; if it rolls back the
staging directory is removed. So a vintage directory exists only for a committed
vintage row, and a rejected or failed import leaves nothing behind. Until the
commit, reads in the same process find the staged files. DuckDB reads the files;
the database holds metadata.
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


# relative vintage dir -> its staging dir, until the writing session ends
_STAGED: dict[str, Path] = {}


def _resolve(relative: str) -> Path:
    staged = _STAGED.get(relative)
    return (
        staged
        if staged is not None
        else safe_join(root(), relative, field="store_path")
    )


def write_counts(session: Session, relative: str, counts: pl.DataFrame) -> Path:
    """Stage a vintage's counts; moved into place when `session` commits,
    removed if it rolls back."""
    safe_join(root(), relative, field="store_path")
    staging = root() / ".staging" / uuid.uuid4().hex
    staging.mkdir(parents=True, exist_ok=False)
    final = staging / "counts.parquet"
    try:
        counts.write_parquet(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _STAGED[relative] = staging
    session.info.setdefault(_WRITTEN, []).append(relative)
    return final


def read_counts(relative: str) -> pl.DataFrame:
    """A vintage's long counts (`period, <dimensions>, count`) via DuckDB."""
    path = _resolve(relative) / "counts.parquet"
    with duckdb.connect() as connection:
        table = connection.read_parquet(str(path)).to_arrow_table()
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)  # noqa: S101 - a table gives a frame
    return frame


def cache_path(relative: str, name: str) -> Path:
    safe_name(name, field="cache")
    return _resolve(relative) / f"{name}.parquet"


@event.listens_for(Session, "after_commit")
def _keep(session: Session) -> None:
    for relative in session.info.pop(_WRITTEN, []):
        staging = _STAGED.pop(relative, None)
        if staging is None:
            continue
        target = root() / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, target)


@event.listens_for(Session, "after_rollback")
def _remove(session: Session) -> None:
    for relative in session.info.pop(_WRITTEN, []):
        staging = _STAGED.pop(relative, None)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
