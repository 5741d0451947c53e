"""Family tracing: requests (who is sought, by whom, relationship, last seen) and
matches against persons of this node who consented to tracing, each with a score
and a field-by-field comparison. Matching across states is the exchange module's
seam: a request for another state is only marked `forwarded` here, after the
feared-state bar."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import events
from puente.core.db import new_id
from puente.core.errors import InvalidInput
from puente.identity import Actor, authorize, visible
from puente.protection.errors import TracingRequestNotFound
from puente.protection.events import TracingForwarded
from puente.protection.models import TracingMatch, TracingRequest
from puente.protection.rules.disclosure import Channel, is_disclosable
from puente.protection.schemas import TracingMatchRecord, TracingRequestRecord
from puente.protection.service._common import (
    guard_disclosure,
    protection_facts,
    record,
    seal,
    unseal,
    visible_case,
)
from puente.protection.service._people import tracing_search

RELATIONSHIPS = (
    "mother",
    "father",
    "child",
    "sibling",
    "spouse",
    "grandparent",
    "other_relative",
    "other",
)


@dataclass(frozen=True)
class TracingView:
    """A tracing request with who is sought (unsealed) and its matches, best first."""

    request: TracingRequestRecord
    sought: dict[str, Any]
    matches: tuple[TracingMatchRecord, ...]


def create_tracing_request(
    session: Session,
    *,
    actor: Actor,
    requester_person_id: uuid.UUID,
    relationship: str,
    sought_given_name: str,
    sought_family_name: str,
    sought_sex: str | None = None,
    sought_birth_date: str | None = None,
    last_seen_place: str = "",
    last_seen_on: dt.date | None = None,
    search_state: str | None = None,
    case_id: uuid.UUID | None = None,
) -> TracingView:
    """Open a tracing request (`case:write`) and search this node at once.
    Toward another state the feared-state bar applies to the requester."""
    authorize(actor, "case:write", tenant_code=actor.tenant_code)
    if relationship not in RELATIONSHIPS or not (
        sought_given_name.strip() or sought_family_name.strip()
    ):
        raise InvalidInput()
    if case_id is not None:
        visible_case(session, actor, case_id, "case:write")
    state = (search_state or actor.tenant_code).upper()
    _person, facts = protection_facts(session, actor, requester_person_id)
    request = TracingRequest(
        id=new_id(),
        tenant_code=actor.tenant_code,
        requester_person_id=requester_person_id,
        case_id=case_id,
        relationship=relationship,
        last_seen_on=last_seen_on,
        search_state=state,
        status="open" if state == actor.tenant_code else "forwarded",
        created_by=actor.user_id,
    )
    sought = {
        "given_name": sought_given_name.strip(),
        "family_name": sought_family_name.strip(),
        "sex": (sought_sex or "").upper() or None,
        "birth_date": sought_birth_date or None,
        "last_seen_place": last_seen_place.strip(),
    }
    request.sought_sealed = seal(
        actor.tenant_code, "protection_tracing_request", "sought", request.id, sought
    )
    guard_disclosure(
        session,
        actor,
        facts=facts,
        person_id=requester_person_id,
        recipient_state=state,
        channel=Channel.TRACING,
        object_id=request.id,
    )
    session.add(request)
    session.flush()
    record(
        session,
        actor,
        "protection:tracing:create",
        object_type="tracing_request",
        object_id=request.id,
        forwarded=request.status == "forwarded",
    )
    if request.status == "open":
        find_matches(session, actor=actor, request_id=request.id)
    else:
        events.publish(
            session,
            TracingForwarded(
                request_id=request.id,
                tenant_code=request.tenant_code,
                search_state=state,
                requester_person_id=requester_person_id,
            ),
        )
    return get_tracing_request(session, actor=actor, request_id=request.id)


def _request(session: Session, actor: Actor, request_id: uuid.UUID) -> TracingRequest:
    authorize(actor, "case:read", tenant_code=actor.tenant_code)
    row = session.scalars(
        visible(
            actor,
            select(TracingRequest).where(TracingRequest.id == request_id),
            TracingRequest,
            "case:read",
        )
    ).one_or_none()
    if row is None:
        raise TracingRequestNotFound()
    return row


def find_matches(
    session: Session, *, actor: Actor, request_id: uuid.UUID
) -> list[TracingMatchRecord]:
    """(Re)score candidates who consented to tracing; keeps earlier decisions."""
    request = _request(session, actor, request_id)
    sought = unseal(
        request.tenant_code,
        "protection_tracing_request",
        "sought",
        request.id,
        request.sought_sealed,
    )
    candidates = tracing_search(
        session,
        actor,
        given_name=sought["given_name"],
        family_name=sought["family_name"],
        sex=sought["sex"],
        birth_date=sought["birth_date"],
    )
    existing = {
        m.person_id: m
        for m in session.scalars(
            select(TracingMatch).where(TracingMatch.request_id == request.id)
        )
    }
    for candidate in candidates:
        person_id = candidate.person_id
        if person_id == request.requester_person_id:
            continue
        _p, candidate_facts = protection_facts(session, actor, person_id)
        if not is_disclosable(candidate_facts, request.tenant_code, Channel.TRACING):
            continue
        fields = [
            {"field": f.field, "outcome": f.outcome, "similarity": f.similarity}
            for f in candidate.fields
        ]
        row = existing.get(person_id)
        if row is None:
            row = TracingMatch(
                id=new_id(),
                tenant_code=request.tenant_code,
                request_id=request.id,
                person_id=person_id,
            )
            session.add(row)
        row.score = candidate.score
        row.likelihood = candidate.likelihood
        row.comparison = json.dumps(fields)
    session.flush()
    record(
        session,
        actor,
        "protection:tracing:match",
        object_type="tracing_request",
        object_id=request.id,
        candidates=len(candidates),
    )
    return [
        TracingMatchRecord.model_validate(row)
        for row in list(
            session.scalars(
                select(TracingMatch)
                .where(TracingMatch.request_id == request.id)
                .order_by(TracingMatch.score.desc())
            )
        )
    ]


def get_tracing_request(
    session: Session, *, actor: Actor, request_id: uuid.UUID
) -> TracingView:
    request = _request(session, actor, request_id)
    sought = unseal(
        request.tenant_code,
        "protection_tracing_request",
        "sought",
        request.id,
        request.sought_sealed,
    )
    matches = tuple(
        TracingMatchRecord.model_validate(row)
        for row in session.scalars(
            select(TracingMatch)
            .where(TracingMatch.request_id == request.id)
            .order_by(TracingMatch.score.desc())
        )
    )
    return TracingView(TracingRequestRecord.model_validate(request), sought, matches)


def list_tracing_requests(
    session: Session, *, actor: Actor
) -> list[TracingRequestRecord]:
    authorize(actor, "case:read", tenant_code=actor.tenant_code)
    stmt = select(TracingRequest).order_by(TracingRequest.created_at.desc())
    return [
        TracingRequestRecord.model_validate(row)
        for row in list(
            session.scalars(visible(actor, stmt, TracingRequest, "case:read"))
        )
    ]


def decide_match(
    session: Session,
    *,
    actor: Actor,
    request_id: uuid.UUID,
    match_id: uuid.UUID,
    confirm: bool,
) -> TracingMatchRecord:
    request = _request(session, actor, request_id)
    authorize(actor, "case:write", tenant_code=actor.tenant_code)
    match = session.scalars(
        select(TracingMatch).where(
            TracingMatch.id == match_id, TracingMatch.request_id == request.id
        )
    ).one_or_none()
    if match is None:
        raise TracingRequestNotFound()
    match.decision = "confirmed" if confirm else "rejected"
    if confirm:
        request.status = "matched"
    session.flush()
    record(
        session,
        actor,
        "protection:tracing:decide",
        object_type="tracing_request",
        object_id=request.id,
        confirmed=confirm,
    )
    return TracingMatchRecord.model_validate(match)
