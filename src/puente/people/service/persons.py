"""Persons: register, read, list, edit with optimistic locking, link, tracing
consent and the protection flag."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from puente.core import audit, events
from puente.core.db import new_id, utcnow
from puente.identity import Actor, Sensitivity, authorize, visible
from puente.people import repository as repo
from puente.people.errors import (
    OriginChangeReasonMissing,
    StaleEdit,
)
from puente.people.events import (
    DuplicateCheckRequested,
    OriginsNarrowing,
    ProtectionFactRecorded,
    TracingConsentWithdrawn,
)
from puente.people.models import (
    Consent,
    ContactDetail,
    Person,
    SensitiveAttribute,
)
from puente.people.schemas import (
    PROTECTION_KINDS,
    ConsentIn,
    PersonCreate,
    PersonFilter,
    PersonPage,
    PersonRead,
    PersonSummary,
    PersonUpdate,
)
from puente.people.service._common import (
    READ,
    WRITE,
    add_document,
    add_registration,
    apply_birth,
    apply_names,
    load_person,
    log,
    read_person,
    record_consent,
    require,
    split_list,
    summarise,
)

# --- persons -----------------------------------------------------------------------


def register_person(
    session: Session, *, actor: Actor, data: PersonCreate
) -> PersonRead:
    """Register a new person in the actor's tenant and organisation.

    Needs `person:write`. Stores normalised names and blocking keys, documents as
    blind index + ciphertext, contacts encrypted, and one registration (encounter).
    Audits `people:person:create`.
    """
    authorize(
        actor,
        WRITE,
        tenant_code=actor.tenant_code,
        organisation_id=actor.organisation_id,
        sensitivity=Sensitivity.PERSONAL,
    )
    now = utcnow()
    person = Person(
        id=new_id(),
        tenant_code=actor.tenant_code,
        organisation_id=actor.organisation_id,
        owner_id=actor.user_id,
        sex=data.sex.value,
        nationality=data.nationality,
        other_nationalities=",".join(data.other_nationalities),
        country_of_birth=data.country_of_birth,
        habitual_residence=data.habitual_residence,
        languages=",".join(data.languages),
        consent_to_tracing=data.consent_to_tracing,
        has_protection_flag=False,
        created_at=now,
        updated_at=now,
    )
    apply_names(person, data.given_name, data.family_name)
    apply_birth(person, data.birth_date)
    session.add(person)
    session.flush()
    repo.add_search_keys(session, person)
    for document in data.documents:
        add_document(session, person, document)
    for contact in data.contacts:
        row_id = new_id()
        session.add(
            ContactDetail(
                id=row_id,
                tenant_code=person.tenant_code,
                person_id=person.id,
                kind=contact.kind.value,
                value_encrypted=repo.seal(
                    tenant=person.tenant_code,
                    table="contact_detail",
                    column="value",
                    row_id=row_id,
                    person_id=person.id,
                    value=contact.value,
                ),
            )
        )
    add_registration(session, actor, person, data.registration)
    if data.consent_to_tracing:
        record_consent(session, actor, person, "tracing", ConsentIn(purpose="tracing"))
    session.flush()
    audit.record(
        session,
        actor,
        "people:person:create",
        object_type="person",
        object_id=person.id,
    )
    log.info("person_registered", person_id=str(person.id))
    # Other states are asked in the background: registration never waits.
    events.publish(session, DuplicateCheckRequested(person.id, person.tenant_code))
    return read_person(session, actor, person)


def get_person(session: Session, *, actor: Actor, person_id: uuid.UUID) -> PersonRead:
    """One person; `PersonNotFound` (404) when out of the actor's reach."""
    require(actor, READ)
    return read_person(session, actor, load_person(session, actor, person_id))


def get_people(
    session: Session, *, actor: Actor, person_ids: Iterable[uuid.UUID]
) -> list[PersonSummary]:
    """Summaries of the visible persons among `person_ids` (others are left out)."""
    require(actor, READ)
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return []
    stmt = visible(actor, select(Person).where(Person.id.in_(ids)), Person, READ)
    found = {p.id: p for p in session.scalars(stmt)}
    return [summarise(found[pid]) for pid in ids if pid in found]


def _order(filters: PersonFilter) -> list[Any]:
    """The ORDER BY of a list: the chosen columns, unknown birth dates last."""
    choices: dict[str, list[Any]] = {
        "registered": [Person.created_at],
        "name": [Person.family_norm, Person.given_norm],
        "birth": [Person.birth_year, Person.birth_month, Person.birth_day],
    }
    columns = choices[filters.sort]
    order: list[Any] = [Person.birth_year.is_(None)] if filters.sort == "birth" else []
    return order + [c.desc() if filters.descending else c.asc() for c in columns]


def list_people(session: Session, *, actor: Actor, filters: PersonFilter) -> PersonPage:
    """Persons the actor may see, newest first, filtered."""
    require(actor, READ)
    stmt = visible(actor, select(Person), Person, READ)
    if filters.nationality:
        stmt = stmt.where(Person.nationality == filters.nationality)
    if filters.sex:
        stmt = stmt.where(Person.sex == filters.sex.value)
    if filters.consent_to_tracing is not None:
        stmt = stmt.where(Person.consent_to_tracing.is_(filters.consent_to_tracing))
    tokens = repo.canonical_tokens(filters.name) if filters.name.strip() else ()
    for token in tokens:
        # Prefix of any canonical token, accents and spellings folded.
        stmt = stmt.where(
            (Person.family_norm.like(f"{token}%"))
            | (Person.family_norm.like(f"% {token}%"))
            | (Person.given_norm.like(f"{token}%"))
            | (Person.given_norm.like(f"% {token}%"))
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(*_order(filters), Person.id)
        .limit(filters.limit)
        .offset(filters.offset)
    ).all()
    return PersonPage(
        items=[summarise(p) for p in rows],
        total=total,
        limit=filters.limit,
        offset=filters.offset,
    )


def update_person(
    session: Session, *, actor: Actor, person_id: uuid.UUID, data: PersonUpdate
) -> PersonRead:
    """Edit a person. `data.expected_version` must be the current version, else
    `StaleEdit` (409) and nothing is written. Audits `people:person:update` with
    the changed field names (never values)."""
    require(actor, WRITE)
    person = load_person(session, actor, person_id, WRITE)
    if person.version != data.expected_version:
        raise StaleEdit()
    changes = data.model_dump(
        exclude_unset=True, exclude={"expected_version", "change_reason"}
    )
    reason = (data.change_reason or "").strip()
    changed: list[str] = []
    given = changes.get("given_name", person.given_name)
    family = changes.get("family_name", person.family_name)
    if (given, family) != (person.given_name, person.family_name):
        apply_names(person, given, family)
        changed.append("name")
    if "birth_date" in changes:
        before = (person.birth_year, person.birth_month, person.birth_day)
        apply_birth(person, changes["birth_date"])
        changed.append("birth_date")
        after = (person.birth_year, person.birth_month, person.birth_day)
        # Search keys carry the whole birth date (read by the probe index).
        if before != after and "name" not in changed:
            changed.append("search_keys")
    if _drops_an_origin(person, changes):
        # A protected person's nationalities and former residence bar disclosure
        # toward those states (DP-1): replacing or removing one weakens a
        # protection fact, which needs its own permission (docs/security.md).
        # Like every withdrawal, it is its own act with a reason.
        protected = _is_protected(session, person)
        if protected:
            authorize(actor, "protection:withdraw_fact", tenant_code=actor.tenant_code)
            if not reason:
                raise OriginChangeReasonMissing()
        # Protection's profile (claim, fear) may protect them too: it decides,
        # and keeps the reason with its withdrawal history.
        events.publish(
            session,
            OriginsNarrowing(
                person.id, person.tenant_code, actor, reason=reason, protected=protected
            ),
        )
    for name in ORIGIN_FIELDS:
        if name in changes:
            setattr(person, name, changes[name])
            changed.append(name)
    if "sex" in changes and changes["sex"] is not None:
        person.sex = str(changes["sex"])
        changed.append("sex")
    if changes.get("other_nationalities") is not None:
        person.other_nationalities = ",".join(changes["other_nationalities"])
        changed.append("other_nationalities")
    if changes.get("languages") is not None:
        person.languages = ",".join(changes["languages"])
        changed.append("languages")
    if changes.get("consent_to_tracing") is not None:
        _set_tracing(session, actor, person, bool(changes["consent_to_tracing"]))
        changed.append("consent_to_tracing")
    if not changed:
        return read_person(session, actor, person)
    person.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise StaleEdit() from None
    if "name" in changed or "search_keys" in changed:
        repo.replace_search_keys(session, person)
    audit.record(
        session,
        actor,
        "people:person:update",
        object_type="person",
        object_id=person.id,
        fields=",".join(sorted(changed)),
    )
    if set(changed) & {*ORIGIN_FIELDS, "other_nationalities"}:
        # For a protected person a new nationality is a new state they are
        # protected from: withdraw at once whatever is open toward it.
        events.publish(session, ProtectionFactRecorded(person.id, person.tenant_code))
    log.info("person_updated", person_id=str(person.id), version=person.version)
    return read_person(session, actor, person)


ORIGIN_FIELDS = ("nationality", "country_of_birth", "habitual_residence")


def _drops_an_origin(person: Person, changes: dict[str, object]) -> bool:
    """Whether the edit replaces or removes a recorded nationality, country of
    birth or habitual residence."""
    recorded = {
        "nationality": person.nationality,
        "country_of_birth": person.country_of_birth,
        "habitual_residence": person.habitual_residence,
    }
    for name, before in recorded.items():
        if name in changes and before and changes[name] != before:
            return True
    others = changes.get("other_nationalities")
    if isinstance(others, list | tuple):
        before_others = set(split_list(person.other_nationalities))
        return not before_others <= {str(n) for n in others}
    return False


def _is_protected(session: Session, person: Person) -> bool:
    """Asylum claim, refugee status, statelessness, feared states or the flag."""
    if person.has_protection_flag:
        return True
    found = session.scalar(
        select(func.count())
        .select_from(SensitiveAttribute)
        .where(
            SensitiveAttribute.person_id == person.id,
            SensitiveAttribute.kind.in_([k.value for k in PROTECTION_KINDS]),
        )
    )
    return bool(found)


def link_or_confirm_new(
    session: Session,
    *,
    actor: Actor,
    data: PersonCreate,
    link_to: uuid.UUID | None,
) -> tuple[PersonRead, bool]:
    """After search before create: record a new encounter of an existing person
    (`link_to`), or confirm that this is a new person and register them.

    Returns the person and whether they were created. Linking adds the
    registration and any new documents, and audits `people:person:link`.
    """
    if link_to is None:
        return register_person(session, actor=actor, data=data), True
    require(actor, WRITE)
    person = load_person(session, actor, link_to, WRITE)
    add_registration(session, actor, person, data.registration)
    for document in data.documents:
        add_document(session, person, document)
    if data.consent_to_tracing and not person.consent_to_tracing:
        _set_tracing(session, actor, person, True)
    person.updated_at = utcnow()
    session.flush()
    audit.record(
        session, actor, "people:person:link", object_type="person", object_id=person.id
    )
    log.info("person_linked", person_id=str(person.id))
    return read_person(session, actor, person), False


def _set_tracing(session: Session, actor: Actor, person: Person, consent: bool) -> None:
    if consent == person.consent_to_tracing:
        return
    person.consent_to_tracing = consent
    if consent:
        record_consent(session, actor, person, "tracing", ConsentIn(purpose="tracing"))
    else:
        for record in session.scalars(
            select(Consent).where(
                Consent.person_id == person.id,
                Consent.purpose == "tracing",
                Consent.revoked_at.is_(None),
            )
        ):
            record.revoked_at = utcnow()
        events.publish(session, TracingConsentWithdrawn(person.id, person.tenant_code))


def set_tracing_consent(
    session: Session, *, actor: Actor, person_id: uuid.UUID, consent: bool
) -> PersonRead:
    """Give or revoke consent to be found by family tracing (a consent record is
    kept either way). Audits `people:tracing_consent:set`."""
    require(actor, WRITE)
    person = load_person(session, actor, person_id, WRITE)
    _set_tracing(session, actor, person, consent)
    person.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "people:tracing_consent:set",
        object_type="person",
        object_id=person.id,
        consent=consent,
    )
    return read_person(session, actor, person)


def flag_for_protection(
    session: Session, *, actor: Actor, person_id: uuid.UUID, flagged: bool = True
) -> None:
    """Mark a person as under a protection flag (e.g. expressed fear at screening);
    feeds `PersonProtectionFacts.has_protection_flag`. Audits the change."""
    require(actor, WRITE)
    if not flagged:
        # Lifting a protection flag weakens a fact: its own permission.
        authorize(actor, "protection:withdraw_fact", tenant_code=actor.tenant_code)
    person = load_person(session, actor, person_id, WRITE)
    if person.has_protection_flag == flagged:
        return
    person.has_protection_flag = flagged
    person.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "people:protection_flag:set",
        object_type="person",
        object_id=person.id,
        flagged=flagged,
    )
    if flagged:
        events.publish(session, ProtectionFactRecorded(person.id, person.tenant_code))
