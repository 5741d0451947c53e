"""What the people use cases share: permissions, loading a visible person, birth
dates and names, documents and registrations, and the read models."""

from __future__ import annotations

import datetime as dt
import uuid

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.db import new_id, utcnow
from puente.core.errors import InvalidInput
from puente.identity import Actor, Sensitivity, authorize, ceiling, visible
from puente.people import repository as repo
from puente.people.errors import (
    PersonNotFound,
)
from puente.people.models import (
    Consent,
    ContactDetail,
    IdentityDocument,
    Person,
    Registration,
)
from puente.people.rules.birth_dates import PartialDate, parse_partial_date
from puente.people.rules.matching import (
    normalise_document_number,
)
from puente.people.schemas import (
    ConsentIn,
    ContactRead,
    DocumentCreate,
    DocumentRead,
    PersonRead,
    PersonSummary,
    RegistrationCreate,
    RegistrationRead,
)

log = structlog.get_logger(__name__)

READ = "person:read"
WRITE = "person:write"
ADULT_AGE = 18


# --- helpers ---------------------------------------------------------------------


def current_date() -> dt.date:
    return utcnow().date()


def partial_date(
    year: int | None, month: int | None, day: int | None
) -> PartialDate | None:
    return PartialDate(year, month, day) if year is not None else None


def years_between(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def ages(birth: PartialDate | None, today: dt.date) -> tuple[int | None, int | None]:
    """Youngest and oldest age a possibly partial birth date allows."""
    if birth is None:
        return None, None
    return years_between(birth.latest, today), years_between(birth.earliest, today)


def split_list(text: str) -> list[str]:
    return [item for item in text.split(",") if item]


def load_person(
    session: Session, actor: Actor, person_id: uuid.UUID, permission: str = READ
) -> Person:
    stmt = visible(
        actor, select(Person).where(Person.id == person_id), Person, permission
    )
    person = session.scalars(stmt).one_or_none()
    if person is None:
        raise PersonNotFound()
    return person


def require(actor: Actor, permission: str) -> None:
    """Refuse (403) an actor with no grant at all; targets are checked by lookup."""
    authorize(actor, permission, sensitivity=Sensitivity.PERSONAL)


def birth_of(person: Person) -> PartialDate | None:
    return partial_date(person.birth_year, person.birth_month, person.birth_day)


def apply_birth(person: Person, text: str | None) -> None:
    birth = parse_partial_date(text) if text else None
    person.birth_year = birth.year if birth else None
    person.birth_month = birth.month if birth else None
    person.birth_day = birth.day if birth else None
    person.birth_precision = birth.precision.value if birth else None


def apply_names(person: Person, given_name: str, family_name: str) -> None:
    person.given_name = given_name
    person.family_name = family_name
    person.given_norm = " ".join(repo.canonical_tokens(given_name))
    person.family_norm = " ".join(repo.canonical_tokens(family_name))


def add_document(session: Session, person: Person, document: DocumentCreate) -> None:
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


def add_registration(
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


def read_person(session: Session, actor: Actor, person: Person) -> PersonRead:
    birth = birth_of(person)
    youngest, _oldest = ages(birth, current_date())
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
        other_nationalities=split_list(person.other_nationalities),
        country_of_birth=person.country_of_birth,
        habitual_residence=person.habitual_residence,
        languages=split_list(person.languages),
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


def summarise(person: Person) -> PersonSummary:
    birth = birth_of(person)
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


def record_consent(
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
