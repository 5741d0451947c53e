"""Cross-border family tracing, exchange's side: a forwarded request leaves as
keyed Bloom-filter encodings under the tracing agreement (never a name, birth
date or document number); the peer scores them against the persons of its
registry who consented to tracing and answers with opaque references; a
caseworker's decision goes back the same way."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente import people, protection
from puente.core.events import subscribe_in_transaction
from puente.exchange.models import Agreement, Reference
from puente.exchange.rules.matching import Scored, score_candidates
from puente.exchange.rules.terms import Category, Purpose
from puente.exchange.service.node import agreement_secret, node_identity
from puente.exchange.service.queue import queue_envelope
from puente.exchange.service.status import (
    active_agreement_with,
    latest_agreement_with,
)
from puente.identity import system_actor
from puente.linkage import (
    Encoder,
    Encoding,
    EncodingConfig,
    Hardening,
    Salt,
    prepare,
    records_from_frame,
)

log = structlog.get_logger(__name__)

# Tracing descriptions are approximate (a birth year, a nickname): names are not
# salted by birth year, so an unknown year still compares.
TRACING_CONFIG = EncodingConfig(hardening=Hardening.BALANCE, salt=Salt.NONE)
ENCODING_FORMAT = "puente-pprl-tracing/1"
# A reference whose person withdrew consent to tracing (erased at the peer).
WITHDRAWN = "withdrawn"


def encode(secret: bytes, rows: Sequence[dict[str, Any]], ids: list[str]) -> Encoding:
    frame = pd.DataFrame(
        [
            {
                "rid": rid,
                "given_name": row.get("given_name") or None,
                "surname": row.get("family_name") or None,
                "sex": (row.get("sex") or None)
                if row.get("sex") not in ("U", "X")
                else None,
                "birth_date": row.get("birth_date") or None,
            }
            for rid, row in zip(ids, rows, strict=True)
        ],
        columns=["rid", "given_name", "surname", "sex", "birth_date"],
    )
    records = records_from_frame(frame, name="tracing", id_column="rid")
    prepared = prepare(records, people.linkage_name_rules())
    return Encoder(secret, TRACING_CONFIG).encode(prepared, ids)


@subscribe_in_transaction(protection.TracingForwarded)
def send_tracing_request(session: Session, event: protection.TracingForwarded) -> None:
    """Queue the encodings toward the searched state (refused, and so never sent,
    without an active tracing agreement or toward a state the requester fled)."""
    node = node_identity().state
    if event.tenant_code != node:
        return
    agreement = active_agreement_with(session, event.search_state, Purpose.TRACING)
    payload: dict[str, Any] = {"request_ref": str(event.request_id)}
    if agreement is not None:
        sought = protection.tracing_description(
            session, tenant_code=node, request_id=event.request_id
        )
        encoding = encode(agreement_secret(str(agreement.id)), [sought], ["q"])
        payload |= {
            "format": ENCODING_FORMAT,
            "encoding": base64.b64encode(encoding.to_bytes()).decode("ascii"),
        }
    queue_envelope(
        session,
        recipient=event.search_state,
        agreement_id=agreement.id
        if agreement
        else latest_agreement_with(session, event.search_state, Purpose.TRACING),
        purpose=Purpose.TRACING,
        kind="tracing_request",
        categories=[Category.LINKAGE_ENCODINGS],
        payload=payload,
        subject_ids=[event.requester_person_id],
    )


def _sex_token(encoding: Encoding, count: int) -> np.ndarray:
    tokens = encoding.tokens.get("sex")
    return tokens if tokens is not None else np.zeros(count, dtype=np.uint64)


def score_registry(
    secret: bytes, query: Encoding, registry: Sequence[people.TracingRecord]
) -> list[tuple[people.TracingRecord, Scored]]:
    """One query encoding against this node's records, encoded here with the
    agreement's secret; best first."""
    rows = [
        {
            "given_name": r.given_name,
            "family_name": r.family_name,
            "sex": r.sex,
            "birth_date": r.birth_date,
        }
        for r in registry
    ]
    local = encode(secret, rows, [str(r.person_id) for r in registry])
    scored = score_candidates(
        {k: v[0] for k, v in query.filters.items()},
        {k: bool(v[0]) for k, v in query.present.items()},
        int(_sex_token(query, 1)[0]),
        local.filters,
        local.present,
        _sex_token(local, len(registry)),
        len(registry),
    )
    return [(registry[item.index], item) for item in scored]


def referenced_candidates(
    session: Session,
    *,
    sender: str,
    agreement_id: uuid.UUID,
    request_ref: str,
    query: Encoding,
    registry: Sequence[Any],
    limit: int,
) -> tuple[list[dict[str, Any]], list[uuid.UUID]]:
    """Score `query` against the registry, persons who fled the sender's state
    left out, and keep an opaque reference for each of the best `limit`: the
    candidates to answer (reference, score, likelihood) and their subjects."""
    node = node_identity().state
    kept = [
        r
        for r in registry
        if sender
        not in protection.feared_states(
            session, tenant_code=node, person_id=r.person_id
        )
    ]
    candidates: list[dict[str, Any]] = []
    subjects: list[uuid.UUID] = []
    if not kept:
        return candidates, subjects
    scored = score_registry(agreement_secret(str(agreement_id)), query, kept)
    for person, item in scored[:limit]:
        reference = Reference(
            tenant_code=node,
            agreement_id=agreement_id,
            peer=sender,
            person_id=person.person_id,
            request_ref=request_ref,
            score=item.score,
        )
        session.add(reference)
        session.flush()
        candidates.append(
            {
                "reference": str(reference.id),
                "score": item.score,
                "likelihood": item.likelihood,
            }
        )
        subjects.append(person.person_id)
    return candidates, subjects


def answer_tracing_request(
    session: Session, *, sender: str, agreement_id: uuid.UUID, payload: dict[str, Any]
) -> None:
    """Score the encodings against this node's tracing registry and answer with
    opaque references (persons who fled the sender's state are left out)."""
    node = node_identity().state
    query = Encoding.from_bytes(base64.b64decode(str(payload["encoding"])))
    registry = people.tracing_registry(session, actor=system_actor(node))
    candidates, subjects = referenced_candidates(
        session,
        sender=sender,
        agreement_id=agreement_id,
        request_ref=str(payload["request_ref"]),
        query=query,
        registry=registry,
        limit=10,
    )
    queue_envelope(
        session,
        recipient=sender,
        agreement_id=agreement_id,
        purpose=Purpose.TRACING,
        kind="tracing_candidates",
        categories=[Category.MATCH_CANDIDATES],
        payload={"request_ref": str(payload["request_ref"]), "candidates": candidates},
        subject_ids=subjects,
    )
    log.info("tracing_answered", peer=sender, candidates=len(candidates))


def receive_candidates(
    session: Session, *, sender: str, payload: dict[str, Any]
) -> None:
    node = node_identity().state
    candidates = payload.get("candidates")
    if not isinstance(candidates, list):
        raise ValueError("candidates")
    protection.record_remote_candidates(
        session,
        tenant_code=node,
        request_id=uuid.UUID(str(payload["request_ref"])),
        state=sender,
        candidates=[c for c in candidates if isinstance(c, dict)],
    )


@subscribe_in_transaction(people.TracingConsentWithdrawn)
def send_consent_withdrawal(
    session: Session, event: people.TracingConsentWithdrawn
) -> None:
    """The person withdrew consent to tracing: every peer this node gave a
    reference for them is told to erase it (under the agreement it came by)."""
    node = node_identity().state
    if event.tenant_code != node:
        return
    given: dict[tuple[str, uuid.UUID], list[str]] = {}
    # References given under tracing agreements, whatever their status now: a
    # lapsed agreement still carries the withdrawal (wind-down, ADR 0012).
    tracing_agreements = select(Agreement.id).where(
        Agreement.tenant_code == node, Agreement.purpose == Purpose.TRACING.value
    )
    for row in session.scalars(
        select(Reference)
        .where(
            Reference.tenant_code == node,
            Reference.person_id == event.person_id,
            Reference.decision != WITHDRAWN,
            Reference.agreement_id.in_(tracing_agreements),
        )
        .order_by(Reference.created_at)
    ):
        given.setdefault((row.peer, row.agreement_id), []).append(str(row.id))
        row.decision = WITHDRAWN
    for (peer, agreement_id), references in sorted(given.items()):
        queue_envelope(
            session,
            recipient=peer,
            agreement_id=agreement_id,
            purpose=Purpose.TRACING,
            kind="consent_withdrawn",
            categories=[Category.CONSENT_REVOCATION],
            payload={"references": references},
            subject_ids=[event.person_id],
        )
    session.flush()
    log.info(
        "consent_withdrawal_queued", person_id=str(event.person_id), peers=len(given)
    )


def receive_consent_withdrawal(
    session: Session, *, sender: str, payload: dict[str, Any]
) -> None:
    """Erase the candidates the sender withdrew."""
    references = payload.get("references")
    if not isinstance(references, list) or not references:
        raise ValueError("references")
    erased = protection.withdraw_remote_candidates(
        session,
        tenant_code=node_identity().state,
        state=sender,
        references=[str(r)[:36] for r in references],
    )
    log.info("consent_withdrawal_received", peer=sender, erased=erased)


@subscribe_in_transaction(protection.RemoteMatchDecided)
def send_decision(session: Session, event: protection.RemoteMatchDecided) -> None:
    node = node_identity().state
    if event.tenant_code != node:
        return
    agreement = active_agreement_with(session, event.state, Purpose.TRACING)
    queue_envelope(
        session,
        recipient=event.state,
        agreement_id=agreement.id
        if agreement
        else latest_agreement_with(session, event.state, Purpose.TRACING),
        purpose=Purpose.TRACING,
        kind="tracing_decision",
        categories=[Category.MATCH_CONFIRMATION],
        payload={
            "request_ref": str(event.request_id),
            "reference": event.reference,
            "confirmed": event.is_confirmed,
        },
    )


def receive_decision(session: Session, *, sender: str, payload: dict[str, Any]) -> None:
    node = node_identity().state
    row = session.scalars(
        select(Reference).where(
            Reference.tenant_code == node,
            Reference.id == uuid.UUID(str(payload["reference"])),
            Reference.peer == sender,
        )
    ).one_or_none()
    if row is None or row.decision == WITHDRAWN:
        raise ValueError("reference")
    confirmed = payload.get("confirmed") is True
    if confirmed and row.decision != "confirmed":
        protection.open_reunification_case(
            session, tenant_code=node, person_id=row.person_id
        )
    row.decision = "confirmed" if confirmed else "rejected"
    session.flush()
