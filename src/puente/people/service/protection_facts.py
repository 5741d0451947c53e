"""The facts about a person that the protection module needs."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.identity import Actor
from puente.people import repository as repo
from puente.people.models import (
    SensitiveAttribute,
)
from puente.people.schemas import (
    PROTECTION_KINDS,
    PersonProtectionFacts,
    SensitiveKind,
)
from puente.people.service._common import (
    ADULT_AGE,
    READ,
    ages,
    birth_of,
    current_date,
    load_person,
    require,
    split_list,
)

# --- for the protection module ------------------------------------------------


def person_facts_for_protection(
    session: Session, *, actor: Actor, person_id: uuid.UUID
) -> PersonProtectionFacts:
    """Nationalities, age, sex and the protection flags DP-1 and the return gate
    need. Works for any role that can see the person: the flags come from which
    encrypted attributes exist, and feared states are decrypted only to feed the
    disclosure rule (audited as `people:sensitive:use`). Do not display them."""
    require(actor, READ)
    person = load_person(session, actor, person_id)
    rows = session.scalars(
        select(SensitiveAttribute).where(
            SensitiveAttribute.person_id == person.id,
            SensitiveAttribute.kind.in_([k.value for k in PROTECTION_KINDS]),
        )
    ).all()
    kinds = {row.kind for row in rows}
    persecutors: frozenset[str] = frozenset()
    for row in rows:
        if row.kind == SensitiveKind.FEARED_STATES.value:
            value = repo.unseal(
                tenant=row.tenant_code,
                table="sensitive_attribute",
                column="value",
                row_id=row.id,
                blob=row.value_encrypted,
            )
            persecutors = frozenset(split_list(value))
            audit.record(
                session,
                actor,
                "people:sensitive:use",
                object_type="person",
                object_id=person.id,
                attributes=row.kind,
                purpose="disclosure_check",
            )
    birth = birth_of(person)
    youngest, oldest = ages(birth, current_date())
    return PersonProtectionFacts(
        person_id=person.id,
        tenant_code=person.tenant_code,
        sex=person.sex,
        nationality=person.nationality,
        other_nationalities=frozenset(split_list(person.other_nationalities)),
        country_of_birth=person.country_of_birth,
        habitual_residence=person.habitual_residence,
        birth_date=birth.isoformat() if birth else None,
        age=youngest,
        age_max=oldest,
        is_child=None if youngest is None else youngest < ADULT_AGE,
        has_asylum_claim=SensitiveKind.ASYLUM_CLAIM.value in kinds,
        is_refugee=SensitiveKind.REFUGEE_STATUS.value in kinds,
        is_stateless=SensitiveKind.STATELESSNESS.value in kinds,
        has_protection_flag=person.has_protection_flag
        or SensitiveKind.FEARED_STATES.value in kinds,
        persecutor_states=persecutors,
        consent_to_tracing=person.consent_to_tracing,
    )
