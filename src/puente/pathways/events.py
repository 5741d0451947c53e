"""Pathway events: frozen, past tense, ids only (never facts or names)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class PathwayChanged:
    """Published by the catalogue service when a pathway opens, closes or gets a
    new version (`on` is the day the catalogue was read). After commit, screening
    re-screens the stored screenings and applications re-evaluates the pathway's
    open applications (their subscribers), so the catalogue needs neither."""

    pathway_id: str
    state: str
    change: str  # opened | closed | changed
    on: dt.date


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
