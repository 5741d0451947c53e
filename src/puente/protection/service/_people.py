"""The only door to `puente.people`: its public service functions, turned into
the few facts protection needs. Keeping the calls here means one file to change
if people's signatures move."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from puente import people
from puente.identity import Actor


@dataclass(frozen=True)
class PersonFacts:
    """What protection reads about a person (from `people`)."""

    person_id: uuid.UUID
    nationalities: frozenset[str]
    country_of_birth: str | None
    habitual_residence: str | None
    age_years: int | None
    is_child: bool
    sex: str | None
    has_asylum_claim: bool
    is_refugee: bool
    is_stateless: bool
    has_protection_flag: bool
    persecutor_states: frozenset[str]
    consents_to_tracing: bool


@dataclass(frozen=True)
class PersonLabel:
    """How a person is shown on a caseworker's screen (never logged)."""

    person_id: uuid.UUID
    given_name: str
    family_name: str
    birth_date: str
    sex: str
    nationality: str

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


def person_facts(session: Session, actor: Actor, person_id: uuid.UUID) -> PersonFacts:
    """Facts for protection rules; another tenant's person raises NotFound."""
    facts = people.person_facts_for_protection(
        session, actor=actor, person_id=person_id
    )
    nationalities = set(facts.other_nationalities)
    if facts.nationality:
        nationalities.add(facts.nationality)
    return PersonFacts(
        person_id=person_id,
        nationalities=frozenset(n.upper() for n in nationalities),
        country_of_birth=facts.country_of_birth,
        habitual_residence=facts.habitual_residence,
        age_years=facts.age,
        is_child=bool(facts.is_child),
        sex=facts.sex,
        has_asylum_claim=facts.has_asylum_claim,
        is_refugee=facts.is_refugee,
        is_stateless=facts.is_stateless,
        has_protection_flag=facts.has_protection_flag,
        persecutor_states=frozenset(facts.persecutor_states),
        consents_to_tracing=facts.consent_to_tracing,
    )


def person_label(session: Session, actor: Actor, person_id: uuid.UUID) -> PersonLabel:
    person = people.get_person(session, actor=actor, person_id=person_id)
    return PersonLabel(
        person_id=person_id,
        given_name=person.given_name,
        family_name=person.family_name,
        birth_date=person.birth_date or "",
        sex=person.sex,
        nationality=person.nationality or "",
    )


def person_labels(
    session: Session, actor: Actor, person_ids: list[uuid.UUID]
) -> dict[uuid.UUID, PersonLabel]:
    """Labels for a list screen; persons the actor may not read are left out."""
    labels = {}
    for summary in people.get_people(session, actor=actor, person_ids=person_ids):
        labels[summary.id] = PersonLabel(
            person_id=summary.id,
            given_name=summary.given_name,
            family_name=summary.family_name,
            birth_date=summary.birth_date or "",
            sex=summary.sex,
            nationality=summary.nationality or "",
        )
    return labels


def people_named(
    session: Session, actor: Actor, words: str, limit: int = 200
) -> list[uuid.UUID]:
    """Ids of the visible persons whose names hold every word (a prefix of a
    name, accents and spellings folded), newest first; searched in the database."""
    try:
        filters = people.PersonFilter.model_validate({"name": words, "limit": limit})
    except ValueError:
        return []
    page = people.list_people(session, actor=actor, filters=filters)
    return [p.id for p in page.items]


def flag_for_protection(session: Session, actor: Actor, person_id: uuid.UUID) -> None:
    """Tell `people` the person is under a protection flag (DP-1 everywhere)."""
    people.flag_for_protection(session, actor=actor, person_id=person_id)


def tracing_search(
    session: Session,
    actor: Actor,
    *,
    given_name: str,
    family_name: str,
    sex: str | None,
    birth_date: str | None,
) -> list[people.Candidate]:
    """Registered persons of this node who consented to tracing, scored against
    the description (people's search before create, tracing-consent only)."""
    try:
        query = people.SearchQuery.model_validate(
            {
                "given_name": given_name,
                "family_name": family_name,
                "sex": sex or None,
                "birth_date": birth_date or None,
                "only_tracing_consent": True,
                "limit": 20,
            }
        )
    except ValueError:
        return []
    return list(people.search_people(session, actor=actor, query=query))
