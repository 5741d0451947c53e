"""Exchange's tables: the peers this node knows (state, address, public key),
data-sharing agreements with each party's signature, the outbound queue of signed
envelopes, the log of every envelope sent and received (body as sent), and the
opaque references this node handed to a peer for its own persons.

Every row belongs to the node's own state (the tenant): a node's view of an
agreement, its queue and its log are its own."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from puente.core.db import Base, TenantMixin, new_id, utcnow


class Peer(TenantMixin, Base):
    __tablename__ = "exchange_peer"
    __table_args__ = (UniqueConstraint("tenant_code", "state"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    state: Mapped[str] = mapped_column(String(3))
    base_url: Mapped[str] = mapped_column(String(300))
    public_key: Mapped[str] = mapped_column(String(64))  # raw Ed25519, hex
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Agreement(TenantMixin, Base):
    """One data-sharing agreement; the same id and terms on every party's node."""

    __tablename__ = "exchange_agreement"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    parties: Mapped[str] = mapped_column(String(200))  # "COL,PAN", sorted
    purpose: Mapped[str] = mapped_column(String(20), index=True)
    categories: Mapped[str] = mapped_column(String(300))  # ";"-joined, sorted
    legal_basis: Mapped[str] = mapped_column(Text)
    dpia_reference: Mapped[str] = mapped_column(String(200))
    retention_days: Mapped[int] = mapped_column(Integer)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    terms: Mapped[str] = mapped_column(Text)  # canonical JSON every party signs
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    revoked_at: Mapped[dt.datetime | None]
    revoked_by_state: Mapped[str | None] = mapped_column(String(3))
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AgreementSignature(TenantMixin, Base):
    __tablename__ = "exchange_agreement_signature"
    __table_args__ = (UniqueConstraint("agreement_id", "state"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    agreement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("exchange_agreement.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(3))
    public_key: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))  # Ed25519, hex
    signed_by: Mapped[uuid.UUID | None]
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Outbound(TenantMixin, Base):
    """An envelope waiting to leave (or that left, or that was stopped)."""

    __tablename__ = "exchange_outbound"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    recipient: Mapped[str] = mapped_column(String(3), index=True)
    agreement_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    categories: Mapped[str] = mapped_column(String(300))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    # Local persons the payload is about (ids only; never sent): the feared-state
    # bar is checked for each of them again at sending time.
    subject_ids: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    refusal: Mapped[str | None] = mapped_column(String(30))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]


class LogEntry(TenantMixin, Base):
    """What was sent to or received from whom, under which agreement and why."""

    __tablename__ = "exchange_log"
    __table_args__ = (UniqueConstraint("tenant_code", "direction", "envelope_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    direction: Mapped[str] = mapped_column(String(10))  # sent | received
    peer: Mapped[str] = mapped_column(String(3), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    agreement_id: Mapped[uuid.UUID | None]
    envelope_id: Mapped[uuid.UUID] = mapped_column(index=True)
    body: Mapped[str] = mapped_column(Text)  # the envelope exactly as signed
    signature: Mapped[str] = mapped_column(String(128))
    logged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Reference(TenantMixin, Base):
    """An opaque reference this node gave a peer for one of its persons; the
    peer never learns the person id behind it."""

    __tablename__ = "exchange_reference"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    agreement_id: Mapped[uuid.UUID] = mapped_column(index=True)
    peer: Mapped[str] = mapped_column(String(3))
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    request_ref: Mapped[str] = mapped_column(String(36))  # the peer's request
    score: Mapped[float]
    decision: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
