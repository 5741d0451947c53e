"""Early-warning JSON API: alerts, CAP XML, Atom, notices and plans."""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET  # parses our own output, not untrusted input
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from puente.early_warning.rules import cap
from puente.early_warning.service import alerts as alert_service
from puente.identity import system_actor
from puente.identity.permissions import Role
from tests.early_warning.alert_factories import Firing
from tests.early_warning.alert_factories import actor as alert_actor

Token = Callable[[str], str]


def _alert(session: Session) -> uuid.UUID:
    [alert] = alert_service.raise_alerts(
        session, actor=system_actor(), firings=[Firing()]
    )
    session.commit()
    return alert.id


def _auth(token_for: Token, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(username)}"}


class TestAlertsApi:
    def test_list_and_detail(
        self, client: TestClient, session: Session, token_for: Token
    ) -> None:
        alert_id = _alert(session)
        headers = _auth(token_for, "analyst.hub")
        listed = client.get(
            "/api/v1/early-warning/alerts?current=true", headers=headers
        )
        assert listed.status_code == 200
        assert str(alert_id) in [a["id"] for a in listed.json()["items"]]
        detail = client.get(f"/api/v1/early-warning/alerts/{alert_id}", headers=headers)
        body = detail.json()
        assert body["values"]["growth_3m"] == 0.62
        assert body["condition"] == "c2_alarm && growth_3m > 0.5"
        assert body["messages"][0]["msg_type"] == "Alert"

    def test_cap_xml_validates(
        self, client: TestClient, session: Session, token_for: Token
    ) -> None:
        alert_id = _alert(session)
        response = client.get(
            f"/api/v1/early-warning/alerts/{alert_id}.cap.xml",
            headers=_auth(token_for, "focal_point.col"),
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/cap+xml")
        assert cap.validate_cap(response.content) == []

    def test_atom_feed_parses_and_links_cap(
        self, client: TestClient, session: Session, token_for: Token
    ) -> None:
        alert_id = _alert(session)
        response = client.get(
            "/api/v1/early-warning/alerts.atom", headers=_auth(token_for, "analyst.hub")
        )
        assert response.headers["content-type"].startswith("application/atom+xml")
        feed = ET.fromstring(response.content)  # noqa: S314
        hrefs = [
            link.get("href") for link in feed.iter("{http://www.w3.org/2005/Atom}link")
        ]
        assert (
            f"http://testserver/api/v1/early-warning/alerts/{alert_id}.cap.xml" in hrefs
        )

    def test_coordinator_updates_then_cancels(
        self, client: TestClient, session: Session, token_for: Token
    ) -> None:
        alert_id = _alert(session)
        headers = _auth(token_for, "coordinator.hub")
        updated = client.post(
            f"/api/v1/early-warning/alerts/{alert_id}/update",
            json={"note": "worse", "severity": "Extreme"},
            headers=headers,
        )
        assert updated.status_code == 200
        assert updated.json()["severity"] == "Extreme"
        cancelled = client.post(
            f"/api/v1/early-warning/alerts/{alert_id}/cancel",
            json={"note": "over"},
            headers=headers,
        )
        assert [m["msg_type"] for m in cancelled.json()["messages"]] == [
            "Alert",
            "Update",
            "Cancel",
        ]
        again = client.post(
            f"/api/v1/early-warning/alerts/{alert_id}/update",
            json={"note": "late"},
            headers=headers,
        )
        assert again.status_code == 409

    def test_an_analyst_cannot_cancel(
        self, client: TestClient, session: Session, token_for: Token
    ) -> None:
        alert_id = _alert(session)
        response = client.post(
            f"/api/v1/early-warning/alerts/{alert_id}/cancel",
            json={"note": "x"},
            headers=_auth(token_for, "analyst.hub"),
        )
        assert response.status_code == 403

    def test_unknown_alert_is_404(self, client: TestClient, token_for: Token) -> None:
        response = client.get(
            f"/api/v1/early-warning/alerts/{uuid.uuid4()}",
            headers=_auth(token_for, "analyst.hub"),
        )
        assert response.status_code == 404
        assert response.json()["error"] == "AlertNotFound"

    def test_the_list_comes_in_pages_with_a_total(
        self, client: TestClient, session: Session, token_for: Token
    ) -> None:
        """`limit`/`offset` pages, `total` on each, newest period first, every
        alert once; each item keeps the alert's fields."""

        for month in range(1, 8):
            alert_service.raise_alerts(
                session,
                actor=system_actor(),
                firings=[Firing(period=dt.date(2019, month, 1))],
            )
        session.commit()
        headers = _auth(token_for, "analyst.hub")
        url = "/api/v1/early-warning/alerts"
        first = client.get(url, headers=headers).json()
        total = first["total"]
        assert total >= 7
        assert (first["limit"], first["offset"]) == (50, 0)
        assert len(first["items"]) == min(total, 50)
        seen: list[str] = []
        periods: list[str] = []
        offset = 0
        while offset < total:
            page = client.get(
                url, params={"limit": 3, "offset": offset}, headers=headers
            ).json()
            assert page["total"] == total
            assert len(page["items"]) == min(3, total - offset)
            seen += [a["id"] for a in page["items"]]
            periods += [a["period"] for a in page["items"]]
            offset += 3
        assert len(seen) == len(set(seen)) == total
        assert periods == sorted(periods, reverse=True)
        everything = alert_service.list_alerts(session, actor=alert_actor(Role.ANALYST))
        assert set(seen) == {str(a.id) for a in everything}
        assert set(first["items"][0]) == set(alert_service.AlertRead.model_fields)
        assert (
            client.get(url, params={"offset": total}, headers=headers).json()["items"]
            == []
        )
        for bad in ({"limit": 0}, {"limit": 201}, {"offset": -1}):
            assert client.get(url, params=bad, headers=headers).status_code == 422

    def test_the_openapi_documents_the_paging(self, client: TestClient) -> None:
        spec = client.get("/api/v1/openapi.json").json()
        operation = spec["paths"]["/api/v1/early-warning/alerts"]["get"]
        params = {p["name"]: p for p in operation["parameters"]}
        assert params["limit"]["schema"]["default"] == 50
        assert params["limit"]["schema"]["maximum"] == 200
        assert params["offset"]["schema"]["default"] == 0
        page = spec["components"]["schemas"]["AlertPage"]
        assert set(page["required"]) >= {"items", "total", "limit", "offset"}
        assert "total" in page["properties"]

    def test_a_caseworker_cannot_read_alerts(
        self, client: TestClient, token_for: Token
    ) -> None:
        response = client.get(
            "/api/v1/early-warning/alerts", headers=_auth(token_for, "caseworker.col")
        )
        assert response.status_code == 403

    def test_notices(
        self, client: TestClient, session: Session, token_for: Token
    ) -> None:
        alert_id = _alert(session)
        response = client.get(
            "/api/v1/early-warning/notices", headers=_auth(token_for, "coordinator.hub")
        )
        assert str(alert_id) in [n["alert_id"] for n in response.json()]


class TestPlansApi:
    def test_coordinator_activates_donor_reads(
        self, client: TestClient, session: Session, token_for: Token
    ) -> None:
        alert_id = _alert(session)
        created = client.post(
            f"/api/v1/early-warning/alerts/{alert_id}/plan",
            headers=_auth(token_for, "coordinator.hub"),
        )
        assert created.status_code == 201
        plan = created.json()
        assert plan["sites"][0]["lines"][0]["gap"] > 0
        donor = _auth(token_for, "donor.can")
        assert (
            client.get("/api/v1/early-warning/plans", headers=donor).json()[0]["id"]
            == plan["id"]
        )
        read = client.get(f"/api/v1/early-warning/plans/{plan['id']}", headers=donor)
        assert read.json()["can_edit"] is False
        again = client.post(
            f"/api/v1/early-warning/alerts/{alert_id}/plan",
            headers=_auth(token_for, "coordinator.hub"),
        )
        assert again.status_code == 409

    def test_donor_cannot_activate(
        self, client: TestClient, session: Session, token_for: Token
    ) -> None:
        alert_id = _alert(session)
        response = client.post(
            f"/api/v1/early-warning/alerts/{alert_id}/plan",
            headers=_auth(token_for, "donor.can"),
        )
        assert response.status_code == 403
