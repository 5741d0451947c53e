"""Helpers shared by the protection services: sealing, audit, the visible case,
the feared-state guard every outbound channel passes through, and the timeline."""

from __future__ import annotations

import json
import uuid
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.crypto import decrypt_field, encrypt_field, get_keyring
from puente.core.db import utcnow
from puente.identity import Actor, authorize, visible
from puente.protection.errors import CaseNotFound, ReturnDecisionNotFound
from puente.protection.models import (
    Case,
    CaseEvent,
    ProtectionProfile,
    ReturnDecision,
)
from puente.protection.rules.disclosure import (
    Channel,
    DisclosureForbidden,
    ProtectionFacts,
    check_disclosure,
)
from puente.protection.service._people import PersonFacts, person_facts

log = structlog.get_logger(__name__)


def seal(tenant: str, table: str, column: str, row_id: uuid.UUID, value: Any) -> bytes:
    return encrypt_field(
        get_keyring(),
        tenant=tenant,
        table=table,
        column=column,
        row_id=str(row_id),
        value=json.dumps(value, sort_keys=True),
    )


def unseal(tenant: str, table: str, column: str, row_id: uuid.UUID, blob: bytes) -> Any:
    return json.loads(
        decrypt_field(
            get_keyring(),
            tenant=tenant,
            table=table,
            column=column,
            row_id=str(row_id),
            blob=blob,
        )
    )


def codes(text: str) -> list[str]:
    return [item for item in text.split(",") if item]


def visible_case(
    session: Session, actor: Actor, case_id: uuid.UUID, permission: str = "case:read"
) -> Case:
    """The case if the actor may see it through `permission`; else CaseNotFound
    (another tenant's or organisation's case answers 404, never 403)."""
    authorize(actor, permission, tenant_code=actor.tenant_code)
    case = session.scalars(
        visible(actor, select(Case).where(Case.id == case_id), Case, permission)
    ).one_or_none()
    if case is None:
        raise CaseNotFound()
    return case


def visible_decision(
    session: Session, actor: Actor, decision_id: uuid.UUID
) -> ReturnDecision:
    """A return decision the actor may decide on (`return:decide`); another
    tenant's or an unknown id answers `ReturnDecisionNotFound`."""
    authorize(actor, "return:decide", tenant_code=actor.tenant_code)
    decision = session.scalars(
        visible(
            actor,
            select(ReturnDecision).where(ReturnDecision.id == decision_id),
            ReturnDecision,
            "return:decide",
        )
    ).one_or_none()
    if decision is None:
        raise ReturnDecisionNotFound()
    return decision


def add_event(
    session: Session, actor: Actor, case: Case, kind: str, detail: str = ""
) -> None:
    session.add(
        CaseEvent(
            tenant_code=case.tenant_code,
            case_id=case.id,
            kind=kind,
            detail=detail,
            actor_id=actor.user_id,
            occurred_at=utcnow(),
        )
    )


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    object_type: str,
    object_id: uuid.UUID,
    **details: str | int | bool | None,
) -> None:
    extra: dict[str, Any] = dict(details)
    audit.record(
        session, actor, action, object_type=object_type, object_id=object_id, **extra
    )
    log.info(action.replace(":", "_"), object_id=str(object_id))


# --- the feared-state bar ------------------------------------------------------

PROFILE_FIELDS = (
    "country_of_origin",
    "former_habitual_residences",
    "persecutor_states",
    "claim_status",
    "is_refugee",
    "is_stateless",
    "expressed_fear",
)


def load_profile(
    session: Session, tenant_code: str, person_id: uuid.UUID
) -> dict[str, Any]:
    row = session.scalars(
        select(ProtectionProfile).where(
            ProtectionProfile.tenant_code == tenant_code,
            ProtectionProfile.person_id == person_id,
        )
    ).one_or_none()
    if row is None:
        return {}
    data: dict[str, Any] = unseal(
        row.tenant_code, "protection_profile", "facts", row.id, row.facts_sealed
    )
    return data


def protection_facts(
    session: Session, actor: Actor, person_id: uuid.UUID
) -> tuple[PersonFacts, ProtectionFacts]:
    """The person's facts from `people` and the DP-1 facts from the profile."""
    person = person_facts(session, actor, person_id)
    profile = load_profile(session, actor.tenant_code, person_id)
    claim = str(profile.get("claim_status") or "none")
    residences = set(profile.get("former_habitual_residences") or ())
    if person.habitual_residence:
        residences.add(person.habitual_residence)
    origin = profile.get("country_of_origin") or person.country_of_birth
    if person.country_of_birth and person.country_of_birth != origin:
        # A country of origin recorded later never drops the country of birth
        # from the feared states (found by the state machine, proof9).
        residences.add(person.country_of_birth)
    facts = ProtectionFacts(
        nationalities=person.nationalities,
        country_of_origin=origin,
        former_habitual_residences=frozenset(residences),
        persecutor_states=frozenset(profile.get("persecutor_states") or ())
        | person.persecutor_states,
        has_asylum_claim=claim != "none" or person.has_asylum_claim,
        is_refugee=bool(profile.get("is_refugee")) or person.is_refugee,
        is_stateless=bool(profile.get("is_stateless")) or person.is_stateless,
        has_protection_flag=bool(profile.get("expressed_fear"))
        or person.has_protection_flag,
    )
    return person, facts


def guard_disclosure(
    session: Session,
    actor: Actor,
    *,
    facts: ProtectionFacts,
    person_id: uuid.UUID,
    recipient_state: str,
    channel: Channel,
    object_id: uuid.UUID | None = None,
) -> None:
    """Every channel calls this before anything about a person leaves: raises
    `DisclosureForbidden` toward a feared state, else audits the disclosure."""
    try:
        check_disclosure(facts, recipient_state, channel)
    except DisclosureForbidden:
        audit.record(
            session,
            actor,
            "protection:disclosure:refused",
            object_type="person",
            object_id=person_id,
            channel=channel.value,
        )
        raise
    audit.record(
        session,
        actor,
        "protection:disclosure:allowed",
        object_type="person",
        object_id=person_id,
        channel=channel.value,
        recipient_state=recipient_state,
        ref=str(object_id) if object_id else None,
    )
