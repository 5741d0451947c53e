"""The case list people use: search by name or number, sort, pages, and an export
in words that is audited and limited to what the exporter's role allows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.identity.permissions import Actor
from puente.protection import service
from tests.protection.conftest import Register

Login = Callable[[TestClient, str], TestClient]


def _exports(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "protection:case:export")
        )
        or 0
    )


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_search_by_name_and_sort_by_priority(
    client: TestClient,
    login_as: Login,
    session: Session,
    caseworker: Actor,
    register: Register,
) -> None:
    mine = service.open_case(
        session, actor=caseworker, person_id=register(given_name="Xiomara")
    )
    other = service.open_case(
        session, actor=caseworker, person_id=register(given_name="Wilmer")
    )
    session.commit()
    login_as(client, "caseworker.col")
    found = client.get("/protection?q=xiomara")
    assert found.status_code == 200
    assert mine.number in found.text
    assert other.number not in found.text
    by_number = client.get(f"/protection?q={other.number.lower()}")
    assert other.number in by_number.text
    assert mine.number not in by_number.text
    sorted_page = client.get("/protection?sort=priority&dir=desc")
    assert 'aria-sort="descending"' in sorted_page.text


def test_export_in_words_audited_and_only_own_cases_for_a_caseworker(
    client: TestClient,
    login_as: Login,
    session: Session,
    caseworker: Actor,
    supervisor: Actor,
    register: Register,
) -> None:
    mine = service.open_case(
        session, actor=caseworker, person_id=register(given_name="Yesenia")
    )
    theirs = service.open_case(
        session, actor=supervisor, person_id=register(given_name="Yesenia")
    )
    session.commit()
    before = _exports(session)
    login_as(client, "caseworker.col")
    client.cookies.set("puente_lang", "es")
    screen = client.get("/protection?q=yesenia")
    assert theirs.number in screen.text
    got = client.get("/protection?q=yesenia&export=csv")
    assert got.status_code == 200
    rows = _csv(got.content)
    assert rows[0] == ["Caso", "Persona", "Tipo", "Etapa", "Prioridad", "Abierto"]
    numbers = [row[0] for row in rows[1:]]
    assert mine.number in numbers
    assert theirs.number not in numbers
    row = rows[numbers.index(mine.number) + 1]
    assert row[1].startswith("Yesenia")
    assert row[2] == "Protección general"
    assert "general_protection" not in row
    assert "new" not in row
    session.expire_all()
    assert _exports(session) == before + 1


def test_supervisor_exports_every_case_of_the_state(
    client: TestClient,
    login_as: Login,
    session: Session,
    caseworker: Actor,
    register: Register,
) -> None:
    case = service.open_case(
        session, actor=caseworker, person_id=register(given_name="Zoraida")
    )
    session.commit()
    login_as(client, "supervisor.col")
    rows = _csv(client.get("/protection?q=zoraida&export=csv").content)
    assert [row[0] for row in rows[1:]] == [case.number]


def test_export_refused_without_the_screen_writes_nothing(
    client: TestClient, login_as: Login, session: Session
) -> None:
    before = _exports(session)
    login_as(client, "analyst.hub")
    got = client.get("/protection?export=csv")
    assert got.status_code == 403
    assert not got.headers["content-type"].startswith("text/csv")
    session.expire_all()
    assert _exports(session) == before


def test_odd_filters_are_not_errors(client: TestClient, login_as: Login) -> None:
    login_as(client, "caseworker.col")
    for query in ("state=zzz", "priority=%3Cb%3E", "page=0", "sort=x&dir=y", "mine=7"):
        got = client.get(f"/protection?{query}")
        assert got.status_code in (200, 422), query
        assert got.headers["content-type"].startswith("text/html"), query
