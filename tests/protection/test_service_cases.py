"""Cases: open, visibility across tenants, workflow with approvals, optimistic
locking, case plan, notes encrypted."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from puente.core.errors import NotFound
from puente.identity.permissions import Actor
from puente.protection import service
from puente.protection.errors import SelfApprovalNotAllowed, StaleCase
from puente.protection.models import Note
from puente.protection.rules.workflow import ApprovalRequired
from tests.protection.conftest import Register


class TestOpenCase:
    def test_opens_a_case_from_a_screening_with_its_flags(
        self, session: Session, caseworker: Actor, register: Register
    ) -> None:
        child = register(birth_date="2014-05-01")
        screening, outcome = service.screen_person(
            session,
            actor=caseworker,
            person_id=child,
            answers={"is_child": True, "is_separated": True},
        )
        case = service.open_case(
            session, actor=caseworker, person_id=child, screening_id=screening.id
        )
        assert "separated_child" in case.flags
        assert case.case_type == "child_protection"
        assert case.state == "new"
        assert outcome.recommended_action == "open_child_protection_case"

    def test_another_tenants_person_is_not_found(
        self,
        session: Session,
        caseworker: Actor,
        caseworker_pan: Actor,
        register: Register,
    ) -> None:
        person = register()
        with pytest.raises(NotFound):
            service.open_case(session, actor=caseworker_pan, person_id=person)

    def test_another_tenant_cannot_read_the_case(
        self,
        session: Session,
        caseworker: Actor,
        supervisor: Actor,
        caseworker_pan: Actor,
        register: Register,
    ) -> None:
        case = service.open_case(session, actor=caseworker, person_id=register())
        assert (
            service.get_case(session, actor=supervisor, case_id=case.id).id == case.id
        )
        with pytest.raises(NotFound):
            service.get_case(session, actor=caseworker_pan, case_id=case.id)


class TestWorkflow:
    def test_case_plan_needs_the_supervisors_approvals(
        self, session: Session, caseworker: Actor, supervisor: Actor, register: Register
    ) -> None:
        case = service.open_case(session, actor=caseworker, person_id=register())
        service.move_case(
            session, actor=caseworker, case_id=case.id, target="assessment"
        )
        with pytest.raises(ApprovalRequired):
            service.move_case(
                session, actor=caseworker, case_id=case.id, target="case_plan"
            )
        service.request_approval(
            session, actor=caseworker, case_id=case.id, kind="assessment"
        )
        assert [a.case_id for a in service.pending_approvals(session, actor=supervisor)]
        service.decide_approval(
            session, actor=supervisor, case_id=case.id, kind="assessment", approve=True
        )
        service.move_case(
            session, actor=caseworker, case_id=case.id, target="case_plan"
        )
        goal = service.add_goal(
            session, actor=caseworker, case_id=case.id, description="Safe shelter"
        )
        service.add_task(
            session,
            actor=caseworker,
            case_id=case.id,
            goal_id=goal.id,
            description="Call the shelter",
        )
        service.request_approval(
            session, actor=caseworker, case_id=case.id, kind="case_plan"
        )
        service.decide_approval(
            session, actor=supervisor, case_id=case.id, kind="case_plan", approve=True
        )
        moved = service.move_case(
            session, actor=caseworker, case_id=case.id, target="services"
        )
        assert moved.state == "services"
        kinds = [
            e.kind for e in service.timeline(session, actor=caseworker, case_id=case.id)
        ]
        assert kinds[0] == "opened"
        assert "approval_approved" in kinds

    def test_a_supervisor_cannot_approve_their_own_request(
        self, session: Session, supervisor: Actor, register: Register
    ) -> None:
        case = service.open_case(session, actor=supervisor, person_id=register())
        service.move_case(
            session, actor=supervisor, case_id=case.id, target="assessment"
        )
        service.request_approval(
            session, actor=supervisor, case_id=case.id, kind="assessment"
        )
        with pytest.raises(SelfApprovalNotAllowed):
            service.decide_approval(
                session,
                actor=supervisor,
                case_id=case.id,
                kind="assessment",
                approve=True,
            )


class TestOptimisticLocking:
    def test_a_stale_edit_is_refused_and_changes_nothing(
        self, session: Session, caseworker: Actor, register: Register
    ) -> None:
        case = service.open_case(session, actor=caseworker, person_id=register())
        version = case.version
        service.update_case(
            session,
            actor=caseworker,
            case_id=case.id,
            expected_version=version,
            summary="first",
        )
        with pytest.raises(StaleCase):
            service.update_case(
                session,
                actor=caseworker,
                case_id=case.id,
                expected_version=version,
                summary="second",
            )
        stored = service.get_case(session, actor=caseworker, case_id=case.id)
        assert stored.summary == "first"


class TestNotes:
    def test_a_note_is_encrypted_at_rest(
        self, session: Session, caseworker: Actor, register: Register
    ) -> None:
        case = service.open_case(session, actor=caseworker, person_id=register())
        service.add_note(
            session, actor=caseworker, case_id=case.id, body="MARKER-NOTE-7781"
        )
        session.flush()
        raw = session.execute(text("SELECT body_sealed FROM protection_note")).all()
        assert raw
        assert all(b"MARKER-NOTE-7781" not in bytes(r[0]) for r in raw)
        notes = service.list_notes(session, actor=caseworker, case_id=case.id)
        assert notes[0].body == "MARKER-NOTE-7781"
        assert session.scalars(select(Note)).first() is not None
