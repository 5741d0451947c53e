"""Every list people use has search, sort, pages, a count and exports in words
(web/lists.py), and PII exports are audited and refused like the screen."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.early_warning.service import alerts as alert_service
from puente.identity import system_actor
from puente.pathways import service as pathways
from puente.pathways.demo import compliant_offer
from tests.early_warning.alert_factories import Firing
from tests.pathways.helpers import actor


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _offer(session: Session, title: str) -> None:
    data = compliant_offer("Prairie Growers Co-operative", "CRA BN 1")
    data["title"] = title
    pathways.create_offer(session, actor=actor(session, "employer.can"), data=data)
    session.commit()


class TestOffers:
    def test_search_sort_and_count(
        self, client: TestClient, login_as: object, session: Session
    ) -> None:
        _offer(session, "Zucchini picker")
        _offer(session, "Apple packer")
        login_as(client, "employer.can")  # type: ignore[operator]
        page = client.get("/pathways/offers?sort=title&dir=asc")
        assert page.status_code == 200
        titles = re.findall(
            r'href="/pathways/offers/[0-9a-f-]{36}">([^<]+)<', page.text
        )
        assert titles.index("Apple packer") < titles.index("Zucchini picker")
        assert 'aria-sort="ascending"' in page.text
        found = client.get("/pathways/offers?q=zucchini")
        assert "Zucchini picker" in found.text
        assert "Apple packer" not in found.text
        assert "Showing 1–1 of 1" in found.text

    def test_export_in_words_in_the_readers_language(
        self, client: TestClient, login_as: object, session: Session
    ) -> None:
        _offer(session, "Apple packer")
        login_as(client, "employer.can")  # type: ignore[operator]
        client.cookies.set("puente_lang", "es")
        got = client.get("/pathways/offers?export=csv&q=apple")
        assert got.status_code == 200
        rows = _csv(got.content)
        assert rows[0][0] == "Oferta"
        assert rows[1][0] == "Apple packer"
        assert rows[1][2] == "Canadá"
        assert not rows[1][1].isdigit()  # the occupation in words, not its ISCO code
        assert "published" not in rows[1]
        assert "CAN" not in rows[1]
        xlsx = client.get("/pathways/offers?export=xlsx&q=apple")
        book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        assert next(c.value for c in next(book.worksheets[0].iter_rows())) == "Oferta"

    def test_odd_list_parameters_are_not_errors(
        self, client: TestClient, login_as: object
    ) -> None:
        login_as(client, "employer.can")  # type: ignore[operator]
        for query in ("page=-1", "page=abc", "dir=up", "status=zzz", "export=exe"):
            got = client.get(f"/pathways/offers?{query}")
            assert got.status_code == 200, query
            assert got.headers["content-type"].startswith("text/html")
        assert client.get("/pathways/offers?q=" + "x" * 500).status_code == 200


def audit_count(session: Session, action: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == action)
        )
        or 0
    )


class TestAlerts:
    def test_sorted_by_severity_and_exported_in_french(
        self, client: TestClient, login_as: object, session: Session
    ) -> None:
        [alert] = alert_service.raise_alerts(
            session, actor=system_actor(), firings=[Firing()]
        )
        session.commit()
        login_as(client, "analyst.hub")  # type: ignore[operator]
        client.cookies.set("puente_lang", "fr")
        page = client.get("/early-warning/alerts?sort=severity&dir=desc")
        assert page.status_code == 200
        assert 'aria-sort="descending"' in page.text
        assert f"/early-warning/alerts/{alert.id}" in page.text
        assert "/early-warning/alerts?sort=severity&amp;dir=asc" in page.text
        rows = _csv(client.get("/early-warning/alerts?export=csv").content)
        assert rows[0][:3] == ["Alerte", "Gravité", "Pays"]
        exported = next(r for r in rows[1:] if "Darién" in r[0])
        assert exported[2] == "Panama"
        assert alert.severity not in exported
        assert alert.status not in exported
        none = client.get("/early-warning/alerts?q=zzzzzz")
        assert f"/early-warning/alerts/{alert.id}" not in none.text


class TestPlans:
    def test_plans_list_has_the_list_tools(
        self, client: TestClient, login_as: object
    ) -> None:
        login_as(client, "coordinator.hub")  # type: ignore[operator]
        page = client.get("/early-warning/plans?sort=country")
        assert page.status_code == 200
        assert 'aria-sort="ascending"' in page.text
        got = client.get("/early-warning/plans?export=xlsx")
        assert got.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(got.content))
        header = next(book.worksheets[0].iter_rows(values_only=True))
        assert header[0] == "Plan"
