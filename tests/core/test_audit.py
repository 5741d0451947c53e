"""The audit hash chain detects any altered or removed row."""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.db import utcnow
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


def _attacker(session: Session, backend: str) -> None:
    """Whoever can write the database file (or owns the tables) can drop the
    append-only triggers; the chain must catch what they do next."""
    if backend == "postgresql":
        session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        session.execute(text("ALTER TABLE audit_checkpoint DISABLE TRIGGER USER"))
    else:
        for table in ("audit_event", "audit_checkpoint"):
            for verb in ("update", "delete"):
                session.execute(text(f"DROP TRIGGER {table}_no_{verb}"))


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
    ids = _write_events(session)
    _attacker(session, backend)
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


@pytest.mark.parametrize("table", ["audit_event", "audit_checkpoint"])
@pytest.mark.parametrize("verb", ["UPDATE {t} SET last_id = 0", "DELETE FROM {t}"])
def test_every_backend_refuses_updates_and_deletes(
    session: Session, table: str, verb: str
) -> None:
    _write_events(session)
    audit.checkpoint(session)
    statement = verb.format(t=table)
    if table == "audit_event":
        statement = statement.replace("last_id = 0", "action = 'x'")
    with pytest.raises(Exception, match="append-only"), session.begin_nested():
        session.execute(text(statement))


def test_removed_middle_row_is_detected(session: Session, backend: str) -> None:
    ids = _write_events(session)
    _attacker(session, backend)
    session.execute(text("DELETE FROM audit_event WHERE id = :i"), {"i": ids[1]})
    session.expire_all()
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.first_bad_id == ids[1]


def test_removed_newest_rows_are_detected(session: Session, backend: str) -> None:
    ids = _write_events(session)
    _attacker(session, backend)
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
        update_sql = (  # fixed column names, not user input
            f"UPDATE audit_event SET {column} = coalesce({column}, '') || 'x' "  # noqa: S608
            f"WHERE id = {target};"
        )
        edit = "DROP TRIGGER audit_event_no_update; " + update_sql
        if shutil.which("sqlite3"):  # the same tool the outside check uses
            subprocess.run(["sqlite3", str(copy), edit], check=True)
        else:
            with sqlite3.connect(copy) as conn:
                conn.executescript(edit)
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


# --- the keyed chain and signed checkpoints (issue 9 item 6, ADR 0009) -------------


def _rechain_unkeyed(session: Session, start: int) -> None:
    """The reported attack: rewrite event `start`, then recompute every later tag
    with the public SHA-256 digest and move the head (its MAC cannot be forged)."""
    rows = session.scalars(
        select(audit.AuditEvent)
        .where(audit.AuditEvent.id >= start - 1)
        .order_by(audit.AuditEvent.id)
    ).all()
    prev = rows[0].hash
    for event in rows[1:]:
        if event.id == start:
            event.details = '{"step":999}'
        event.prev_hash = prev
        event.hash = audit.unkeyed_digest(event)
        prev = event.hash
        session.execute(
            text(
                "UPDATE audit_event SET details=:d, prev_hash=:p, hash=:h WHERE id=:i"
            ),
            {"d": event.details, "p": event.prev_hash, "h": event.hash, "i": event.id},
        )
    session.execute(
        text("UPDATE audit_head SET last_hash = :h WHERE id = 1"), {"h": prev}
    )
    session.expire_all()


def test_rewriting_a_row_and_rechaining_with_the_unkeyed_digest_is_detected(
    session: Session, backend: str
) -> None:
    ids = _write_events(session, 6)
    _attacker(session, backend)
    _rechain_unkeyed(session, ids[2])
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.first_bad_id == ids[2]
    assert report.reason == audit.REFORGED


def test_rechaining_with_another_key_is_detected(
    session: Session, backend: str
) -> None:
    ids = _write_events(session, 4)
    _attacker(session, backend)
    forged_key = b"k" * 32
    rows = session.scalars(
        select(audit.AuditEvent)
        .where(audit.AuditEvent.id >= ids[0])
        .order_by(audit.AuditEvent.id)
    ).all()
    for event in rows:
        event.hash = audit.keyed_digest(event, forged_key)
        session.execute(
            text("UPDATE audit_event SET hash=:h WHERE id=:i"),
            {"h": event.hash, "i": event.id},
        )
    session.expire_all()
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.first_bad_id == ids[0]


def test_cutting_the_tail_and_moving_the_head_is_detected(
    session: Session, backend: str
) -> None:
    ids = _write_events(session, 5)
    kept = session.get(audit.AuditEvent, ids[1])
    assert kept is not None
    _attacker(session, backend)
    session.execute(text("DELETE FROM audit_event WHERE id > :i"), {"i": ids[1]})
    session.execute(
        text("UPDATE audit_head SET last_id = :i, last_hash = :h WHERE id = 1"),
        {"i": kept.id, "h": kept.hash},
    )
    session.expire_all()
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.reason == audit.HEAD_FORGED
    assert report.first_bad_id == ids[1] + 1


def _cut_to_saved_head(
    session: Session, backend: str, saved: tuple[int, str, str | None]
) -> None:
    """Cut the tail back to a head saved earlier (a genuine, MAC-valid state)."""
    _attacker(session, backend)
    session.execute(text("DELETE FROM audit_event WHERE id > :i"), {"i": saved[0]})
    session.execute(
        text("UPDATE audit_head SET last_id=:i, last_hash=:h, mac=:m WHERE id = 1"),
        {"i": saved[0], "h": saved[1], "m": saved[2]},
    )
    session.expire_all()


def _head(session: Session) -> tuple[int, str, str | None]:
    head = session.get(audit.AuditHead, 1)
    assert head is not None
    return head.last_id, head.last_hash, head.mac


def test_cutting_the_tail_below_a_signed_checkpoint_is_detected(
    session: Session, backend: str
) -> None:
    _write_events(session, 2)
    saved = _head(session)  # e.g. from an old backup
    _write_events(session, 3)
    made = audit.checkpoint(session)
    assert made is not None
    _cut_to_saved_head(session, backend, saved)
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.reason == audit.CUT_BELOW_CHECKPOINT
    assert report.first_bad_id == saved[0] + 1


def test_an_exported_checkpoint_catches_a_cut_that_also_removed_the_checkpoints(
    session: Session, backend: str, tmp_path: Path
) -> None:
    _write_events(session, 2)
    saved = _head(session)
    _write_events(session, 3)
    made = audit.checkpoint(session)
    assert made is not None
    exported = tmp_path / "checkpoint.json"
    exported.write_text(
        audit.export_checkpoint(made, audit.get_audit_keys().public_key), "utf-8"
    )
    _cut_to_saved_head(session, backend, saved)
    session.execute(
        text("DELETE FROM audit_checkpoint WHERE last_id > :i"), {"i": saved[0]}
    )
    assert audit.verify_chain(session).ok  # the database alone cannot tell
    anchor = audit.read_checkpoint_file(exported)
    report = audit.verify_chain(session, anchors=[anchor])
    assert not report.ok
    assert report.reason == audit.CUT_BELOW_CHECKPOINT


def test_a_forged_checkpoint_signature_is_detected(
    session: Session, backend: str
) -> None:
    _write_events(session, 2)
    made = audit.checkpoint(session)
    assert made is not None
    _attacker(session, backend)
    session.execute(
        text("UPDATE audit_checkpoint SET signature = :s WHERE id = :i"),
        {"s": "00" * 64, "i": made.id},
    )
    session.expire_all()
    report = audit.verify_chain(session)
    assert not report.ok
    assert report.reason == audit.BAD_SIGNATURE


def test_verify_reports_the_newest_checkpoint(session: Session) -> None:
    _write_events(session, 3)
    made = audit.checkpoint(session)
    assert made is not None
    assert audit.checkpoint(session) is made  # the head is already covered
    report = audit.verify_chain(session)
    assert report.ok
    assert report.last_checkpoint_id == made.last_id
    assert report.checkpoints_checked >= 1
    assert report.last_checkpoint_at is not None


def test_a_checkpoint_is_signed_every_n_events(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "_checkpoint_every", lambda: 2)
    before = session.scalar(select(func.count(audit.AuditCheckpoint.id))) or 0
    ids = _write_events(session, 4)
    after = session.scalar(select(func.count(audit.AuditCheckpoint.id))) or 0
    assert after - before == sum(1 for i in ids if i % 2 == 0)
    assert audit.verify_chain(session).ok


def test_keys_live_outside_the_database_and_are_private(
    tmp_path: Path, key_dir: Path
) -> None:
    keys = audit.load_audit_keys(tmp_path / "k")
    for name in (audit.MAC_KEY_FILE, audit.SIGNING_KEY_FILE):
        assert (tmp_path / "k" / name).stat().st_mode & 0o077 == 0
    again = audit.load_audit_keys(tmp_path / "k")
    assert again.mac_key == keys.mac_key
    assert again.key_id == keys.key_id
    with pytest.raises(audit.AuditKeyMissing):
        audit.load_audit_keys(tmp_path / "none", create=False)
    assert (key_dir / audit.MAC_KEY_FILE).exists()


@pytest.mark.parametrize("content", ["", "{}", "[]", '{"format": 1}', "\xff"])
def test_a_bad_checkpoint_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "cp.json"
    path.write_text(content, encoding="latin-1")
    with pytest.raises(audit.CheckpointFileInvalid, match=r"cp\.json"):
        audit.read_checkpoint_file(path)


def _puente(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    puente = str(Path(sys.executable).parent / "puente")
    return subprocess.run(
        [puente, *args], env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.slow
def test_cli_must_show_rechain_and_tail_cut_exit_1(
    tmp_path: Path, db_url: str, key_dir: Path, settings: object
) -> None:
    """The issue's must-show, through `puente audit verify` on a SQLite file."""
    if not db_url.startswith("sqlite"):
        pytest.skip("edits a SQLite file as an attacker with file access would")
    from puente.core.db import make_engine, uow

    source = Path(db_url.split("///", 1)[1])
    base = tmp_path / "base.db"
    with sqlite3.connect(source) as src, sqlite3.connect(base) as dst:
        src.backup(dst)
    engine = make_engine(f"sqlite:///{base}")
    with uow(engine=engine) as session:
        _write_events(session, 4)
        saved = _head(session)
        _write_events(session, 4)
    engine.dispose()
    exported = tmp_path / "published.json"

    def env(db: Path) -> dict[str, str]:
        return {
            "PUENTE_DATABASE_URL": f"sqlite:///{db}",
            "PUENTE_KEY_DIR": str(key_dir),
            "PATH": "/usr/bin:/bin",
        }

    signed = _puente(env(base), "audit", "checkpoint", "--export", str(exported))
    assert signed.returncode == 0, signed.stdout + signed.stderr
    assert f"event {saved[0] + 4}" in signed.stdout
    ok = _puente(env(base), "audit", "verify", "--checkpoint", str(exported))
    assert ok.returncode == 0, ok.stdout + ok.stderr

    # 1. rewrite one row, re-chain every later row with the unkeyed digest
    forged = tmp_path / "forged.db"
    with sqlite3.connect(base) as src, sqlite3.connect(forged) as dst:
        src.backup(dst)
    engine = make_engine(f"sqlite:///{forged}")
    with uow(engine=engine) as session:
        _attacker(session, "sqlite")
        _rechain_unkeyed(session, saved[0] - 1)
    engine.dispose()
    bad = _puente(env(forged), "audit", "verify")
    assert bad.returncode == 1, bad.stdout
    assert f"event {saved[0] - 1}: re-chained without the audit key" in bad.stdout

    # 2. cut the tail back to an earlier genuine head, drop the checkpoints too
    cut = tmp_path / "cut.db"
    with sqlite3.connect(base) as src, sqlite3.connect(cut) as dst:
        src.backup(dst)
    engine = make_engine(f"sqlite:///{cut}")
    with uow(engine=engine) as session:
        _cut_to_saved_head(session, "sqlite", saved)
        session.execute(text("DELETE FROM audit_checkpoint"))
    engine.dispose()
    bad = _puente(env(cut), "audit", "verify", "--checkpoint", str(exported))
    assert bad.returncode == 1, bad.stdout
    assert f"event {saved[0] + 1}: newest events removed" in bad.stdout

    # 3. a cut of the tail with the checkpoints kept needs no exported file
    kept = tmp_path / "kept.db"
    with sqlite3.connect(base) as src, sqlite3.connect(kept) as dst:
        src.backup(dst)
    engine = make_engine(f"sqlite:///{kept}")
    with uow(engine=engine) as session:
        _cut_to_saved_head(session, "sqlite", saved)
    engine.dispose()
    assert _puente(env(kept), "audit", "verify").returncode == 1

    garbage = tmp_path / "garbage.json"
    garbage.write_text("not json", encoding="utf-8")
    refused = _puente(env(base), "audit", "verify", "--checkpoint", str(garbage))
    assert refused.returncode == 2
    assert "garbage.json" in refused.stderr


@pytest.mark.slow
def test_upgrade_rekeys_an_unkeyed_chain_and_refuses_a_broken_one(
    tmp_path: Path, settings: object, backend: str
) -> None:
    """Rows written under ADR 0004 are verified, then re-keyed by `secstore_0001`."""
    from puente.core.db import make_engine
    from puente.core.migrate import upgrade
    from tests.conftest import drop_pg_database, fresh_database_url

    for broken in (False, True):
        url = fresh_database_url(backend, tmp_path, f"rekey{int(broken)}")
        upgrade("0001", url)
        engine = make_engine(url)
        prev = audit.GENESIS
        with engine.begin() as conn:
            if backend == "postgresql":
                conn.execute(text("SELECT set_config('app.tenant_ids', '*', true)"))
            for i in range(1, 6):
                event = audit.AuditEvent(
                    id=i,
                    occurred_at=utcnow(),
                    tenant_code="COL",
                    actor_id=None,
                    action="old:thing:touch",
                    object_type=None,
                    object_id=str(i),
                    details="{}",
                    prev_hash=prev,
                    hash="",
                )
                event.hash = audit.unkeyed_digest(event)
                if broken and i == 3:
                    event.details = '{"x":1}'  # altered after hashing
                conn.execute(
                    text(
                        "INSERT INTO audit_event VALUES "
                        "(:id, :at, :t, NULL, :a, NULL, :o, :d, :p, :h)"
                    ),
                    {
                        "id": i,
                        "at": event.occurred_at,
                        "t": "COL",
                        "a": event.action,
                        "o": event.object_id,
                        "d": event.details,
                        "p": event.prev_hash,
                        "h": event.hash,
                    },
                )
                prev = event.hash
            conn.execute(
                text(
                    "INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 5, :h)"
                ),
                {"h": prev},
            )
        if broken:
            with pytest.raises(RuntimeError, match="event 3"):
                upgrade("heads", url)
        else:
            upgrade("heads", url)
            with Session(engine) as session:
                if backend == "postgresql":
                    session.execute(
                        text("SELECT set_config('app.tenant_ids', '*', true)")
                    )
                report = audit.verify_chain(session)
                assert report.ok, report
                assert report.count == 5
                assert report.last_checkpoint_id == 5
                first = session.get(audit.AuditEvent, 1)
                assert first is not None
                assert first.hash != audit.unkeyed_digest(first)
        engine.dispose()
        if backend == "postgresql":
            drop_pg_database(url.rsplit("/", 1)[1])
