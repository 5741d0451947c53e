"""The flow store and the database move together (issue 9 item 9): a vintage
directory appears only when its row commits; a failure after the Parquet write
(here: the trigger run) leaves neither the row nor any file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from puente.core import db as core_db
from puente.early_warning import service
from puente.early_warning.models import FlowSource, FlowVintage
from puente.identity import system_actor


def _import(session: Session, path: Path, source: str) -> None:
    service.import_flows(
        session,
        actor=system_actor(),
        path=path,
        source=source,
        date_column="t",
        count_column="n",
        dimensions=["nat"],
        profile={"tenant": "PAN"},
    )


def _files(var_dir: Path) -> list[str]:
    flows = var_dir / "flows"
    return (
        sorted(str(p.relative_to(flows)) for p in flows.rglob("*") if p.is_file())
        if flows.exists()
        else []
    )


def test_the_vintage_directory_appears_only_on_commit(
    sessions: sessionmaker[Session], var_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "ok.csv"
    path.write_text("t,nat,n\n2024-01-01,VEN,10\n", encoding="utf-8")
    session = sessions()
    core_db.set_tenant_scope(session, core_db.SYSTEM_SCOPE)
    _import(session, path, "store_commit")
    staged = _files(var_dir)
    assert staged
    assert all(name.startswith(".staging/") for name in staged)
    session.commit()
    vintage = session.scalars(select(FlowVintage)).one()
    assert (var_dir / "flows" / vintage.store_path / "counts.parquet").is_file()
    assert not any(name.startswith(".staging/") for name in _files(var_dir))
    session.close()


def test_a_failure_after_the_write_leaves_no_row_and_no_file(
    sessions: sessionmaker[Session],
    var_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from puente.early_warning.service import flows

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("detector exploded")

    monkeypatch.setattr(flows, "run_triggers", broken)
    path = tmp_path / "ok.csv"
    path.write_text("t,nat,n\n2024-01-01,VEN,10\n", encoding="utf-8")
    session = sessions()
    core_db.set_tenant_scope(session, core_db.SYSTEM_SCOPE)
    with pytest.raises(RuntimeError):
        _import(session, path, "store_rollback")
    session.rollback()
    named = select(func.count(FlowSource.id)).where(FlowSource.name == "store_rollback")
    assert session.scalar(named) == 0
    assert session.scalar(select(func.count(FlowVintage.id))) == 0
    assert _files(var_dir) == []
    session.close()
