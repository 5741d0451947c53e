"""An acknowledged write is a committed write: the request's unit of work commits
before the answer is sent, so a commit that fails is the client's error answer (here
a 503 to retry), never a 201 for a row that was not stored (issue #9, crash proof)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from puente.people.models import Person

PERSON = {
    "given_name": "Acknowledged",
    "family_name": "Commit",
    "sex": "F",
    "birth_date": "1990-05-17",
    "nationality": "VEN",
}


def _count(session: Session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count(Person.id))) or 0)


def test_a_commit_that_fails_is_answered_not_acknowledged(
    client: TestClient,
    token_for: Callable[[str], str],
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = {"Authorization": f"Bearer {token_for('caseworker.col')}"}
    before = _count(session)

    def locked(self: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    monkeypatch.setattr(Session, "commit", locked)
    response = client.post("/api/v1/people", json=PERSON, headers=headers)
    monkeypatch.undo()
    assert response.status_code == 503, response.text
    assert response.headers.get("Retry-After")
    assert _count(session) == before


def test_a_commit_that_succeeds_is_stored_when_answered(
    client: TestClient, token_for: Callable[[str], str], session: Session
) -> None:
    headers = {"Authorization": f"Bearer {token_for('caseworker.col')}"}
    before = _count(session)
    response = client.post("/api/v1/people", json=PERSON, headers=headers)
    assert response.status_code == 201, response.text
    assert _count(session) == before + 1
