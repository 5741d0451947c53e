"""Commitments read models and write shapes."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer

Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class TargetRead(BaseModel):
    quantity: Number | None
    quantity_max: Number | None
    unit: str
    unit_label: str
    deadline: dt.date | None
    deadline_text: str


class ProgressRead(BaseModel):
    """Progress computed from Puente's own data, where a measure exists."""

    measure: str
    label: str
    value: Number
    share: float | None


class PaymentRead(BaseModel):
    """A commitment or payment of the state's government, from financing."""

    flow_id: uuid.UUID
    reference: str
    flow_date: dt.date
    status: str
    status_label: str
    recipient: str
    amount_usd: Number


class EvidenceRead(BaseModel):
    id: uuid.UUID
    status: str
    status_label: str
    url: str
    note: str
    evidence_date: dt.date | None
    added_at: dt.datetime


class ObjectiveRead(BaseModel):
    compact: str  # "GCR" or "GCM"
    number: int
    label: str


class CommitmentRead(BaseModel):
    id: uuid.UUID
    key: str
    kind: str
    state: str | None
    state_name: str | None
    section: str
    section_label: str
    action_package: str | None
    package_name: str | None
    verb: str
    verb_label: str
    text: str
    status: str
    status_label: str
    status_changed_at: dt.datetime
    target: TargetRead
    progress: ProgressRead | None
    venue: str
    announced: str
    source_url: str
    objectives: list[ObjectiveRead]
    evidence_count: int
    can_update: bool


class CommitmentDetail(CommitmentRead):
    evidence: list[EvidenceRead]
    payments: list[PaymentRead]


class PackageRead(BaseModel):
    code: str
    name: str
    section: str
    section_label: str
    leads: list[str]
    lead_names: list[str]
    participants: list[str]
    participant_names: list[str]
    source_url: str


class StatusChange(BaseModel):
    status: str = Field(min_length=1, max_length=12)
    evidence_url: str = Field(default="", max_length=500)
    evidence_note: str = Field(default="", max_length=2000)
    evidence_date: dt.date | None = None


class DeliverableCreate(BaseModel):
    """A deliverable a focal point adds for their own state."""

    text: str = Field(min_length=5, max_length=2000)
    section: str = Field(max_length=20)
    action_package: str | None = Field(default=None, max_length=10)
    target_quantity: Decimal | None = Field(
        default=None, ge=0, max_digits=18, decimal_places=2
    )
    target_unit: str = Field(default="", max_length=40)
    deadline: dt.date | None = None
    source_url: str = Field(default="", max_length=500)
