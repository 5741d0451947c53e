"""Protection facts are monotonic, and a new fact withdraws what it forbids
(issue #9 items 1 and 2). Each found sequence is replayed through the HTTP API."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente import people
from puente.core.audit import AuditEvent
from puente.core.errors import PermissionDenied
from puente.identity.permissions import Actor
from puente.protection import service
from puente.protection.models import ConsularNotification, Referral
from puente.protection.service.facts import FactWithdrawalRequired
from tests.protection.conftest import Register

API = "/api/v1/protection"


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _person(client: TestClient, token: str, nationality: str = "NIC") -> str:
    body = {
        "given_name": "Ana",
        "family_name": f"Lugo {uuid.uuid4().hex[:6]}",
        "sex": "F",
        "birth_date": "1988",
        "nationality": nationality,
    }
    response = client.post("/api/v1/people", json=body, headers=_h(token))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _consular(client: TestClient, token: str, person: str) -> list[dict[str, Any]]:
    response = client.post(
        f"{API}/consular",
        json={
            "person_id": person,
            "wish": "requests",
            "detained_at": dt.datetime.now(dt.UTC).isoformat(),
        },
        headers=_h(token),
    )
    assert response.status_code == 201, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


PROFILE: dict[str, Any] = {
    "claim_status": "pending",
    "persecutor_states": ["NIC"],
    "expressed_fear": True,
}


class TestFoundSequences:
    def test_sequence_1_an_empty_put_does_not_erase_the_facts(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        supervisor = token_for("supervisor.col")
        caseworker = token_for("caseworker.col")
        person = _person(client, caseworker)
        put = client.put(
            f"{API}/people/{person}/profile", json=PROFILE, headers=_h(supervisor)
        )
        assert put.status_code == 204, put.text
        emptied = client.put(
            f"{API}/people/{person}/profile", json={}, headers=_h(caseworker)
        )
        assert emptied.status_code == 204
        rows = _consular(client, caseworker, person)
        assert [(r["consulate_state"], r["action"]) for r in rows] == [
            ("NIC", "do_not_notify")
        ]
        tasks = client.get(f"{API}/consular/tasks", headers=_h(caseworker)).json()
        assert not [t for t in tasks if t["person_id"] == person]
        # The return gate still sees the claim and the fear.
        decision = client.post(
            f"{API}/returns",
            json={"person_id": person, "destination": "NIC"},
            headers=_h(supervisor),
        )
        assert decision.status_code == 201, decision.text
        failed = set(decision.json()["failed_checks"])
        assert decision.json()["gate_passed"] is False
        assert failed, decision.json()

    def test_sequence_1_weakening_by_an_edit_is_409_and_writes_nothing(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        supervisor = token_for("supervisor.col")
        caseworker = token_for("caseworker.col")
        person = _person(client, caseworker)
        client.put(
            f"{API}/people/{person}/profile", json=PROFILE, headers=_h(supervisor)
        )
        for body in (
            {"expressed_fear": False},
            {"claim_status": "none"},
            {"country_of_origin": "CRI", "is_refugee": False},
        ):
            for method in (client.put, client.patch):
                response = method(
                    f"{API}/people/{person}/profile", json=body, headers=_h(caseworker)
                )
                if "country_of_origin" in body:
                    # The first origin is an addition; setting it is allowed.
                    assert response.status_code == 204, response.text
                    continue
                assert response.status_code == 409, (body, response.text)
                assert response.json()["error"] == "FactWithdrawalRequired"
        changed = client.put(
            f"{API}/people/{person}/profile",
            json={"country_of_origin": "HND"},
            headers=_h(caseworker),
        )
        assert changed.status_code == 409
        rows = _consular(client, caseworker, person)
        assert all(r["action"] == "do_not_notify" for r in rows)

    def test_sequence_2_a_claim_withdraws_the_open_notification(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        caseworker = token_for("caseworker.col")
        person = _person(client, caseworker)
        [row] = _consular(client, caseworker, person)
        assert (row["consulate_state"], row["status"]) == ("NIC", "task_open")
        claim = client.patch(
            f"{API}/people/{person}/profile", json=PROFILE, headers=_h(caseworker)
        )
        assert claim.status_code == 204, claim.text
        tasks = client.get(
            f"{API}/consular/tasks",
            headers={**_h(caseworker), "Accept-Language": "es"},
        ).json()
        [task] = [t for t in tasks if t["person_id"] == person]
        assert task["status"] == "withdrawn"
        assert task["action"] == "do_not_notify"
        assert task["due_at"] is None
        assert task["status_reason"]
        assert "protección" in task["status_reason"]


def _audit_actions(session: Session, object_id: uuid.UUID) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == str(object_id))
        )
    )


class TestWithdrawal:
    def test_only_an_authorised_role_withdraws_with_a_reason(
        self,
        session: Session,
        register: Register,
        caseworker: Actor,
        supervisor: Actor,
    ) -> None:
        person = register(nationality="NIC")
        service.record_protection_profile(
            session, actor=supervisor, person_id=person, **PROFILE
        )
        with pytest.raises(PermissionDenied):
            service.withdraw_protection_fact(
                session,
                actor=caseworker,
                person_id=person,
                fact="expressed_fear",
                reason="mistake",
            )
        with pytest.raises(Exception, match="reason"):
            service.withdraw_protection_fact(
                session,
                actor=supervisor,
                person_id=person,
                fact="expressed_fear",
                reason="  ",
            )
        service.withdraw_protection_fact(
            session,
            actor=supervisor,
            person_id=person,
            fact="persecutor_states",
            state="NIC",
            reason="recorded for the wrong person",
        )
        assert "protection:profile:withdraw_fact" in _audit_actions(session, person)
        history = service.withdrawals(session, actor=supervisor, person_id=person)
        assert history[0]["fact"] == "persecutor_states"
        assert history[0]["reason"] == "recorded for the wrong person"
        # The claim still stands: NIC (nationality) remains barred.
        [row] = service.record_consular_wish(
            session,
            actor=caseworker,
            person_id=person,
            wish="requests",
            detained_at=dt.datetime.now(dt.UTC),
        )
        assert row.action == "do_not_notify"

    def test_the_service_refuses_weakening_by_omission(
        self, session: Session, register: Register, caseworker: Actor
    ) -> None:
        person = register(nationality="NIC")
        service.record_protection_profile(
            session, actor=caseworker, person_id=person, is_refugee=True
        )
        with pytest.raises(FactWithdrawalRequired):
            service.record_protection_profile(
                session, actor=caseworker, person_id=person, is_refugee=False
            )

    def test_a_fact_recorded_in_people_withdraws_too(
        self,
        session: Session,
        register: Register,
        caseworker: Actor,
        officer: Actor,
    ) -> None:
        person = register(nationality="NIC")
        [row] = service.record_consular_wish(
            session,
            actor=caseworker,
            person_id=person,
            wish="requests",
            detained_at=dt.datetime.now(dt.UTC),
        )
        assert row.status == "task_open"
        people.record_sensitive(
            session,
            actor=officer,
            person_id=person,
            attribute=people.SensitiveKind.ASYLUM_CLAIM,
            value="pending",
            consent=people.ConsentIn(purpose="protection"),
        )
        [row] = service.list_consular(session, actor=caseworker, person_id=person)
        assert row.status == "withdrawn"
        assert "protection:consular:withdraw" in _audit_actions(session, row.id)
        with pytest.raises(PermissionDenied):
            people.erase_sensitive(
                session,
                actor=caseworker,
                person_id=person,
                attribute=people.SensitiveKind.ASYLUM_CLAIM,
            )
        with pytest.raises(PermissionDenied):
            people.flag_for_protection(
                session, actor=caseworker, person_id=person, flagged=False
            )

    def test_a_claim_withdraws_an_open_referral_toward_the_feared_state(
        self,
        session: Session,
        register: Register,
        caseworker: Actor,
        supervisor: Actor,
    ) -> None:
        person = register(nationality="NIC")
        case = service.open_case(session, actor=caseworker, person_id=person)
        entry = service.add_service(
            session,
            actor=supervisor,
            slug=f"nic-legal-{uuid.uuid4().hex[:6]}",
            organisation_name="Legal aid NIC",
            state="NIC",
            service_type="legal_aid",
            place="Managua",
            languages=["es"],
        )
        referral = service.refer_case(
            session,
            actor=caseworker,
            case_id=case.id,
            service_id=entry.id,
            purpose="legal aid",
            shared_fields=["identity"],
            consent_given_by="person",
            consent_until=dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30),
        )
        assert referral.status == "sent"
        service.record_protection_profile(
            session, actor=caseworker, person_id=person, claim_status="pending"
        )
        stored = session.get(Referral, referral.id)
        assert stored is not None
        assert stored.status == "withdrawn"
        open_tasks = session.scalars(
            select(ConsularNotification).where(
                ConsularNotification.person_id == person,
                ConsularNotification.status == "task_open",
            )
        ).all()
        assert open_tasks == []
