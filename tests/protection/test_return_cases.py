"""Returns that end well: an approved return becomes a return case; a child is
received only by a named caregiver or authority; follow-ups score sustainability;
a return toward a feared state never becomes a case (gate and hard deny)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from puente.identity.permissions import Actor
from puente.protection import service
from puente.protection.errors import (
    ChildHandoverMissing,
    FollowUpInvalid,
    ReturnBlocked,
    ReturnNotApproved,
)
from puente.protection.models import ReturnCase, ReturnDecision, ReturnFollowUp
from puente.protection.rules.disclosure import DisclosureForbidden
from tests.protection.conftest import Register
from tests.protection.test_service_returns import ALL_CLEAR

ARRIVAL = dt.date(2026, 11, 2)


def _approved_child(
    session: Session, caseworker: Actor, supervisor: Actor, register: Register
) -> uuid.UUID:
    child = register(birth_date="2013-02-03", nationality="HND")
    screening, _ = service.screen_person(
        session,
        actor=caseworker,
        person_id=child,
        answers={"is_child": True, "is_unaccompanied": True},
    )
    case = service.open_case(
        session, actor=caseworker, person_id=child, screening_id=screening.id
    )
    service.record_bid(
        session,
        actor=supervisor,
        case_id=case.id,
        panel_member_ids=["a", "b", "c"],
        child_heard=True,
        options_considered=["return", "local_integration"],
        recommendation="recommends_return",
        decided_on=dt.datetime.now(dt.UTC).date(),
    )
    view = service.request_return(
        session,
        actor=supervisor,
        person_id=child,
        destination="HND",
        facts={
            **ALL_CLEAR,
            "guardian_appointed": True,
            "child_heard": True,
            "caregiver_confirmed": True,
        },
    )
    service.approve_return(session, actor=supervisor, decision_id=view.decision.id)
    return view.decision.id


class TestReturnCase:
    def test_a_child_needs_a_named_caregiver_before_being_received(
        self, session: Session, caseworker: Actor, supervisor: Actor, register: Register
    ) -> None:
        decision_id = _approved_child(session, caseworker, supervisor, register)
        case = service.open_return_case(
            session, actor=supervisor, decision_id=decision_id
        ).case
        assert case.is_child
        assert case.status == "opened"
        with pytest.raises(ChildHandoverMissing):
            service.record_reception(
                session,
                actor=supervisor,
                case_id=case.id,
                arrival_date=ARRIVAL,
                place="Centro de Atención al Migrante Retornado, San Pedro Sula",
                receiving_party="DINAF",
                caregiver="  ",
            )
        stored = service.get_return_case(session, actor=supervisor, case_id=case.id)
        assert stored.case.status == "opened"
        assert stored.case.received_at is None
        assert stored.reception == {}
        received = service.record_reception(
            session,
            actor=supervisor,
            case_id=case.id,
            arrival_date=ARRIVAL,
            place="Centro de Atención al Migrante Retornado, San Pedro Sula",
            receiving_party="DINAF",
            caregiver="Abuela materna",
        )
        assert received.case.status == "received"
        assert received.reception["caregiver"] == "Abuela materna"

    def test_plan_follow_ups_export_and_counts(
        self, session: Session, caseworker: Actor, supervisor: Actor, register: Register
    ) -> None:
        decision_id = _approved_child(session, caseworker, supervisor, register)
        case_id = service.open_return_case(
            session, actor=supervisor, decision_id=decision_id
        ).case.id
        again = service.open_return_case(
            session, actor=supervisor, decision_id=decision_id
        )
        assert again.case.id == case_id
        service.record_reception(
            session,
            actor=supervisor,
            case_id=case_id,
            arrival_date=ARRIVAL,
            place="CAMR San Pedro Sula",
            receiving_party="DINAF",
            child_protection_authority="DINAF Oficina Regional Norte",
        )
        view = service.record_plan(
            session,
            actor=supervisor,
            case_id=case_id,
            economic="Beca de formación técnica",
            social="Reinscripción escolar",
            psychosocial="Acompañamiento psicológico",
            referrals=[{"dimension": "social", "service": "Escuela local"}],
        )
        assert view.case.status == "plan_agreed"
        with pytest.raises(FollowUpInvalid):
            service.record_follow_up(
                session,
                actor=supervisor,
                case_id=case_id,
                month=4,
                done_on=dt.date(2027, 3, 1),
                economic=0.5,
                social=0.5,
                psychosocial=0.5,
            )
        with pytest.raises(FollowUpInvalid):
            service.record_follow_up(
                session,
                actor=supervisor,
                case_id=case_id,
                month=3,
                done_on=dt.date(2027, 2, 1),
                economic=1.5,
                social=0.5,
                psychosocial=0.5,
            )
        assert session.scalars(select(ReturnFollowUp)).all() == []
        view = service.record_follow_up(
            session,
            actor=supervisor,
            case_id=case_id,
            month=3,
            done_on=dt.date(2027, 2, 1),
            economic="0.4",
            social="0.8",
            psychosocial="0.6",
        )
        assert view.follow_ups[0].score == Decimal("0.60")
        exported = service.export_return_case(
            session, actor=supervisor, case_id=case_id, agreement_ref="HND-RA-2026"
        )
        assert exported["state_of_return"] == "HND"
        assert exported["follow_ups"][0]["score"] == "0.60"
        assert "claim" not in str(exported)
        counts = service.monthly_return_counts(session, actor=supervisor)
        hnd = [c for c in counts if c.state == "HND"]
        assert hnd
        assert all(c.returns is None or c.returns >= 5 for c in hnd)

    def test_a_draft_is_not_a_return_case(
        self, session: Session, supervisor: Actor, register: Register
    ) -> None:
        person = register(nationality="HND")
        view = service.request_return(
            session,
            actor=supervisor,
            person_id=person,
            destination="HND",
            facts=ALL_CLEAR,
        )
        with pytest.raises(ReturnNotApproved):
            service.open_return_case(
                session, actor=supervisor, decision_id=view.decision.id
            )
        assert session.scalars(select(ReturnCase)).all() == []


class TestNeverTowardTheFearedState:
    def test_gate_and_hard_deny_both_refuse(
        self,
        session: Session,
        caseworker: Actor,
        supervisor: Actor,
        register: Register,
    ) -> None:
        person = register(nationality="VEN")
        service.record_protection_profile(
            session,
            actor=supervisor,
            person_id=person,
            persecutor_states=["VEN"],
            expressed_fear=True,
        )
        view = service.request_return(
            session,
            actor=supervisor,
            person_id=person,
            destination="VEN",
            facts={**ALL_CLEAR, "expressed_fear": True},
        )
        # The gate refuses the approval.
        assert view.decision.status == "blocked"
        with pytest.raises(ReturnBlocked):
            service.approve_return(
                session, actor=supervisor, decision_id=view.decision.id
            )
        # Even with the stored status forced to approved (a bug, a bad edit),
        # the gate, re-run on opening, refuses …
        session.execute(
            update(ReturnDecision)
            .where(ReturnDecision.id == view.decision.id)
            .values(status="approved")
        )
        with pytest.raises(ReturnBlocked):
            service.open_return_case(
                session, actor=supervisor, decision_id=view.decision.id
            )
        # … and with it forced to an override, the feared-state bar refuses.
        session.execute(
            update(ReturnDecision)
            .where(ReturnDecision.id == view.decision.id)
            .values(status="overridden")
        )
        with pytest.raises(DisclosureForbidden):
            service.open_return_case(
                session, actor=supervisor, decision_id=view.decision.id
            )
        assert session.scalars(select(ReturnCase)).all() == []


class TestReturnCaseApi:
    def test_odd_input_is_4xx_and_unknown_case_404(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = {"Authorization": f"Bearer {token_for('supervisor.col')}"}
        missing = uuid.uuid4()
        assert (
            client.get(
                f"/api/v1/protection/return-cases/{missing}", headers=headers
            ).status_code
            == 404
        )
        bad = client.post(
            f"/api/v1/protection/return-cases/{missing}/follow-ups",
            json={"month": 3, "done_on": "2027-01-01", "economic": 7},
            headers=headers,
        )
        assert bad.status_code == 422
        assert (
            client.post(
                f"/api/v1/protection/returns/{missing}/case", headers=headers
            ).status_code
            == 404
        )
        counts = client.get("/api/v1/protection/return-cases/counts", headers=headers)
        assert counts.status_code == 200
        assert all(c["returns"] is None or c["returns"] >= 5 for c in counts.json())
