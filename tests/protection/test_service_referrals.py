"""Referrals: consent, feared-state refusal, recipient inbox, revocation."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.identity.models import Organisation
from puente.identity.permissions import Actor
from puente.protection import service
from puente.protection.errors import (
    ConsentMissing,
    ConsentRevoked,
    GuardianConsentRequired,
    ReferralNotFound,
)
from puente.protection.models import Referral
from puente.protection.rules.disclosure import DisclosureForbidden
from puente.protection.schemas import ReferralRecord
from tests.protection.conftest import Register

UNTIL = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=90)


def _service(
    session: Session, actor: Actor, state: str, org_slug: str | None
) -> uuid.UUID:
    org_id = None
    if org_slug:
        org_id = session.scalars(
            select(Organisation.id).where(
                Organisation.tenant_code == actor.tenant_code,
                Organisation.slug == org_slug,
            )
        ).one()
    entry = service.add_service(
        session,
        actor=actor,
        slug=f"test-{uuid.uuid4().hex[:8]}",
        organisation_name="Test provider",
        state=state,
        service_type="shelter",
        place="Cúcuta",
        languages=["es"],
        organisation_id=org_id,
    )
    return entry.id


def _refer(
    session: Session, actor: Actor, case_id: uuid.UUID, service_id: uuid.UUID
) -> uuid.UUID:
    return service.refer_case(
        session,
        actor=actor,
        case_id=case_id,
        service_id=service_id,
        purpose="Safe shelter",
        shared_fields=["identity", "specific_needs"],
        consent_given_by="person",
        consent_until=UNTIL,
    ).id


class TestReferral:
    def test_needs_consent_with_purpose_and_end_date(
        self, session: Session, caseworker: Actor, register: Register
    ) -> None:
        case = service.open_case(session, actor=caseworker, person_id=register())
        sid = _service(session, caseworker, "COL", "unhcr")
        with pytest.raises(ConsentMissing):
            service.refer_case(
                session,
                actor=caseworker,
                case_id=case.id,
                service_id=sid,
                purpose="",
                shared_fields=["identity"],
                consent_given_by="person",
                consent_until=UNTIL,
            )

    def test_refused_toward_the_state_the_person_fled(
        self, session: Session, caseworker: Actor, register: Register
    ) -> None:
        person = register(nationality="VEN")
        service.record_protection_profile(
            session, actor=caseworker, person_id=person, claim_status="pending"
        )
        case = service.open_case(session, actor=caseworker, person_id=person)
        sid = _service(session, caseworker, "VEN", None)
        with pytest.raises(DisclosureForbidden):
            _refer(session, caseworker, case.id, sid)

    def test_revocation_stops_the_recipients_access_and_shows_on_both_sides(
        self,
        session: Session,
        caseworker: Actor,
        officer: Actor,
        caseworker_pan: Actor,
        register: Register,
    ) -> None:
        case = service.open_case(session, actor=caseworker, person_id=register())
        referral_id = _refer(
            session, caseworker, case.id, _service(session, caseworker, "COL", "unhcr")
        )
        assert referral_id in [
            r.id for r in service.referral_inbox(session, actor=officer)
        ]
        view = service.read_referral(session, actor=officer, referral_id=referral_id)
        assert view.person is not None
        assert view.person.given_name == "María"
        service.respond_to_referral(
            session, actor=officer, referral_id=referral_id, target="accepted"
        )
        service.revoke_referral_consent(
            session, actor=caseworker, referral_id=referral_id
        )
        with pytest.raises(ConsentRevoked):
            service.read_referral(session, actor=officer, referral_id=referral_id)
        with pytest.raises(ConsentRevoked):
            service.respond_to_referral(
                session, actor=officer, referral_id=referral_id, target="completed"
            )
        inbox = service.referral_inbox(session, actor=officer)
        revoked = next(r for r in inbox if r.id == referral_id)
        assert revoked.status == "revoked"
        assert revoked.consent_revoked_at is not None
        sent = service.list_referrals(session, actor=caseworker, case_id=case.id)
        assert sent[0].status == "revoked"
        with pytest.raises(ReferralNotFound):
            service.read_referral(
                session, actor=caseworker_pan, referral_id=referral_id
            )


class TestChildConsent:
    """A child's referral records the consent of a parent or guardian, never the
    child's own as if an adult's."""

    def _refer_child(
        self, session: Session, caseworker: Actor, register: Register, **given: str
    ) -> ReferralRecord:
        child = register(birth_date="2015-05-06")
        case = service.open_case(session, actor=caseworker, person_id=child)
        sid = _service(session, caseworker, "COL", "unhcr")
        return service.refer_case(
            session,
            actor=caseworker,
            case_id=case.id,
            service_id=sid,
            purpose="Child-friendly space",
            shared_fields=["identity"],
            consent_until=UNTIL,
            consent_given_by=given.get("by"),
        )

    def test_unsaid_it_is_recorded_as_the_guardians(
        self, session: Session, caseworker: Actor, register: Register
    ) -> None:
        referral = self._refer_child(session, caseworker, register)
        stored = session.get(Referral, referral.id)
        assert stored is not None
        assert stored.consent_given_by == "guardian"

    def test_a_childs_own_consent_is_refused_and_nothing_written(
        self, session: Session, caseworker: Actor, register: Register
    ) -> None:
        before = session.scalar(select(func.count()).select_from(Referral))
        with pytest.raises(GuardianConsentRequired):
            self._refer_child(session, caseworker, register, by="person")
        assert session.scalar(select(func.count()).select_from(Referral)) == before

    def test_an_adult_unsaid_is_the_persons_own(
        self, session: Session, caseworker: Actor, register: Register
    ) -> None:
        case = service.open_case(session, actor=caseworker, person_id=register())
        sid = _service(session, caseworker, "COL", "unhcr")
        referral = service.refer_case(
            session,
            actor=caseworker,
            case_id=case.id,
            service_id=sid,
            purpose="Shelter",
            shared_fields=["identity"],
            consent_given_by=None,
            consent_until=UNTIL,
        )
        assert referral.consent_given_by == "person"

    def test_the_referral_page_says_a_guardian_gave_it(
        self,
        session: Session,
        caseworker: Actor,
        register: Register,
        client: TestClient,
        login_as: Callable[[TestClient, str], TestClient],
    ) -> None:
        referral = self._refer_child(session, caseworker, register)
        session.commit()
        login_as(client, "caseworker.col")
        page = client.get(
            f"/protection/referrals/{referral.id}", headers={"Accept-Language": "es"}
        )
        assert page.status_code == 200
        assert 'id="consent-given-by"' in page.text
        assert "Madre, padre o tutor" in page.text
