"""Referrals: consent, feared-state refusal, recipient inbox, revocation."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.identity.models import Organisation
from puente.identity.permissions import Actor
from puente.protection import service
from puente.protection.errors import ConsentMissing, ConsentRevoked, ReferralNotFound
from puente.protection.rules.disclosure import DisclosureForbidden
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
