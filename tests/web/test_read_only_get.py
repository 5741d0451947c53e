"""A GET is read-only on the path every web request takes (`web_actor`): it
issues no INSERT, UPDATE or DELETE (review finding: a delete was flushed there)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from puente.core.db import utcnow
from puente.identity.models import UserSession

Login = Callable[[TestClient, str], TestClient]
WRITES = ("insert", "update", "delete")


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    yield seen
    event.remove(engine, "before_cursor_execute", before)


def _writes(seen: list[str]) -> list[str]:
    return [s for s in seen if s.lstrip().lower().startswith(WRITES)]


@pytest.mark.parametrize("path", ["/", "/people", "/preferences"])
def test_a_get_writes_nothing(
    client: TestClient, login_as: Login, statements: list[str], path: str
) -> None:
    login_as(client, "caseworker.mex")
    client.get("/")  # a first page may start what the session keeps
    statements.clear()
    page = client.get(path)
    assert page.status_code == 200
    assert statements, "the listener saw no SQL at all"
    assert _writes(statements) == []


def test_a_session_seen_over_a_minute_ago_is_touched_once(
    client: TestClient,
    login_as: Login,
    statements: list[str],
    session: Session,
) -> None:
    login_as(client, "caseworker.mex")
    record = session.scalars(
        select(UserSession).where(UserSession.csrf_token == "test-csrf-token")
    ).one()
    record.last_seen_at = utcnow() - dt.timedelta(minutes=2)
    session.commit()
    statements.clear()
    assert client.get("/people").status_code == 200
    writes = _writes(statements)
    assert len(writes) == 1
    assert "last_seen_at" in writes[0]
    statements.clear()
    assert client.get("/people").status_code == 200
    assert _writes(statements) == []
