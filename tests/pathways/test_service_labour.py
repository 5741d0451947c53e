from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from puente.pathways import service
from puente.pathways.demo import compliant_offer
from puente.pathways.errors import OfferBlocked, OfferNotFound
from puente.pathways.schemas import (
    PeriodIn,
    RecognitionCreate,
    SchemeIn,
    TotalisationRequest,
)
from tests.pathways.helpers import actor, officer_in, second_employer, workers

FEE = {
    "category": "recruitment_fee",
    "amount": 500,
    "currency": "CAD",
    "paid_by": "worker",
}


def offer(**changes: object) -> dict[str, object]:
    data = compliant_offer("Prairie Growers Co-operative", "CRA BN 1")
    data.update(changes)
    return data


class TestOffers:
    def test_compliant_offer_is_published_and_ranks_workers(
        self, session: Session
    ) -> None:
        workers(session)
        employer = actor(session, "employer.can")
        created = service.create_offer(session, actor=employer, data=offer())
        assert created.status == "published"
        assert not created.blocked
        matches = service.match_workers(session, actor=employer, offer_id=created.id)
        refs = [m.worker_ref for m in matches]
        assert refs[0] == "T-W0-9211"
        assert "T-W3-9211" not in refs  # no consent, never matched
        assert len(matches[0].explanation) == 6
        assert set(matches[0].factors) >= {"occupation", "eligibility"}

    def test_worker_paid_fee_blocks_and_is_never_matched(
        self, session: Session
    ) -> None:
        workers(session)
        employer = actor(session, "employer.can")
        data = offer()
        costs = data["costs"]
        assert isinstance(costs, list)
        data["costs"] = [*costs, FEE]
        created = service.create_offer(session, actor=employer, data=data)
        assert created.blocked
        assert created.status == "blocked"
        er01 = next(c for c in created.checks if c.id == "ER-01")
        assert er01.result == "fail"
        with pytest.raises(OfferBlocked):
            service.match_workers(session, actor=employer, offer_id=created.id)

    def test_employer_b_cannot_see_employer_a_offers(self, session: Session) -> None:
        employer_a = actor(session, "employer.can")
        employer_b = second_employer(session)
        created = service.create_offer(session, actor=employer_a, data=offer())
        assert service.list_offers(session, actor=employer_b) == []
        with pytest.raises(OfferNotFound):
            service.get_offer(session, actor=employer_b, offer_id=created.id)
        with pytest.raises(OfferNotFound):
            service.match_workers(session, actor=employer_b, offer_id=created.id)
        officer = actor(session, "pathways.bra")
        assert any(
            o.id == created.id for o in service.list_offers(session, actor=officer)
        )

    def test_attestation_counts_after_review_by_someone_else(
        self, session: Session
    ) -> None:
        employer = actor(session, "employer.can")
        created = service.create_offer(session, actor=employer, data=offer())
        er16 = next(c for c in created.checks if c.id == "ER-16")
        assert er16.result == "needs_attestation"
        attestation = service.record_attestation(
            session,
            actor=employer,
            offer_id=created.id,
            check_id="ER-16",
            evidence="Orientation session in Spanish, free, 2027-03-15.",
        )
        from puente.core.errors import PermissionDenied

        with pytest.raises(PermissionDenied):
            service.review_attestation(
                session, actor=employer, attestation_id=attestation.id, accept=True
            )
        # A reviewer of another state: the review would be written in Canada's
        # rows, which only Canada may write (both walls refuse it).
        with pytest.raises(PermissionDenied):
            service.review_attestation(
                session,
                actor=actor(session, "pathways.col"),
                attestation_id=attestation.id,
                accept=True,
            )
        reviewed = service.review_attestation(
            session,
            actor=officer_in(session, "CAN"),
            attestation_id=attestation.id,
            accept=True,
        )
        assert next(c for c in reviewed.checks if c.id == "ER-16").result == "pass"

    def test_rights_card_in_the_workers_language(self, session: Session) -> None:
        employer = actor(session, "employer.can")
        created = service.create_offer(session, actor=employer, data=offer())
        card = service.rights_card(
            session, actor=employer, offer_id=created.id, language="ht"
        )
        assert card.title == "Dwa ou nan travay sa a"
        assert any("frè rekritman" in line for line in card.lines)

    def test_offers_for_a_worker(self, session: Session) -> None:
        workers(session)
        employer = actor(session, "employer.can")
        service.create_offer(session, actor=employer, data=offer())
        officer = actor(session, "pathways.col")
        worker = service.list_workers(session, actor=officer, isco="9211")[0]
        ranked = service.match_offers(session, actor=officer, worker_id=worker.id)
        assert ranked
        assert ranked[0].explanation


class TestRecognition:
    def test_decision_is_reused_for_the_same_credential(self, session: Session) -> None:
        officer = actor(session, "pathways.bra")
        service.record_recognition(
            session,
            actor=officer,
            decision=RecognitionCreate(
                qualification="Licenciatura en Enfermería",
                issuing_country="VEN",
                isced_level=6,
                isco="2221",
                outcome="conditional",
                conditions="Portuguese B2",
                reason="Equivalent curriculum.",
            ),
        )
        found = service.find_recognitions(
            session,
            actor=actor(session, "employer.can"),
            qualification="LICENCIATURA EN ENFERMERIA",
            issuing_country="VEN",
            isced_level=6,
        )
        assert [r.outcome for r in found] == ["conditional"]
        assert found[0].state == "BRA"


class TestTotalisation:
    def test_worked_example(self, session: Session) -> None:
        request = TotalisationRequest(
            periods=[
                PeriodIn(
                    state="A",
                    years=Decimal(9),
                    scheme=SchemeIn(
                        minimum_years=Decimal(20),
                        reference_wage=Decimal(2000),
                        base_rate=Decimal("0.40"),
                        base_years=Decimal(20),
                        rate_per_year=Decimal("0.02"),
                    ),
                ),
                PeriodIn(
                    state="B",
                    years=Decimal(13),
                    scheme=SchemeIn(
                        minimum_years=Decimal(15),
                        reference_wage=Decimal(1500),
                        rate_per_year=Decimal("0.016"),
                    ),
                ),
            ]
        )
        result = service.calculate_totalisation(
            session, actor=actor(session, "pathways.col"), request=request
        )
        assert [s.payable for s in result.states] == [
            Decimal("360.00"),
            Decimal("312.00"),
        ]
        assert result.total_payable == Decimal("672.00")
        assert any("880.00 × 9/22 = 360.00" in line for line in result.explanation)
