"""Lists people use (web/lists.py) on the remaining lists: pathway applications,
people, the audit log, flow series, 5W activities and commitments. Each has a
search, sort links with aria-sort, a count and CSV/XLSX exports in words."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.pathways import service as pathways
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
