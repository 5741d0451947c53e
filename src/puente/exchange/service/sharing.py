"""Early warning between states: CAP alerts to the peers under an alerts
agreement, and monthly counts by nationality (small cells suppressed) to the
peers under a statistics agreement; and their receipt.

An alert leaves when one of this node's own alerts gets a live message
(`early_warning.AlertMessageIssued`); the CAP XML is validated against the XSD
before it is queued, again before each sending attempt, and on receipt. A
received alert is stored by early warning apart from this node's own alerts, so
it never raises that event again: no loops. Counts pass disclosure control
(`rules.disclosure`) before they are queued, and the queue refuses any count
under five again at sending time."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente import early_warning
from puente.core.config import get_settings
from puente.core.events import subscribe_in_transaction
from puente.exchange.models import Peer
from puente.exchange.rules.disclosure import as_payload, from_payload, suppressed_table
from puente.exchange.rules.terms import Category, Purpose
from puente.exchange.schemas import OutboundRead
from puente.exchange.service.queue import (
    ALERT_KIND,
    CAP_FORMAT,
    COUNTS_KIND,
    alert_problem,
    outbound_read,
    queue_envelope,
)
from puente.exchange.service.status import (
    active_agreement_with,
    latest_agreement_with,
)
from puente.identity import Actor, authorize

log = structlog.get_logger(__name__)


def _node() -> str:
    return get_settings().node_state.upper()


def _recipients(session: Session, purpose: Purpose) -> list[tuple[str, uuid.UUID]]:
    """Each peer with an agreement of `purpose`: the active one, else the newest
    (its envelope is then refused and kept, so an auditor sees why nothing
    left). Peers without any such agreement get nothing at all."""
    node = _node()
    out: list[tuple[str, uuid.UUID]] = []
    for state in session.scalars(
        select(Peer.state).where(Peer.tenant_code == node).order_by(Peer.state)
    ):
        active = active_agreement_with(session, state, purpose)
        agreement_id = (
            active.id if active else latest_agreement_with(session, state, purpose)
        )
        if agreement_id is not None:
            out.append((state, agreement_id))
    return out


@subscribe_in_transaction(early_warning.AlertMessageIssued)
def share_alert(session: Session, event: early_warning.AlertMessageIssued) -> None:
    """Queue the CAP message of this node's alert toward each peer under an
    alerts agreement (in the same transaction as the message)."""
    if event.tenant_code != _node():
        return
    recipients = _recipients(session, Purpose.ALERTS)
    if not recipients:
        return
    xml = early_warning.outgoing_cap(
        session,
        tenant_code=event.tenant_code,
        alert_id=event.alert_id,
        message_id=event.message_id,
    )
    if xml is None:
        return
    for state, agreement_id in recipients:
        queue_envelope(
            session,
            recipient=state,
            agreement_id=agreement_id,
            purpose=Purpose.ALERTS,
            kind=ALERT_KIND,
            categories=[Category.ALERTS],
            payload={"format": CAP_FORMAT, "cap": xml.decode("utf-8")},
        )
    log.info("alert_shared", alert_id=str(event.alert_id), peers=len(recipients))


def share_monthly_counts(
    session: Session, *, actor: Actor, months: int = 12
) -> list[OutboundRead]:
    """Queue this state's arrivals by nationality and month (the last `months`
    months of its own flow sources), suppressed, toward each peer under a
    statistics agreement. Needs `agreement:sign` (a focal point shares)."""
    node = _node()
    authorize(actor, "agreement:sign", tenant_code=actor.tenant_code)
    recipients = _recipients(session, Purpose.STATISTICS)
    if not recipients:
        return []
    counts = early_warning.monthly_counts_by_nationality(
        session, tenant_code=node, months=max(1, min(months, 60))
    )
    payload = as_payload(suppressed_table(counts))
    return [
        outbound_read(
            queue_envelope(
                session,
                recipient=state,
                agreement_id=agreement_id,
                purpose=Purpose.STATISTICS,
                kind=COUNTS_KIND,
                categories=[Category.AGGREGATES],
                payload=payload,
            )
        )
        for state, agreement_id in recipients
    ]


def receive_alert(
    session: Session, *, sender: str, envelope_id: uuid.UUID, payload: dict[str, Any]
) -> None:
    """Store a peer's CAP alert (validated again here); ValueError refuses it."""
    if alert_problem(payload):
        raise ValueError("cap")
    try:
        early_warning.receive_peer_alert(
            session,
            tenant_code=_node(),
            from_state=sender,
            envelope_id=envelope_id,
            cap_xml=str(payload["cap"]).encode("utf-8"),
        )
    except early_warning.PeerAlertInvalid as exc:
        raise ValueError("cap") from exc


def receive_counts(
    session: Session, *, sender: str, envelope_id: uuid.UUID, payload: dict[str, Any]
) -> None:
    """Store a peer's monthly counts; a payload with a count under five (or
    malformed) is refused (ValueError) and nothing is stored."""
    table = from_payload(payload)
    cells = [
        early_warning.PeerCell(month=m.month, nationality=k, count=v)
        for m in table
        for k, v in sorted(m.cells.items())
    ] + [
        early_warning.PeerCell(month=m.month, nationality=None, count=m.total)
        for m in table
    ]
    early_warning.receive_peer_counts(
        session,
        tenant_code=_node(),
        from_state=sender,
        envelope_id=envelope_id,
        cells=cells,
    )
