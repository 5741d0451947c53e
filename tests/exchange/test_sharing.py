"""Early warning between states, in one process (node COL; PAN is a key held by
the test): a CAP alert of COL leaves toward PAN under an active alerts
agreement (validated before it leaves), and not without one; PAN's alerts and
suppressed monthly counts are received, shown and never forwarded. Over real
HTTP between loopback nodes: `test_federation_sharing.py`."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente import early_warning
from puente.core import db as core_db
from puente.early_warning.models import PeerAlert, PeerCount
from puente.early_warning.rules import cap
from puente.early_warning.service import alerts as alert_service
from puente.early_warning.service import flows as flow_service
from puente.exchange import service
from puente.exchange.models import Agreement, Outbound
from puente.exchange.rules.disclosure import as_payload, suppressed_table
from puente.exchange.rules.terms import canonical_json
from puente.identity import system_actor
from tests.early_warning.alert_factories import Firing, last_month
from tests.exchange.test_service import (
    PAN_KEY,
    _auth,
    _FlakyTransport,
    _pan_peer,
    _pan_signs,
    col_node,
)

__all__ = ["col_node"]

TokenFor = Callable[[str], str]


def _agreement(
    client: TestClient,
    session: Session,
    token_for: TokenFor,
    purpose: str,
    categories: list[str],
) -> str:
    _pan_peer(session)
    token = token_for("focal_point.col")
    drafted = client.post(
        "/api/v1/exchange/agreements",
        headers=_auth(token),
        json={
            "parties": ["COL", "PAN"],
            "purpose": purpose,
            "categories": categories,
            "legal_basis": "Regional early-warning memorandum",
            "dpia_reference": "DPIA-EW-1",
            "retention_days": 90,
            "expires_on": (
                dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
            ).isoformat(),
        },
    )
    assert drafted.status_code == 201, drafted.text
    agreement_id: str = drafted.json()["id"]
    client.post(
        f"/api/v1/exchange/agreements/{agreement_id}/sign", headers=_auth(token)
    )
    answer = client.post(
        "/api/v1/exchange/envelopes", json=_pan_signs(session, agreement_id)
    )
    assert answer.json()["status"] == "accepted", answer.text
    assert (
        client.get(
            f"/api/v1/exchange/agreements/{agreement_id}", headers=_auth(token)
        ).json()["status"]
        == "active"
    )
    return agreement_id


def _raise(session: Session, tenant: str = "COL") -> uuid.UUID:
    # The app's requests share the test's connection and leave their tenant
    # scope on it (PostgreSQL): a system job raises alerts for any tenant.
    core_db.set_tenant_scope(session, core_db.SYSTEM_SCOPE)
    raised = alert_service.raise_alerts(
        session,
        actor=system_actor(tenant),
        firings=[
            Firing(
                tenant_code=tenant,
                country=tenant,
                series_key=f"{tenant.lower()}_nat|*",
                period=last_month(),
            )
        ],
    )
    session.commit()
    return raised[0].id


def _alert_rows(session: Session) -> list[Outbound]:
    return list(session.scalars(select(Outbound).where(Outbound.kind == "cap_alert")))


def _from_pan(
    agreement_id: str, purpose: str, kind: str, category: str, payload: dict[str, Any]
) -> dict[str, Any]:
    envelope = {
        "id": str(uuid.uuid4()),
        "sender": "PAN",
        "recipient": "COL",
        "agreement_id": agreement_id,
        "purpose": purpose,
        "kind": kind,
        "categories": [category],
        "created_at": "2026-12-06T00:00:00+00:00",
        "payload": payload,
    }
    return {
        "envelope": envelope,
        "signature": PAN_KEY.sign(canonical_json(envelope)).hex(),
    }


def _pan_cap(session: Session) -> str:
    """A CAP message as PAN's node renders one (PAN's alert, never forwarded
    by COL: it is not COL's)."""
    alert_id = _raise(session, "PAN")
    message = alert_service.alert_messages(session, alert_id)[-1]
    xml = early_warning.outgoing_cap(
        session, tenant_code="PAN", alert_id=alert_id, message_id=message.id
    )
    assert xml is not None
    return xml.decode("utf-8")


class TestAlertsLeave:
    def test_an_alert_leaves_as_valid_cap_under_the_active_agreement(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: TokenFor,
    ) -> None:
        _agreement(client, session, token_for, "alerts", ["alerts"])
        _raise(session)
        rows = _alert_rows(session)
        assert [(r.recipient, r.status) for r in rows] == [("PAN", "queued")]
        transport = _FlakyTransport(failures=1)
        now = dt.datetime.now(dt.UTC)
        for seconds in (0, 5, 10):
            service.deliver_due(
                session, transport=transport, now=now + dt.timedelta(seconds=seconds)
            )
        session.commit()
        posted = [b for b in transport.posted if b["envelope"]["kind"] == "cap_alert"]
        assert len(posted) == 1  # down once, then delivered once
        envelope = posted[0]["envelope"]
        assert (envelope["purpose"], envelope["categories"]) == ("alerts", ["alerts"])
        xml = envelope["payload"]["cap"].encode("utf-8")
        assert cap.validate_cap(xml) == []
        assert b"<language>ht</language>" in xml
        assert b"<msgType>Alert</msgType>" in xml

    def test_without_an_agreement_nothing_is_queued(
        self, col_node: None, session: Session
    ) -> None:
        _pan_peer(session)
        _raise(session)
        assert _alert_rows(session) == []

    def test_revoked_agreement_stops_the_alert(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: TokenFor,
    ) -> None:
        agreement_id = _agreement(client, session, token_for, "alerts", ["alerts"])
        client.post(
            f"/api/v1/exchange/agreements/{agreement_id}/revoke",
            headers=_auth(token_for("focal_point.col")),
        )
        _raise(session)
        rows = _alert_rows(session)
        assert [(r.status, r.refusal, r.payload) for r in rows] == [
            ("refused", "agreement_not_active", "{}")
        ]

    def test_an_agreement_expired_after_queueing_stops_it_at_sending(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: TokenFor,
    ) -> None:
        agreement_id = _agreement(client, session, token_for, "alerts", ["alerts"])
        _raise(session)
        assert [r.status for r in _alert_rows(session)] == ["queued"]
        agreement = session.get(Agreement, uuid.UUID(agreement_id))
        assert agreement is not None
        agreement.expires_on = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
        session.commit()
        transport = _FlakyTransport(failures=0)
        service.deliver_due(session, transport=transport)
        session.commit()
        assert [(r.status, r.refusal) for r in _alert_rows(session)] == [
            ("refused", "agreement_not_active")
        ]
        assert [
            b for b in transport.posted if b["envelope"]["kind"] == "cap_alert"
        ] == []

    def test_an_invalid_cap_queued_is_stopped_at_sending(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: TokenFor,
    ) -> None:
        _agreement(client, session, token_for, "alerts", ["alerts"])
        _raise(session)
        row = _alert_rows(session)[0]
        row.payload = json.dumps({"format": "cap-1.2", "cap": "<alert/>"})
        session.commit()
        service.deliver_due(session, transport=_FlakyTransport(failures=0))
        session.commit()
        assert (row.status, row.refusal) == ("refused", "invalid_alert")


class TestAlertsArrive:
    def test_a_peer_alert_is_stored_shown_from_panama_and_never_forwarded(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: TokenFor,
        login_as: Callable[[TestClient, str], TestClient],
    ) -> None:
        agreement_id = _agreement(client, session, token_for, "alerts", ["alerts"])
        body = _from_pan(
            agreement_id,
            "alerts",
            "cap_alert",
            "alerts",
            {"format": "cap-1.2", "cap": _pan_cap(session)},
        )
        before = len(_alert_rows(session))
        answer = client.post("/api/v1/exchange/envelopes", json=body)
        assert answer.json()["status"] == "accepted", answer.text
        again = client.post("/api/v1/exchange/envelopes", json=body)
        assert again.json()["status"] == "duplicate"
        stored = list(session.scalars(select(PeerAlert)))
        assert [(a.from_state, a.severity, a.msg_type) for a in stored] == [
            ("PAN", "Severe", "Alert")
        ]
        assert len(_alert_rows(session)) == before  # no loop
        login_as(client, "focal_point.col")
        page = client.get("/early-warning/alerts")
        assert page.status_code == 200
        assert 'data-from="PAN"' in page.text
        assert "from Panama" in page.text
        home = client.get("/")
        assert 'id="home-peer-alerts"' in home.text
        assert "from Panama" in home.text

    def test_an_invalid_cap_from_a_peer_is_refused_and_not_stored(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: TokenFor,
    ) -> None:
        agreement_id = _agreement(client, session, token_for, "alerts", ["alerts"])
        body = _from_pan(
            agreement_id,
            "alerts",
            "cap_alert",
            "alerts",
            {"format": "cap-1.2", "cap": "<alert>no</alert>"},
        )
        assert client.post("/api/v1/exchange/envelopes", json=body).status_code == 403
        assert list(session.scalars(select(PeerAlert))) == []


MONTH = dt.date(2026, 9, 1)


class TestCounts:
    def test_peer_counts_are_shown_as_the_peers_series(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: TokenFor,
        login_as: Callable[[TestClient, str], TestClient],
    ) -> None:
        agreement_id = _agreement(
            client, session, token_for, "statistics", ["aggregates"]
        )
        payload = as_payload(
            suppressed_table(
                {(MONTH, "VEN"): 1200, (MONTH, "HTI"): 3, (MONTH, "ECU"): 40}
            )
        )
        answer = client.post(
            "/api/v1/exchange/envelopes",
            json=_from_pan(
                agreement_id, "statistics", "monthly_counts", "aggregates", payload
            ),
        )
        assert answer.json()["status"] == "accepted", answer.text
        cells = {
            (c.nationality, c.count, c.suppressed)
            for c in session.scalars(select(PeerCount))
        }
        assert cells == {
            ("VEN", 1200, False),
            ("HTI", None, True),
            ("ECU", None, True),
            (None, 1243, False),
        }
        login_as(client, "focal_point.col")
        page = client.get("/early-warning")
        assert page.status_code == 200
        assert 'data-from="PAN"' in page.text
        assert 'data-suppressed="true"' in page.text

    def test_a_small_count_from_a_peer_is_refused(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: TokenFor,
    ) -> None:
        agreement_id = _agreement(
            client, session, token_for, "statistics", ["aggregates"]
        )
        payload = as_payload(suppressed_table({(MONTH, "VEN"): 1200}))
        payload["months"][0]["counts"]["HTI"] = 3
        answer = client.post(
            "/api/v1/exchange/envelopes",
            json=_from_pan(
                agreement_id, "statistics", "monthly_counts", "aggregates", payload
            ),
        )
        assert answer.status_code == 403
        assert list(session.scalars(select(PeerCount))) == []

    def test_this_states_counts_leave_suppressed(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: TokenFor,
        tmp_path: Path,
    ) -> None:
        _agreement(client, session, token_for, "statistics", ["aggregates"])
        csv = tmp_path / "col_nat.csv"
        csv.write_text(
            "t,nat,n\n"
            "2026-08-01,VEN,300\n2026-08-01,HTI,3\n2026-08-01,ECU,40\n"
            "2026-09-01,VEN,320\n2026-09-01,HTI,7\n2026-09-01,ECU,2\n",
            "utf-8",
        )
        flow_service.import_flows(
            session,
            actor=system_actor("COL"),
            path=csv,
            source=f"col_nat_{uuid.uuid4().hex[:6]}",
            date_column="t",
            count_column="n",
            dimensions=["nat"],
            profile={"tenant": "COL", "reporting_state": "COL"},
        )
        session.commit()
        shared = client.post(
            "/api/v1/exchange/statistics/share",
            headers=_auth(token_for("focal_point.col")),
        )
        assert shared.status_code == 201, shared.text
        assert [(r["recipient"], r["status"]) for r in shared.json()] == [
            ("PAN", "queued")
        ]
        transport = _FlakyTransport(failures=0)
        service.deliver_due(session, transport=transport)
        session.commit()
        sent = [
            b["envelope"]["payload"]
            for b in transport.posted
            if b["envelope"]["kind"] == "monthly_counts"
        ]
        assert len(sent) == 1
        months = {m["month"]: m for m in sent[0]["months"]}
        # August: HTI 3 alone would be the total minus the rest: ECU goes too.
        assert months["2026-08-01"]["counts"] == {"VEN": 300}
        assert months["2026-08-01"]["suppressed"] == ["ECU", "HTI"]
        assert months["2026-08-01"]["total"] == 343
        # September: ECU 2 alone likewise: HTI 7 goes with it.
        assert months["2026-09-01"]["counts"] == {"VEN": 320}
        assert months["2026-09-01"]["suppressed"] == ["ECU", "HTI"]
        assert months["2026-09-01"]["total"] == 329


class TestScreensInSpanish:
    def test_alerts_and_log_name_the_new_kinds_in_words(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: TokenFor,
        login_as: Callable[[TestClient, str], TestClient],
    ) -> None:
        agreement_id = _agreement(client, session, token_for, "alerts", ["alerts"])
        body = _from_pan(
            agreement_id,
            "alerts",
            "cap_alert",
            "alerts",
            {"format": "cap-1.2", "cap": _pan_cap(session)},
        )
        assert client.post("/api/v1/exchange/envelopes", json=body).status_code == 200
        spanish = {"Accept-Language": "es"}
        login_as(client, "focal_point.col")
        page = client.get("/early-warning/alerts", headers=spanish)
        assert "Alertas de otros Estados" in page.text
        assert "de Panamá" in page.text
        assert "Aumento de tránsitos por el Darién" in page.text  # CAP info in es
        agreements = client.get("/exchange/agreements", headers=spanish)
        assert "Alertas" in agreements.text
        assert ">alerts<" not in agreements.text
        login_as(client, "auditor.col")
        log_page = client.get("/exchange/log", headers=spanish)
        assert "Alerta temprana (CAP)" in log_page.text
        assert ">cap_alert<" not in log_page.text
