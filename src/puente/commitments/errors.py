"""Commitments errors (families from `core.errors`)."""

from __future__ import annotations

from puente.core.errors import InvalidInput, NotFound
from puente.core.i18n import N_


class CommitmentNotFound(NotFound):
    message = N_("This commitment does not exist.")


class EvidenceNeeded(InvalidInput):
    message = N_("Give a link or a note as evidence for this status.")


class InvalidEvidence(InvalidInput):
    message = N_("The evidence link must start with http:// or https://.")


class UnknownState(InvalidInput):
    message = N_("Choose one of the endorsing states.")
