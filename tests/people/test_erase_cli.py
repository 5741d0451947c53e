"""`puente people erase PERSON_ID --reason ...`: crypto-shredding from the command
line (issue 9), run as the system, audited with the reason, asking first."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from puente.cli import app as cli_app
from puente.core import db as core_db
from puente.core.audit import AuditEvent
from puente.core.config import Settings
from puente.core.crypto import get_person_keys
from puente.identity import actor_for, get_user_by_username
from puente.people import PersonCreate, register_person
from puente.people.models import Person


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
