"""The audit hash chain detects any altered or removed row."""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from puente.core import audit
from puente.identity import system_actor

COLUMNS = [
    "occurred_at",
    "tenant_code",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "details",
    "prev_hash",
    "hash",
]


def _write_events(session: Session, n: int = 5) -> list[int]:
    ids = [
        audit.record(
            session,
            system_actor("COL"),
            "test:thing:touch",
            object_type="thing",
            object_id=f"t{i}",
            step=i,
        ).id
        for i in range(n)
    ]
    session.flush()
    return ids


def test_intact_chain_verifies(session: Session) -> None:
    _write_events(session)
    report = audit.verify_chain(session)
    assert report.ok
    assert report.count >= 5


def test_details_never_hold_more_than_ids(session: Session) -> None:
    event = audit.record(session, system_actor(), "test:x:y", object_id="abc", n=1)
    assert event.details == '{"n":1}'


@pytest.mark.parametrize("column", COLUMNS)
def test_any_altered_column_is_detected(
    session: Session, backend: str, column: str
) -> None:
    if backend == "postgresql":
        pytest.skip("PostgreSQL refuses the UPDATE itself (see the next test)")
    ids = _write_events(session)
    target = ids[2]
    value = {
        "occurred_at": text("'2001-01-01 00:00:00.000000'"),
        "details": '{"step":99}',
        "prev_hash": "f" * 64,
        "hash": "e" * 64,
    }.get(column, "ZZZ")
    session.execute(
        update(audit.AuditEvent)
        .where(audit.AuditEvent.id == target)
        .values({column: value})
    )
    session.expire_all()
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.first_bad_id == target


def test_postgres_refuses_updates_and_deletes(session: Session, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    ids = _write_events(session)
    with pytest.raises(Exception, match="append-only"), session.begin_nested():
        session.execute(
            update(audit.AuditEvent)
            .where(audit.AuditEvent.id == ids[0])
            .values(action="x")
        )


def test_removed_middle_row_is_detected(session: Session, backend: str) -> None:
    if backend == "postgresql":
        pytest.skip("PostgreSQL refuses the DELETE itself")
    ids = _write_events(session)
    session.execute(text("DELETE FROM audit_event WHERE id = :i"), {"i": ids[1]})
    session.expire_all()
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.first_bad_id == ids[1]


def test_removed_newest_rows_are_detected(session: Session, backend: str) -> None:
    if backend == "postgresql":
        pytest.skip("PostgreSQL refuses the DELETE itself")
    ids = _write_events(session)
    session.execute(text("DELETE FROM audit_event WHERE id >= :i"), {"i": ids[-2]})
    session.expire_all()
    report = audit.verify_chain(session)
    assert not report.ok


@pytest.mark.slow
def test_cli_verify_on_a_file_database_and_sqlite3_tampering(
    tmp_path: Path, db_url: str, key_dir: Path
) -> None:
    """`puente audit verify` exits 0 when intact and 1 naming the row after any
    column but the id is changed with the sqlite3 command."""
    if not db_url.startswith("sqlite"):
        pytest.skip("the tamper check edits a SQLite file")
    source = Path(db_url.split("///", 1)[1])
    puente = str(Path(sys.executable).parent / "puente")
    for column in COLUMNS:
        copy = tmp_path / f"{column}.db"
        with sqlite3.connect(source) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)
        env = {
            "PUENTE_DATABASE_URL": f"sqlite:///{copy}",
            "PUENTE_KEY_DIR": str(key_dir),
            "PATH": "/usr/bin:/bin",
        }
        ok = subprocess.run(
            [puente, "audit", "verify"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert ok.stdout.startswith("audit chain ok: ")
        with sqlite3.connect(copy) as conn:
            target = conn.execute("SELECT max(id) / 2 + 1 FROM audit_event").fetchone()[
                0
            ]
        edit = (  # fixed column names, not user input
            f"UPDATE audit_event SET {column} = coalesce({column}, '') || 'x' "  # noqa: S608
            f"WHERE id = {target};"
        )
        if shutil.which("sqlite3"):  # the same tool the outside check uses
            subprocess.run(["sqlite3", str(copy), edit], check=True)
        else:
            with sqlite3.connect(copy) as conn:
                conn.execute(edit)
        bad = subprocess.run(
            [puente, "audit", "verify"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert bad.returncode == 1, (column, bad.stdout)
        assert f"event {target}" in bad.stdout


def test_chain_links_each_event_to_the_previous(session: Session) -> None:
    _write_events(session, 3)
    rows = session.scalars(select(audit.AuditEvent).order_by(audit.AuditEvent.id)).all()
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
