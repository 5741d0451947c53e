"""Data-sharing agreements: draft, sign (each party's node signs the canonical
terms), revoke; active only once every party signed, expired by date. A
signature or a revocation travels to the other parties as an envelope."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.db import new_id, utcnow
from puente.exchange.errors import (
    AgreementClosed,
    AlreadySigned,
    InvalidTerms,
    NodeKeyMissing,
    NotAParty,
    PeerNotFound,
)
from puente.exchange.models import Agreement, AgreementSignature
from puente.exchange.rules.terms import (
    AgreementStatus,
    TermsInvalid,
    canonical_json,
    make_terms,
)
from puente.exchange.schemas import AgreementCreate, AgreementRead, SignatureRead
from puente.exchange.service.node import (
    NodeIdentity,
    agreement_secret,
    install_agreement_secret,
    node_identity,
    peer_of,
    verify,
)
from puente.exchange.service.queue import queue_meta
from puente.exchange.service.sealing import SealBroken, open_secret, seal_secret
from puente.exchange.service.status import (
    node_agreement,
    refresh_status,
    signatures,
    today,
)
from puente.identity import Actor, authorize, can

META_PURPOSE = "agreement"


def _read(session: Session, actor: Actor, row: Agreement) -> AgreementRead:
    signed = signatures(session, row.id)
    status = refresh_status(session, row)
    node = node_identity().state
    open_ = status in (AgreementStatus.DRAFT, AgreementStatus.ACTIVE)
    return AgreementRead(
        id=row.id,
        parties=row.parties.split(","),
        purpose=row.purpose,
        categories=row.categories.split(";"),
        legal_basis=row.legal_basis,
        dpia_reference=row.dpia_reference,
        retention_days=row.retention_days,
        expires_on=row.expires_on,
        status=status.value,
        signatures=[
            SignatureRead(state=s.state, signed_at=s.signed_at) for s in signed
        ],
        can_sign=can(actor, "agreement:sign")
        and status is AgreementStatus.DRAFT
        and node not in {s.state for s in signed},
        can_revoke=can(actor, "agreement:sign") and open_,
    )


def draft_agreement(
    session: Session, *, actor: Actor, data: AgreementCreate
) -> AgreementRead:
    """Draft an agreement this node's state is party to (`agreement:sign`)."""
    authorize(actor, "agreement:sign", tenant_code=actor.tenant_code)
    node = node_identity().state
    agreement_id = new_id()
    try:
        terms = make_terms(
            agreement_id=str(agreement_id),
            parties=data.parties,
            purpose=data.purpose,
            categories=data.categories,
            legal_basis=data.legal_basis,
            dpia_reference=data.dpia_reference,
            retention_days=data.retention_days,
            expires_on=data.expires_on,
            today=today(),
        )
    except TermsInvalid as exc:
        raise InvalidTerms(field=str(exc)) from exc
    if node not in terms.parties or actor.tenant_code != node:
        raise NotAParty()
    row = _store_terms(session, terms.as_dict(), created_by=actor.user_id)
    agreement_secret(str(agreement_id), create=True)
    audit.record(
        session,
        actor,
        "exchange:agreement:draft",
        object_type="agreement",
        object_id=row.id,
    )
    return _read(session, actor, row)


def _store_terms(
    session: Session, terms: dict[str, Any], *, created_by: uuid.UUID | None
) -> Agreement:
    node = node_identity().state
    row = Agreement(
        id=uuid.UUID(terms["agreement_id"]),
        tenant_code=node,
        parties=",".join(terms["parties"]),
        purpose=terms["purpose"],
        categories=";".join(terms["categories"]),
        legal_basis=terms["legal_basis"],
        dpia_reference=terms["dpia_reference"],
        retention_days=int(terms["retention_days"]),
        expires_on=dt.date.fromisoformat(terms["expires_on"]),
        terms=canonical_json(terms).decode("utf-8"),
        status=AgreementStatus.DRAFT.value,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row


def sign_agreement(
    session: Session, *, actor: Actor, agreement_id: uuid.UUID
) -> AgreementRead:
    """This node's state signs the terms (`agreement:sign`); the signature goes
    to the other parties. Active once every party has signed."""
    authorize(actor, "agreement:sign", tenant_code=actor.tenant_code)
    row = node_agreement(session, agreement_id)
    node = node_identity()
    if node.state not in row.parties.split(",") or actor.tenant_code != node.state:
        raise NotAParty()
    status = refresh_status(session, row)
    if status in (AgreementStatus.REVOKED, AgreementStatus.EXPIRED):
        raise AgreementClosed()
    if any(s.state == node.state for s in signatures(session, row.id)):
        raise AlreadySigned()
    signature = node.sign(row.terms.encode("utf-8"))
    session.add(
        AgreementSignature(
            tenant_code=node.state,
            agreement_id=row.id,
            state=node.state,
            public_key=node.public_key_hex,
            signature=signature,
            signed_by=actor.user_id,
        )
    )
    session.flush()
    refresh_status(session, row)
    audit.record(
        session,
        actor,
        "exchange:agreement:sign",
        object_type="agreement",
        object_id=row.id,
    )
    for party in row.parties.split(","):
        if party != node.state:
            payload: dict[str, Any] = {
                "terms": json.loads(row.terms),
                "state": node.state,
                "signature": signature,
            }
            sealed = _sealed_for(session, node, party, str(row.id))
            if sealed is not None:
                payload["sealed_secret"] = sealed
            queue_meta(
                session, recipient=party, kind="agreement_signature", payload=payload
            )
    return _read(session, actor, row)


def _sealed_for(
    session: Session, node: NodeIdentity, party: str, agreement_id: str
) -> dict[str, str] | None:
    """The agreement's linkage secret sealed to one party's node key, when this
    node holds it (the drafter does; a party that received it passes it on)."""
    try:
        secret = agreement_secret(agreement_id)
        peer = peer_of(session, party)
    except (NodeKeyMissing, PeerNotFound):
        return None
    return seal_secret(
        secret,
        recipient_public_hex=peer.public_key,
        agreement_id=agreement_id,
        sender=node.state,
        recipient=party,
    )


def _take_secret(sender: str, agreement_id: str, seal: object) -> None:
    """Install the secret a party sealed to this node (kept if already held;
    a different secret for the same agreement is refused)."""
    node = node_identity()
    try:
        secret = open_secret(
            seal,
            own_key=node.signing_key,
            agreement_id=agreement_id,
            sender=sender,
            recipient=node.state,
        )
    except SealBroken as exc:
        raise ValueError("sealed secret") from exc
    try:
        held = agreement_secret(agreement_id)
    except NodeKeyMissing:
        install_agreement_secret(agreement_id, secret)
        return
    if held != secret:
        raise ValueError("sealed secret differs")


def receive_signature(
    session: Session, *, sender: str, sender_key: str, payload: dict[str, Any]
) -> None:
    """A peer's signature on terms (creating the draft here if new)."""
    terms = payload.get("terms")
    signature = str(payload.get("signature", ""))
    if not isinstance(terms, dict) or payload.get("state") != sender:
        raise ValueError("terms")
    message = canonical_json(terms)
    if not verify(sender_key, message, signature):
        raise ValueError("signature")
    node = node_identity().state
    if node not in terms.get("parties", ()) or sender not in terms.get("parties", ()):
        raise ValueError("parties")
    agreement_id = uuid.UUID(str(terms["agreement_id"]))
    row = session.scalars(
        select(Agreement).where(
            Agreement.id == agreement_id, Agreement.tenant_code == node
        )
    ).one_or_none()
    if row is None:
        row = _store_terms(session, terms, created_by=None)
    elif row.terms.encode("utf-8") != message:
        raise ValueError("terms differ")
    if "sealed_secret" in payload:
        _take_secret(sender, str(agreement_id), payload["sealed_secret"])
    if not any(s.state == sender for s in signatures(session, row.id)):
        session.add(
            AgreementSignature(
                tenant_code=node,
                agreement_id=row.id,
                state=sender,
                public_key=sender_key,
                signature=signature,
            )
        )
        session.flush()
    refresh_status(session, row)


def revoke_agreement(
    session: Session, *, actor: Actor, agreement_id: uuid.UUID
) -> AgreementRead:
    """Revoke (`agreement:sign`): nothing more is sent or accepted under it, on
    this node at once and on the others when the revocation arrives."""
    authorize(actor, "agreement:sign", tenant_code=actor.tenant_code)
    row = node_agreement(session, agreement_id)
    node = node_identity().state
    if node not in row.parties.split(","):
        raise NotAParty()
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_by_state = node
        refresh_status(session, row)
        audit.record(
            session,
            actor,
            "exchange:agreement:revoke",
            object_type="agreement",
            object_id=row.id,
        )
        for party in row.parties.split(","):
            if party != node:
                queue_meta(
                    session,
                    recipient=party,
                    kind="agreement_revocation",
                    payload={"agreement_id": str(row.id), "state": node},
                )
    return _read(session, actor, row)


def receive_revocation(
    session: Session, *, sender: str, payload: dict[str, Any]
) -> None:
    node = node_identity().state
    row = session.scalars(
        select(Agreement).where(
            Agreement.id == uuid.UUID(str(payload.get("agreement_id"))),
            Agreement.tenant_code == node,
        )
    ).one_or_none()
    if row is None or sender not in row.parties.split(","):
        raise ValueError("agreement")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_by_state = sender
        refresh_status(session, row)


def list_agreements(session: Session, *, actor: Actor) -> list[AgreementRead]:
    authorize(actor, "agreement:read", tenant_code=actor.tenant_code)
    node = node_identity().state
    rows = session.scalars(
        select(Agreement)
        .where(Agreement.tenant_code == node)
        .order_by(Agreement.created_at.desc())
    )
    return [_read(session, actor, row) for row in rows]


def get_agreement(
    session: Session, *, actor: Actor, agreement_id: uuid.UUID
) -> AgreementRead:
    authorize(actor, "agreement:read", tenant_code=actor.tenant_code)
    return _read(session, actor, node_agreement(session, agreement_id))


def canonical_terms(text: str) -> bytes:
    """The bytes a party signs for terms given as JSON text."""
    terms = json.loads(text)
    if not isinstance(terms, dict):
        raise InvalidTerms(field="terms")
    return canonical_json(terms)
