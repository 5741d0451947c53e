from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.core.errors import PermissionDenied
from puente.identity import system_actor
from puente.pathways import service
from puente.pathways.errors import FactsError
from puente.pathways.models import Screening
from tests.pathways.helpers import actor

FACTS = {
    "age": 30,
    "nationality": "VEN",
    "country_of_residence": "COL",
    "date_of_entry": "2020-03-01",
}


class TestScreenPerson:
    def test_stores_encrypted_facts_and_results(self, session: Session) -> None:
        officer = actor(session, "pathways.col")
        read = service.screen_person(
            session, actor=officer, facts=FACTS, language="es", applicant_ref="A-1"
        )
        assert read.id is not None
        etpv = next(r for r in read.results if r.pathway_id == "col-etpv")
        assert etpv.outcome == "eligible"
        assert read.questions
        row = session.get(Screening, read.id)
        assert row is not None
        assert b"VEN" not in row.facts_encrypted
        assert row.tenant_code == "COL"
        again = service.get_screening(session, actor=officer, screening_id=read.id)
        assert [r.outcome for r in again.results] == [r.outcome for r in read.results]

    def test_unknown_fact_is_refused_naming_it(self, session: Session) -> None:
        officer = actor(session, "pathways.col")
        with pytest.raises(FactsError, match="shoe_size"):
            service.screen_person(session, actor=officer, facts={"shoe_size": 42})

    def test_employer_cannot_screen(self, session: Session) -> None:
        with pytest.raises(PermissionDenied):
            service.screen_person(
                session, actor=actor(session, "employer.can"), facts=FACTS
            )

    def test_another_tenant_cannot_read_the_screening(self, session: Session) -> None:
        read = service.screen_person(
            session, actor=actor(session, "pathways.col"), facts=FACTS
        )
        assert read.id is not None
        from puente.pathways.errors import ScreeningNotFound

        with pytest.raises(ScreeningNotFound):
            service.get_screening(
                session, actor=actor(session, "pathways.bra"), screening_id=read.id
            )


class TestPathwayChanges:
    def test_closing_a_pathway_rescreens_and_never_strands_a_case(
        self, session: Session
    ) -> None:
        officer = actor(session, "pathways.col")
        system = system_actor()
        service.load_shipped_catalogue(session, actor=system)
        facts = dict(FACTS, has_national_id=True, has_criminal_record=False)
        read = service.screen_person(session, actor=officer, facts=facts)
        assert read.id is not None
        application = service.apply_to_pathway(
            session, actor=officer, pathway_id="col-etpv", screening_id=read.id
        )
        assert application.status == "active"
        session.commit()
        report = service.set_pathway_state(
            session, actor=system, pathway_id="col-etpv", state="closed"
        )
        assert report is not None
        assert report.change == "closed"
        assert report.applications == 1
        # Nothing is re-screened before the change commits ...
        assert (
            service.get_application(
                session, actor=officer, application_id=application.id
            ).status
            == "active"
        )
        # ... then the PathwayChanged subscribers re-screen, in their own unit of work.
        session.commit()
        session.expire_all()
        closed = service.get_application(
            session, actor=officer, application_id=application.id
        )
        assert closed.status == "pathway_closed"
        assert closed.alternatives
        assert "col-etpv" not in closed.alternatives
        assert closed.alternative_titles
        assert closed.notifications
        row = session.get(Screening, read.id)
        assert row is not None
        assert row.rescreened_at is not None
        assert all(r["pathway_id"] != "col-etpv" for r in row.results)
        tags = set(session.scalars(select(AuditEvent.action)))
        assert {"pathways:screening:rescreen", "pathways:application:rescreen"} <= tags
        opened = service.set_pathway_state(
            session, actor=system, pathway_id="col-etpv", state="dates"
        )
        assert opened is not None
        assert opened.change == "opened"
        session.commit()
        session.expire_all()
        back = service.get_application(
            session, actor=officer, application_id=application.id
        )
        assert back.status == "active"
        row = session.get(Screening, read.id)
        assert row is not None
        assert any(r["pathway_id"] == "col-etpv" for r in row.results)

    def test_a_rolled_back_change_rescreens_nothing(self, session: Session) -> None:
        officer = actor(session, "pathways.col")
        system = system_actor()
        service.load_shipped_catalogue(session, actor=system)
        read = service.screen_person(session, actor=officer, facts=FACTS)
        assert read.id is not None
        session.commit()
        service.set_pathway_state(
            session, actor=system, pathway_id="col-etpv", state="closed"
        )
        session.rollback()
        session.expire_all()
        row = session.get(Screening, read.id)
        assert row is not None
        assert row.rescreened_at is None
        assert any(r["pathway_id"] == "col-etpv" for r in row.results)

    def test_the_catalogue_imports_neither_screening_nor_applications(self) -> None:
        import ast
        import inspect

        from puente.pathways.service import catalogue

        tree = ast.parse(inspect.getsource(catalogue))
        modules = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert "puente.pathways.service.screening" not in modules
        assert "puente.pathways.service.applications" not in modules

    def test_closing_needs_the_publishing_state(self, session: Session) -> None:
        with pytest.raises(PermissionDenied):
            service.set_pathway_state(
                session,
                actor=actor(session, "focal_point.col"),
                pathway_id="can-sawp",
                state="closed",
            )

    def test_catalogue_lists_by_state_with_sources(self, session: Session) -> None:
        reader = actor(session, "employer.can")
        pathways = service.list_pathways(
            session, actor=reader, state="COL", today=date(2026, 11, 28)
        )
        assert {p.id for p in pathways} >= {"col-etpv"}
        assert all(p.source_url.startswith("http") for p in pathways)


class TestApplications:
    def test_stages_documents_and_decision(self, session: Session) -> None:
        officer = actor(session, "pathways.col")
        application = service.apply_to_pathway(
            session, actor=officer, pathway_id="col-etpv", applicant_ref="A-2"
        )
        assert application.stage == "submitted"
        assert application.documents
        from puente.pathways.errors import DecisionNotAllowed, StageNotAllowed

        with pytest.raises(StageNotAllowed):
            service.advance_application(
                session, actor=officer, application_id=application.id, stage="decision"
            )
        with pytest.raises(DecisionNotAllowed):
            service.decide_application(
                session,
                actor=officer,
                application_id=application.id,
                outcome="approved",
                reason="ok",
            )
        for stage in ("documents", "biometrics", "decision"):
            service.advance_application(
                session, actor=officer, application_id=application.id, stage=stage
            )
        doc = next(iter(application.documents))
        service.record_document(
            session, actor=officer, application_id=application.id, document=doc
        )
        decided = service.decide_application(
            session,
            actor=officer,
            application_id=application.id,
            outcome="approved",
            reason="Meets every condition of the statute.",
        )
        assert decided.status == "approved"
        assert decided.stage == "permit_issued"
        assert decided.decisions[0].reason.startswith("Meets")
        assert decided.documents[doc] is True
        assert len(decided.notifications) == 4

    def test_another_tenant_cannot_see_applications(self, session: Session) -> None:
        officer = actor(session, "pathways.col")
        service.apply_to_pathway(
            session, actor=officer, pathway_id="col-etpv", applicant_ref="A-3"
        )
        other = service.list_applications(session, actor=actor(session, "pathways.bra"))
        assert all(a.applicant_ref != "A-3" for a in other)
        assert session.scalars(select(Screening.id)).all() is not None
