"""Exchange's in/out shapes: agreements, peers, log entries and envelopes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AgreementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parties: list[str] = Field(min_length=2, max_length=20)
    purpose: str = Field(max_length=20)
    categories: list[str] = Field(min_length=1, max_length=10)
    legal_basis: str = Field(min_length=1, max_length=2000)
    dpia_reference: str = Field(min_length=1, max_length=200)
    retention_days: int = Field(ge=1, le=3650)
    expires_on: dt.date


class SignatureRead(BaseModel):
    state: str
    signed_at: dt.datetime


class AgreementRead(BaseModel):
    id: uuid.UUID
    parties: list[str]
    purpose: str
    categories: list[str]
    legal_basis: str
    dpia_reference: str
    retention_days: int
    expires_on: dt.date
    status: str
    signatures: list[SignatureRead]
    can_sign: bool = False
    can_revoke: bool = False


class PeerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: str = Field(min_length=3, max_length=3, pattern="^[A-Za-z]{3}$")
    base_url: str = Field(min_length=8, max_length=300, pattern="^https?://")
    public_key: str = Field(min_length=64, max_length=64, pattern="^[0-9a-f]{64}$")


class PeerRead(BaseModel):
    state: str
    base_url: str
    public_key: str


class NodeRead(BaseModel):
    state: str
    public_key: str


class LogEntryRead(BaseModel):
    envelope_id: uuid.UUID
    direction: str
    peer: str
    purpose: str
    kind: str
    agreement_id: uuid.UUID | None
    body: dict[str, Any]
    signature: str
    logged_at: dt.datetime


class OutboundRead(BaseModel):
    envelope_id: uuid.UUID
    recipient: str
    purpose: str
    kind: str
    status: str
    refusal: str | None
    attempts: int


class EnvelopeIn(BaseModel):
    """What a peer posts: the envelope as signed and the sender's signature."""

    model_config = ConfigDict(extra="forbid")

    envelope: dict[str, Any]
    signature: str = Field(min_length=128, max_length=128, pattern="^[0-9a-f]{128}$")


class EnvelopeAnswer(BaseModel):
    envelope_id: uuid.UUID
    status: str  # accepted | duplicate
