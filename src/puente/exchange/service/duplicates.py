"""Duplicate checks against a peer, exchange's side: when a person is registered
(people publishes `DuplicateCheckRequested`), their keyed Bloom-filter encodings
leave toward every state under an active duplicate-check agreement (never a
name, birth date or document number; never toward a state the person fled,
checked at queueing and again at sending). The peer scores them against its
registry and answers opaque references; people keeps the answer. A peer that
is down gets the envelope once it is back, and the check reads "could not be
checked now" meanwhile."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente import people
from puente.core.config import get_settings
from puente.core.db import new_id
from puente.core.events import subscribe_in_transaction
from puente.exchange.errors import NodeKeyMissing
from puente.exchange.models import Agreement, Outbound
from puente.exchange.rules.terms import AgreementStatus, Category, Purpose
from puente.exchange.service.node import agreement_secret, node_identity
from puente.exchange.service.queue import queue_envelope
from puente.exchange.service.status import refresh_status
from puente.exchange.service.tracing import (
    ENCODING_FORMAT,
    encode,
    referenced_candidates,
)
from puente.identity import system_actor
from puente.linkage import Encoding

log = structlog.get_logger(__name__)

REQUEST_KIND = "duplicate_check_request"
CANDIDATES_KIND = "duplicate_check_candidates"
# A duplicate check answers the few best candidates, not a list to browse.
MAX_CANDIDATES = 5


def _active_by_peer(session: Session, node: str) -> dict[str, Agreement]:
    """The newest active duplicate-check agreement with each peer."""
    chosen: dict[str, Agreement] = {}
    for row in session.scalars(
        select(Agreement)
        .where(
            Agreement.tenant_code == node,
            Agreement.purpose == Purpose.DUPLICATE_CHECK.value,
        )
        .order_by(Agreement.created_at.desc())
    ):
        parties = row.parties.split(",")
        if node not in parties:
            continue
        if refresh_status(session, row) is not AgreementStatus.ACTIVE:
            continue
        for peer in parties:
            if peer != node:
                chosen.setdefault(peer, row)
    return chosen


@subscribe_in_transaction(people.DuplicateCheckRequested)
def send_duplicate_checks(
    session: Session, event: people.DuplicateCheckRequested
) -> None:
    """Queue the person's encodings toward each peer under an active
    duplicate-check agreement; a check row is opened only for envelopes that
    passed the send check (a refused one says nothing, toward anyone)."""
    node = get_settings().node_state.upper()
    if event.tenant_code != node:
        return
    agreements = _active_by_peer(session, node)
    if not agreements:
        return
    record = people.duplicate_check_record(
        session, tenant_code=node, person_id=event.person_id
    )
    row = {
        "given_name": record.given_name,
        "family_name": record.family_name,
        "sex": record.sex,
        "birth_date": record.birth_date,
    }
    for peer, agreement in sorted(agreements.items()):
        try:
            secret = agreement_secret(str(agreement.id))
        except NodeKeyMissing:
            log.warning(
                "duplicate_check_without_secret", agreement_id=str(agreement.id)
            )
            continue
        check_id = new_id()
        encoding = encode(secret, [row], ["q"])
        queued = queue_envelope(
            session,
            recipient=peer,
            agreement_id=agreement.id,
            purpose=Purpose.DUPLICATE_CHECK,
            kind=REQUEST_KIND,
            categories=[Category.LINKAGE_ENCODINGS],
            payload={
                "check_ref": str(check_id),
                "format": ENCODING_FORMAT,
                "encoding": base64.b64encode(encoding.to_bytes()).decode("ascii"),
            },
            subject_ids=[event.person_id],
        )
        if queued.status == "queued":
            people.open_remote_check(
                session,
                tenant_code=node,
                person_id=event.person_id,
                state=peer,
                check_id=check_id,
            )
    log.info("duplicate_checks_queued", person_id=str(event.person_id))


def note_delivery(session: Session, row: Outbound, *, delivered: bool | None) -> None:
    """After a send attempt of a duplicate check: delivered, failed (the peer
    is down: "could not be checked now"), or stopped (None: the check goes)."""
    if row.kind != REQUEST_KIND:
        return
    check_ref = json.loads(row.payload).get("check_ref")
    if not check_ref:
        return
    check_id = uuid.UUID(str(check_ref))
    if delivered is None:
        people.drop_remote_check(
            session, tenant_code=row.tenant_code, check_id=check_id
        )
    else:
        people.note_remote_check_delivery(
            session, tenant_code=row.tenant_code, check_id=check_id, delivered=delivered
        )


def answer_duplicate_check(
    session: Session, *, sender: str, agreement_id: uuid.UUID, payload: dict[str, Any]
) -> None:
    """Score the encodings against this node's registry and answer opaque
    references (persons who fled the sender's state are left out)."""
    node = node_identity().state
    check_ref = str(uuid.UUID(str(payload["check_ref"])))
    query = Encoding.from_bytes(base64.b64decode(str(payload["encoding"])))
    candidates, subjects = referenced_candidates(
        session,
        sender=sender,
        agreement_id=agreement_id,
        request_ref=check_ref,
        query=query,
        registry=people.duplicate_check_registry(session, actor=system_actor(node)),
        limit=MAX_CANDIDATES,
    )
    queue_envelope(
        session,
        recipient=sender,
        agreement_id=agreement_id,
        purpose=Purpose.DUPLICATE_CHECK,
        kind=CANDIDATES_KIND,
        categories=[Category.MATCH_CANDIDATES],
        payload={"check_ref": check_ref, "candidates": candidates},
        subject_ids=subjects,
    )
    log.info("duplicate_check_answered", peer=sender, candidates=len(candidates))


def receive_duplicate_candidates(
    session: Session, *, sender: str, payload: dict[str, Any]
) -> None:
    candidates = payload.get("candidates")
    if not isinstance(candidates, list):
        raise ValueError("candidates")
    try:
        people.record_remote_duplicates(
            session,
            tenant_code=node_identity().state,
            check_id=uuid.UUID(str(payload["check_ref"])),
            state=sender,
            candidates=[c for c in candidates if isinstance(c, dict)],
        )
    except people.PersonNotFound as exc:
        raise ValueError("check_ref") from exc
