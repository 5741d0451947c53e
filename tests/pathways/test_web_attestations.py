"""Attestation screens: the employer attests an attested check on the offer page, a
pathways officer of the offer's state accepts or rejects it from the review queue,
and the offer page says where each check stands.

The rules (docs/pathways-offers.md): an automatic check that fails blocks the offer
(never published, never matched); an attested check waits for an accepted
attestation but never blocks on its own, and no attestation lifts an automatic
failure."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.core.errors import PermissionDenied
from puente.pathways import service
from puente.pathways.demo import compliant_offer
from puente.pathways.errors import OfferBlocked
from puente.pathways.schemas import OfferRead
from tests.conftest import CSRF
from tests.pathways.helpers import actor, officer_in, second_employer, workers

Login = Callable[[TestClient, str], TestClient]
FEE = {
    "category": "recruitment_fee",
    "amount": 500,
    "currency": "CAD",
    "paid_by": "worker",
}
STATEMENT = "Contract shown in Spanish on 2027-02-01 is the one signed on arrival."


def _offer(session: Session, *, blocked: bool = False) -> OfferRead:
    data = compliant_offer("Prairie Growers Co-operative", "CRA BN 1")
    if blocked:
        costs = data["costs"]
        assert isinstance(costs, list)
        data["costs"] = [*costs, FEE]
    created = service.create_offer(
        session, actor=actor(session, "employer.can"), data=data
    )
    session.commit()
    return created


def _row(html: str, check: str) -> str:
    found = re.search(rf'<tr data-check="{check}"[^>]*>.*?</tr>', html, re.S)
    assert found, check
    return found.group(0)


def _attest(client: TestClient, offer_id: uuid.UUID, check: str = "ER-07") -> None:
    response = client.post(
        f"/pathways/offers/{offer_id}/attestations",
        data={
            **CSRF,
            "check_id": check,
            "statement": STATEMENT,
            "evidence_ref": "Contract CAN-2027-0042",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/pathways/offers/{offer_id}")


def _pending_id(session: Session, offer_id: uuid.UUID, check: str = "ER-07") -> str:
    found = [
        a
        for a in service.list_attestations(
            session, actor=actor(session, "employer.can"), offer_id=offer_id
        )
        if a.check_id == check and a.review == "pending"
    ]
    assert len(found) == 1
    return str(found[0].id)


def _review(
    client: TestClient, attestation_id: str, decision: str, reason: str, **extra: str
) -> int:
    response = client.post(
        f"/pathways/attestations/{attestation_id}/review",
        data={**extra, "decision": decision, "reason": reason},
        follow_redirects=False,
    )
    return response.status_code


@pytest.fixture
def reviewer(session: Session) -> str:
    officer_in(session, "CAN")
    session.commit()
    return "pathways.can"


class TestEmployerAttests:
    def test_offer_page_lists_the_checks_that_need_an_attestation(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _offer(session)
        login_as(client, "employer.can")
        page = client.get(f"/pathways/offers/{offer.id}")
        assert page.status_code == 200
        for check in ("ER-07", "ER-09", "ER-16"):
            assert 'data-status="needs_attestation"' in _row(page.text, check)
            assert f'id="attest-{check}"' in page.text
            assert f'<label for="statement-{check}">' in page.text
            assert f'<label for="evidence-ref-{check}">' in page.text
        assert 'data-status="passed"' in _row(page.text, "ER-01")
        assert 'id="attest-ER-01"' not in page.text  # automatic: nothing to attest
        assert 'name="csrf_token"' in page.text
        assert "3 checks still need an attestation." in page.text

    def test_attestation_waits_for_a_review_and_is_audited(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _offer(session)
        login_as(client, "employer.can")
        _attest(client, offer.id)
        page = client.get(f"/pathways/offers/{offer.id}?attested=ER-07")
        row = _row(page.text, "ER-07")
        assert 'data-status="awaiting_review"' in row
        assert 'data-result="needs_attestation"' in row
        assert 'id="attest-ER-07"' not in page.text  # no second one while waiting
        assert 'id="attested-status"' in page.text
        stored = service.list_attestations(
            session, actor=actor(session, "employer.can"), offer_id=offer.id
        )
        assert [(a.check_id, a.evidence, a.evidence_ref, a.review) for a in stored] == [
            ("ER-07", STATEMENT, "Contract CAN-2027-0042", "pending")
        ]
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "pathways:offer:attest",
                AuditEvent.object_id == str(offer.id),
            )
        ).all()
        assert len(events) == 1
        assert STATEMENT not in events[0].details  # ids and codes only

    def test_an_empty_statement_is_refused_and_nothing_is_recorded(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _offer(session)
        login_as(client, "employer.can")
        response = client.post(
            f"/pathways/offers/{offer.id}/attestations",
            data={**CSRF, "check_id": "ER-09", "statement": " ", "evidence_ref": "x"},
        )
        assert response.status_code == 422
        assert 'id="error-ER-09"' in response.text
        assert 'aria-invalid="true"' in response.text
        assert not service.list_attestations(
            session, actor=actor(session, "employer.can"), offer_id=offer.id
        )

    def test_an_automatic_check_cannot_be_attested(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _offer(session)
        login_as(client, "employer.can")
        response = client.post(
            f"/pathways/offers/{offer.id}/attestations",
            data={**CSRF, "check_id": "ER-01", "statement": STATEMENT},
        )
        assert response.status_code == 422
        assert "ER-01" in response.text
        assert not service.list_attestations(
            session, actor=actor(session, "employer.can"), offer_id=offer.id
        )


class TestReview:
    def test_accepted_attestation_passes_the_check_and_the_offer_is_matched(
        self, client: TestClient, login_as: Login, session: Session, reviewer: str
    ) -> None:
        workers(session)
        offer = _offer(session)
        login_as(client, "employer.can")
        _attest(client, offer.id)
        attestation_id = _pending_id(session, offer.id)

        client.cookies.clear()
        login_as(client, reviewer)
        queue = client.get("/pathways/attestations")
        assert queue.status_code == 200
        assert f'id="attestation-{attestation_id}"' in queue.text
        assert STATEMENT in queue.text
        assert "Contract CAN-2027-0042" in queue.text
        assert f'action="/pathways/attestations/{attestation_id}/review"' in queue.text
        assert f'<label for="reason-{attestation_id}">' in queue.text
        status = _review(client, attestation_id, "accept", "Contract on file.", **CSRF)
        assert status == 303
        after = client.get("/pathways/attestations?reviewed=accepted")
        assert f'id="attestation-{attestation_id}"' not in after.text
        assert 'id="review-status"' in after.text

        client.cookies.clear()
        login_as(client, "employer.can")
        page = client.get(f"/pathways/offers/{offer.id}")
        row = _row(page.text, "ER-07")
        assert 'data-result="pass"' in row
        assert 'data-status="accepted"' in row
        assert "Published" in page.text
        assert "2 checks still need an attestation." in page.text
        assert 'id="matches"' in page.text  # matched: published and not blocked
        stored = service.get_offer(
            session, actor=actor(session, "employer.can"), offer_id=offer.id
        )
        assert stored.status == "published"
        assert not stored.blocked
        assert service.match_workers(
            session, actor=actor(session, "employer.can"), offer_id=offer.id
        )

    def test_rejected_attestation_keeps_the_check_waiting_with_the_reason(
        self, client: TestClient, login_as: Login, session: Session, reviewer: str
    ) -> None:
        offer = _offer(session)
        login_as(client, "employer.can")
        _attest(client, offer.id)
        attestation_id = _pending_id(session, offer.id)
        client.cookies.clear()
        login_as(client, reviewer)
        reason = "The contract reference does not match the file."
        assert _review(client, attestation_id, "reject", reason, **CSRF) == 303

        client.cookies.clear()
        login_as(client, "employer.can")
        page = client.get(f"/pathways/offers/{offer.id}")
        row = _row(page.text, "ER-07")
        assert 'data-result="needs_attestation"' in row
        assert 'data-status="rejected"' in row
        assert reason in row
        assert 'id="attest-ER-07"' in page.text  # the employer can attest again
        checks = service.get_offer(
            session, actor=actor(session, "employer.can"), offer_id=offer.id
        ).checks
        assert next(c for c in checks if c.id == "ER-07").result == "needs_attestation"

    def test_no_review_lifts_an_automatic_failure(
        self, client: TestClient, login_as: Login, session: Session, reviewer: str
    ) -> None:
        offer = _offer(session, blocked=True)
        assert offer.blocked
        login_as(client, "employer.can")
        _attest(client, offer.id, "ER-07")
        _attest(client, offer.id, "ER-16")
        rejected = _pending_id(session, offer.id, "ER-07")
        accepted = _pending_id(session, offer.id, "ER-16")
        client.cookies.clear()
        login_as(client, reviewer)
        assert _review(client, rejected, "reject", "No evidence.", **CSRF) == 303
        assert _review(client, accepted, "accept", "Orientation seen.", **CSRF) == 303

        employer = actor(session, "employer.can")
        stored = service.get_offer(session, actor=employer, offer_id=offer.id)
        assert stored.blocked
        assert stored.status == "blocked"
        by_id = {c.id: c.result for c in stored.checks}
        assert by_id["ER-01"] == "fail"
        assert by_id["ER-16"] == "pass"
        assert by_id["ER-07"] == "needs_attestation"
        with pytest.raises(OfferBlocked):
            service.match_workers(session, actor=employer, offer_id=offer.id)
        client.cookies.clear()
        login_as(client, "employer.can")
        page = client.get(f"/pathways/offers/{offer.id}")
        assert "Blocked" in page.text
        assert 'data-status="failed"' in _row(page.text, "ER-01")

    def test_a_review_needs_a_decision_and_a_reason(
        self, client: TestClient, login_as: Login, session: Session, reviewer: str
    ) -> None:
        offer = _offer(session)
        login_as(client, "employer.can")
        _attest(client, offer.id)
        attestation_id = _pending_id(session, offer.id)
        client.cookies.clear()
        login_as(client, reviewer)
        assert _review(client, attestation_id, "accept", "", **CSRF) == 422
        assert _review(client, attestation_id, "maybe", "Looks fine.", **CSRF) == 422
        _pending_id(session, offer.id)  # still pending

    def test_the_employer_follows_their_own_attestations_without_review_forms(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _offer(session)
        login_as(client, "employer.can")
        _attest(client, offer.id)
        attestation_id = _pending_id(session, offer.id)
        queue = client.get("/pathways/attestations")
        assert queue.status_code == 200
        assert f'id="attestation-{attestation_id}"' in queue.text
        assert "/review" not in queue.text


class TestPermissions:
    def test_the_employer_cannot_review(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _offer(session)
        login_as(client, "employer.can")
        _attest(client, offer.id)
        attestation_id = _pending_id(session, offer.id)
        assert _review(client, attestation_id, "accept", "Mine is fine.", **CSRF) == 403
        _pending_id(session, offer.id)

    def test_a_role_without_offers_gets_403(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _offer(session)
        login_as(client, "caseworker.col")
        assert client.get("/pathways/attestations").status_code == 403
        response = client.post(
            f"/pathways/offers/{offer.id}/attestations",
            data={**CSRF, "check_id": "ER-07", "statement": STATEMENT},
        )
        assert response.status_code == 403

    def test_an_officer_cannot_attest_for_the_employer(
        self, client: TestClient, login_as: Login, session: Session, reviewer: str
    ) -> None:
        offer = _offer(session)
        login_as(client, reviewer)
        page = client.get(f"/pathways/offers/{offer.id}")
        assert page.status_code == 200
        assert 'id="attest-ER-07"' not in page.text
        response = client.post(
            f"/pathways/offers/{offer.id}/attestations",
            data={**CSRF, "check_id": "ER-07", "statement": STATEMENT},
        )
        assert response.status_code == 403

    def test_another_employer_cannot_attest_on_the_offer(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _offer(session)
        second_employer(session)
        session.commit()
        login_as(client, "employer.b")
        response = client.post(
            f"/pathways/offers/{offer.id}/attestations",
            data={**CSRF, "check_id": "ER-07", "statement": STATEMENT},
        )
        assert response.status_code == 404
        assert not service.list_attestations(
            session, actor=actor(session, "employer.can"), offer_id=offer.id
        )

    def test_an_officer_of_another_state_neither_sees_nor_decides_it(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _offer(session)
        login_as(client, "employer.can")
        _attest(client, offer.id)
        attestation_id = _pending_id(session, offer.id)
        client.cookies.clear()
        login_as(client, "pathways.col")
        queue = client.get("/pathways/attestations")
        assert queue.status_code == 200
        assert attestation_id not in queue.text
        assert _review(client, attestation_id, "accept", "Looks fine.", **CSRF) == 403
        _pending_id(session, offer.id)
        with pytest.raises(PermissionDenied):
            service.review_attestation(
                session,
                actor=actor(session, "pathways.col"),
                attestation_id=uuid.UUID(attestation_id),
                accept=True,
            )


class TestCsrf:
    def test_attesting_without_the_token_is_refused(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _offer(session)
        login_as(client, "employer.can")
        response = client.post(
            f"/pathways/offers/{offer.id}/attestations",
            data={"check_id": "ER-07", "statement": STATEMENT},
        )
        assert response.status_code == 403
        assert not service.list_attestations(
            session, actor=actor(session, "employer.can"), offer_id=offer.id
        )

    def test_reviewing_without_the_token_is_refused(
        self, client: TestClient, login_as: Login, session: Session, reviewer: str
    ) -> None:
        offer = _offer(session)
        login_as(client, "employer.can")
        _attest(client, offer.id)
        attestation_id = _pending_id(session, offer.id)
        client.cookies.clear()
        login_as(client, reviewer)
        assert _review(client, attestation_id, "accept", "Contract on file.") == 403
        bad = {"csrf_token": "not-the-cookie"}
        assert (
            _review(client, attestation_id, "accept", "Contract on file.", **bad) == 403
        )
        _pending_id(session, offer.id)


class TestBareLicence:
    """ER-13 with a licence number alone: the data cannot decide it, so the
    employer attests the licence and a reviewer confirms it."""

    def _bare_licence_offer(self, session: Session) -> OfferRead:
        data = compliant_offer("Prairie Growers Co-operative", "CRA BN 1")
        data["recruiter_licence"] = "CAN-ON-123"
        created = service.create_offer(
            session, actor=actor(session, "employer.can"), data=data
        )
        session.commit()
        return created

    def test_the_licence_is_attested_then_confirmed_by_a_reviewer(
        self, client: TestClient, login_as: Login, session: Session, reviewer: str
    ) -> None:
        offer = self._bare_licence_offer(session)
        login_as(client, "employer.can")
        page = client.get(f"/pathways/offers/{offer.id}")
        row = _row(page.text, "ER-13")
        assert 'data-result="needs_attestation"' in row
        assert 'data-status="needs_attestation"' in row
        assert 'value="ER-13"' in page.text  # offered in the attest form
        _attest(client, offer.id, "ER-13")
        row = _row(client.get(f"/pathways/offers/{offer.id}").text, "ER-13")
        assert 'data-status="awaiting_review"' in row

        client.cookies.clear()
        login_as(client, reviewer)
        attestation_id = _pending_id(session, offer.id, "ER-13")
        assert (
            _review(
                client, attestation_id, "accept", "Licence on the register.", **CSRF
            )
            == 303
        )

        client.cookies.clear()
        login_as(client, "employer.can")
        row = _row(client.get(f"/pathways/offers/{offer.id}").text, "ER-13")
        assert 'data-result="pass"' in row
        assert 'data-status="accepted"' in row
        assert "accepted by a reviewer" in row

    def test_a_licence_the_data_decides_cannot_be_attested(
        self, client: TestClient, login_as: Login, session: Session
    ) -> None:
        offer = _offer(session)  # direct hire: ER-13 passes from the data
        login_as(client, "employer.can")
        response = client.post(
            f"/pathways/offers/{offer.id}/attestations",
            data={**CSRF, "check_id": "ER-13", "statement": STATEMENT},
        )
        assert response.status_code == 422
        assert not service.list_attestations(
            session, actor=actor(session, "employer.can"), offer_id=offer.id
        )
