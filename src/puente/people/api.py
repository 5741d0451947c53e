"""JSON API of the people module under /api/v1/people."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from puente.identity import Actor
from puente.people import service
from puente.people.schemas import (
    Candidate,
    DuplicateCandidateRead,
    DuplicateScan,
    HouseholdCreate,
    HouseholdMemberIn,
    HouseholdRead,
    HouseholdRegistration,
    MergeIn,
    MergeRead,
    PersonCreate,
    PersonFilter,
    PersonPage,
    PersonRead,
    PersonUpdate,
    RemoteCandidateRead,
    RemoteCheckRead,
    RemoteDecisionIn,
    SearchQuery,
    SensitiveCreate,
    SensitiveKind,
    SensitiveRead,
    SensitiveRecorded,
)
from puente.people.service import duplicates
from puente.web.deps import DbSession, Require

router = APIRouter(prefix="/api/v1/people", tags=["people"])

Reader = Annotated[Actor, Depends(Require("person:read"))]
Writer = Annotated[Actor, Depends(Require("person:write"))]


@router.post("", response_model=PersonRead, status_code=status.HTTP_201_CREATED)
def register_person(
    data: PersonCreate, session: DbSession, actor: Writer
) -> PersonRead:
    """Register a new person (search first: `GET /api/v1/people/search`)."""
    return service.register_person(session, actor=actor, data=data)


@router.get("", response_model=PersonPage)
def list_people(
    filters: Annotated[PersonFilter, Query()], session: DbSession, actor: Reader
) -> PersonPage:
    return service.list_people(session, actor=actor, filters=filters)


@router.get("/search", response_model=list[Candidate])
def search_people(
    query: Annotated[SearchQuery, Query()], session: DbSession, actor: Reader
) -> list[Candidate]:
    """Search before create: scored candidates with a field-by-field comparison.

    `q` is a whole name; or `given_name` and `family_name`; plus an optional
    partial `birth_date` (YYYY, YYYY-MM, YYYY-MM-DD) and `document_number`.
    Audited like the screens' searches (which facts, how many found, their ids)."""
    return service.search_before_registering(
        session, actor=actor, query=query, screen="api"
    )


@router.post(
    "/households", response_model=HouseholdRead, status_code=status.HTTP_201_CREATED
)
def create_household(
    data: HouseholdCreate, session: DbSession, actor: Writer
) -> HouseholdRead:
    return service.create_household(session, actor=actor, data=data)


@router.post(
    "/households/register",
    response_model=HouseholdRead,
    status_code=status.HTTP_201_CREATED,
)
def register_household(
    data: HouseholdRegistration, session: DbSession, actor: Writer
) -> HouseholdRead:
    """A whole family in one call: members are registered (or linked) together."""
    return service.register_household(session, actor=actor, data=data)


@router.get("/households/{household_id}", response_model=HouseholdRead)
def get_household(
    household_id: uuid.UUID, session: DbSession, actor: Reader
) -> HouseholdRead:
    return service.get_household(session, actor=actor, household_id=household_id)


@router.post("/households/{household_id}/members", response_model=HouseholdRead)
def add_member(
    household_id: uuid.UUID,
    member: HouseholdMemberIn,
    session: DbSession,
    actor: Writer,
) -> HouseholdRead:
    return service.add_member(
        session, actor=actor, household_id=household_id, member=member
    )


@router.get("/{person_id}", response_model=PersonRead)
def get_person(person_id: uuid.UUID, session: DbSession, actor: Reader) -> PersonRead:
    """One person; another tenant's person (or one out of reach) answers 404."""
    return service.get_person(session, actor=actor, person_id=person_id)


@router.get("/{person_id}/remote-checks", response_model=list[RemoteCheckRead])
def remote_checks(
    person_id: uuid.UUID, session: DbSession, actor: Reader
) -> list[RemoteCheckRead]:
    """Duplicate checks with other states: status per state and the opaque
    candidates they answered (never a name)."""
    return service.remote_checks(session, actor=actor, person_id=person_id)


@router.post(
    "/{person_id}/remote-checks",
    response_model=list[RemoteCheckRead],
    status_code=status.HTTP_202_ACCEPTED,
)
def request_duplicate_check(
    person_id: uuid.UUID, session: DbSession, actor: Writer
) -> list[RemoteCheckRead]:
    """Check this person again with the other states (answers arrive later)."""
    return service.request_duplicate_check(session, actor=actor, person_id=person_id)


@router.post(
    "/{person_id}/remote-checks/candidates/{candidate_id}",
    response_model=RemoteCandidateRead,
)
def decide_remote_candidate(
    person_id: uuid.UUID,
    candidate_id: uuid.UUID,
    data: RemoteDecisionIn,
    session: DbSession,
    actor: Writer,
) -> RemoteCandidateRead:
    """Mark another state's candidate as the same person (a link), or not."""
    return service.decide_remote_candidate(
        session,
        actor=actor,
        person_id=person_id,
        candidate_id=candidate_id,
        same_person=data.same_person,
    )


@router.patch("/{person_id}", response_model=PersonRead)
def update_person(
    person_id: uuid.UUID, data: PersonUpdate, session: DbSession, actor: Writer
) -> PersonRead:
    """Edit with `expected_version`; a stale version answers 409, nothing saved."""
    return service.update_person(session, actor=actor, person_id=person_id, data=data)


@router.post(
    "/{person_id}/sensitive",
    response_model=SensitiveRecorded,
    status_code=status.HTTP_201_CREATED,
)
def record_sensitive(
    person_id: uuid.UUID, data: SensitiveCreate, session: DbSession, actor: Writer
) -> SensitiveRecorded:
    return service.record_sensitive(
        session,
        actor=actor,
        person_id=person_id,
        attribute=data.attribute,
        value=data.value,
        consent=data.consent,
    )


@router.get("/{person_id}/sensitive", response_model=list[SensitiveRead])
def read_sensitive(
    person_id: uuid.UUID,
    session: DbSession,
    actor: Reader,
    attribute: SensitiveKind | None = None,
    purpose: Annotated[str, Query(max_length=40)] = "case_work",
) -> list[SensitiveRead]:
    """Sensitive facts, for roles with the sensitive ceiling only; audited."""
    return service.read_sensitive(
        session, actor=actor, person_id=person_id, attribute=attribute, purpose=purpose
    )


# --- registry-wide duplicates (people.duplicates) ---------------------------------

DuplicateReader = Annotated[Actor, Depends(Require("duplicate:review"))]
DuplicateMerger = Annotated[Actor, Depends(Require("duplicate:merge"))]
DuplicateScanner = Annotated[Actor, Depends(Require("duplicate:scan"))]


@router.post("/duplicates/scan", response_model=DuplicateScan)
def scan_duplicates(
    session: DbSession, actor: DuplicateScanner, retrain: bool = False
) -> DuplicateScan:
    """Look for duplicates across the tenant's registry (trains the model once)."""
    return duplicates.find_duplicates(session, actor=actor, retrain=retrain)


@router.get("/duplicates/queue", response_model=list[DuplicateCandidateRead])
def duplicate_queue(
    session: DbSession,
    actor: DuplicateReader,
    status: Annotated[str, Query(pattern="^(open|merged|distinct)$")] = "open",
) -> list[DuplicateCandidateRead]:
    """Possible duplicates with the field-by-field comparison."""
    return duplicates.list_duplicates(session, actor=actor, status=status)


@router.post("/duplicates/{candidate_id}/merge", response_model=MergeRead)
def merge_duplicate(
    candidate_id: uuid.UUID, data: MergeIn, session: DbSession, actor: DuplicateMerger
) -> MergeRead:
    """Merge the pair into `keep_person_id`; both histories stay; undoable."""
    return duplicates.merge_duplicate(
        session,
        actor=actor,
        candidate_id=candidate_id,
        keep_person_id=data.keep_person_id,
    )


@router.post(
    "/duplicates/{candidate_id}/distinct", response_model=DuplicateCandidateRead
)
def mark_distinct(
    candidate_id: uuid.UUID, session: DbSession, actor: DuplicateMerger
) -> DuplicateCandidateRead:
    return duplicates.mark_distinct(session, actor=actor, candidate_id=candidate_id)


@router.post("/merges/{merge_id}/undo", response_model=MergeRead)
def undo_merge(
    merge_id: uuid.UUID, session: DbSession, actor: DuplicateMerger
) -> MergeRead:
    """Move back everything the merge moved; the pair returns to the queue."""
    return duplicates.undo_merge(session, actor=actor, merge_id=merge_id)
