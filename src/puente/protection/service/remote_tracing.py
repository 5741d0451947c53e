"""Tracing across states, protection's side of it: the description a forwarded
request carries to the exchange module (which encodes it and sends only the
encodings), the candidates peers answer with, and the caseworker's decision.
Also the public feared-state look-up every outbound channel re-checks."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import events, i18n
from puente.core.db import new_id
from puente.identity import Actor, authorize, system_actor
from puente.protection.errors import TracingRequestNotFound
from puente.protection.events import RemoteMatchDecided
from puente.protection.models import (
    ServiceDirectoryEntry,
    TracingRemoteMatch,
    TracingRequest,
)
from puente.protection.rules.disclosure import protected_from
from puente.protection.schemas import RemoteMatchView
from puente.protection.service._common import protection_facts, record, unseal
from puente.protection.service.cases import open_case
from puente.protection.service.referrals import refer_case
from puente.protection.service.tracing import _request

log = structlog.get_logger(__name__)

# How long the referral's consent lasts (renewed by the caseworker if needed).
REUNIFICATION_CONSENT_DAYS = 180


def feared_states(
    session: Session, *, tenant_code: str, person_id: uuid.UUID
) -> frozenset[str]:
    """States nothing about this person may reach (DP-1), read now."""
    _person, facts = protection_facts(session, system_actor(tenant_code), person_id)
    return protected_from(facts)


def tracing_description(
    session: Session, *, tenant_code: str, request_id: uuid.UUID
) -> dict[str, Any]:
    """The sought person's description, for encoding on this node only."""
    request = session.scalars(
        select(TracingRequest).where(
            TracingRequest.id == request_id, TracingRequest.tenant_code == tenant_code
        )
    ).one_or_none()
    if request is None:
        raise TracingRequestNotFound()
    sought: dict[str, Any] = unseal(
        request.tenant_code,
        "protection_tracing_request",
        "sought",
        request.id,
        request.sought_sealed,
    )
    return sought


def record_remote_candidates(
    session: Session,
    *,
    tenant_code: str,
    request_id: uuid.UUID,
    state: str,
    candidates: list[dict[str, Any]],
) -> int:
    """Store a peer's candidates (state, score, likelihood, reference)."""
    request = session.scalars(
        select(TracingRequest).where(
            TracingRequest.id == request_id, TracingRequest.tenant_code == tenant_code
        )
    ).one_or_none()
    if request is None or request.search_state != state:
        raise TracingRequestNotFound()
    known = {
        m.reference
        for m in session.scalars(
            select(TracingRemoteMatch).where(
                TracingRemoteMatch.request_id == request_id
            )
        )
    }
    added = 0
    for item in candidates:
        reference = str(item["reference"])
        if reference in known:
            continue
        session.add(
            TracingRemoteMatch(
                id=new_id(),
                tenant_code=tenant_code,
                request_id=request_id,
                state=state,
                reference=reference,
                score=float(item["score"]),
                likelihood=str(item["likelihood"]),
            )
        )
        added += 1
    if added and request.status == "forwarded":
        request.status = "answered"
    session.flush()
    return added


def withdraw_remote_candidates(
    session: Session, *, tenant_code: str, state: str, references: list[str]
) -> int:
    """Erase the candidates a peer withdrew (its person withdrew consent to
    tracing): the rows go, and a request left without candidates waits again.
    Returns how many were erased."""
    rows = list(
        session.scalars(
            select(TracingRemoteMatch).where(
                TracingRemoteMatch.tenant_code == tenant_code,
                TracingRemoteMatch.state == state,
                TracingRemoteMatch.reference.in_(references),
            )
        )
    )
    requests = {row.request_id for row in rows}
    for row in rows:
        session.delete(row)
    session.flush()
    for request_id in requests:
        request = session.get(TracingRequest, request_id)
        left = session.scalars(
            select(TracingRemoteMatch.id).where(
                TracingRemoteMatch.request_id == request_id
            )
        ).first()
        if request is not None and left is None and request.status == "answered":
            request.status = "forwarded"
    session.flush()
    return len(rows)


def remote_matches(
    session: Session, *, actor: Actor, request_id: uuid.UUID
) -> list[RemoteMatchView]:
    request = _request(session, actor, request_id)
    return [
        RemoteMatchView.model_validate(row)
        for row in list(
            session.scalars(
                select(TracingRemoteMatch)
                .where(TracingRemoteMatch.request_id == request.id)
                .order_by(TracingRemoteMatch.score.desc())
            )
        )
    ]


def decide_remote_match(
    session: Session,
    *,
    actor: Actor,
    request_id: uuid.UUID,
    match_id: uuid.UUID,
    confirm: bool,
) -> RemoteMatchView:
    """Confirm or reject another state's candidate (`case:write`); the peer is
    told by the exchange module."""
    request = _request(session, actor, request_id)
    authorize(actor, "case:write", tenant_code=actor.tenant_code)
    match = session.scalars(
        select(TracingRemoteMatch).where(
            TracingRemoteMatch.id == match_id,
            TracingRemoteMatch.request_id == request.id,
        )
    ).one_or_none()
    if match is None:
        raise TracingRequestNotFound()
    match.decision = "confirmed" if confirm else "rejected"
    if confirm:
        request.status = "matched"
        if request.case_id is None:
            request.case_id = open_reunification_case(
                session,
                tenant_code=request.tenant_code,
                person_id=request.requester_person_id,
                actor=actor,
            )
    session.flush()
    record(
        session,
        actor,
        "protection:tracing:remote_decide",
        object_type="tracing_request",
        object_id=request.id,
        confirmed=confirm,
    )
    events.publish(
        session,
        RemoteMatchDecided(
            request_id=request.id,
            match_id=match.id,
            tenant_code=request.tenant_code,
            state=match.state,
            reference=match.reference,
            is_confirmed=confirm,
        ),
    )
    return RemoteMatchView.model_validate(match)


def open_reunification_case(
    session: Session,
    *,
    tenant_code: str,
    person_id: uuid.UUID,
    actor: Actor | None = None,
) -> uuid.UUID:
    """A reunification case for a person whose cross-border match was confirmed
    (on the requesting side by the caseworker, on the other when told)."""
    who = actor or system_actor(tenant_code)
    case = open_case(
        session,
        actor=who,
        person_id=person_id,
        summary=i18n.gettext("Family reunification: a match confirmed across borders"),
    )
    service = session.scalars(
        select(ServiceDirectoryEntry)
        .where(
            ServiceDirectoryEntry.tenant_code == tenant_code,
            ServiceDirectoryEntry.state == tenant_code,
            ServiceDirectoryEntry.service_type == "family_tracing",
            ServiceDirectoryEntry.is_active.is_(True),
        )
        .order_by(ServiceDirectoryEntry.slug)
    ).first()
    if service is None:
        log.warning("reunification_without_tracing_service", case_id=str(case.id))
        return case.id
    # Consent: the person consented to tracing (its purpose is reunification);
    # the family tracing service sees who they are and the case summary only.
    refer_case(
        session,
        actor=who,
        case_id=case.id,
        service_id=service.id,
        purpose=i18n.gettext("Family reunification across borders"),
        shared_fields=["identity", "case_summary"],
        consent_given_by=None,  # the guardian's for a child
        consent_until=dt.datetime.now(dt.UTC).date()
        + dt.timedelta(days=REUNIFICATION_CONSENT_DAYS),
    )
    return case.id
