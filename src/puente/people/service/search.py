"""Search before create: candidates with a field-by-field comparison."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from puente.core import audit
from puente.identity import Actor
from puente.people import repository as repo
from puente.people.rules.birth_dates import parse_partial_date
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
    Candidate,
    FieldComparisonRead,
    SearchQuery,
)
from puente.people.service._common import (
    READ,
    log,
    partial_date,
    require,
    split_list,
)

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
    require(actor, READ)
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
    # Scored as plain tuples; read models are built for the shown ones only.
    scored: list[tuple[uuid.UUID, PersonFacts, MatchResult, float]] = []
    for row in rows:
        facts = PersonFacts(
            given_name=str(row.given_name),
            family_name=str(row.family_name),
            birth_date=partial_date(row.birth_year, row.birth_month, row.birth_day),
            sex=str(row.sex),
            nationalities=frozenset([str(row.nationality)] if row.nationality else [])
            | frozenset(split_list(str(row.other_nationalities))),
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
        scored.append((row.id, facts, result, name_agreement(probe, facts)))
    scored.sort(
        key=lambda item: (
            item[2].likelihood is not Likelihood.LIKELY,
            -item[2].score,
            -item[2].coverage,
            -item[3],  # ties: the name with no extra or missing tokens first
        )
    )
    log.info("people_searched", candidates=len(scored), scanned=len(rows))
    return [
        _candidate(person_id, facts, result)
        for person_id, facts, result, _agreement in scored[: query.limit]
    ]


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
