"""Exchange events: frozen, past tense, ids only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class AgreementActivated:
    """Published when the last party's signature makes an agreement active."""

    agreement_id: uuid.UUID


@dataclass(frozen=True)
class EnvelopeQueued:
    """Published when an envelope enters the outbound queue; the sender picks
    it up after commit."""

    envelope_id: uuid.UUID
