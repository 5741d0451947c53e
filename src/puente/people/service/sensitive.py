"""Sensitive attributes (encrypted, every read audited) and erasure."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from puente.core import audit, events
from puente.core.crypto import get_person_keys, key_owner
from puente.core.db import new_id, utcnow
from puente.core.errors import InvalidInput
from puente.identity import Actor, Sensitivity, authorize, ceiling, system_actor
from puente.people import repository as repo
from puente.people.errors import (
    SensitiveNotAllowed,
)
from puente.people.events import (
    ProtectionFactRecorded,
)
from puente.people.models import (
    Consent,
    ContactDetail,
    IdentityDocument,
    Person,
    PersonMerge,
    PersonSearchKey,
    SensitiveAttribute,
)
from puente.people.schemas import (
    PROTECTION_KINDS,
    ConsentIn,
    SensitiveKind,
    SensitiveRead,
    SensitiveRecorded,
)
from puente.people.service._common import (
    READ,
    WRITE,
    load_person,
    log,
    record_consent,
    require,
)

# --- sensitive attributes -----------------------------------------------------


def can_read_sensitive(actor: Actor) -> bool:
    return ceiling(actor, READ) >= Sensitivity.SENSITIVE


def _feared_states(value: str) -> str:
    codes = sorted({code.strip().upper() for code in value.split(",") if code.strip()})
    if not codes or not all(len(c) == 3 and c.isalpha() for c in codes):
        raise InvalidInput("Feared states are ISO 3166 alpha-3 codes, e.g. VEN.")
    return ",".join(codes)


def record_sensitive(
    session: Session,
    *,
    actor: Actor,
    person_id: uuid.UUID,
    attribute: SensitiveKind,
    value: str,
    consent: ConsentIn,
) -> SensitiveRecorded:
    """Store one sensitive fact, encrypted and bound to its row, with the consent
    under which it was asked. Needs `person:write` (whoever asked may record; only
    roles with the sensitive ceiling can read it back). Audits
    `people:sensitive:write` with the attribute name, never the value."""
    require(actor, WRITE)
    person = load_person(session, actor, person_id, WRITE)
    if attribute is SensitiveKind.FEARED_STATES:
        value = _feared_states(value)
    record = record_consent(
        session, actor, person, f"sensitive:{consent.purpose}", consent
    )
    existing = session.scalars(
        select(SensitiveAttribute).where(
            SensitiveAttribute.person_id == person.id,
            SensitiveAttribute.kind == attribute.value,
        )
    ).one_or_none()
    if attribute is SensitiveKind.FEARED_STATES and existing is not None:
        # Feared states only grow by an edit (removing one: erase_sensitive
        # with `protection:withdraw_fact`).
        before = repo.unseal(
            tenant=existing.tenant_code,
            table="sensitive_attribute",
            column="value",
            row_id=existing.id,
            blob=existing.value_encrypted,
        )
        value = _feared_states(",".join([before, value]))
    row = existing or SensitiveAttribute(
        id=new_id(),
        tenant_code=person.tenant_code,
        person_id=person.id,
        kind=attribute.value,
    )
    row.value_encrypted = repo.seal(
        tenant=person.tenant_code,
        table="sensitive_attribute",
        column="value",
        row_id=row.id,
        person_id=person.id,
        value=value,
    )
    row.consent_id = record.id
    row.recorded_by = actor.user_id
    row.recorded_at = utcnow()
    if existing is None:
        session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "people:sensitive:write",
        object_type="person",
        object_id=person.id,
        attribute=attribute.value,
    )
    if attribute in PROTECTION_KINDS:
        events.publish(session, ProtectionFactRecorded(person.id, person.tenant_code))
    log.info("sensitive_recorded", person_id=str(person.id), attribute=attribute.value)
    return SensitiveRecorded(
        id=row.id,
        person_id=person.id,
        attribute=attribute.value,
        recorded_at=row.recorded_at,
    )


def read_sensitive(
    session: Session,
    *,
    actor: Actor,
    person_id: uuid.UUID,
    attribute: SensitiveKind | None = None,
    purpose: str = "case_work",
) -> list[SensitiveRead]:
    """Decrypt a person's sensitive facts (one, or all). Only roles whose
    `person:read` ceiling is SENSITIVE (else `SensitiveNotAllowed`, 403, after the
    person lookup so a stranger still gets 404). Every read is audited as
    `people:sensitive:read` with the attribute names and purpose."""
    require(actor, READ)
    person = load_person(session, actor, person_id)
    if not can_read_sensitive(actor):
        raise SensitiveNotAllowed()
    authorize(
        actor,
        READ,
        tenant_code=person.tenant_code,
        organisation_id=person.organisation_id,
        owner_id=person.owner_id,
        sensitivity=Sensitivity.SENSITIVE,
    )
    stmt = (
        select(SensitiveAttribute, Consent)
        .join(Consent, Consent.id == SensitiveAttribute.consent_id)
        .where(SensitiveAttribute.person_id == person.id)
        .order_by(SensitiveAttribute.kind)
    )
    if attribute is not None:
        stmt = stmt.where(SensitiveAttribute.kind == attribute.value)
    found: list[SensitiveRead] = []
    for row, consent in session.execute(stmt):
        found.append(
            SensitiveRead(
                attribute=row.kind,
                value=repo.unseal(
                    tenant=row.tenant_code,
                    table="sensitive_attribute",
                    column="value",
                    row_id=row.id,
                    blob=row.value_encrypted,
                ),
                recorded_at=row.recorded_at,
                recorded_by=row.recorded_by,
                consent_given_by=consent.given_by,
                consent_method=consent.method,
                consent_purpose=consent.purpose,
                consent_given_at=consent.given_at,
            )
        )
    audit.record(
        session,
        actor,
        "people:sensitive:read",
        object_type="person",
        object_id=person.id,
        attributes=",".join(item.attribute for item in found),
        purpose=purpose[:40],
    )
    return found


def erase_sensitive(
    session: Session, *, actor: Actor, person_id: uuid.UUID, attribute: SensitiveKind
) -> None:
    """Delete one sensitive fact (withdrawn consent); the ciphertext goes with it.
    A fact that bars disclosure (claim, status, feared states) is removed only
    by a role with `protection:withdraw_fact`."""
    require(actor, WRITE)
    if attribute in PROTECTION_KINDS:
        authorize(actor, "protection:withdraw_fact", tenant_code=actor.tenant_code)
    person = load_person(session, actor, person_id, WRITE)
    session.execute(
        delete(SensitiveAttribute).where(
            SensitiveAttribute.person_id == person.id,
            SensitiveAttribute.kind == attribute.value,
        )
    )
    audit.record(
        session,
        actor,
        "people:sensitive:erase",
        object_type="person",
        object_id=person.id,
        attribute=attribute.value,
    )


def erase_person(
    session: Session, *, actor: Actor, person_id: uuid.UUID, reason: str = ""
) -> None:
    """Erase a person by crypto-shredding (ADR 0010).

    Destroys the person's data keys first (theirs and those of records merged
    into theirs), so every copy of their encrypted values
    (documents, contacts, sensitive facts), backups included, becomes unreadable;
    then deletes those rows and the search keys here and blanks the names, keeping
    a tombstone row (`erased_at`) that other modules' references still resolve to.
    Audits `people:person:erase` with the id and the `reason` given (an erasure
    request's reference, never a name; `puente people erase` requires one).
    Idempotent."""
    require(actor, WRITE)
    person = load_person(session, actor, person_id, WRITE)
    # Every key that sealed something now theirs: their own, those of rows moved in
    # by a merge, and those of the records merged into this one.
    owners = {person.id}
    for blob in (
        *session.scalars(
            select(IdentityDocument.number_encrypted).where(
                IdentityDocument.person_id == person.id
            )
        ),
        *session.scalars(
            select(ContactDetail.value_encrypted).where(
                ContactDetail.person_id == person.id
            )
        ),
        *session.scalars(
            select(SensitiveAttribute.value_encrypted).where(
                SensitiveAttribute.person_id == person.id
            )
        ),
    ):
        owner = key_owner(blob)
        if owner is not None:
            owners.add(owner)
    owners.update(
        session.scalars(
            select(PersonMerge.merged_person_id).where(
                PersonMerge.kept_person_id == person.id,
                PersonMerge.undone_at.is_(None),
            )
        )
    )
    store = get_person_keys()
    for owner_id in sorted(owners):
        store.destroy(person.tenant_code, owner_id)
    if person.erased_at is not None:
        return
    _tombstone(session, actor, person, reason=reason[:200])


def _tombstone(
    session: Session,
    actor: Actor,
    person: Person,
    *,
    reason: str = "",
    replayed: bool = False,
) -> None:
    """Delete what was sealed with the person's keys and the search keys, blank
    the names and birth date, keep the row (`erased_at`); audited."""
    for model in (SensitiveAttribute, ContactDetail, IdentityDocument):
        session.execute(delete(model).where(model.person_id == person.id))
    keys = delete(PersonSearchKey).where(PersonSearchKey.person_id == person.id)
    session.execute(keys)
    person.given_name = person.family_name = ""
    person.given_norm = person.family_norm = ""
    person.birth_year = person.birth_month = person.birth_day = None
    person.birth_precision = None
    person.erased_at = utcnow()
    person.updated_at = utcnow()
    audit.record(
        session,
        actor,
        "people:person:erase",
        object_type="person",
        object_id=person.id,
        reason=reason or None,
        replayed=replayed,
    )
    log.info("person_erased", person_id=str(person.id))


def replay_erasures(session: Session, *, batch: int = 500) -> int:
    """Erase again every person whose key the key store has destroyed but whose
    row still shows them: a database restored from a backup taken before the
    erasure (ADR 0010). The key store lives outside the database and its backups,
    so it is the record of who was erased; the sealed values were unreadable
    already, and this removes the names, birth date and search keys the restored
    row still carries. Runs as the system (`puente db upgrade` runs it after the
    migrations); returns how many persons it erased. Idempotent."""
    destroyed = get_person_keys().destroyed()
    erased = 0
    for start in range(0, len(destroyed), batch):
        ids = [pid for _tenant, pid in destroyed[start : start + batch]]
        rows = session.scalars(
            select(Person).where(Person.id.in_(ids), Person.erased_at.is_(None))
        ).all()
        for person in rows:
            _tombstone(session, system_actor(person.tenant_code), person, replayed=True)
            erased += 1
    session.flush()
    return erased
