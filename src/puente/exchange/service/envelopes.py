"""Sending and receiving signed envelopes. The sender re-checks every queued
envelope before it leaves (an agreement revoked or a fear recorded since the
queueing stops it), signs the canonical body, posts it and retries with
exponential backoff while the peer is down. The receiver verifies signature,
agreement, purpose and expiry before acting, and is idempotent by envelope id.
Both sides log the body as signed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from puente.core import events
from puente.core.db import utcnow
from puente.exchange.errors import EnvelopeRefused
from puente.exchange.events import EnvelopeQueued
from puente.exchange.models import LogEntry, Outbound
from puente.exchange.rules.sending import (
    identifying_keys,
    is_wind_down,
    next_attempt_at,
)
from puente.exchange.rules.terms import AgreementStatus, canonical_json
from puente.exchange.schemas import EnvelopeAnswer, LogEntryRead, OutboundRead
from puente.exchange.service.agreements import receive_revocation, receive_signature
from puente.exchange.service.duplicates import (
    answer_duplicate_check,
    note_delivery,
    receive_duplicate_candidates,
)
from puente.exchange.service.node import node_identity, peer_of, verify
from puente.exchange.service.queue import (
    ALERT_KIND,
    COUNTS_KIND,
    META_PURPOSE,
    envelope_body,
    outbound_read,
    refusal_for,
)
from puente.exchange.service.returns import KIND as RETURN_CASE
from puente.exchange.service.returns import RECEPTION_KIND as RETURN_RECEPTION
from puente.exchange.service.returns import receive_reception, receive_return_case
from puente.exchange.service.sharing import receive_alert, receive_counts
from puente.exchange.service.status import view_for_sending
from puente.exchange.service.tracing import (
    answer_tracing_request,
    receive_candidates,
    receive_consent_withdrawal,
    receive_decision,
)
from puente.identity import Actor, authorize

log = structlog.get_logger(__name__)

ENVELOPE_PATH = "/api/v1/exchange/envelopes"


class Transport(Protocol):
    def post(self, url: str, body: dict[str, Any]) -> int: ...


class HttpTransport:
    """Real HTTP between nodes (a short timeout: a down peer is retried later)."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout

    def post(self, url: str, body: dict[str, Any]) -> int:
        response = httpx.post(url, json=body, timeout=self.timeout)
        return response.status_code


def _log(
    session: Session, *, direction: str, peer: str, body: dict[str, Any], signature: str
) -> None:
    session.add(
        LogEntry(
            tenant_code=node_identity().state,
            direction=direction,
            peer=peer,
            purpose=str(body["purpose"]),
            kind=str(body["kind"]),
            agreement_id=uuid.UUID(body["agreement_id"])
            if body.get("agreement_id")
            else None,
            envelope_id=uuid.UUID(str(body["id"])),
            body=canonical_json(body).decode("utf-8"),
            signature=signature,
        )
    )


# How long a claimed envelope is held for its attempt: a sender that dies
# mid-attempt leaves it to the next one after this (the receiver is idempotent
# by envelope id, so a second delivery does no harm).
CLAIM_SECONDS = 120


@dataclasses.dataclass(frozen=True)
class _Attempt:
    """One envelope on its way: what is posted, to where, signed."""

    row_id: uuid.UUID
    url: str | None
    body: dict[str, Any]
    signature: str
    unreachable: str | None = None


def _claim_due(session: Session, *, now: dt.datetime) -> list[uuid.UUID]:
    """Lease every queued envelope whose time has come for one attempt."""
    rows = list(
        session.scalars(
            select(Outbound)
            .where(
                Outbound.tenant_code == node_identity().state,
                Outbound.status == "queued",
                Outbound.next_attempt_at <= now,
            )
            .order_by(Outbound.created_at)
        )
    )
    for row in rows:
        row.next_attempt_at = now + dt.timedelta(seconds=CLAIM_SECONDS)
    session.flush()
    return [row.id for row in rows]


def _prepare(session: Session, row_id: uuid.UUID) -> _Attempt | None:
    """Just before its post: the send-time check again (an agreement revoked or
    a fear recorded since queueing, or since the claim, refuses it), then the
    envelope signed. None when it must not leave."""
    row = session.get(Outbound, row_id)
    if row is None or row.status != "queued":
        return None
    refusal = refusal_for(session, row)
    if refusal is not None:
        note_delivery(session, row, delivered=None)
        row.status = "refused"
        row.refusal = refusal.value
        row.payload = "{}"
        log.info("envelope_refused", envelope_id=str(row.id), refusal=refusal.value)
        session.flush()
        return None
    body = envelope_body(row)
    row.attempts += 1
    url: str | None = None
    unreachable: str | None = None
    try:
        url = peer_of(session, row.recipient).base_url + ENVELOPE_PATH
    except Exception as exc:  # PeerNotFound: retried, the peer may be added
        unreachable = type(exc).__name__
    session.flush()
    return _Attempt(
        row_id=row.id,
        url=url,
        body=body,
        signature=node_identity().sign(canonical_json(body)),
        unreachable=unreachable,
    )


def _post(attempt: _Attempt, transport: Transport) -> tuple[int, str | None]:
    """The HTTP status of one attempt (0 when the peer could not be reached)."""
    if attempt.url is None:
        return 0, attempt.unreachable
    try:
        return (
            transport.post(
                attempt.url, {"envelope": attempt.body, "signature": attempt.signature}
            ),
            None,
        )
    except Exception as exc:  # httpx.HTTPError, OSError or the transport's own
        return 0, type(exc).__name__


def _settle(
    session: Session,
    attempt: _Attempt,
    status: int,
    error: str | None,
    *,
    now: dt.datetime,
) -> bool:
    """Record how one attempt went; True when the peer took the envelope."""
    row = session.get(Outbound, attempt.row_id)
    if row is None or row.status != "queued":
        return False
    if error is not None:
        row.last_error = error
    delivered = 200 <= status < 300
    if delivered:
        row.status = "sent"
        row.sent_at = now
        row.last_error = None
        _log(
            session,
            direction="sent",
            peer=row.recipient,
            body=attempt.body,
            signature=attempt.signature,
        )
        note_delivery(session, row, delivered=True)
    elif 400 <= status < 500 and status not in (408, 429):
        # The peer refused it for good (signature, agreement): never retried.
        row.status = "rejected"
        row.last_error = f"http {status}"
    else:
        if status:
            row.last_error = f"http {status}"
        row.next_attempt_at = next_attempt_at(now, row.attempts)
        note_delivery(session, row, delivered=False)
    log.info(
        "envelope_attempt",
        envelope_id=str(row.id),
        recipient=row.recipient,
        status=row.status,
        attempts=row.attempts,
    )
    session.flush()
    return delivered


def deliver_due(
    session: Session, *, transport: Transport, now: dt.datetime | None = None
) -> int:
    """Try every queued envelope whose time has come, in one transaction;
    returns how many left. (The running sender uses `deliver_due_in_turns`.)"""
    now = now or utcnow()
    sent = 0
    for row_id in _claim_due(session, now=now):
        attempt = _prepare(session, row_id)
        if attempt is not None:
            sent += _settle(session, attempt, *_post(attempt, transport), now=now)
    return sent


def deliver_due_in_turns(
    unit_of_work: Callable[[], Any], *, transport: Transport
) -> int:
    """Like `deliver_due`, but posting outside any transaction: the claim, each
    envelope's send-time check and each outcome are short units of work of
    their own. A node never holds its write turn while it waits on a peer, so
    two nodes sending to each other at once cannot wait on each other until
    the timeout; and each envelope is checked again right before it leaves,
    not only when the batch was claimed."""
    with unit_of_work() as session:
        claimed = _claim_due(session, now=utcnow())
    sent = 0
    for row_id in claimed:
        with unit_of_work() as session:
            attempt = _prepare(session, row_id)
        if attempt is None:
            continue
        status, error = _post(attempt, transport)
        with unit_of_work() as session:
            sent += _settle(session, attempt, status, error, now=utcnow())
    return sent


def receive_envelope(
    session: Session, *, envelope: dict[str, Any], signature: str
) -> EnvelopeAnswer:
    """Verify and act on an envelope from a peer; refused (nothing stored) when
    any check fails. A repeated envelope id is answered `duplicate`."""
    node = node_identity().state
    try:
        envelope_id = uuid.UUID(str(envelope["id"]))
        sender = str(envelope["sender"]).upper()
        purpose = str(envelope["purpose"])
        kind = str(envelope["kind"])
        payload = envelope["payload"]
        categories = set(envelope["categories"])
        if envelope.get("recipient") != node or not isinstance(payload, dict):
            raise ValueError("recipient")
        peer = peer_of(session, sender)
    except (KeyError, ValueError, TypeError) as exc:
        raise EnvelopeRefused() from exc
    except Exception as exc:  # PeerNotFound: an unknown sender is refused alike
        raise EnvelopeRefused() from exc
    if not verify(peer.public_key, canonical_json(envelope), signature):
        raise EnvelopeRefused()
    seen = session.scalars(
        select(LogEntry.id).where(
            LogEntry.tenant_code == node,
            LogEntry.direction == "received",
            LogEntry.envelope_id == envelope_id,
        )
    ).first()
    if seen is not None:
        return EnvelopeAnswer(envelope_id=envelope_id, status="duplicate")
    if identifying_keys(payload):
        raise EnvelopeRefused()
    try:
        if purpose == META_PURPOSE:
            if kind == "agreement_signature":
                receive_signature(
                    session, sender=sender, sender_key=peer.public_key, payload=payload
                )
            elif kind == "agreement_revocation":
                receive_revocation(session, sender=sender, payload=payload)
            else:
                raise ValueError("kind")
        else:
            agreement_id = uuid.UUID(str(envelope["agreement_id"]))
            view = view_for_sending(session, agreement_id)
            # A consent withdrawal is accepted under the wind-down terms: the
            # agreement lapsed, but what came under it must still be erased.
            wind_down = (
                view is not None
                and kind == "consent_withdrawn"
                and is_wind_down(
                    agreement=view, categories=categories, recipient_received_data=True
                )
            )
            if (
                view is None
                or not (wind_down or view.status is AgreementStatus.ACTIVE)
                or not {sender, node} <= view.parties
                or view.purpose != purpose
                or not (wind_down or categories <= view.categories)
            ):
                raise ValueError("agreement")
            _act(session, kind, sender, agreement_id, payload, envelope_id)
    except (KeyError, ValueError, TypeError) as exc:
        raise EnvelopeRefused() from exc
    _log(session, direction="received", peer=sender, body=envelope, signature=signature)
    try:
        session.flush()
    except IntegrityError as exc:  # the same envelope, twice at once
        raise EnvelopeRefused() from exc
    log.info(
        "envelope_received", envelope_id=str(envelope_id), sender=sender, kind=kind
    )
    return EnvelopeAnswer(envelope_id=envelope_id, status="accepted")


def _act(
    session: Session,
    kind: str,
    sender: str,
    agreement_id: uuid.UUID,
    payload: dict[str, Any],
    envelope_id: uuid.UUID,
) -> None:
    if kind == ALERT_KIND:
        receive_alert(session, sender=sender, envelope_id=envelope_id, payload=payload)
    elif kind == COUNTS_KIND:
        receive_counts(session, sender=sender, envelope_id=envelope_id, payload=payload)
    elif kind == "tracing_request":
        answer_tracing_request(
            session, sender=sender, agreement_id=agreement_id, payload=payload
        )
    elif kind == "tracing_candidates":
        receive_candidates(session, sender=sender, payload=payload)
    elif kind == "tracing_decision":
        receive_decision(session, sender=sender, payload=payload)
    elif kind == "consent_withdrawn":
        receive_consent_withdrawal(session, sender=sender, payload=payload)
    elif kind == RETURN_CASE:
        receive_return_case(
            session, sender=sender, agreement_id=agreement_id, payload=payload
        )
    elif kind == RETURN_RECEPTION:
        receive_reception(
            session, sender=sender, agreement_id=agreement_id, payload=payload
        )
    elif kind == "duplicate_check_request":
        answer_duplicate_check(
            session, sender=sender, agreement_id=agreement_id, payload=payload
        )
    elif kind == "duplicate_check_candidates":
        receive_duplicate_candidates(session, sender=sender, payload=payload)
    else:
        raise ValueError("kind")


def list_log(session: Session, *, actor: Actor) -> list[LogEntryRead]:
    """Every envelope sent and received, bodies as signed (`exchange:log`)."""
    authorize(actor, "exchange:log", tenant_code=actor.tenant_code)
    node = node_identity().state
    rows = session.scalars(
        select(LogEntry)
        .where(LogEntry.tenant_code == node)
        .order_by(LogEntry.logged_at.desc())
    )
    return [
        LogEntryRead(
            envelope_id=r.envelope_id,
            direction=r.direction,
            peer=r.peer,
            purpose=r.purpose,
            kind=r.kind,
            agreement_id=r.agreement_id,
            body=json.loads(r.body),
            signature=r.signature,
            logged_at=r.logged_at,
        )
        for r in rows
    ]


def list_outbound(session: Session, *, actor: Actor) -> list[OutboundRead]:
    authorize(actor, "exchange:log", tenant_code=actor.tenant_code)
    node = node_identity().state
    rows = session.scalars(
        select(Outbound)
        .where(Outbound.tenant_code == node)
        .order_by(Outbound.created_at.desc())
    )
    return [outbound_read(r) for r in rows]


# One wake-up per running sender: a queued envelope leaves at once, not at the
# sender's next turn (the interval stays the pace of retries).
_wake_ups: list[threading.Event] = []


@events.subscribe(EnvelopeQueued)
def _wake_senders(_event: EnvelopeQueued) -> None:
    """After the commit that queued an envelope: the running senders go now."""
    for wake_up in list(_wake_ups):
        wake_up.set()


def start_sender(
    interval: float,
    unit_of_work: Callable[[], Any],
    transport: Transport | None = None,
    *,
    stop: threading.Event | None = None,
) -> threading.Thread:
    """A daemon thread that runs the queue every `interval` seconds, and at once
    when an envelope is queued, each run in its own unit of work, until `stop`
    is set."""
    halt = stop or threading.Event()
    chosen = transport or HttpTransport()
    wake_up = threading.Event()
    _wake_ups.append(wake_up)

    def loop() -> None:
        try:
            while not halt.is_set():
                wake_up.wait(interval)
                wake_up.clear()
                if halt.is_set():
                    break
                try:
                    deliver_due_in_turns(unit_of_work, transport=chosen)
                except Exception:
                    log.exception("exchange_sender_failed")
        finally:
            _wake_ups.remove(wake_up)

    thread = threading.Thread(target=loop, name="exchange-sender", daemon=True)
    thread.start()
    return thread
