"""Return cases toward the state of return, in one process (node COL; PAN is a key
held by the test): shared through the queue under an active returns agreement
(an opaque reference and reception fields, no name, no person id), offered as a
CSV/XLSX export without one, and never toward a state the person fled: the
queue refuses it at queueing and a fear recorded after queueing stops the send.
The loopback federation test is `test_returns_federation.py`."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente import people
from puente.core.audit import AuditEvent
from puente.exchange import service
from puente.exchange.models import LogEntry, Outbound
from puente.exchange.rules.terms import Category, Purpose
from puente.exchange.service.queue import queue_envelope
from puente.identity import service as identity_service
from puente.identity.models import User
from puente.identity.permissions import Actor
from puente.protection import service as protection
from puente.protection.models import IncomingReturn, ReturnCase, ReturnCount
from tests.conftest import CSRF
from tests.exchange.test_service import (
    _auth,
    _envelope,
    _pan_peer,
    _pan_signs,
    col_node,
)
from tests.protection.test_service_returns import ALL_CLEAR

__all__ = ["col_node"]  # the fixture, used by name


class Transport:
    """Records what would have left; answers 200."""

    def __init__(self) -> None:
        self.posted: list[dict[str, Any]] = []

    def post(self, url: str, body: dict[str, Any]) -> int:
        self.posted.append(body)
        return 200


def _actor(session: Session, username: str) -> Actor:
    user = session.scalars(select(User).where(User.username == username)).one()
    return identity_service.actor_for(user)


def _returns_agreement(
    client: TestClient, session: Session, token_for: Callable[[str], str]
) -> str:
    _pan_peer(session)
    token = token_for("focal_point.col")
    answer = client.post(
        "/api/v1/exchange/agreements",
        headers=_auth(token),
        json={
            "parties": ["COL", "PAN"],
            "purpose": "returns",
            "categories": ["return_case"],
            "legal_basis": "Readmission and reintegration memorandum",
            "dpia_reference": "DPIA-RET-1",
            "retention_days": 365,
            "expires_on": (
                dt.datetime.now(dt.UTC).date() + dt.timedelta(days=60)
            ).isoformat(),
        },
    )
    assert answer.status_code == 201, answer.text
    agreement_id: str = answer.json()["id"]
    client.post(
        f"/api/v1/exchange/agreements/{agreement_id}/sign", headers=_auth(token)
    )
    signed = client.post(
        "/api/v1/exchange/envelopes", json=_pan_signs(session, agreement_id)
    )
    assert signed.json()["status"] == "accepted", signed.text
    return agreement_id


def _approved_return(session: Session, supervisor: Actor) -> uuid.UUID:
    person = people.register_person(
        session,
        actor=_actor(session, "caseworker.col"),
        data=people.PersonCreate.model_validate(
            {
                "given_name": "Rubiela",
                "family_name": f"Ospino {uuid.uuid4().hex[:6]}",
                "sex": "F",
                "birth_date": "1988-07-09",
                "nationality": "PAN",
            }
        ),
    )
    view = protection.request_return(
        session,
        actor=supervisor,
        person_id=person.id,
        destination="PAN",
        facts=dict(ALL_CLEAR),
    )
    protection.approve_return(session, actor=supervisor, decision_id=view.decision.id)
    return view.decision.id


def _shared_return(
    client: TestClient,
    session: Session,
    agreement_id: str,
    *,
    is_child: bool,
    dimensions: list[str] | None = None,
) -> IncomingReturn:
    """PAN shares a return case with this node (COL); the row stored for it."""
    reference = str(uuid.uuid4())
    envelope = _envelope(
        "return_case",
        {"reference": reference, "is_child": is_child,
         "arrival_date": "2026-12-20" if is_child else None,
         "dimensions": dimensions or [], "follow_up_months": [3, 6, 12]},
        agreement_id=agreement_id,
        purpose="returns",
        categories=["return_case"],
    )  # fmt: skip
    answer = client.post("/api/v1/exchange/envelopes", json=envelope)
    assert answer.json()["status"] == "accepted", answer.text
    return session.scalars(
        select(IncomingReturn).where(IncomingReturn.reference == reference)
    ).one()


def _reports(session: Session) -> list[Outbound]:
    return list(
        session.scalars(select(Outbound).where(Outbound.kind == "return_reception"))
    )


def _received_count(session: Session) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(ReturnCount.received), 0)).where(
            ReturnCount.state == "PAN"
        )
    )
    return int(total or 0)


def _queued(session: Session) -> list[Outbound]:
    return list(session.scalars(select(Outbound).where(Outbound.kind == "return_case")))


class TestReturnsAgreement:
    def test_returns_is_a_purpose_with_return_cases_only(
        self, col_node: None, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        assert Purpose.RETURNS.value == "returns"
        answer = client.post(
            "/api/v1/exchange/agreements",
            headers=_auth(token_for("focal_point.col")),
            json={
                "parties": ["COL", "PAN"],
                "purpose": "returns",
                "categories": ["return_case", "linkage_encodings"],
                "legal_basis": "x",
                "dpia_reference": "y",
                "retention_days": 30,
                "expires_on": "2099-01-01",
            },
        )
        assert answer.status_code == 422

    def test_the_agreement_screen_offers_it(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        login_as: Callable[[TestClient, str], TestClient],
    ) -> None:
        _pan_peer(session)
        login_as(client, "focal_point.col")
        page = client.get("/exchange/agreements", headers={"Accept-Language": "es"})
        assert page.status_code == 200
        assert 'value="returns"' in page.text
        assert 'value="return_case"' in page.text
        assert "Retornos y reintegración" in page.text


class TestSharedUnderAnAgreement:
    def test_an_opened_return_case_is_queued_without_a_name(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        agreement_id = _returns_agreement(client, session, token_for)
        supervisor = _actor(session, "supervisor.col")
        decision_id = _approved_return(session, supervisor)
        case = protection.open_return_case(
            session, actor=supervisor, decision_id=decision_id
        ).case
        [row] = _queued(session)
        assert (row.recipient, row.status, row.purpose) == ("PAN", "queued", "returns")
        assert str(row.agreement_id) == agreement_id
        assert row.categories == Category.RETURN_CASE.value
        payload = json.loads(row.payload)
        assert payload["reference"] == str(case.id)
        assert payload["is_child"] is False
        assert str(case.person_id) not in row.payload
        assert "Rubiela" not in row.payload
        assert "Ospino" not in row.payload
        stored = session.get(ReturnCase, case.id)
        assert stored is not None
        assert stored.shared_via == "exchange"
        transport = Transport()
        assert service.deliver_due(session, transport=transport) >= 1
        posted = [b["envelope"] for b in transport.posted]
        assert [e["id"] for e in posted if e["kind"] == "return_case"] == [str(row.id)]
        sent = session.scalars(
            select(LogEntry).where(
                LogEntry.kind == "return_case", LogEntry.direction == "sent"
            )
        ).one()
        assert sent.peer == "PAN"

    def test_a_fear_recorded_after_queueing_stops_the_send(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        _returns_agreement(client, session, token_for)
        supervisor = _actor(session, "supervisor.col")
        decision_id = _approved_return(session, supervisor)
        case = protection.open_return_case(
            session, actor=supervisor, decision_id=decision_id
        ).case
        [row] = _queued(session)
        assert row.status == "queued"
        protection.record_protection_profile(
            session,
            actor=supervisor,
            person_id=case.person_id,
            persecutor_states=["PAN"],
            expressed_fear=True,
        )
        transport = Transport()
        service.deliver_due(session, transport=transport)
        session.refresh(row)
        assert (row.status, row.refusal, row.payload) == (
            "refused",
            "feared_state",
            "{}",
        )
        assert [b for b in transport.posted if b["envelope"]["id"] == str(row.id)] == []
        assert (
            session.scalars(
                select(LogEntry).where(LogEntry.envelope_id == row.id)
            ).all()
            == []
        )

    def test_the_queue_refuses_it_for_a_person_who_fled_that_state(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        agreement_id = _returns_agreement(client, session, token_for)
        supervisor = _actor(session, "supervisor.col")
        decision_id = _approved_return(session, supervisor)
        decision = protection.get_return(
            session, actor=supervisor, decision_id=decision_id
        ).decision
        protection.record_protection_profile(
            session,
            actor=supervisor,
            person_id=decision.person_id,
            persecutor_states=["PAN"],
            expressed_fear=True,
        )
        # Past protection's own bar (as a bug or another caller might be), the
        # queue still refuses at queueing and keeps nothing of the payload.
        row = queue_envelope(
            session,
            recipient="PAN",
            agreement_id=uuid.UUID(agreement_id),
            purpose=Purpose.RETURNS,
            kind="return_case",
            categories=[Category.RETURN_CASE],
            payload={"reference": str(uuid.uuid4()), "is_child": False},
            subject_ids=[decision.person_id],
        )
        assert (row.status, row.refusal, row.payload) == (
            "refused",
            "feared_state",
            "{}",
        )


class TestWithoutAnAgreement:
    def test_nothing_is_queued_and_the_case_is_an_export(
        self, col_node: None, client: TestClient, session: Session
    ) -> None:
        supervisor = _actor(session, "supervisor.col")
        decision_id = _approved_return(session, supervisor)
        case = protection.open_return_case(
            session, actor=supervisor, decision_id=decision_id
        ).case
        assert _queued(session) == []
        assert case.shared_via is None
        protection.record_reception(
            session,
            actor=supervisor,
            case_id=case.id,
            arrival_date=dt.date(2026, 11, 20),
            place='=HYPERLINK("x")',
            receiving_party="SNM Tocumen",
        )
        file = protection.export_return_case_table(
            session, actor=supervisor, case_id=case.id, fmt="csv"
        )
        text = file.body.decode("utf-8-sig")
        assert file.filename.endswith(".csv")
        assert str(case.id) in text
        assert "SNM Tocumen" in text
        assert "'=HYPERLINK" in text  # neutralised
        assert str(case.person_id) not in text
        xlsx = protection.export_return_case_table(
            session, actor=supervisor, case_id=case.id, fmt="xlsx"
        )
        assert xlsx.body[:2] == b"PK"


class TestReceivingNode:
    def test_a_return_case_from_pan_is_stored_for_reception(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        agreement_id = _returns_agreement(client, session, token_for)
        row = _shared_return(client, session, agreement_id, is_child=True)
        reference = row.reference
        assert (row.sender_state, row.is_child, row.status) == (
            "PAN",
            True,
            "awaiting_reception",
        )
        listed = client.get(
            "/api/v1/protection/incoming-returns",
            headers=_auth(token_for("supervisor.col")),
        ).json()
        assert [r["reference"] for r in listed] == [reference]
        logged = session.scalars(
            select(LogEntry).where(
                LogEntry.kind == "return_case", LogEntry.direction == "received"
            )
        ).one()
        assert logged.peer == "PAN"
        audited = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "protection:incoming_return:received"
            )
        ).one()
        assert (audited.object_id, audited.actor_id) == (str(row.id), None)
        assert json.loads(audited.details) == {"sender_state": "PAN"}

    def test_the_receiving_state_records_the_reception_of_a_child(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
        login_as: Callable[[TestClient, str], TestClient],
    ) -> None:
        """The receiving node's own reception: a child is marked received only
        into the hands of a named caregiver or authority, whose name is sealed;
        the reference reads the same on both sides, never a bare id."""
        agreement_id = _returns_agreement(client, session, token_for)
        row = _shared_return(
            client, session, agreement_id, is_child=True, dimensions=["economic"]
        )
        reference = row.reference
        shown = "PAN-R-" + reference.replace("-", "")[:8].upper()
        login_as(client, "supervisor.col")
        es = {"Accept-Language": "es"}
        listing = client.get("/protection/return-cases", headers=es)
        assert f'href="/protection/incoming-returns/{row.id}">{shown}<' in listing.text
        page = client.get(f"/protection/incoming-returns/{row.id}", headers=es)
        assert page.status_code == 200
        assert "Retorno compartido por Panamá" in page.text
        assert "Económica" in page.text
        assert reference not in page.text  # the id itself is never shown
        form = {**CSRF, "arrival_date": "2026-12-21", "place": "Aeropuerto El Dorado",
                "receiving_party": "ICBF Bogotá", "mark_received": "yes"}  # fmt: skip
        refused = client.post(
            f"/protection/incoming-returns/{row.id}/reception", data=form, headers=es
        )
        assert refused.status_code == 409
        assert 'value="Aeropuerto El Dorado"' in refused.text  # what was typed stays
        session.refresh(row)
        assert (row.status, row.reception_sealed) == ("awaiting_reception", None)
        caregiver = "Marta Ospino " + uuid.uuid4().hex[:6]
        done = client.post(
            f"/protection/incoming-returns/{row.id}/reception",
            data={**form, "caregiver": caregiver},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
        session.refresh(row)
        assert row.status == "received"
        assert row.arrival_date == dt.date(2026, 12, 21)
        assert row.reception_sealed is not None
        assert caregiver.encode() not in row.reception_sealed
        audited = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "protection:incoming_return:reception"
            )
        ).one()
        assert caregiver not in audited.details
        assert caregiver in client.get(f"/protection/incoming-returns/{row.id}").text
        # Only who decides returns, and only in this state.
        client.cookies.clear()
        login_as(client, "caseworker.col")
        assert client.get(f"/protection/incoming-returns/{row.id}").status_code == 403
        client.cookies.clear()
        login_as(client, "supervisor.pan")
        assert client.get(f"/protection/incoming-returns/{row.id}").status_code == 404

    def test_the_reception_is_reported_back_without_who_received(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        agreement_id = _returns_agreement(client, session, token_for)
        row = _shared_return(client, session, agreement_id, is_child=False)
        reference = row.reference
        path = f"/api/v1/protection/incoming-returns/{row.id}/reception"
        token = token_for("supervisor.col")
        body = {"arrival_date": "2026-12-21", "place": "Aeropuerto El Dorado",
                "receiving_party": "Migración Colombia " + reference[:6]}  # fmt: skip
        pending = client.put(
            path, headers=_auth(token), json=body | {"received": False}
        )
        assert pending.status_code == 200, pending.text
        assert _reports(session) == []  # recorded, not yet received: nothing leaves
        for _ in range(2):  # saved again after arrival: reported once
            assert client.put(path, headers=_auth(token), json=body).status_code == 200
        [report] = _reports(session)
        assert (report.recipient, report.purpose, report.status) == (
            "PAN",
            "returns",
            "queued",
        )
        assert str(report.agreement_id) == agreement_id
        assert json.loads(report.payload) == {
            "reference": reference,
            "arrival_date": "2026-12-21",
            "received": True,
        }

    def test_a_named_person_in_the_body_is_refused(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        agreement_id = _returns_agreement(client, session, token_for)
        envelope = _envelope(
            "return_case",
            {"reference": str(uuid.uuid4()), "name": "Rubiela Ospino"},
            agreement_id=agreement_id,
            purpose="returns",
            categories=["return_case"],
        )
        answer = client.post("/api/v1/exchange/envelopes", json=envelope)
        assert answer.status_code == 403
        assert session.scalars(select(IncomingReturn)).all() == []


class TestReceptionReported:
    """The sending node (COL) hears from the state of return (PAN)."""

    def _report(self, agreement_id: str, reference: str) -> dict[str, Any]:
        return _envelope(
            "return_reception",
            {"reference": reference, "arrival_date": "2026-12-20", "received": True},
            agreement_id=agreement_id,
            purpose="returns",
            categories=["return_case"],
        )

    def test_the_case_reads_received_and_is_counted_once(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
        login_as: Callable[[TestClient, str], TestClient],
    ) -> None:
        agreement_id = _returns_agreement(client, session, token_for)
        supervisor = _actor(session, "supervisor.col")
        case = protection.open_return_case(
            session, actor=supervisor, decision_id=_approved_return(session, supervisor)
        ).case
        session.commit()
        before = _received_count(session)
        for _ in range(2):  # a repeated report (a new envelope) changes nothing
            answer = client.post(
                "/api/v1/exchange/envelopes",
                json=self._report(agreement_id, str(case.id)),
            )
            assert answer.json()["status"] == "accepted", answer.text
        row = session.get(ReturnCase, case.id)
        assert row is not None
        session.refresh(row)
        assert (row.status, row.arrival_date) == ("received", dt.date(2026, 12, 20))
        assert row.reception_confirmed_at is not None
        assert _received_count(session) == before + 1
        # the peer's change is in this node's audit chain, once, by reference
        reported = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "protection:return:reception_reported"
            )
        ).all()
        assert [(e.object_id, e.actor_id) for e in reported] == [(str(case.id), None)]
        assert json.loads(reported[0].details) == {"reported_by": "PAN"}
        login_as(client, "supervisor.col")
        page = client.get(
            f"/protection/return-cases/{case.id}", headers={"Accept-Language": "es"}
        )
        assert 'id="reception-confirmed"' in page.text
        assert "Panamá informó que la persona fue recibida" in page.text

    def test_only_the_state_of_return_may_report_it(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        token_for: Callable[[str], str],
    ) -> None:
        agreement_id = _returns_agreement(client, session, token_for)
        unknown = client.post(
            "/api/v1/exchange/envelopes",
            json=self._report(agreement_id, str(uuid.uuid4())),
        )
        assert unknown.status_code == 403
        malformed = self._report(agreement_id, "not-a-reference")
        assert (
            client.post("/api/v1/exchange/envelopes", json=malformed).status_code == 403
        )


class TestScreens:
    def test_the_case_page_offers_the_files_and_lists_incoming_returns(
        self,
        col_node: None,
        client: TestClient,
        session: Session,
        login_as: Callable[[TestClient, str], TestClient],
    ) -> None:
        supervisor = _actor(session, "supervisor.col")
        case = protection.open_return_case(
            session,
            actor=supervisor,
            decision_id=_approved_return(session, supervisor),
        ).case
        session.commit()
        login_as(client, "supervisor.col")
        page = client.get(
            f"/protection/return-cases/{case.id}", headers={"Accept-Language": "es"}
        )
        assert page.status_code == 200
        assert 'id="return-case-export"' in page.text
        assert "No hay un acuerdo de retornos activo con Panamá" in page.text
        csv_file = client.get(f"/protection/return-cases/{case.id}/table.csv")
        assert csv_file.status_code == 200
        assert str(case.id) in csv_file.content.decode("utf-8-sig")
        assert (
            client.get(f"/protection/return-cases/{case.id}/table.pdf").status_code
            == 422
        )
        listing = client.get(
            "/protection/return-cases", headers={"Accept-Language": "es"}
        )
        assert 'id="incoming-returns"' in listing.text
        assert "Ningún otro Estado ha compartido casos de retorno." in listing.text
