"""The auditor's audit log: filters in words, pages, export, the chain on screen."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from puente.core import audit
from puente.core.audit import AuditEvent
from puente.identity import User, system_actor
from puente.identity import service as identity_service
from puente.identity.audit_log import action_label
from puente.identity.service import actor_for
from tests.conftest import drop_pg_database, unique

Login = Callable[[TestClient, str], TestClient]


def _user(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _seed(session: Session, n: int, action: str = "identity:user:update") -> User:
    who = _user(session, "coordinator.hub")
    for _ in range(n):
        audit.record(
            session,
            actor_for(who),
            action,
            object_type="user",
            object_id=unique("obj"),
        )
    session.commit()
    return who


def test_the_auditor_reaches_the_log_from_home_and_filters_it(
    client: TestClient, login_as: Login, session: Session
) -> None:
    who = _seed(session, 3, "identity:organisation:update")
    login_as(client, "auditor.hub")
    assert 'href="/audit"' in client.get("/").text
    page = client.get("/audit")
    assert page.status_code == 200
    # actions offered in words, never as codes
    assert ">Organisation changed<" in page.text
    assert ">identity:organisation:update<" not in page.text
    filtered = client.get(
        "/audit",
        params={"who": str(who.id), "action": "identity:organisation:update"},
    )
    assert "Showing 1–3 of 3" in filtered.text
    body = filtered.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") >= 3
    assert body.count("Organisation changed") == body.count("<tr>")
    assert "coordinator.hub" in body


def test_other_states_events_are_not_shown(
    client: TestClient, login_as: Login, session: Session
) -> None:
    marker = unique("col-only")
    audit.record(
        session,
        system_actor("COL"),
        "identity:user:update",
        tenant_code="COL",
        object_type="user",
        object_id=marker,
    )
    session.commit()
    login_as(client, "auditor.hub")
    exported = client.get("/audit", params={"export": "csv"})
    assert marker not in exported.content.decode("utf-8-sig")


def test_dates_filter_and_bad_dates_are_said_in_words(
    client: TestClient, login_as: Login, session: Session
) -> None:
    _seed(session, 1)
    login_as(client, "auditor.hub")
    future = client.get("/audit", params={"since": "2999-01-01"})
    assert "Nothing matches." in future.text
    bad = client.get("/audit", params={"since": "5/12/2026"})
    assert bad.status_code == 422
    assert "Choose a date from the calendar." in bad.text
    reversed_ = client.get(
        "/audit", params={"since": "2026-12-05", "until": "2026-01-01"}
    )
    assert "The end date is before the start date." in reversed_.text


def test_pages_and_csv_export(
    client: TestClient, login_as: Login, session: Session
) -> None:
    _seed(session, 60)
    login_as(client, "auditor.hub")
    first = client.get("/audit", params={"action": "identity:user:update"})
    assert "Page 1 of" in first.text
    assert 'rel="next"' in first.text
    exported = client.get(
        "/audit", params={"action": "identity:user:update", "export": "csv"}
    )
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Event number", "When (UTC)", "Who", "What"]
    assert len(rows) >= 61
    assert {r[3] for r in rows[1:]} == {"Roles or organisation changed"}
    # the export itself is audited (ids only)
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None
    assert last.action == "identity:audit:export"


def test_the_auditor_cannot_change_anything(
    client: TestClient, login_as: Login
) -> None:
    login_as(client, "auditor.hub")
    assert client.get("/admin/users").status_code == 403
    assert client.post("/audit").status_code == 405


from tests.core.test_audit import _attacker  # noqa: E402


@pytest.fixture
def own_chain(
    backend: str, tmp_path: Path, key_dir: Path, db_url: str
) -> Iterator[tuple[TestClient, Session]]:
    """A database of its own: the suite's database is shared by every test of a
    worker, and one that commits for real could leave a chain this test did not
    make. Here every event is this test's."""
    from puente.app import create_app
    from puente.core import db as core_db
    from puente.core.migrate import upgrade
    from puente.demo import load_identity
    from tests.conftest import _settings, _use_settings, fresh_database_url

    url = fresh_database_url(backend, tmp_path, "chain")
    settings = _settings(url, key_dir)
    _use_settings(settings)
    upgrade("heads", url)
    engine = core_db.make_engine(url)
    with core_db.uow(engine=engine) as seeding:
        load_identity(seeding)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    session = factory()
    core_db.set_tenant_scope(session, core_db.SYSTEM_SCOPE)
    try:
        with TestClient(
            create_app(settings, factory), base_url="http://testserver"
        ) as client:
            yield client, session
    finally:
        session.close()
        engine.dispose()
        _use_settings(_settings(db_url, key_dir))  # the suite's again, for the next
        if backend == "postgresql":
            drop_pg_database(url.rsplit("/", 1)[1])


def _login(session: Session, client: TestClient, username: str) -> None:
    started = identity_service.start_session(session, _user(session, username))
    started.record.mfa_passed = True
    started.record.csrf_token = "test-csrf-token"
    session.commit()
    client.cookies.set("puente_session", started.token)


def test_the_chain_is_verified_on_screen(
    own_chain: tuple[TestClient, Session], backend: str
) -> None:
    client, session = own_chain
    _seed(session, 2)
    _login(session, client, "auditor.hub")
    good = client.get("/audit/verify")
    assert "The chain is intact" in good.text
    victim = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert victim is not None
    _attacker(session, backend)  # whoever owns the file can drop the triggers
    session.execute(
        text("UPDATE audit_event SET action = 'x:y:z' WHERE id = :id"),
        {"id": victim.id},
    )
    session.commit()
    bad = client.get("/audit/verify")
    assert f"The chain is broken at event number {victim.id}" in bad.text
    assert "altered" in bad.text


def test_action_labels_read_as_words_in_every_language() -> None:
    from puente.core.i18n import use_locale

    with use_locale("es"):
        assert action_label("identity:user:create") == "Usuario creado"
        assert action_label("protection:case:open").startswith("Protección")
    assert ":" not in action_label("people:person:create")


def test_on_the_list_kit_sorted_searched_paged_and_exported_to_excel(
    client: TestClient, login_as: Login, session: Session
) -> None:
    """Oldest first by a sort link, a search by the start of an object id, the
    last page past the end, and an XLSX export in words that is itself audited."""
    _seed(session, 3, "identity:organisation:update")
    marker = unique("needle")
    audit.record(
        session,
        system_actor(),
        "identity:organisation:update",
        object_type="organisation",
        object_id=marker,
    )
    session.commit()
    login_as(client, "auditor.hub")
    action = {"action": "identity:organisation:update"}
    newest = client.get("/audit", params=action)
    assert 'aria-sort="descending"' in newest.text
    numbers = [int(n) for n in re.findall(r"<tr>\s*<td>(\d+)</td>", newest.text)]
    assert numbers == sorted(numbers, reverse=True)
    oldest = client.get("/audit", params={**action, "sort": "number", "dir": "asc"})
    ascending = [int(n) for n in re.findall(r"<tr>\s*<td>(\d+)</td>", oldest.text)]
    assert ascending == sorted(ascending)
    assert ascending[0] < numbers[0]
    assert 'aria-sort="ascending"' in oldest.text
    found = client.get("/audit", params={**action, "q": marker[:-2]})
    assert "Showing 1–1 of 1" in found.text
    past = client.get("/audit", params={**action, "page": "9999"})
    assert past.status_code == 200
    assert "No event matches these filters." not in past.text
    got = client.get("/audit", params={**action, "export": "xlsx", "q": marker})
    assert got.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(got.content)).active
    assert sheet is not None
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert table[0][:4] == ["Event number", "When (UTC)", "Who", "What"]
    assert len(table) == 2
    assert table[1][3] == "Organisation changed"
    assert table[1][5] == marker
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None
    assert last.action == "identity:audit:export"
    assert '"xlsx"' in last.details
