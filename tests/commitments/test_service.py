"""Commitments services: the seed, status changes with evidence, who may
change what, and progress computed from financing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from rich.progress import Progress
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente import financing
from puente.commitments import CommitmentFilter, list_commitments, service
from puente.commitments.errors import EvidenceNeeded, InvalidEvidence, UnknownState
from puente.commitments.models import Commitment, Evidence
from puente.commitments.rules import texts
from puente.commitments.schemas import DeliverableCreate, StatusChange
from puente.core.audit import AuditEvent
from puente.core.errors import InvalidInput, PermissionDenied
from puente.identity import Actor, Role, system_actor
from tests.financing.conftest import role_actor

ActorOf = Callable[[str], Actor]


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _first(
    session: Session, state: str | None, kind: str = "deliverable"
) -> Commitment:
    stmt = select(Commitment).where(Commitment.kind == kind)
    stmt = stmt.where(
        Commitment.state == state if state else Commitment.state.is_(None)
    )
    return session.scalars(stmt.order_by(Commitment.position)).first()  # type: ignore[return-value]


class TestSeed:
    def test_the_declaration_packages_and_deliverables_are_loaded(
        self, demo_session: Session
    ) -> None:
        rows = list_commitments(demo_session, actor=system_actor())
        kinds = {
            kind: sum(r.kind == kind for r in rows) for kind in {r.kind for r in rows}
        }
        assert kinds["declaration"] == len(texts.DECLARATION_TEXTS)
        assert kinds["package"] == len(texts.PACKAGE_NAMES)
        assert kinds["deliverable"] >= 30
        assert {r.section for r in rows if r.kind == "declaration"} <= set(
            texts.SECTION_LABELS
        )

    def test_loading_again_adds_nothing(self, demo_session: Session) -> None:
        from puente.commitments import demo

        before = _count(demo_session, Commitment), _count(demo_session, Evidence)
        with Progress(disable=True) as progress:
            assert demo.load(demo_session, progress) == "0 commitments added"
        assert (
            _count(demo_session, Commitment),
            _count(demo_session, Evidence),
        ) == before

    def test_a_state_filter_lists_only_its_deliverables_with_targets(
        self, demo_session: Session
    ) -> None:
        rows = list_commitments(
            demo_session, actor=system_actor(), where=CommitmentFilter(state="USA")
        )
        assert rows
        assert {r.state for r in rows} == {"USA"}
        resettle = next(r for r in rows if r.text.startswith("Resettle refugees"))
        assert resettle.target.quantity == Decimal(20000)
        assert resettle.target.deadline_text == "FY2023-FY2024"
        assert resettle.target.deadline is not None
        assert resettle.target.deadline.isoformat() == "2024-09-30"

    def test_an_unknown_state_is_refused(self) -> None:
        with pytest.raises(UnknownState):
            service.check_state("XYZ")
        with pytest.raises(UnknownState):
            service.check_state("HUB")


class TestStatusChanges:
    def test_a_focal_point_marks_their_states_commitment_in_progress(
        self, demo_session: Session, demo_actor: ActorOf
    ) -> None:
        actor = demo_actor("focal_point.col")
        row = _first(demo_session, "COL")
        evidence_before = _count(demo_session, Evidence)
        audit_before = _count(demo_session, AuditEvent)
        detail = service.change_status(
            demo_session,
            actor=actor,
            commitment_id=row.id,
            change=StatusChange(
                status="in_progress",
                evidence_url="https://www.migracioncolombia.gov.co/etpv",
                evidence_note="Permits issued under Decree 216 of 2021.",
            ),
        )
        assert detail.status == "in_progress"
        assert detail.evidence[0].url == "https://www.migracioncolombia.gov.co/etpv"
        assert _count(demo_session, Evidence) == evidence_before + 1
        assert _count(demo_session, AuditEvent) == audit_before + 1
        event = demo_session.scalars(
            select(AuditEvent).order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None
        assert event.action == "commitments:status:change"
        assert event.object_id == str(row.id)
        assert "Decree" not in event.details  # ids and codes only

    @pytest.mark.parametrize("status", ["in_progress", "fulfilled"])
    def test_progress_without_evidence_is_refused_and_nothing_is_written(
        self, demo_session: Session, demo_actor: ActorOf, status: str
    ) -> None:
        row = _first(demo_session, "COL")
        before = row.status, _count(demo_session, Evidence)
        with pytest.raises(EvidenceNeeded):
            service.change_status(
                demo_session,
                actor=demo_actor("focal_point.col"),
                commitment_id=row.id,
                change=StatusChange(status=status),
            )
        demo_session.refresh(row)
        assert (row.status, _count(demo_session, Evidence)) == before

    def test_a_script_link_is_not_evidence(
        self, demo_session: Session, demo_actor: ActorOf
    ) -> None:
        row = _first(demo_session, "COL")
        with pytest.raises(InvalidEvidence):
            service.change_status(
                demo_session,
                actor=demo_actor("focal_point.col"),
                commitment_id=row.id,
                change=StatusChange(
                    status="fulfilled", evidence_url="javascript:alert(1)"
                ),
            )

    def test_an_unknown_status_is_refused(
        self, demo_session: Session, demo_actor: ActorOf
    ) -> None:
        row = _first(demo_session, "COL")
        with pytest.raises(InvalidInput):
            service.change_status(
                demo_session,
                actor=demo_actor("focal_point.col"),
                commitment_id=row.id,
                change=StatusChange(status="abandoned", evidence_note="x"),
            )

    @pytest.mark.parametrize("state", ["USA", None])
    def test_a_focal_point_cannot_change_another_states_or_the_declarations(
        self, demo_session: Session, demo_actor: ActorOf, state: str | None
    ) -> None:
        row = _first(demo_session, state, "deliverable" if state else "declaration")
        before = row.status, _count(demo_session, Evidence)
        with pytest.raises(PermissionDenied):
            service.change_status(
                demo_session,
                actor=demo_actor("focal_point.col"),
                commitment_id=row.id,
                change=StatusChange(status="fulfilled", evidence_note="Done."),
            )
        demo_session.refresh(row)
        assert (row.status, _count(demo_session, Evidence)) == before

    @pytest.mark.parametrize("role", [Role.DONOR, Role.ANALYST, Role.AUDITOR])
    def test_readers_cannot_change_anything(
        self, demo_session: Session, role: Role
    ) -> None:
        row = _first(demo_session, None, "declaration")
        with pytest.raises(PermissionDenied):
            service.change_status(
                demo_session,
                actor=role_actor(role),
                commitment_id=row.id,
                change=StatusChange(status="planned"),
            )

    def test_the_hub_coordinator_updates_the_declarations_commitments(
        self, demo_session: Session, demo_actor: ActorOf
    ) -> None:
        row = _first(demo_session, None, "declaration")
        detail = service.change_status(
            demo_session,
            actor=demo_actor("coordinator.hub"),
            commitment_id=row.id,
            change=StatusChange(
                status="in_progress",
                evidence_note="Regional financing instrument agreed in Lima.",
            ),
        )
        assert detail.status == "in_progress"
        assert detail.can_update

    def test_reopening_a_fulfilled_commitment_is_allowed(
        self, demo_session: Session, demo_actor: ActorOf
    ) -> None:
        actor = demo_actor("focal_point.col")
        row = _first(demo_session, "COL")
        service.change_status(
            demo_session,
            actor=actor,
            commitment_id=row.id,
            change=StatusChange(status="fulfilled", evidence_note="All issued."),
        )
        again = service.change_status(
            demo_session,
            actor=actor,
            commitment_id=row.id,
            change=StatusChange(status="planned"),
        )
        assert again.status == "planned"


class TestDeliverables:
    def test_a_focal_point_adds_one_for_their_state(
        self, demo_session: Session, demo_actor: ActorOf
    ) -> None:
        detail = service.add_deliverable(
            demo_session,
            actor=demo_actor("focal_point.col"),
            state="COL",
            data=DeliverableCreate(
                text="Open two more integration centres on the border",
                section="stability",
                action_package="AP1",
                target_quantity=Decimal(2),
                target_unit="centres",
            ),
        )
        assert (detail.state, detail.status, detail.kind) == (
            "COL",
            "planned",
            "deliverable",
        )
        assert detail.target.quantity == Decimal(2)

    def test_not_for_another_state(
        self, demo_session: Session, demo_actor: ActorOf
    ) -> None:
        with pytest.raises(PermissionDenied):
            service.add_deliverable(
                demo_session,
                actor=demo_actor("focal_point.col"),
                state="PER",
                data=DeliverableCreate(text="Something", section="stability"),
            )

    def test_an_unknown_section_is_refused(
        self, demo_session: Session, demo_actor: ActorOf
    ) -> None:
        with pytest.raises(InvalidInput):
            service.add_deliverable(
                demo_session,
                actor=demo_actor("focal_point.col"),
                state="COL",
                data=DeliverableCreate(text="Something", section="nowhere"),
            )


class TestProgress:
    def test_money_promised_is_measured_by_the_states_funding_in_financing(
        self, demo_session: Session, demo_actor: ActorOf
    ) -> None:
        donor = demo_actor("donor.can")
        paid = financing.paid_by_country(demo_session, actor=donor)
        rows = list_commitments(
            demo_session, actor=donor, where=CommitmentFilter(state="USA")
        )
        money = [r for r in rows if r.target.unit == "USD"]
        assert money
        for row in money:
            assert row.progress is not None
            assert row.progress.measure == "funding_paid"
            assert row.progress.value == paid.get("USA", Decimal(0))
        detail = service.get_commitment(
            demo_session, actor=donor, commitment_id=money[0].id
        )
        assert sum((p.amount_usd for p in detail.payments), Decimal(0)) == paid.get(
            "USA", Decimal(0)
        )

    def test_roles_without_commitments_read_nothing(
        self, demo_session: Session
    ) -> None:
        with pytest.raises(PermissionDenied):
            list_commitments(demo_session, actor=role_actor(Role.CASEWORKER, "COL"))
