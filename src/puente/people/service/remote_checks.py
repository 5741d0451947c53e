"""Duplicate checks against other states, people's side: registering a person
asks for one (the exchange module sends only keyed encodings, to the states
under an active duplicate-check agreement that the person did not flee), the
peer's answer is kept here as opaque references with a score, and a caseworker
may mark one as the same person (a link, audited). Registration never waits for
a peer: a state that is down shows as "could not be checked now" and its answer
arrives later."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit, events
from puente.core.db import new_id, utcnow
from puente.identity import Actor, visible
from puente.people.errors import PersonNotFound
from puente.people.events import DuplicateCheckRequested
from puente.people.models import Person, RemoteCandidate, RemoteCheck
from puente.people.schemas import RemoteCandidateRead, RemoteCheckRead
from puente.people.service._common import READ, WRITE, birth_of, load_person, log
from puente.people.service.tracing import TracingRecord

PENDING = "pending"
UNREACHABLE = "unreachable"
ANSWERED = "answered"
SAME_PERSON = "same_person"
NOT_SAME = "not_same"
OPEN = "open"


def _record(person: Person) -> TracingRecord:
    birth = birth_of(person)
    return TracingRecord(
        person_id=person.id,
        given_name=person.given_name,
        family_name=person.family_name,
        sex=person.sex,
        birth_date=str(birth) if birth else None,
    )


def request_duplicate_check(
    session: Session, *, actor: Actor, person_id: uuid.UUID
) -> list[RemoteCheckRead]:
    """Check this person again with the other states (`person:write`)."""
    person = load_person(session, actor, person_id, WRITE)
    audit.record(
        session,
        actor,
        "people:remote_check:request",
        object_type="person",
        object_id=person.id,
    )
    events.publish(session, DuplicateCheckRequested(person.id, person.tenant_code))
    return remote_checks(session, actor=actor, person_id=person.id)


def duplicate_check_record(
    session: Session, *, tenant_code: str, person_id: uuid.UUID
) -> TracingRecord:
    """What a duplicate check encodes of one person (on this node only)."""
    person = session.scalars(
        select(Person).where(
            Person.id == person_id,
            Person.tenant_code == tenant_code,
            Person.erased_at.is_(None),
        )
    ).one_or_none()
    if person is None:
        raise PersonNotFound()
    return _record(person)


def duplicate_check_registry(session: Session, *, actor: Actor) -> list[TracingRecord]:
    """Every visible, not erased person a peer's duplicate check is scored
    against (`person:read`); only opaque references leave."""
    stmt = select(Person).where(Person.erased_at.is_(None))
    return [_record(p) for p in session.scalars(visible(actor, stmt, Person, READ))]


def open_remote_check(
    session: Session,
    *,
    tenant_code: str,
    person_id: uuid.UUID,
    state: str,
    check_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """A check on its way to `state`; its id is the reference the peer answers."""
    check = RemoteCheck(
        id=check_id or new_id(),
        tenant_code=tenant_code,
        person_id=person_id,
        state=state,
        status=PENDING,
        requested_at=utcnow(),
    )
    session.add(check)
    session.flush()
    return check.id


def _check(session: Session, tenant_code: str, check_id: uuid.UUID) -> RemoteCheck:
    check = session.scalars(
        select(RemoteCheck).where(
            RemoteCheck.id == check_id, RemoteCheck.tenant_code == tenant_code
        )
    ).one_or_none()
    if check is None:
        raise PersonNotFound()
    return check


def note_remote_check_delivery(
    session: Session, *, tenant_code: str, check_id: uuid.UUID, delivered: bool
) -> None:
    """The exchange module tried to send the check: a peer that is down makes
    it "could not be checked now" until it is delivered."""
    check = session.scalars(
        select(RemoteCheck).where(
            RemoteCheck.id == check_id, RemoteCheck.tenant_code == tenant_code
        )
    ).one_or_none()
    if check is None or check.status == ANSWERED:
        return
    check.status = PENDING if delivered else UNREACHABLE
    session.flush()


def drop_remote_check(
    session: Session, *, tenant_code: str, check_id: uuid.UUID
) -> None:
    """The check was stopped before leaving (a fear recorded since): nothing
    about it is kept toward that state."""
    check = session.scalars(
        select(RemoteCheck).where(
            RemoteCheck.id == check_id, RemoteCheck.tenant_code == tenant_code
        )
    ).one_or_none()
    if check is not None:
        session.delete(check)
        session.flush()


def record_remote_duplicates(
    session: Session,
    *,
    tenant_code: str,
    check_id: uuid.UUID,
    state: str,
    candidates: Iterable[dict[str, Any]],
) -> int:
    """Store a peer's answer (opaque references only); returns how many."""
    check = _check(session, tenant_code, check_id)
    if check.state != state:
        raise PersonNotFound()
    known = set(
        session.scalars(
            select(RemoteCandidate.reference).where(
                RemoteCandidate.check_id == check.id
            )
        )
    )
    added = 0
    for item in candidates:
        reference = str(item["reference"])[:36]
        if reference in known:
            continue
        known.add(reference)
        session.add(
            RemoteCandidate(
                id=new_id(),
                tenant_code=tenant_code,
                check_id=check.id,
                person_id=check.person_id,
                state=state,
                reference=reference,
                score=float(item["score"]),
                likelihood=str(item["likelihood"])[:10],
                decision=OPEN,
            )
        )
        added += 1
    check.status = ANSWERED
    check.answered_at = utcnow()
    session.flush()
    log.info("remote_check_answered", check_id=str(check.id), candidates=added)
    return added


def withdraw_remote_duplicates(
    session: Session, *, tenant_code: str, state: str, references: list[str]
) -> int:
    """Erase the candidates a peer withdrew; returns how many."""
    rows = list(
        session.scalars(
            select(RemoteCandidate).where(
                RemoteCandidate.tenant_code == tenant_code,
                RemoteCandidate.state == state,
                RemoteCandidate.reference.in_(references),
            )
        )
    )
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def remote_checks(
    session: Session, *, actor: Actor, person_id: uuid.UUID
) -> list[RemoteCheckRead]:
    """This person's checks with other states, newest first (`person:read`)."""
    person = load_person(session, actor, person_id, READ)
    checks = list(
        session.scalars(
            select(RemoteCheck)
            .where(RemoteCheck.person_id == person.id)
            .order_by(RemoteCheck.requested_at.desc(), RemoteCheck.state)
        )
    )
    found: dict[uuid.UUID, list[RemoteCandidateRead]] = {c.id: [] for c in checks}
    if checks:
        for row in session.scalars(
            select(RemoteCandidate)
            .where(RemoteCandidate.check_id.in_(list(found)))
            .order_by(RemoteCandidate.score.desc())
        ):
            found[row.check_id].append(RemoteCandidateRead.model_validate(row))
    return [
        RemoteCheckRead(
            id=c.id,
            state=c.state,
            status=c.status,
            requested_at=c.requested_at,
            answered_at=c.answered_at,
            candidates=found[c.id],
        )
        for c in checks
    ]


def decide_remote_candidate(
    session: Session,
    *,
    actor: Actor,
    person_id: uuid.UUID,
    candidate_id: uuid.UUID,
    same_person: bool,
) -> RemoteCandidateRead:
    """Mark another state's candidate as the same person, or not (`person:write`;
    audited `people:remote_duplicate:decide`). A link on this node only."""
    person = load_person(session, actor, person_id, WRITE)
    row = session.scalars(
        select(RemoteCandidate).where(
            RemoteCandidate.id == candidate_id, RemoteCandidate.person_id == person.id
        )
    ).one_or_none()
    if row is None:
        raise PersonNotFound()
    row.decision = SAME_PERSON if same_person else NOT_SAME
    row.decided_by = actor.user_id
    row.decided_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "people:remote_duplicate:decide",
        object_type="person",
        object_id=person.id,
        candidate_id=str(row.id),
        same_person=same_person,
    )
    return RemoteCandidateRead.model_validate(row)
