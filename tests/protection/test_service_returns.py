"""Return decisions: the gate, the 409 naming failed checks, two-person override."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from puente.identity.permissions import Actor
from puente.protection import service
from puente.protection.errors import ReturnBlocked
from puente.protection.rules.returns import OverrideNotAllowed
from tests.protection.conftest import Register

ALL_CLEAR = {
    "torture_risk_assessed": True,
    "consular_step_completed": True,
    "travel_document_available": True,
    "readmission_accepted": True,
    "fit_to_travel": True,
    "family_unity_respected": True,
    "nationality_confirmed_by_destination": True,
}


class TestReturnGate:
    def test_unaccompanied_child_without_bid_cannot_be_approved(
        self, session: Session, caseworker: Actor, supervisor: Actor, register: Register
    ) -> None:
        child = register(birth_date="2013-02-03", nationality="HND")
        screening, _ = service.screen_person(
            session,
            actor=caseworker,
            person_id=child,
            answers={"is_child": True, "is_unaccompanied": True},
        )
        service.open_case(
            session, actor=caseworker, person_id=child, screening_id=screening.id
        )
        view = service.request_return(
            session,
            actor=supervisor,
            person_id=child,
            destination="HND",
            facts={**ALL_CLEAR, "is_child": False},  # cannot talk a child into an adult
        )
        assert view.decision.status == "blocked"
        with pytest.raises(ReturnBlocked) as caught:
            service.approve_return(
                session, actor=supervisor, decision_id=view.decision.id
            )
        assert (
            "child_best_interests_determination" in caught.value.detail["failed_checks"]
        )

    def test_passes_with_a_complete_bid_and_all_checks(
        self, session: Session, caseworker: Actor, supervisor: Actor, register: Register
    ) -> None:
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
        approved = service.approve_return(
            session, actor=supervisor, decision_id=view.decision.id
        )
        assert approved.decision.status == "approved"

    def test_override_needs_two_people_other_than_the_requester(
        self,
        session: Session,
        caseworker: Actor,
        supervisor: Actor,
        officer: Actor,
        register: Register,
        actor_of: object,
    ) -> None:
        person = register(nationality="HND")
        view = service.request_return(
            session,
            actor=officer,
            person_id=person,
            destination="HND",
            facts={**ALL_CLEAR, "fit_to_travel": False},
        )
        with pytest.raises(OverrideNotAllowed):
            service.sign_return_override(
                session,
                actor=officer,
                decision_id=view.decision.id,
                authority="UNHCR",
                legal_basis="Art. 1",
            )
        once = service.sign_return_override(
            session,
            actor=supervisor,
            decision_id=view.decision.id,
            authority="Migración Colombia",
            legal_basis="Decreto 1067",
        )
        assert once.decision.status == "blocked"
        again = service.sign_return_override(
            session,
            actor=supervisor,
            decision_id=view.decision.id,
            authority="Migración Colombia",
            legal_basis="Decreto 1067",
        )
        assert again.decision.status == "blocked"  # the same person twice

    def test_torture_risk_can_never_be_overridden(
        self, session: Session, supervisor: Actor, officer: Actor, register: Register
    ) -> None:
        person = register(nationality="HND")
        view = service.request_return(
            session,
            actor=officer,
            person_id=person,
            destination="HND",
            facts={**ALL_CLEAR, "torture_risk_found": True},
        )
        with pytest.raises(OverrideNotAllowed):
            service.sign_return_override(
                session,
                actor=supervisor,
                decision_id=view.decision.id,
                authority="x",
                legal_basis="y",
            )
