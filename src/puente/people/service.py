"""People use cases: register, search before create, link, edit with optimistic
locking, households, tracing consent, sensitive attributes and the facts the
protection module needs.

Every read goes through `identity.visible`; a person out of the actor's reach is
`PersonNotFound` (404), never a 403 that would confirm the record exists. Logs
carry ids only; sensitive values are never logged, and every sensitive read is
audited in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import structlog
from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from puente.core import audit, events
from puente.core.crypto import get_person_keys, key_owner
from puente.core.db import new_id, utcnow
from puente.core.errors import InvalidInput
from puente.identity import Actor, Sensitivity, authorize, ceiling, visible
from puente.people import repository as repo
from puente.people.errors import (
    AlreadyMember,
    HouseholdNotFound,
    PersonNotFound,
    SensitiveNotAllowed,
    StaleEdit,
)
from puente.people.events import (
    HouseholdRegistered,
    PersonRegistered,
    PersonUpdated,
    ProtectionFactRecorded,
)
from puente.people.models import (
    Consent,
    ContactDetail,
    Household,
    HouseholdMember,
    IdentityDocument,
    Person,
    PersonMerge,
    PersonSearchKey,
    Registration,
    SensitiveAttribute,
)
from puente.people.rules.birth_dates import PartialDate, parse_partial_date
from puente.people.rules.matching import (
    FieldComparison,
    Likelihood,
    MatchResult,
    PersonFacts,
    compare_persons,
    name_agreement,
    normalise_document_number,
)
from puente.people.schemas import (
    PROTECTION_KINDS,
    Candidate,
    ConsentIn,
    ContactRead,
    DocumentCreate,
    DocumentRead,
    FieldComparisonRead,
    HouseholdCreate,
    HouseholdMemberIn,
    HouseholdMemberRead,
    HouseholdRead,
    HouseholdRegistration,
    PersonCreate,
    PersonFilter,
    PersonPage,
    PersonProtectionFacts,
    PersonRead,
    PersonSummary,
    PersonUpdate,
    RegistrationCreate,
    RegistrationRead,
    SearchQuery,
    SensitiveKind,
    SensitiveRead,
    SensitiveRecorded,
)

log = structlog.get_logger(__name__)

READ = "person:read"
WRITE = "person:write"
ADULT_AGE = 18


# --- helpers ---------------------------------------------------------------------


def _today() -> dt.date:
    return utcnow().date()


def _partial(
    year: int | None, month: int | None, day: int | None
) -> PartialDate | None:
    return PartialDate(year, month, day) if year is not None else None


def _years_between(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def ages(birth: PartialDate | None, today: dt.date) -> tuple[int | None, int | None]:
    """Youngest and oldest age a possibly partial birth date allows."""
    if birth is None:
        return None, None
    return _years_between(birth.latest, today), _years_between(birth.earliest, today)


def _split_list(text: str) -> list[str]:
    return [item for item in text.split(",") if item]


def _get_person(
    session: Session, actor: Actor, person_id: uuid.UUID, permission: str = READ
) -> Person:
    stmt = visible(
        actor, select(Person).where(Person.id == person_id), Person, permission
    )
    person = session.scalars(stmt).one_or_none()
    if person is None:
        raise PersonNotFound()
    return person


def _require(actor: Actor, permission: str) -> None:
    """Refuse (403) an actor with no grant at all; targets are checked by lookup."""
    authorize(actor, permission, sensitivity=Sensitivity.PERSONAL)


def _birth(person: Person) -> PartialDate | None:
    return _partial(person.birth_year, person.birth_month, person.birth_day)


def _apply_birth(person: Person, text: str | None) -> None:
    birth = parse_partial_date(text) if text else None
    person.birth_year = birth.year if birth else None
    person.birth_month = birth.month if birth else None
    person.birth_day = birth.day if birth else None
    person.birth_precision = birth.precision.value if birth else None


def _apply_names(person: Person, given_name: str, family_name: str) -> None:
    person.given_name = given_name
    person.family_name = family_name
    person.given_norm = " ".join(repo.canonical_tokens(given_name))
    person.family_norm = " ".join(repo.canonical_tokens(family_name))


def _add_document(session: Session, person: Person, document: DocumentCreate) -> None:
    number = normalise_document_number(document.number)
    if not number:
        raise InvalidInput("A document number needs letters or digits.")
    index = repo.document_index(person.tenant_code, number)
    exists = session.scalars(
        select(IdentityDocument.id).where(
            IdentityDocument.person_id == person.id,
            IdentityDocument.number_index == index,
        )
    ).first()
    if exists is not None:
        return
    row_id = new_id()
    session.add(
        IdentityDocument(
            id=row_id,
            tenant_code=person.tenant_code,
            person_id=person.id,
            document_type=document.document_type.value,
            number_index=index,
            number_encrypted=repo.seal(
                tenant=person.tenant_code,
                table="identity_document",
                column="number",
                row_id=row_id,
                person_id=person.id,
                value=number,
            ),
            number_hint=number[-3:],
            issuing_state=document.issuing_state,
        )
    )


def _add_registration(
    session: Session, actor: Actor, person: Person, data: RegistrationCreate | None
) -> None:
    data = data or RegistrationCreate()
    session.add(
        Registration(
            tenant_code=person.tenant_code,
            person_id=person.id,
            point_kind=data.point_kind.value,
            place=data.place,
            registered_at=data.registered_at or utcnow(),
            registered_by=actor.user_id,
            organisation_id=actor.organisation_id,
        )
    )


def _read(session: Session, actor: Actor, person: Person) -> PersonRead:
    birth = _birth(person)
    youngest, _oldest = ages(birth, _today())
    documents = session.scalars(
        select(IdentityDocument)
        .where(IdentityDocument.person_id == person.id)
        .order_by(IdentityDocument.created_at)
    ).all()
    registrations = session.scalars(
        select(Registration)
        .where(Registration.person_id == person.id)
        .order_by(Registration.registered_at.desc())
    ).all()
    contacts: list[ContactRead] = []
    if ceiling(actor, READ) >= Sensitivity.PERSONAL:
        for contact in session.scalars(
            select(ContactDetail)
            .where(ContactDetail.person_id == person.id)
            .order_by(ContactDetail.created_at)
        ):
            value = repo.unseal(
                tenant=contact.tenant_code,
                table="contact_detail",
                column="value",
                row_id=contact.id,
                blob=contact.value_encrypted,
            )
            contacts.append(ContactRead(id=contact.id, kind=contact.kind, value=value))
    return PersonRead(
        id=person.id,
        tenant_code=person.tenant_code,
        organisation_id=person.organisation_id,
        given_name=person.given_name,
        family_name=person.family_name,
        sex=person.sex,
        birth_date=birth.isoformat() if birth else None,
        birth_precision=person.birth_precision,
        age=youngest,
        nationality=person.nationality,
        other_nationalities=_split_list(person.other_nationalities),
        country_of_birth=person.country_of_birth,
        habitual_residence=person.habitual_residence,
        languages=_split_list(person.languages),
        consent_to_tracing=person.consent_to_tracing,
        version=person.version,
        created_at=person.created_at,
        updated_at=person.updated_at,
        documents=[
            DocumentRead(
                id=d.id,
                document_type=d.document_type,
                number_hint=d.number_hint,
                issuing_state=d.issuing_state,
            )
            for d in documents
        ],
        contacts=contacts,
        registrations=[
            RegistrationRead(
                id=r.id,
                point_kind=r.point_kind,
                place=r.place,
                registered_at=r.registered_at,
                registered_by=r.registered_by,
            )
            for r in registrations
        ],
    )


def _summary(person: Person) -> PersonSummary:
    birth = _birth(person)
    return PersonSummary(
        id=person.id,
        given_name=person.given_name,
        family_name=person.family_name,
        sex=person.sex,
        birth_date=birth.isoformat() if birth else None,
        nationality=person.nationality,
        consent_to_tracing=person.consent_to_tracing,
        created_at=person.created_at,
    )


# --- persons -----------------------------------------------------------------------


def register_person(
    session: Session, *, actor: Actor, data: PersonCreate
) -> PersonRead:
    """Register a new person in the actor's tenant and organisation.

    Needs `person:write`. Stores normalised names and blocking keys, documents as
    blind index + ciphertext, contacts encrypted, and one registration (encounter).
    Audits `people:person:create`; publishes `PersonRegistered`.
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
    _apply_names(person, data.given_name, data.family_name)
    _apply_birth(person, data.birth_date)
    session.add(person)
    session.flush()
    repo.add_search_keys(session, person)
    for document in data.documents:
        _add_document(session, person, document)
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
    _add_registration(session, actor, person, data.registration)
    if data.consent_to_tracing:
        _record_consent(session, actor, person, "tracing", ConsentIn(purpose="tracing"))
    session.flush()
    audit.record(
        session,
        actor,
        "people:person:create",
        object_type="person",
        object_id=person.id,
    )
    events.publish(session, PersonRegistered(person.id, person.tenant_code))
    log.info("person_registered", person_id=str(person.id))
    return _read(session, actor, person)


def get_person(session: Session, *, actor: Actor, person_id: uuid.UUID) -> PersonRead:
    """One person; `PersonNotFound` (404) when out of the actor's reach."""
    _require(actor, READ)
    return _read(session, actor, _get_person(session, actor, person_id))


def get_people(
    session: Session, *, actor: Actor, person_ids: Iterable[uuid.UUID]
) -> list[PersonSummary]:
    """Summaries of the visible persons among `person_ids` (others are left out)."""
    _require(actor, READ)
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return []
    stmt = visible(actor, select(Person).where(Person.id.in_(ids)), Person, READ)
    found = {p.id: p for p in session.scalars(stmt)}
    return [_summary(found[pid]) for pid in ids if pid in found]


def list_people(session: Session, *, actor: Actor, filters: PersonFilter) -> PersonPage:
    """Persons the actor may see, newest first, filtered."""
    _require(actor, READ)
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
        stmt.order_by(Person.created_at.desc(), Person.id)
        .limit(filters.limit)
        .offset(filters.offset)
    ).all()
    return PersonPage(
        items=[_summary(p) for p in rows],
        total=total,
        limit=filters.limit,
        offset=filters.offset,
    )


def update_person(
    session: Session, *, actor: Actor, person_id: uuid.UUID, data: PersonUpdate
) -> PersonRead:
    """Edit a person. `data.expected_version` must be the current version, else
    `StaleEdit` (409) and nothing is written. Audits `people:person:update` with
    the changed field names (never values); publishes `PersonUpdated`."""
    _require(actor, WRITE)
    person = _get_person(session, actor, person_id, WRITE)
    if person.version != data.expected_version:
        raise StaleEdit()
    changes = data.model_dump(exclude_unset=True, exclude={"expected_version"})
    changed: list[str] = []
    given = changes.get("given_name", person.given_name)
    family = changes.get("family_name", person.family_name)
    if (given, family) != (person.given_name, person.family_name):
        _apply_names(person, given, family)
        changed.append("name")
    if "birth_date" in changes:
        before = (person.birth_year, person.birth_month, person.birth_day)
        _apply_birth(person, changes["birth_date"])
        changed.append("birth_date")
        after = (person.birth_year, person.birth_month, person.birth_day)
        # Search keys carry the whole birth date (read by the probe index).
        if before != after and "name" not in changed:
            changed.append("search_keys")
    for name in ("nationality", "country_of_birth", "habitual_residence"):
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
        return _read(session, actor, person)
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
    events.publish(
        session, PersonUpdated(person.id, person.tenant_code, person.version)
    )
    log.info("person_updated", person_id=str(person.id), version=person.version)
    return _read(session, actor, person)


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
    _require(actor, WRITE)
    person = _get_person(session, actor, link_to, WRITE)
    _add_registration(session, actor, person, data.registration)
    for document in data.documents:
        _add_document(session, person, document)
    if data.consent_to_tracing and not person.consent_to_tracing:
        _set_tracing(session, actor, person, True)
    person.updated_at = utcnow()
    session.flush()
    audit.record(
        session, actor, "people:person:link", object_type="person", object_id=person.id
    )
    log.info("person_linked", person_id=str(person.id))
    return _read(session, actor, person), False


def _record_consent(
    session: Session, actor: Actor, person: Person, purpose: str, consent: ConsentIn
) -> Consent:
    record = Consent(
        id=new_id(),
        tenant_code=person.tenant_code,
        person_id=person.id,
        purpose=purpose,
        given_by=consent.given_by.value,
        method=consent.method.value,
        recorded_by=actor.user_id,
        given_at=utcnow(),
    )
    session.add(record)
    return record


def _set_tracing(session: Session, actor: Actor, person: Person, consent: bool) -> None:
    if consent == person.consent_to_tracing:
        return
    person.consent_to_tracing = consent
    if consent:
        _record_consent(session, actor, person, "tracing", ConsentIn(purpose="tracing"))
    else:
        for record in session.scalars(
            select(Consent).where(
                Consent.person_id == person.id,
                Consent.purpose == "tracing",
                Consent.revoked_at.is_(None),
            )
        ):
            record.revoked_at = utcnow()


def set_tracing_consent(
    session: Session, *, actor: Actor, person_id: uuid.UUID, consent: bool
) -> PersonRead:
    """Give or revoke consent to be found by family tracing (a consent record is
    kept either way). Audits `people:tracing_consent:set`."""
    _require(actor, WRITE)
    person = _get_person(session, actor, person_id, WRITE)
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
    return _read(session, actor, person)


def flag_for_protection(
    session: Session, *, actor: Actor, person_id: uuid.UUID, flagged: bool = True
) -> None:
    """Mark a person as under a protection flag (e.g. expressed fear at screening);
    feeds `PersonProtectionFacts.has_protection_flag`. Audits the change."""
    _require(actor, WRITE)
    if not flagged:
        # Lifting a protection flag weakens a fact: its own permission.
        authorize(actor, "protection:withdraw_fact", tenant_code=actor.tenant_code)
    person = _get_person(session, actor, person_id, WRITE)
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


# --- search before create ------------------------------------------------------


def _splits(query: SearchQuery) -> list[tuple[str, str]]:
    """(given, family) readings of the query."""
    if query.given_name.strip() or query.family_name.strip():
        return [(query.given_name, query.family_name)]
    words = [w for w in query.q.split() if w.strip()]
    if len(words) <= 1:
        return [("", " ".join(words))] if words else []
    return [(" ".join(words[:k]), " ".join(words[k:])) for k in range(1, len(words))]


def search_people(
    session: Session, *, actor: Actor, query: SearchQuery
) -> list[Candidate]:
    """Likely existing records for a name, a partial birth date, a document number.

    Candidates come from indexed blocking keys (`repository.plan_probes`: name
    keys read per birth year, per exact date, or capped when the date is unknown)
    pre-ranked in the database, and from document blind indexes; each is scored
    field by field (`rules.matching`), and records that tie on score are ordered
    by how completely their names correspond. Only visible persons are returned;
    with `only_tracing_consent`, only persons who consented to tracing.
    """
    _require(actor, READ)
    if query.is_empty:
        return []
    birth = parse_partial_date(query.birth_date) if query.birth_date else None
    splits = _splits(query)
    document_ids: list[uuid.UUID] = []
    if query.document_number.strip():
        document_ids = repo.ids_with_document(session, actor, query.document_number)
    rows = repo.search_candidates(
        session,
        actor,
        repo.plan_probes(splits, birth),
        birth,
        only_tracing_consent=query.only_tracing_consent,
    )
    found = {row.id for row in rows}
    missing = [pid for pid in document_ids if pid not in found]
    rows += repo.fetch_candidates(
        session, actor, missing, only_tracing_consent=query.only_tracing_consent
    )
    nationalities = frozenset({query.nationality} if query.nationality else set())
    documents = frozenset(
        {normalise_document_number(query.document_number)}
        if query.document_number.strip()
        else set()
    )
    probes = [
        PersonFacts(
            given_name=given,
            family_name=family,
            birth_date=birth,
            sex=query.sex.value if query.sex else None,
            nationalities=nationalities,
            document_numbers=documents,
        )
        for given, family in (splits or [("", "")])
    ]
    with_document = set(document_ids)
    scored: list[tuple[Candidate, float]] = []
    for row in rows:
        facts = PersonFacts(
            given_name=str(row.given_name),
            family_name=str(row.family_name),
            birth_date=_partial(row.birth_year, row.birth_month, row.birth_day),
            sex=str(row.sex),
            nationalities=frozenset([str(row.nationality)] if row.nationality else [])
            | frozenset(_split_list(str(row.other_nationalities))),
            # The stored number is not decrypted for search: a blind-index hit
            # stands for "same number", anything else is left blank.
            document_numbers=documents if row.id in with_document else frozenset(),
        )
        result, probe = max(
            ((compare_persons(probe, facts), probe) for probe in probes),
            key=lambda pair: (pair[0].score * pair[0].coverage, pair[0].score),
        )
        if result.likelihood is Likelihood.UNLIKELY:
            continue
        scored.append((_candidate(row.id, facts, result), name_agreement(probe, facts)))
    scored.sort(
        key=lambda item: (
            item[0].likelihood != Likelihood.LIKELY,
            -item[0].score,
            -item[0].coverage,
            -item[1],  # ties: the name with no extra or missing tokens first
        )
    )
    log.info("people_searched", candidates=len(scored), scanned=len(rows))
    return [candidate for candidate, _agreement in scored[: query.limit]]


def search_before_registering(
    session: Session, *, actor: Actor, query: SearchQuery, screen: str
) -> list[Candidate]:
    """`search_people` for a registration screen (`screen`: "person" or
    "household"), where a caseworker searches by name while typing.

    Audits `people:person:search` with which kinds of facts were searched, the
    number of candidates and their ids, never the names, dates or numbers typed.
    """
    found = search_people(session, actor=actor, query=query)
    if query.is_empty:
        return found
    searched = [
        name
        for name, present in (
            ("name", bool(query.q.strip() or query.given_name.strip())),
            ("name", bool(query.family_name.strip())),
            ("birth_date", bool(query.birth_date)),
            ("document", bool(query.document_number.strip())),
        )
        if present
    ]
    audit.record(
        session,
        actor,
        "people:person:search",
        object_type="person",
        screen=screen[:20],
        by=",".join(dict.fromkeys(searched)),
        candidates=len(found),
        shown=",".join(str(c.person_id) for c in found),
    )
    return found


def _candidate(
    person_id: uuid.UUID, facts: PersonFacts, result: MatchResult
) -> Candidate:
    return Candidate(
        person_id=person_id,
        given_name=facts.given_name,
        family_name=facts.family_name,
        sex=facts.sex or "U",
        birth_date=facts.birth_date.isoformat() if facts.birth_date else None,
        nationality=next(iter(sorted(facts.nationalities)), None),
        score=result.score,
        coverage=result.coverage,
        likelihood=result.likelihood.value,
        fields=[_field(item) for item in result.fields],
    )


def _field(item: FieldComparison) -> FieldComparisonRead:
    return FieldComparisonRead(
        field=item.field,
        outcome=item.outcome.value,
        similarity=round(item.similarity, 3),
        weight=item.weight,
        detail=item.detail,
    )


# --- households ---------------------------------------------------------------------


def _get_household(
    session: Session, actor: Actor, household_id: uuid.UUID, permission: str = READ
) -> Household:
    stmt = visible(
        actor,
        select(Household).where(Household.id == household_id),
        Household,
        permission,
    )
    household = session.scalars(stmt).one_or_none()
    if household is None:
        raise HouseholdNotFound()
    return household


def _household_read(
    session: Session, actor: Actor, household: Household
) -> HouseholdRead:
    stmt = cast(
        "Select[Any]",
        select(HouseholdMember, Person)
        .join(Person, Person.id == HouseholdMember.person_id)
        .where(HouseholdMember.household_id == household.id)
        .order_by(HouseholdMember.created_at, Person.birth_year),
    )
    stmt = visible(actor, stmt, Person, READ)
    today = _today()
    members = []
    for member, person in session.execute(stmt):
        birth = _birth(person)
        members.append(
            HouseholdMemberRead(
                person_id=person.id,
                given_name=person.given_name,
                family_name=person.family_name,
                sex=person.sex,
                birth_date=birth.isoformat() if birth else None,
                age=ages(birth, today)[0],
                relationship=member.relationship,
                is_caregiver=member.is_caregiver,
                is_separated=member.is_separated,
            )
        )
    return HouseholdRead(
        id=household.id,
        tenant_code=household.tenant_code,
        kind=household.kind,
        head_person_id=household.head_person_id,
        created_at=household.created_at,
        members=members,
    )


def _add_member(
    session: Session, actor: Actor, household: Household, member: HouseholdMemberIn
) -> None:
    person = _get_person(session, actor, member.person_id, WRITE)
    exists = session.scalars(
        select(HouseholdMember.id).where(
            HouseholdMember.household_id == household.id,
            HouseholdMember.person_id == person.id,
        )
    ).first()
    if exists is not None:
        raise AlreadyMember()
    session.add(
        HouseholdMember(
            tenant_code=household.tenant_code,
            household_id=household.id,
            person_id=person.id,
            relationship=member.relationship.value,
            is_caregiver=member.is_caregiver,
            is_separated=member.is_separated,
            created_at=utcnow(),
        )
    )
    if member.relationship.value == "head":
        household.head_person_id = person.id


def create_household(
    session: Session, *, actor: Actor, data: HouseholdCreate
) -> HouseholdRead:
    """A household or travelling group of already registered persons.

    Needs `person:write` on every member. Audits `people:household:create`."""
    authorize(
        actor,
        WRITE,
        tenant_code=actor.tenant_code,
        organisation_id=actor.organisation_id,
        sensitivity=Sensitivity.PERSONAL,
    )
    household = Household(
        id=new_id(),
        tenant_code=actor.tenant_code,
        organisation_id=actor.organisation_id,
        owner_id=actor.user_id,
        kind=data.kind.value,
        created_at=utcnow(),
    )
    session.add(household)
    session.flush()
    for member in data.members:
        _add_member(session, actor, household, member)
        session.flush()
    if household.head_person_id is None:
        household.head_person_id = data.members[0].person_id
    session.flush()
    audit.record(
        session,
        actor,
        "people:household:create",
        object_type="household",
        object_id=household.id,
        members=len(data.members),
    )
    events.publish(session, HouseholdRegistered(household.id, household.tenant_code))
    log.info("household_registered", household_id=str(household.id))
    return _household_read(session, actor, household)


def add_member(
    session: Session,
    *,
    actor: Actor,
    household_id: uuid.UUID,
    member: HouseholdMemberIn,
) -> HouseholdRead:
    """Add a registered person to a household with their relationship."""
    _require(actor, WRITE)
    household = _get_household(session, actor, household_id, WRITE)
    _add_member(session, actor, household, member)
    session.flush()
    audit.record(
        session,
        actor,
        "people:household:member_add",
        object_type="household",
        object_id=household.id,
        person_id=str(member.person_id),
    )
    return _household_read(session, actor, household)


def register_household(
    session: Session, *, actor: Actor, data: HouseholdRegistration
) -> HouseholdRead:
    """A family in one flow: each member is registered (or linked to the record
    chosen in search) and the household is created with the relationships."""
    members: list[HouseholdMemberIn] = []
    for new in data.members:
        person_data = new.person
        if person_data.registration is None and data.registration is not None:
            person_data = person_data.model_copy(
                update={"registration": data.registration}
            )
        person, _created = link_or_confirm_new(
            session, actor=actor, data=person_data, link_to=new.link_to
        )
        members.append(
            HouseholdMemberIn(
                person_id=person.id,
                relationship=new.relationship,
                is_caregiver=new.is_caregiver,
                is_separated=new.is_separated,
            )
        )
    return create_household(
        session, actor=actor, data=HouseholdCreate(kind=data.kind, members=members)
    )


def get_household(
    session: Session, *, actor: Actor, household_id: uuid.UUID
) -> HouseholdRead:
    _require(actor, READ)
    return _household_read(session, actor, _get_household(session, actor, household_id))


def households_of(
    session: Session, *, actor: Actor, person_id: uuid.UUID
) -> list[HouseholdRead]:
    """The households and groups a visible person belongs to."""
    _require(actor, READ)
    person = _get_person(session, actor, person_id)
    stmt = (
        select(Household)
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .where(HouseholdMember.person_id == person.id)
        .order_by(Household.created_at)
    )
    stmt = visible(actor, stmt, Household, READ)
    return [_household_read(session, actor, h) for h in session.scalars(stmt)]


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
    _require(actor, WRITE)
    person = _get_person(session, actor, person_id, WRITE)
    if attribute is SensitiveKind.FEARED_STATES:
        value = _feared_states(value)
    record = _record_consent(
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
    _require(actor, READ)
    person = _get_person(session, actor, person_id)
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
    _require(actor, WRITE)
    if attribute in PROTECTION_KINDS:
        authorize(actor, "protection:withdraw_fact", tenant_code=actor.tenant_code)
    person = _get_person(session, actor, person_id, WRITE)
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


def erase_person(session: Session, *, actor: Actor, person_id: uuid.UUID) -> None:
    """Erase a person by crypto-shredding (ADR 0010).

    Destroys the person's data keys first (theirs and those of records merged
    into theirs), so every copy of their encrypted values
    (documents, contacts, sensitive facts), backups included, becomes unreadable;
    then deletes those rows and the search keys here and blanks the names, keeping
    a tombstone row (`erased_at`) that other modules' references still resolve to.
    Audits `people:person:erase` with the id only. Idempotent."""
    _require(actor, WRITE)
    person = _get_person(session, actor, person_id, WRITE)
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
        session, actor, "people:person:erase", object_type="person", object_id=person.id
    )
    log.info("person_erased", person_id=str(person.id))


# --- for the protection module ------------------------------------------------


def person_facts_for_protection(
    session: Session, *, actor: Actor, person_id: uuid.UUID
) -> PersonProtectionFacts:
    """Nationalities, age, sex and the protection flags DP-1 and the return gate
    need. Works for any role that can see the person: the flags come from which
    encrypted attributes exist, and feared states are decrypted only to feed the
    disclosure rule (audited as `people:sensitive:use`). Do not display them."""
    _require(actor, READ)
    person = _get_person(session, actor, person_id)
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
            persecutors = frozenset(_split_list(value))
            audit.record(
                session,
                actor,
                "people:sensitive:use",
                object_type="person",
                object_id=person.id,
                attributes=row.kind,
                purpose="disclosure_check",
            )
    birth = _birth(person)
    youngest, oldest = ages(birth, _today())
    return PersonProtectionFacts(
        person_id=person.id,
        tenant_code=person.tenant_code,
        sex=person.sex,
        nationality=person.nationality,
        other_nationalities=frozenset(_split_list(person.other_nationalities)),
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


@dataclass(frozen=True)
class TracingRecord:
    """What cross-border tracing encodes of a person who consented to tracing;
    the encodings leave the node, these values never do."""

    person_id: uuid.UUID
    given_name: str
    family_name: str
    sex: str
    birth_date: str | None


def tracing_registry(session: Session, *, actor: Actor) -> list[TracingRecord]:
    """Every visible, not erased person who consented to tracing (`person:read`)."""
    _require(actor, READ)
    stmt = select(Person).where(
        Person.consent_to_tracing.is_(True), Person.erased_at.is_(None)
    )
    rows = session.scalars(visible(actor, stmt, Person, READ))
    return [
        TracingRecord(
            person_id=p.id,
            given_name=p.given_name,
            family_name=p.family_name,
            sex=p.sex,
            birth_date=str(_birth(p)) if _birth(p) else None,
        )
        for p in rows
    ]
