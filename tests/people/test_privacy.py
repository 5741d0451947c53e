"""Canaries: sensitive values, contact details and document numbers never reach
the raw database file (SQLite file and WAL) or any log line."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
import structlog
from sqlalchemy import select

from puente.core import db as core_db
from puente.core.config import Settings
from puente.core.migrate import upgrade
from puente.demo import load_identity
from puente.identity.service import actor_for, get_user_by_username
from puente.people import (
    ConsentIn,
    PersonCreate,
    SensitiveKind,
    read_sensitive,
    record_sensitive,
    register_person,
)
from puente.people.models import SensitiveAttribute
from tests.conftest import fresh_database_url

PEOPLE = 1000
KINDS = (SensitiveKind.GBV, SensitiveKind.SOGIESC, SensitiveKind.TRAFFICKING,
         SensitiveKind.HEALTH, SensitiveKind.ASYLUM_CLAIM)  # fmt: skip


def _raw_bytes(url: str) -> bytes:
    path = Path(url.split("///", 1)[1])
    data = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            data += candidate.read_bytes()
    return data


@pytest.mark.slow
def test_markers_never_reach_the_file_or_the_logs(
    settings: Settings,
    backend: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if backend != "sqlite":
        pytest.skip("the raw-file check reads the SQLite file")
    url = fresh_database_url("sqlite", tmp_path, "canary")
    upgrade("heads", url)
    engine = core_db.make_engine(url)
    markers: list[str] = []
    caplog.set_level(logging.DEBUG)
    with structlog.testing.capture_logs() as logs:
        with core_db.uow(engine=engine) as session:
            load_identity(session)
        with core_db.uow(engine=engine) as session:
            cw = actor_for(get_user_by_username(session, "caseworker.col"))
            for index in range(PEOPLE):
                marker = f"CANARY{uuid.uuid4().hex.upper()}"
                markers.append(marker)
                person = register_person(
                    session,
                    actor=cw,
                    data=PersonCreate(
                        given_name=f"Ana {index}",
                        family_name="Pérez",
                        sex="F",
                        birth_date="1990",
                        nationality="VEN",
                        documents=[
                            {"document_type": "passport", "number": marker + "D"}
                        ],
                        contacts=[{"kind": "phone", "value": marker + "P"}],
                    ),
                )
                record_sensitive(
                    session,
                    actor=cw,
                    person_id=person.id,
                    attribute=KINDS[index % len(KINDS)],
                    value=f"{marker}S survivor account",
                    consent=ConsentIn(),
                )
        with core_db.uow(engine=engine) as session:
            supervisor = actor_for(get_user_by_username(session, "supervisor.col"))
            first = session.scalars(select(SensitiveAttribute.person_id)).first()
            assert first is not None
            values = read_sensitive(session, actor=supervisor, person_id=first)
            assert values
            assert any(v.value.endswith("survivor account") for v in values)
        while_open = _raw_bytes(url)
        engine.dispose()  # checkpoints the WAL into the main file
    after_close = _raw_bytes(url)
    assert len(while_open) > 100_000
    for raw in (while_open, after_close):
        leaked = [m for m in markers if m.encode() in raw]
        assert leaked == []
        assert b"survivor account" not in raw
    log_text = "\n".join(repr(entry) for entry in logs) + caplog.text
    assert logs  # the service logged (ids only)
    assert [m for m in markers if m in log_text] == []
    assert "survivor" not in log_text
