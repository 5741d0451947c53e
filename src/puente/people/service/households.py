"""Households: create, add members, register a family in one step, read."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.db import new_id, utcnow
from puente.identity import Actor, Sensitivity, authorize, visible
from puente.people.errors import (
    AlreadyMember,
    HouseholdNotFound,
)
from puente.people.models import (
    Household,
    HouseholdMember,
    Person,
)
from puente.people.schemas import (
    HouseholdCreate,
    HouseholdMemberIn,
    HouseholdMemberRead,
    HouseholdRead,
    HouseholdRegistration,
)
from puente.people.service._common import (
    READ,
    WRITE,
    ages,
    birth_of,
    current_date,
    load_person,
    log,
    require,
)
from puente.people.service.persons import (
    link_or_confirm_new,
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
    today = current_date()
    members = []
    for member, person in session.execute(stmt):
        birth = birth_of(person)
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
    person = load_person(session, actor, member.person_id, WRITE)
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
    require(actor, WRITE)
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
    require(actor, READ)
    return _household_read(session, actor, _get_household(session, actor, household_id))


def households_of(
    session: Session, *, actor: Actor, person_id: uuid.UUID
) -> list[HouseholdRead]:
    """The households and groups a visible person belongs to."""
    require(actor, READ)
    person = load_person(session, actor, person_id)
    stmt = (
        select(Household)
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .where(HouseholdMember.person_id == person.id)
        .order_by(Household.created_at)
    )
    stmt = visible(actor, stmt, Household, READ)
    return [_household_read(session, actor, h) for h in session.scalars(stmt)]
