"""`puente people erase PERSON_ID --reason ...`: crypto-shredding from the command
line (issue 9), run as the system, audited with the reason, asking first."""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from puente.cli import app as cli_app
from puente.core import db as core_db
from puente.core.audit import AuditEvent
from puente.core.config import Settings
from puente.core.crypto import get_person_keys
from puente.core.migrate import upgrade
from puente.demo import load_identity
from puente.identity import actor_for, get_user_by_username
from puente.people import PersonCreate, register_person
from puente.people.models import IdentityDocument, Person, PersonSearchKey


def _register_committed(given: str) -> uuid.UUID:
    """A person committed for real: the command runs in its own transaction."""
    with core_db.uow() as session:
        cw = actor_for(get_user_by_username(session, "caseworker.col"))
        core_db.set_tenant_scope(session, core_db.RlsScope("COL"))
        created = register_person(
            session,
            actor=cw,
            data=PersonCreate.model_validate(
                {
                    "given_name": given,
                    "family_name": "Erasable",
                    "sex": "F",
                    "birth_date": "1990-01-02",
                    "nationality": "VEN",
                    "documents": [
                        {"document_type": "passport", "number": f"P{given}9"}
                    ],
                }
            ),
        )
        return created.id


def _state(person_id: uuid.UUID) -> tuple[Person, list[AuditEvent]]:
    with core_db.uow() as session:
        person = session.get(Person, person_id)
        assert person is not None
        session.expunge(person)
        events = list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "people:person:erase",
                    AuditEvent.object_id == str(person_id),
                )
            )
        )
        for event in events:
            session.expunge(event)
        return person, events


@pytest.fixture
def person_id(settings: Settings, backend: str) -> uuid.UUID:
    if backend != "sqlite":
        pytest.skip("the command's own transaction is shown on SQLite")
    return _register_committed(f"Cli{uuid.uuid4().hex[:6]}")


def test_the_command_erases_and_audits_the_reason(person_id: uuid.UUID) -> None:
    result = CliRunner().invoke(
        cli_app,
        ["people", "erase", str(person_id), "--reason", "request ER-2026-17", "--yes"],
    )
    assert result.exit_code == 0, result.output
    person, events = _state(person_id)
    assert person.erased_at is not None
    assert person.given_name == ""
    assert get_person_keys().is_destroyed("COL", person_id)
    assert len(events) == 1
    assert "ER-2026-17" in str(events[0].details)


def test_without_confirmation_nothing_is_erased(person_id: uuid.UUID) -> None:
    result = CliRunner().invoke(
        cli_app,
        ["people", "erase", str(person_id), "--reason", "request ER-2026-18"],
        input="n\n",
    )
    assert result.exit_code == 1
    person, events = _state(person_id)
    assert person.erased_at is None
    assert person.given_name.startswith("Cli")
    assert not get_person_keys().is_destroyed("COL", person_id)
    assert events == []


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["not-an-id", "--reason", "request 1"], 2),
        (["{id}", "--reason", "  "], 2),
        (["{id}"], 2),  # the reason is required
        ([str(uuid.UUID(int=7)), "--reason", "request 1"], 3),  # unknown person
    ],
)
def test_refusals_write_nothing(
    person_id: uuid.UUID, args: list[str], code: int
) -> None:
    argv = [a.replace("{id}", str(person_id)) for a in args]
    result = CliRunner().invoke(cli_app, ["people", "erase", *argv, "--yes"])
    assert result.exit_code != 0
    person, events = _state(person_id)
    assert person.erased_at is None
    assert events == []


@pytest.fixture
def own_files(settings: Settings, db_url: str, key_dir: Path) -> Iterator[None]:
    """This test points the environment at files of its own; the suite's after."""
    yield
    core_db.dispose_engines()
    _use(db_url, key_dir)


@pytest.mark.usefixtures("own_files")
def test_a_restored_backup_forgets_who_was_erased_since(
    backend: str, tmp_path: Path, key_dir: Path
) -> None:
    """A backup taken before an erasure holds the person's name and birth date in
    the clear (their sealed values were already unreadable once the key went).
    `puente db upgrade` on the restored copy replays the erasure from the key
    store, which lives outside the database: the name is gone from the file."""
    if backend != "sqlite":
        pytest.skip("copies a SQLite file as a backup")
    live = tmp_path / "live.db"
    env_url = f"sqlite:///{live}"
    _use(env_url, key_dir)
    upgrade("heads", env_url)
    marker = f"Restorable{uuid.uuid4().hex[:8]}"
    with core_db.uow() as session:
        load_identity(session)
    pid = _register_committed(marker)
    backup = tmp_path / "backup.db"
    core_db.dispose_engines()
    with sqlite3.connect(live) as src, sqlite3.connect(backup) as dst:
        src.backup(dst)
    assert marker.encode() in backup.read_bytes()
    erased = CliRunner().invoke(
        cli_app, ["people", "erase", str(pid), "--reason", "request ER-9", "--yes"]
    )
    assert erased.exit_code == 0, erased.output

    # Restore: the backup becomes the database; the key store stays as it is.
    restored = tmp_path / "restored.db"
    shutil.copy(backup, restored)
    _use(f"sqlite:///{restored}", key_dir)
    person, _events = _state(pid)
    assert person.erased_at is None  # the restored row still shows them
    first = CliRunner().invoke(cli_app, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert "1 erasures replayed from the key store" in first.output
    person, events = _state(pid)
    assert person.erased_at is not None
    assert (person.given_name, person.family_name, person.birth_year) == ("", "", None)
    assert [json.loads(e.details).get("replayed") for e in events] == [True]
    with core_db.uow() as session:
        assert not session.scalars(
            select(PersonSearchKey).where(PersonSearchKey.person_id == pid)
        ).all()
        assert not session.scalars(
            select(IdentityDocument).where(IdentityDocument.person_id == pid)
        ).all()
    again = CliRunner().invoke(cli_app, ["db", "upgrade"])
    assert again.exit_code == 0, again.output
    assert "replayed" not in again.output  # idempotent
    core_db.dispose_engines()  # checkpoints the WAL into the file
    assert marker.encode() not in restored.read_bytes()
    assert not Path(f"{restored}-wal").exists() or (
        marker.encode() not in Path(f"{restored}-wal").read_bytes()
    )


def _use(url: str, key_dir: Path) -> None:
    from tests.conftest import _settings, _use_settings

    _use_settings(_settings(url, key_dir))


def test_replay_tombstones_only_the_persons_whose_key_is_gone(session: Session) -> None:
    """On either backend: a person whose key the store destroyed (an erasure the
    database does not show) is erased by the replay; another is left alone."""
    from puente.people.service import replay_erasures

    cw = actor_for(get_user_by_username(session, "caseworker.col"))
    core_db.set_tenant_scope(session, core_db.RlsScope("COL"))
    gone, kept = (
        register_person(
            session,
            actor=cw,
            data=PersonCreate.model_validate(
                {"given_name": given, "family_name": "Replay", "sex": "M",
                 "birth_date": "1979", "nationality": "HND"}
            ),
        ).id
        for given in ("Gone", "Kept")
    )  # fmt: skip
    session.flush()
    get_person_keys().destroy("COL", gone)
    core_db.set_tenant_scope(session, core_db.SYSTEM_SCOPE)
    assert replay_erasures(session) >= 1
    erased, untouched = session.get(Person, gone), session.get(Person, kept)
    assert erased is not None
    assert untouched is not None
    assert erased.erased_at is not None
    assert erased.given_name == ""
    assert untouched.erased_at is None
    assert untouched.given_name == "Kept"
    assert replay_erasures(session) == 0
