"""Return cases toward the state of return, exchange's side: an opened return case
leaves under an active returns agreement with that state's node, as its opaque
reference and the fields reception needs (never a name); the queue refuses it for
a person who fled that state, at queueing and again at sending. The receiving node
stores it for its reception. Without an agreement nothing is queued: protection
offers the case as an export instead."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy.orm import Session

from puente import protection
from puente.core.events import subscribe_in_transaction
from puente.exchange.rules.terms import Category, Purpose
from puente.exchange.service.node import node_identity
from puente.exchange.service.queue import queue_envelope
from puente.exchange.service.status import active_agreement_with

log = structlog.get_logger(__name__)

KIND = "return_case"
RECEPTION_KIND = "return_reception"


@subscribe_in_transaction(protection.ReturnCaseOpened)
def send_return_case(session: Session, event: protection.ReturnCaseOpened) -> None:
    """Queue the return case toward the state of return when a returns agreement
    with it is active; mark it shared only when the queue took it."""
    node = node_identity().state
    if event.tenant_code != node:
        return
    agreement = active_agreement_with(session, event.state, Purpose.RETURNS)
    if agreement is None:
        log.info("return_case_not_shared", return_case_id=str(event.return_case_id))
        return
    payload = protection.return_case_for_exchange(
        session, tenant_code=node, return_case_id=event.return_case_id
    )
    row = queue_envelope(
        session,
        recipient=event.state,
        agreement_id=agreement.id,
        purpose=Purpose.RETURNS,
        kind=KIND,
        categories=[Category.RETURN_CASE],
        payload=payload,
        subject_ids=[event.person_id],
    )
    if row.status == "queued":
        protection.mark_return_case_shared(
            session, tenant_code=node, return_case_id=event.return_case_id
        )


def receive_return_case(
    session: Session, *, sender: str, agreement_id: uuid.UUID, payload: dict[str, Any]
) -> None:
    """Store the return case for this node's reception."""
    stored = protection.receive_incoming_return(
        session,
        tenant_code=node_identity().state,
        sender_state=sender,
        payload=payload,
    )
    log.info(
        "return_case_received",
        incoming_return_id=str(stored.id),
        peer=sender,
        agreement_id=str(agreement_id),
    )


@subscribe_in_transaction(protection.IncomingReturnReceived)
def report_reception(
    session: Session, event: protection.IncomingReturnReceived
) -> None:
    """The state of return tells the sending state the person was received, under
    the same returns agreement (the reference and the arrival date, no name);
    without an active agreement nothing leaves."""
    node = node_identity().state
    if event.tenant_code != node:
        return
    agreement = active_agreement_with(session, event.sender_state, Purpose.RETURNS)
    if agreement is None:
        log.info("return_reception_not_reported", incoming_id=str(event.incoming_id))
        return
    queue_envelope(
        session,
        recipient=event.sender_state,
        agreement_id=agreement.id,
        purpose=Purpose.RETURNS,
        kind=RECEPTION_KIND,
        categories=[Category.RETURN_CASE],
        payload=protection.reception_for_exchange(event),
    )


def receive_reception(
    session: Session, *, sender: str, agreement_id: uuid.UUID, payload: dict[str, Any]
) -> None:
    """The state of return reports one of this node's return cases received."""
    first = protection.receive_reception_report(
        session,
        tenant_code=node_identity().state,
        sender_state=sender,
        payload=payload,
    )
    log.info(
        "return_reception_reported",
        peer=sender,
        agreement_id=str(agreement_id),
        first=first,
    )
