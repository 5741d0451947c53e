"""The service directory and referrals with purpose-bound consent.

A referral names a purpose, the data categories the receiving organisation may
see and an end date. The receiving organisation accepts, declines (with a reason)
or completes it. Revoking consent stops every further read by the recipient and
shows on both sides. A referral to a provider in a state the person is protected
from is refused (DP-1), whatever the consent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.db import new_id, utcnow
from puente.core.errors import InvalidInput
from puente.identity import Actor, authorize, visible
from puente.protection.errors import (
    ConsentExpired,
    ConsentMissing,
    ConsentRevoked,
    DeclineReasonMissing,
    GuardianConsentRequired,
    ReferralNotFound,
    ReferralStateConflict,
    ReferralWithdrawn,
    ServiceNotFound,
)
from puente.protection.models import Case, Referral, ServiceDirectoryEntry
from puente.protection.rules import consent
from puente.protection.rules.disclosure import Channel, is_disclosable
from puente.protection.schemas import ReferralRecord, ServiceView
from puente.protection.service._common import (
    add_event,
    guard_disclosure,
    protection_facts,
    record,
    visible_case,
)
from puente.protection.service._people import PersonFacts, PersonLabel, person_label

SERVICE_TYPES = (
    "shelter",
    "health",
    "mental_health",
    "legal_aid",
    "child_protection",
    "gbv_response",
    "anti_trafficking",
    "asylum_information",
    "family_tracing",
    "cash_assistance",
    "education",
    "documentation",
)
# Data categories a referral may share. The protection claim is never one of them.
SHAREABLE_FIELDS = ("identity", "contact", "specific_needs", "case_summary")
# Allowed moves of a referral: (from, to)
_MOVES = {
    ("sent", "accepted"),
    ("sent", "declined"),
    ("accepted", "completed"),
}


@dataclass(frozen=True)
class ReferralView:
    """What the receiving organisation may read while consent stands."""

    referral: ReferralRecord
    service: ServiceView
    person: PersonLabel | None
    specific_needs: tuple[str, ...]
    case_summary: str


def list_services(
    session: Session,
    *,
    actor: Actor,
    service_type: str | None = None,
    state: str | None = None,
    language: str | None = None,
) -> list[ServiceView]:
    authorize(actor, "case:read", tenant_code=actor.tenant_code)
    stmt = select(ServiceDirectoryEntry).where(ServiceDirectoryEntry.is_active)
    if service_type:
        stmt = stmt.where(ServiceDirectoryEntry.service_type == service_type)
    if state:
        stmt = stmt.where(ServiceDirectoryEntry.state == state.upper())
    if language:
        stmt = stmt.where(ServiceDirectoryEntry.languages.contains(language))
    stmt = stmt.order_by(
        ServiceDirectoryEntry.state, ServiceDirectoryEntry.organisation_name
    )
    return [
        ServiceView.model_validate(row)
        for row in list(
            session.scalars(visible(actor, stmt, ServiceDirectoryEntry, "case:read"))
        )
    ]


def add_service(
    session: Session,
    *,
    actor: Actor,
    slug: str,
    organisation_name: str,
    state: str,
    service_type: str,
    place: str,
    languages: list[str],
    capacity: int | None = None,
    hours: str = "",
    organisation_id: uuid.UUID | None = None,
) -> ServiceView:
    """Add a service to this tenant's directory (`referral:write`)."""
    authorize(actor, "referral:write", tenant_code=actor.tenant_code)
    if service_type not in SERVICE_TYPES or len(state) != 3:
        raise InvalidInput()
    entry = ServiceDirectoryEntry(
        id=new_id(),
        tenant_code=actor.tenant_code,
        slug=slug,
        organisation_name=organisation_name,
        provider_organisation_id=organisation_id,
        state=state.upper(),
        service_type=service_type,
        place=place,
        languages=",".join(languages),
        capacity=capacity,
        hours=hours,
    )
    session.add(entry)
    session.flush()
    record(
        session,
        actor,
        "protection:service:create",
        object_type="service",
        object_id=entry.id,
    )
    return ServiceView.model_validate(entry)


def _service(
    session: Session, actor: Actor, service_id: uuid.UUID
) -> ServiceDirectoryEntry:
    entry = session.scalars(
        visible(
            actor,
            select(ServiceDirectoryEntry).where(ServiceDirectoryEntry.id == service_id),
            ServiceDirectoryEntry,
            "case:read",
        )
    ).one_or_none()
    if entry is None:
        raise ServiceNotFound()
    return entry


_CHILD_FLAGS = frozenset({"unaccompanied_child", "separated_child"})


def _is_child(person: PersonFacts, case: Case) -> bool:
    """Under 18 by the records, or a case flagged as an unaccompanied or
    separated child."""
    if person.is_child or (person.age_years is not None and person.age_years < 18):
        return True
    return bool(set(case.flags.split(",")) & _CHILD_FLAGS)


def refer_case(
    session: Session,
    *,
    actor: Actor,
    case_id: uuid.UUID,
    service_id: uuid.UUID,
    purpose: str,
    shared_fields: list[str],
    consent_given_by: str | None,
    consent_until: dt.date,
) -> ReferralRecord:
    """Refer a case to a service (`referral:write`) with purpose-bound consent.

    Raises ConsentMissing without purpose, data categories or a future end date,
    GuardianConsentRequired when a child's consent is recorded as the child's
    own (unsaid, a child's is recorded as the guardian's), and
    DisclosureForbidden toward a state the person is protected from. Audits
    `protection:referral:create`.
    """
    authorize(actor, "referral:write", tenant_code=actor.tenant_code)
    case = visible_case(session, actor, case_id, "case:write")
    service = _service(session, actor, service_id)
    fields = sorted(set(shared_fields))
    if (
        not purpose.strip()
        or not fields
        or any(f not in SHAREABLE_FIELDS for f in fields)
        or consent_until <= dt.datetime.now(dt.UTC).date()
    ):
        raise ConsentMissing()
    person, facts = protection_facts(session, actor, case.person_id)
    try:
        given_by = consent.consent_giver(
            consent_given_by, is_child=_is_child(person, case)
        )
    except consent.GuardianRequired:
        raise GuardianConsentRequired() from None
    except ValueError:
        raise ConsentMissing() from None
    referral = Referral(
        id=new_id(),
        tenant_code=case.tenant_code,
        case_id=case.id,
        service_id=service.id,
        recipient_state=service.state,
        recipient_organisation_id=service.provider_organisation_id,
        purpose=purpose.strip()[:300],
        shared_fields=",".join(fields),
        consent_given_by=given_by,
        consent_until=consent_until,
        status="sent",
        sent_by=actor.user_id,
        sent_at=utcnow(),
    )
    # DP-1 before anything is written: a refusal leaves no referral behind.
    guard_disclosure(
        session,
        actor,
        facts=facts,
        person_id=case.person_id,
        recipient_state=service.state,
        channel=Channel.REFERRAL,
        object_id=referral.id,
    )
    session.add(referral)
    session.flush()
    add_event(session, actor, case, "referred", service.service_type)
    record(
        session,
        actor,
        "protection:referral:create",
        object_type="referral",
        object_id=referral.id,
        case_id=str(case.id),
        service_id=str(service.id),
    )
    return ReferralRecord.model_validate(referral)


def list_referrals(
    session: Session, *, actor: Actor, case_id: uuid.UUID
) -> list[ReferralRecord]:
    """Referrals of a case (sender side), with their consent state."""
    case = visible_case(session, actor, case_id)
    return [
        ReferralRecord.model_validate(row)
        for row in list(
            session.scalars(
                select(Referral)
                .where(Referral.case_id == case.id)
                .order_by(Referral.sent_at.desc())
            )
        )
    ]


def referral_inbox(session: Session, *, actor: Actor) -> list[ReferralRecord]:
    """Referrals sent to the actor's organisation (`referral:write`), revoked ones
    included so that the recipient sees the revocation."""
    authorize(actor, "referral:write", tenant_code=actor.tenant_code)
    if actor.organisation_id is None:
        return []
    stmt = (
        select(Referral)
        .where(
            Referral.tenant_code == actor.tenant_code,
            Referral.recipient_organisation_id == actor.organisation_id,
        )
        .order_by(Referral.sent_at.desc())
    )
    return [ReferralRecord.model_validate(row) for row in list(session.scalars(stmt))]


def _referral_for(
    session: Session, actor: Actor, referral_id: uuid.UUID
) -> tuple[Referral, bool, bool]:
    """The referral and whether the actor is its recipient and/or its sender."""
    authorize(actor, "referral:write", tenant_code=actor.tenant_code)
    referral = session.scalars(
        select(Referral).where(
            Referral.id == referral_id, Referral.tenant_code == actor.tenant_code
        )
    ).one_or_none()
    if referral is None:
        raise ReferralNotFound()
    is_recipient = (
        actor.organisation_id is not None
        and referral.recipient_organisation_id == actor.organisation_id
    )
    sender_case = session.scalars(
        visible(
            actor,
            select(Case.id).where(Case.id == referral.case_id),
            Case,
            "case:read",
        )
    ).first()
    is_sender = sender_case is not None
    if not is_recipient and not is_sender:
        raise ReferralNotFound()
    return referral, is_recipient, is_sender


def _require_consent(referral: Referral) -> None:
    if referral.consent_revoked_at is not None:
        raise ConsentRevoked()
    if referral.status == "withdrawn":
        raise ReferralWithdrawn()
    if referral.consent_until < dt.datetime.now(dt.UTC).date():
        raise ConsentExpired()


def _recheck_disclosure(session: Session, referral: Referral) -> None:
    """At the moment of acting: the referral must still be allowed by the
    person's facts *now* (else refused; the write path has withdrawn it)."""
    from puente.identity import system_actor

    case = session.get(Case, referral.case_id)
    if case is None:
        raise ReferralNotFound()
    system = system_actor(case.tenant_code)
    _person, facts = protection_facts(session, system, case.person_id)
    if not is_disclosable(facts, referral.recipient_state, Channel.REFERRAL):
        raise ReferralWithdrawn()


def read_referral(
    session: Session, *, actor: Actor, referral_id: uuid.UUID
) -> ReferralView:
    """The recipient's view: only the consented data categories, and only while
    consent stands (ConsentRevoked after revocation). Audited."""
    referral, is_recipient, _is_sender = _referral_for(session, actor, referral_id)
    if not is_recipient:
        raise ReferralNotFound()
    _require_consent(referral)
    _recheck_disclosure(session, referral)
    case = session.get(Case, referral.case_id)
    service = session.get(ServiceDirectoryEntry, referral.service_id)
    if case is None or service is None:
        raise ReferralNotFound()
    shared = set(referral.shared_fields.split(","))
    from puente.identity import system_actor

    person = None
    if "identity" in shared:
        # The recipient reads through the referral's consent, not a case grant.
        person = person_label(session, system_actor(case.tenant_code), case.person_id)
    record(
        session,
        actor,
        "protection:referral:read",
        object_type="referral",
        object_id=referral.id,
    )
    return ReferralView(
        referral=ReferralRecord.model_validate(referral),
        service=ServiceView.model_validate(service),
        person=person,
        specific_needs=tuple(c for c in case.flags.split(",") if c)
        if "specific_needs" in shared
        else (),
        case_summary=case.summary if "case_summary" in shared else "",
    )


def respond_to_referral(
    session: Session,
    *,
    actor: Actor,
    referral_id: uuid.UUID,
    target: str,
    reason: str = "",
) -> ReferralRecord:
    """The receiving organisation accepts, declines (with a reason) or completes."""
    referral, is_recipient, _is_sender = _referral_for(session, actor, referral_id)
    if not is_recipient:
        raise ReferralNotFound()
    _require_consent(referral)
    _recheck_disclosure(session, referral)
    if (referral.status, target) not in _MOVES:
        raise ReferralStateConflict(status=referral.status, target=target)
    if target == "declined" and not reason.strip():
        raise DeclineReasonMissing()
    referral.status = target
    referral.decline_reason = reason.strip()[:500] if target == "declined" else ""
    referral.responded_by = actor.user_id
    referral.responded_at = utcnow()
    session.flush()
    case = session.get(Case, referral.case_id)
    if case is not None:
        add_event(session, actor, case, "referral_" + target)
    record(
        session,
        actor,
        f"protection:referral:{target}",
        object_type="referral",
        object_id=referral.id,
    )
    return ReferralRecord.model_validate(referral)


def revoke_referral_consent(
    session: Session, *, actor: Actor, referral_id: uuid.UUID
) -> ReferralRecord:
    """Record that the person withdrew consent (sender side); from now on the
    recipient can read nothing more, and both sides see the revocation."""
    referral, _is_recipient, is_sender = _referral_for(session, actor, referral_id)
    if not is_sender:
        raise ReferralNotFound()
    if referral.consent_revoked_at is None:
        referral.consent_revoked_at = utcnow()
        referral.consent_revoked_by = actor.user_id
        if referral.status in ("sent", "accepted"):
            referral.status = "revoked"
        session.flush()
        case = session.get(Case, referral.case_id)
        if case is not None:
            add_event(session, actor, case, "referral_consent_revoked")
        record(
            session,
            actor,
            "protection:referral:revoke_consent",
            object_type="referral",
            object_id=referral.id,
        )
    return ReferralRecord.model_validate(referral)


def get_referral(
    session: Session, *, actor: Actor, referral_id: uuid.UUID
) -> tuple[ReferralRecord, bool, bool]:
    """The referral (no person data) for either side, with the side flags:
    `(referral, is_recipient, is_sender)`."""
    referral, is_recipient, is_sender = _referral_for(session, actor, referral_id)
    return ReferralRecord.model_validate(referral), is_recipient, is_sender
