"""Financing events: frozen, past tense, ids and amounts only (never names).

`FundingFlowPaid` is published when a flow becomes paid (recorded paid, or moved
to paid); the commitments module subscribes to date the progress of a state's
financial commitments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class FundingFlowPaid:
    flow_id: uuid.UUID
    source_country: str | None
    amount_usd: str  # a decimal string: events carry no floats for money
