"""Commitments owns the Declaration's commitments tracker: the Declaration's
own commitments by section, the action packages and their lead states, and
each state's deliverables, with structured targets, statuses backed by
evidence, progress computed from Puente's data where possible (financing,
coordination) and links to the Global Compacts' objectives. Focal points
update their own state's entries; every change is audited."""

from puente.commitments.errors import CommitmentNotFound
from puente.commitments.schemas import CommitmentDetail, CommitmentRead
from puente.commitments.service import (
    CommitmentFilter,
    get_commitment,
    list_commitments,
)

__all__ = [
    "CommitmentDetail",
    "CommitmentFilter",
    "CommitmentNotFound",
    "CommitmentRead",
    "get_commitment",
    "list_commitments",
]
