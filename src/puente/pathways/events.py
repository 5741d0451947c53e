"""Pathway events: frozen, past tense, ids only (never facts or names)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class PathwayChanged:
    """Published by the catalogue service when a pathway opens, closes or gets a
    new version. Stored screenings and applications are re-screened in the same
    transaction; subscribers (other modules, notifications) react after commit."""

    pathway_id: str
    state: str
    change: str  # opened | closed | changed


@dataclass(frozen=True)
class ScreeningRecorded:
    """Published when a person's screening is stored."""

    screening_id: uuid.UUID
    tenant_code: str


@dataclass(frozen=True)
class ApplicationSubmitted:
    application_id: uuid.UUID
    pathway_id: str


@dataclass(frozen=True)
class ApplicationStageChanged:
    application_id: uuid.UUID
    stage: str
    status: str


@dataclass(frozen=True)
class OfferChecked:
    """Published for every stored offer; `blocked` offers are never matched."""

    offer_id: uuid.UUID
    blocked: bool
    status: str
