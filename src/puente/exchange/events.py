"""Exchange events: frozen, past tense, ids only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class EnvelopeQueued:
    """Published when an envelope enters the outbound queue; after the commit
    it wakes the running senders, so the envelope leaves at once."""

    envelope_id: uuid.UUID
