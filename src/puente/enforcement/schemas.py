"""Enforcement request and response bodies."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EntityKind = Literal[
    "route",
    "modus_operandi",
    "vehicle",
    "phone_number",
    "financial_flow",
    "organisation",
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NetworkCreate(_In):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    summary: Annotated[str, Field(max_length=4000)] = ""


class EntityCreate(_In):
    kind: EntityKind
    label: Annotated[str, Field(min_length=1, max_length=200)]
    detail: Annotated[str, Field(max_length=4000)] = ""


class LinkCreate(_In):
    source_id: uuid.UUID
    target_id: uuid.UUID
    relation: Annotated[str, Field(max_length=120)] = ""


class AgreementCreate(_In):
    partner_state: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    reference: Annotated[str, Field(min_length=1, max_length=120)]
    valid_until: dt.date


class ShareCreate(_In):
    recipient_state: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class EntityRead(BaseModel):
    id: uuid.UUID
    kind: str
    label: str
    detail: str
    degree: float
    betweenness: float


class NetworkRead(BaseModel):
    id: uuid.UUID
    name: str
    summary: str
    entities: list[EntityRead]
    links: list[dict[str, str]]
    components: list[list[str]]


class SharedRead(BaseModel):
    id: uuid.UUID
    sender_state: str
    agreement_ref: str
    network_name: str
    report: dict[str, Any]
    shared_at: dt.datetime
