"""Lists people use (web/lists.py) on the remaining lists: pathway applications,
people, the audit log, flow series, 5W activities and commitments. Each has a
search, sort links with aria-sort, a count and CSV/XLSX exports in words."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.pathways import service as pathways
from tests.conftest import CSRF
from tests.pathways.helpers import actor

Login = Callable[[TestClient, str], TestClient]


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _audits(session: Session, action: str) -> int:
    count = select(func.count()).select_from(AuditEvent)
    return session.scalar(count.where(AuditEvent.action == action)) or 0


class TestApplications:
    def _apply(self, session: Session, ref: str) -> None:
        pathways.apply_to_pathway(
            session,
            actor=actor(session, "pathways.col"),
            pathway_id="col-etpv",
            applicant_ref=ref,
        )
        session.commit()

    def test_search_sort_count_and_status_in_words(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        self._apply(session, "Zeta applicant")
        self._apply(session, "Alfa applicant")
        login_as(client, "pathways.col")
        page = client.get("/pathways/applications?sort=applicant&dir=desc")
        assert page.status_code == 200
        assert 'aria-sort="descending"' in page.text
        text = page.text
        assert text.index("Zeta applicant") < text.index("Alfa applicant")
        found = client.get("/pathways/applications?q=zeta")
        assert "Zeta applicant" in found.text
        assert "Alfa applicant" not in found.text
        assert "Showing 1–1 of 1" in found.text
        refused = client.get("/pathways/applications?status=refused&q=zeta")
        assert "Nothing matches." in refused.text

    def test_export_is_in_words_and_audited(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        self._apply(session, "Export applicant")
        login_as(client, "pathways.col")
        client.cookies.set("puente_lang", "es")
        before = _audits(session, "pathways:application:export")
        got = client.get("/pathways/applications?export=csv&q=export")
        assert got.status_code == 200
        rows = _csv(got.content)
        assert rows[0][1] == "Solicitante"  # headed in the reader's language
        assert rows[1][1] == "Export applicant"
        assert "active" not in rows[1]
        assert "submitted" not in rows[1]
        session.expire_all()
        assert _audits(session, "pathways:application:export") == before + 1
        xlsx = client.get("/pathways/applications?export=xlsx&q=export")
        book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        cells = [c.value for c in next(book.worksheets[0].iter_rows(min_row=2))]
        assert "Export applicant" in cells

    def test_odd_parameters_are_not_errors(
        self, client: TestClient, login_as: Login
    ) -> None:
        login_as(client, "pathways.col")
        for query in ("page=-1", "sort=zzz", "dir=up", "status=zzz", "export=exe"):
            got = client.get(f"/pathways/applications?{query}")
            assert got.status_code == 200, query
            assert re.search(r"text/html", got.headers["content-type"])


class TestPeople:
    def _register(self, client: TestClient, given: str, family: str, born: str) -> None:
        got = client.post(
            "/people",
            data={
                **CSRF,
                "given_name": given,
                "family_name": family,
                "sex": "F",
                "birth_date": born,
                "nationality": "VEN",
                "point_kind": "border_post",
                "place": "Rumichaca",
                "link_to": "new",
            },
            follow_redirects=False,
        )
        assert got.status_code == 303, got.text

    def test_sorted_in_the_database_counted_and_exported_in_words(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        login_as(client, "caseworker.col")
        family = f"Listado{uuid.uuid4().hex[:5]}"
        self._register(client, "Zoila", family, "1990-01-01")
        self._register(client, "Ana", family, "2001-05-06")
        page = client.get("/people", params={"name": family, "sort": "birth"})
        assert page.status_code == 200
        assert 'aria-sort="ascending"' in page.text
        assert page.text.index("Zoila") < page.text.index("Ana")
        newest = client.get(
            "/people", params={"name": family, "sort": "birth", "dir": "desc"}
        )
        assert newest.text.index("Ana") < newest.text.index("Zoila")
        assert "Showing 1–2 of 2" in page.text
        before = _audits(session, "people:person:export")
        client.cookies.set("puente_lang", "es")
        got = client.get(
            "/people", params={"name": family, "export": "csv", "sort": "name"}
        )
        rows = _csv(got.content)
        assert rows[0][0] == "Nombre"
        assert [r[0].split()[0] for r in rows[1:]] == ["Ana", "Zoila"]
        assert rows[1][1] == "Femenino"
        assert rows[1][3] == "Venezuela"
        session.expire_all()
        assert _audits(session, "people:person:export") == before + 1

    def test_pages_of_twenty_five(self, client: TestClient, login_as: Login) -> None:
        login_as(client, "caseworker.col")
        family = f"Paginas{uuid.uuid4().hex[:5]}"
        for i in range(27):
            self._register(client, f"Persona{i:02d}", family, "1990")
        first = client.get("/people", params={"name": family, "sort": "name"})
        assert "Showing 1–25 of 27" in first.text
        assert 'rel="next"' in first.text
        second = client.get(
            "/people", params={"name": family, "sort": "name", "page": 2}
        )
        assert "Showing 26–27 of 27" in second.text
        assert "Persona26" in second.text
        assert "Persona00" not in second.text
        beyond = client.get("/people", params={"name": family, "page": 99})
        assert beyond.status_code == 200
        assert "Showing 26–27 of 27" in beyond.text
