"""Pathway events: frozen, past tense, ids only (never facts or names). Only what
some subscriber uses is published."""

from __future__ import annotations

import datetime as dt
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
class EntryRegimeChanged:
    """Published when a state's newly loaded entry regimes change the regime in
    force for a nationality (e.g. a state imposes a visa). Early warning notes it
    for the states downstream on the route (wired in the composition root)."""

    destination: str
    nationality: str
    previous: str
    regime: str
    on: dt.date
