"""Duplicate detection over a tenant's whole registry, its review, merge and undo.

`find_duplicates` reads the tenant's persons (names, partial birth dates, sex,
country of birth; never documents or sensitive facts), prepares them with
Puente's name rules, trains the tenant's linkage model once (kept in
`duplicate_model`) and reuses it, and queues the pairs it finds likely for a
person to review. Logs and audit rows carry ids and counts, never names.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pandas as pd
import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.db import utcnow
from puente.core.errors import InvalidInput
from puente.core.i18n import N_
from puente.identity import Actor, Sensitivity, authorize, visible
from puente.linkage import (
    TrainedModel,
    choose_rules,
    predict,
    prepare,
    records_from_frame,
    train,
)
from puente.people.errors import (
    AlreadyDecided,
    CandidateNotFound,
    MergeAlreadyUndone,
    MergeNotFound,
    TooFewPersons,
)
from puente.people.models import (
    Consent,
    ContactDetail,
    DuplicateCandidate,
    DuplicateModel,
    HouseholdMember,
    IdentityDocument,
    Person,
    PersonMerge,
    Registration,
)
from puente.people.rules.birth_dates import PartialDate
from puente.people.rules.linkage import linkage_name_rules
from puente.people.rules.matching import PersonFacts, compare_persons
from puente.people.schemas import (
    DuplicateCandidateRead,
    DuplicateScan,
    FieldComparisonRead,
    MergeRead,
    PersonSummary,
)

log = structlog.get_logger(__name__)

REVIEW = "duplicate:review"
MERGE = "duplicate:merge"
SCAN = "duplicate:scan"
QUEUE_THRESHOLD = 0.5
MIN_PERSONS = 20  # EM needs some pairs to learn from
MOVABLE = (Registration, IdentityDocument, ContactDetail, Consent, HouseholdMember)


def _birth(person: Person) -> PartialDate | None:
    if person.birth_year is None:
        return None
    return PartialDate(person.birth_year, person.birth_month, person.birth_day)


def _frame(persons: list[Person]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [str(p.id) for p in persons],
            "given_name": [p.given_name for p in persons],
            "surname": [p.family_name for p in persons],
            "sex": [p.sex if p.sex in ("F", "M", "X") else "" for p in persons],
            "birth_date": [
                (b.isoformat() if (b := _birth(p)) else "") for p in persons
            ],
            "birth_country": [p.country_of_birth or "" for p in persons],
        }
    )


def find_duplicates(
    session: Session, *, actor: Actor, retrain: bool = False
) -> DuplicateScan:
    """Look for duplicates among all persons of the actor's tenant.

    Needs `duplicate:scan` (supervisors). Trains the tenant's model the first
    time (or with `retrain`), then reuses it. New likely pairs join the queue;
    pairs already decided are never queued again. Audits `people:duplicates:scan`.
    """
    authorize(
        actor, SCAN, tenant_code=actor.tenant_code, sensitivity=Sensitivity.PERSONAL
    )
    persons = list(
        session.scalars(
            select(Person)
            .where(Person.tenant_code == actor.tenant_code)
            .order_by(Person.id)
        )
    )
    if len(persons) < MIN_PERSONS:
        raise TooFewPersons(count=MIN_PERSONS)
    records = records_from_frame(_frame(persons), name="registry", id_column="id")
    prepared = prepare(records, linkage_name_rules())
    stored = session.scalars(
        select(DuplicateModel).where(DuplicateModel.tenant_code == actor.tenant_code)
    ).one_or_none()
    trained = stored is None or retrain
    if stored is not None and not retrain:
        model = TrainedModel.from_json(stored.settings_json)
    else:
        model = train(prepared, rules=choose_rules(prepared))
        if stored is None:
            stored = DuplicateModel(tenant_code=actor.tenant_code)
            session.add(stored)
        stored.settings_json = model.to_json()
        stored.records = len(persons)
        stored.trained_at = utcnow()
    predictions = predict(model, prepared, threshold=QUEUE_THRESHOLD)
    known = {
        (row.person_a_id, row.person_b_id)
        for row in session.execute(
            select(
                DuplicateCandidate.person_a_id, DuplicateCandidate.person_b_id
            ).where(DuplicateCandidate.tenant_code == actor.tenant_code)
        )
    }
    new = 0
    for left, right, probability in zip(
        predictions.left, predictions.right, predictions.probability, strict=True
    ):
        a, b = sorted((uuid.UUID(left), uuid.UUID(right)))
        if (a, b) in known:
            continue
        known.add((a, b))
        session.add(
            DuplicateCandidate(
                tenant_code=actor.tenant_code,
                person_a_id=a,
                person_b_id=b,
                probability=round(float(probability), 4),
                status="open",
                found_at=utcnow(),
            )
        )
        new += 1
    session.flush()
    audit.record(
        session,
        actor,
        "people:duplicates:scan",
        object_type="tenant",
        persons=len(persons),
        candidates=new,
        trained=trained,
    )
    log.info("duplicates_scanned", persons=len(persons), candidates=new)
    return DuplicateScan(
        persons=len(persons),
        pairs_compared=predictions.pairs_compared,
        candidates_new=new,
        model_trained=trained,
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


def _facts(person: Person) -> PersonFacts:
    return PersonFacts(
        given_name=person.given_name,
        family_name=person.family_name,
        birth_date=_birth(person),
        sex=person.sex if person.sex in ("F", "M", "X") else None,
        nationalities=frozenset(
            c for c in [person.nationality, person.country_of_birth] if c
        ),
    )


def _visible_persons(
    session: Session, actor: Actor, ids: set[uuid.UUID], permission: str
) -> dict[uuid.UUID, Person]:
    if not ids:
        return {}
    stmt = visible(actor, select(Person).where(Person.id.in_(ids)), Person, permission)
    return {p.id: p for p in session.scalars(stmt)}


def _read(
    candidate: DuplicateCandidate, a: Person, b: Person
) -> DuplicateCandidateRead:
    result = compare_persons(_facts(a), _facts(b))
    return DuplicateCandidateRead(
        id=candidate.id,
        status=candidate.status,
        probability=candidate.probability,
        found_at=candidate.found_at,
        person_a=_summary(a),
        person_b=_summary(b),
        fields=[
            FieldComparisonRead(
                field=item.field,
                outcome=item.outcome.value,
                similarity=round(item.similarity, 3),
                weight=item.weight,
                detail=item.detail,
            )
            for item in result.fields
            if item.field != "document_number"  # numbers are not read here
        ],
    )


def list_duplicates(
    session: Session, *, actor: Actor, status: str = "open", limit: int = 50
) -> list[DuplicateCandidateRead]:
    """The review queue: pairs whose two persons the actor may both see."""
    authorize(actor, REVIEW, sensitivity=Sensitivity.PERSONAL)
    stmt = visible(
        actor,
        select(DuplicateCandidate)
        .where(DuplicateCandidate.status == status)
        .order_by(DuplicateCandidate.probability.desc(), DuplicateCandidate.id),
        DuplicateCandidate,
        REVIEW,
    )
    candidates = list(session.scalars(stmt.limit(limit * 4)))
    ids = {c.person_a_id for c in candidates} | {c.person_b_id for c in candidates}
    persons = _visible_persons(session, actor, ids, "person:read")
    found = [
        _read(c, persons[c.person_a_id], persons[c.person_b_id])
        for c in candidates
        if c.person_a_id in persons and c.person_b_id in persons
    ]
    return found[:limit]


def _candidate(
    session: Session, actor: Actor, candidate_id: uuid.UUID
) -> tuple[DuplicateCandidate, Person, Person]:
    stmt = visible(
        actor,
        select(DuplicateCandidate).where(DuplicateCandidate.id == candidate_id),
        DuplicateCandidate,
        MERGE,
    )
    candidate = session.scalars(stmt).one_or_none()
    if candidate is None:
        raise CandidateNotFound()
    persons = _visible_persons(
        session, actor, {candidate.person_a_id, candidate.person_b_id}, "person:write"
    )
    if len(persons) != 2:
        raise CandidateNotFound()  # 404, never confirm a record out of reach
    return candidate, persons[candidate.person_a_id], persons[candidate.person_b_id]


def get_duplicate(
    session: Session, *, actor: Actor, candidate_id: uuid.UUID
) -> DuplicateCandidateRead:
    authorize(actor, REVIEW, sensitivity=Sensitivity.PERSONAL)
    candidate, a, b = _candidate(session, actor, candidate_id)
    return _read(candidate, a, b)


def mark_distinct(
    session: Session, *, actor: Actor, candidate_id: uuid.UUID
) -> DuplicateCandidateRead:
    """Two different persons: the pair leaves the queue and is not queued again."""
    authorize(actor, MERGE, sensitivity=Sensitivity.PERSONAL)
    candidate, a, b = _candidate(session, actor, candidate_id)
    if candidate.status != "open":
        raise AlreadyDecided()
    candidate.status = "distinct"
    candidate.decided_by = actor.user_id
    candidate.decided_at = utcnow()
    audit.record(
        session,
        actor,
        "people:duplicates:distinct",
        object_type="duplicate_candidate",
        object_id=candidate.id,
    )
    return _read(candidate, a, b)


def _merge_read(merge: PersonMerge) -> MergeRead:
    moved = json.loads(merge.moved_rows)
    return MergeRead(
        id=merge.id,
        kept_person_id=merge.kept_person_id,
        merged_person_id=merge.merged_person_id,
        moved=sum(len(v) for v in moved.values()),
        merged_at=merge.merged_at,
        undone_at=merge.undone_at,
    )


def merge_duplicate(
    session: Session,
    *,
    actor: Actor,
    candidate_id: uuid.UUID,
    keep_person_id: uuid.UUID,
) -> MergeRead:
    """Merge a queued pair into `keep_person_id`: the other record's
    registrations, documents, contacts, consents and household memberships move
    to it; both person rows and both histories stay. Audited; undoable."""
    authorize(actor, MERGE, sensitivity=Sensitivity.PERSONAL)
    candidate, a, b = _candidate(session, actor, candidate_id)
    if candidate.status != "open":
        raise AlreadyDecided()
    if keep_person_id not in (a.id, b.id):
        raise InvalidInput(N_("Keep one of the two records of this pair."))
    kept, merged = (a, b) if keep_person_id == a.id else (b, a)
    moved: dict[str, list[str]] = {}
    kept_households = set(
        session.scalars(
            select(HouseholdMember.household_id).where(
                HouseholdMember.person_id == kept.id
            )
        )
    )
    for model in MOVABLE:
        table: Any = model
        stmt = select(table.id).where(table.person_id == merged.id)
        if model is HouseholdMember and kept_households:
            stmt = stmt.where(HouseholdMember.household_id.not_in(kept_households))
        ids = list(session.scalars(stmt))
        if ids:
            session.execute(
                update(table).where(table.id.in_(ids)).values(person_id=kept.id)
            )
            moved[model.__tablename__] = [str(i) for i in ids]
    candidate.status = "merged"
    candidate.decided_by = actor.user_id
    candidate.decided_at = utcnow()
    merge = PersonMerge(
        tenant_code=kept.tenant_code,
        candidate_id=candidate.id,
        kept_person_id=kept.id,
        merged_person_id=merged.id,
        moved_rows=json.dumps(moved, sort_keys=True),
        merged_by=actor.user_id,
        merged_at=utcnow(),
    )
    session.add(merge)
    session.flush()
    audit.record(
        session,
        actor,
        "people:person:merge",
        object_type="person",
        object_id=kept.id,
        merged_person_id=str(merged.id),
        merge_id=str(merge.id),
    )
    log.info("persons_merged", kept=str(kept.id), merged=str(merged.id))
    return _merge_read(merge)


def undo_merge(session: Session, *, actor: Actor, merge_id: uuid.UUID) -> MergeRead:
    """Move everything a merge moved back; the pair returns to the queue."""
    authorize(actor, MERGE, sensitivity=Sensitivity.PERSONAL)
    merge = session.scalars(
        visible(
            actor,
            select(PersonMerge).where(PersonMerge.id == merge_id),
            PersonMerge,
            MERGE,
        )
    ).one_or_none()
    if merge is None:
        raise MergeNotFound()
    persons = _visible_persons(
        session, actor, {merge.kept_person_id, merge.merged_person_id}, "person:write"
    )
    if len(persons) != 2:
        raise MergeNotFound()
    if merge.undone_at is not None:
        raise MergeAlreadyUndone()
    moved = json.loads(merge.moved_rows)
    for model in MOVABLE:
        table: Any = model
        ids = [uuid.UUID(i) for i in moved.get(model.__tablename__, [])]
        if ids:
            session.execute(
                update(table)
                .where(table.id.in_(ids), table.person_id == merge.kept_person_id)
                .values(person_id=merge.merged_person_id)
            )
    merge.undone_at = utcnow()
    merge.undone_by = actor.user_id
    if merge.candidate_id is not None:
        session.execute(
            update(DuplicateCandidate)
            .where(DuplicateCandidate.id == merge.candidate_id)
            .values(status="open", decided_by=None, decided_at=None)
        )
    session.flush()
    audit.record(
        session,
        actor,
        "people:person:merge_undo",
        object_type="person",
        object_id=merge.kept_person_id,
        merged_person_id=str(merge.merged_person_id),
        merge_id=str(merge.id),
    )
    return _merge_read(merge)


def merges_of(
    session: Session, *, actor: Actor, person_id: uuid.UUID
) -> list[MergeRead]:
    """Merges into or out of a person, newest first."""
    authorize(actor, REVIEW, sensitivity=Sensitivity.PERSONAL)
    stmt = visible(
        actor,
        select(PersonMerge)
        .where(
            or_(
                PersonMerge.kept_person_id == person_id,
                PersonMerge.merged_person_id == person_id,
            )
        )
        .order_by(PersonMerge.merged_at.desc()),
        PersonMerge,
        REVIEW,
    )
    return [_merge_read(m) for m in session.scalars(stmt)]
