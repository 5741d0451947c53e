"""The outbound queue: an envelope enters it only past the send check (hard
denies, agreement, purpose, categories); the sender checks again before it
leaves. A refused envelope is kept with its reason and never sent."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente import early_warning
from puente.core import events
from puente.core.db import new_id, utcnow
from puente.exchange.events import EnvelopeQueued
from puente.exchange.models import Outbound, Reference
from puente.exchange.rules.disclosure import small_counts
from puente.exchange.rules.sending import Refusal, identifying_keys, send_refusal
from puente.exchange.rules.terms import Category, canonical_json
from puente.exchange.schemas import OutboundRead
from puente.exchange.service.node import node_identity
from puente.exchange.service.status import view_for_sending
from puente.protection import feared_states

log = structlog.get_logger(__name__)

META_PURPOSE = "agreement"
META_CATEGORY = "agreement_terms"
CAP_FORMAT = "cap-1.2"
ALERT_KIND = "cap_alert"
COUNTS_KIND = "monthly_counts"


def alert_problem(payload: dict[str, Any]) -> bool:
    """True when a payload is not a valid CAP 1.2 alert (XSD and the
    specification's rules)."""
    if payload.get("format") != CAP_FORMAT or not isinstance(payload.get("cap"), str):
        return True
    return bool(early_warning.cap_problems(str(payload["cap"]).encode("utf-8")))


def _kind_refusal(kind: str, payload: dict[str, Any]) -> Refusal | None:
    """What the kinds of early warning shared between states must also pass,
    at queueing and again at sending: a valid CAP alert; no count under five."""
    if kind == ALERT_KIND and alert_problem(payload):
        return Refusal.INVALID_ALERT
    if kind == COUNTS_KIND and small_counts(
        {k: v for k, v in payload.items() if k != "min_cell"}
    ):
        return Refusal.SMALL_CELL
    return None


def subjects_feared(
    session: Session, subject_ids: Iterable[uuid.UUID]
) -> list[frozenset[str]]:
    """The states each subject fled (DP-1), read now from protection."""
    node = node_identity().state
    return [
        feared_states(session, tenant_code=node, person_id=person_id)
        for person_id in subject_ids
    ]


def received_data(
    session: Session, *, recipient: str, agreement_id: uuid.UUID | None
) -> bool:
    """Whether this node gave `recipient` any reference under the agreement."""
    if agreement_id is None:
        return False
    found = session.scalars(
        select(Reference.id).where(
            Reference.tenant_code == node_identity().state,
            Reference.agreement_id == agreement_id,
            Reference.peer == recipient,
        )
    ).first()
    return found is not None


def refusal_for(session: Session, row: Outbound) -> Refusal | None:
    payload = json.loads(row.payload)
    if row.purpose == META_PURPOSE:
        return Refusal.PERSONAL_IDENTIFIER if identifying_keys(payload) else None
    subjects = [uuid.UUID(s) for s in row.subject_ids.split(",") if s]
    categories = row.categories.split(";")
    refusal = send_refusal(
        agreement=view_for_sending(session, row.agreement_id)
        if row.agreement_id
        else None,
        sender=node_identity().state,
        recipient=row.recipient,
        purpose=row.purpose,
        categories=categories,
        feared_by_subjects=subjects_feared(session, subjects),
        payload=payload,
        recipient_received_data=Category.CONSENT_REVOCATION in categories
        and received_data(
            session, recipient=row.recipient, agreement_id=row.agreement_id
        ),
    )
    return refusal or _kind_refusal(row.kind, payload)


def queue_envelope(
    session: Session,
    *,
    recipient: str,
    agreement_id: uuid.UUID | None,
    purpose: str,
    kind: str,
    categories: Iterable[str],
    payload: dict[str, Any],
    subject_ids: Iterable[uuid.UUID] = (),
) -> Outbound:
    """Queue an envelope; refused at once (kept, never sent) when the send
    check says no."""
    node = node_identity().state
    row = Outbound(
        id=new_id(),
        tenant_code=node,
        recipient=recipient.upper(),
        agreement_id=agreement_id,
        purpose=purpose,
        kind=kind,
        categories=";".join(sorted(set(categories))),
        payload=canonical_json(payload).decode("utf-8"),
        subject_ids=",".join(str(s) for s in subject_ids),
        status="queued",
        next_attempt_at=utcnow(),
        created_at=utcnow().replace(microsecond=0),
    )
    refusal = refusal_for(session, row)
    if refusal is not None:
        # Nothing of the payload is kept on a refused envelope.
        row.status = "refused"
        row.refusal = refusal.value
        row.payload = "{}"
        log.info("envelope_refused", envelope_id=str(row.id), refusal=refusal.value)
    session.add(row)
    session.flush()
    if row.status == "queued":
        events.publish(session, EnvelopeQueued(row.id))
    return row


def queue_meta(
    session: Session, *, recipient: str, kind: str, payload: dict[str, Any]
) -> Outbound:
    """Agreement signatures and revocations: terms only, no personal data."""
    return queue_envelope(
        session,
        recipient=recipient,
        agreement_id=None,
        purpose=META_PURPOSE,
        kind=kind,
        categories=[META_CATEGORY],
        payload=payload,
    )


def envelope_body(row: Outbound) -> dict[str, Any]:
    """The envelope exactly as signed: the same bytes on every attempt."""
    created: dt.datetime = row.created_at
    return {
        "id": str(row.id),
        "sender": row.tenant_code,
        "recipient": row.recipient,
        "agreement_id": str(row.agreement_id) if row.agreement_id else None,
        "purpose": row.purpose,
        "kind": row.kind,
        "categories": row.categories.split(";"),
        "created_at": created.isoformat(),
        "payload": json.loads(row.payload),
    }


def outbound_read(row: Outbound) -> OutboundRead:
    """An outbound envelope as the API and screens show it."""
    return OutboundRead(
        envelope_id=row.id,
        recipient=row.recipient,
        purpose=row.purpose,
        kind=row.kind,
        status=row.status,
        refusal=row.refusal,
        attempts=row.attempts,
    )
