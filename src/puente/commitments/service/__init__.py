"""Commitments use cases: the board, a state's page, a commitment with its
evidence, status changes, new deliverables and the seed."""

from puente.commitments.service.board import (
    CommitmentFilter,
    check_state,
    get_commitment,
    list_commitments,
    list_packages,
    state_packages,
    status_counts,
)
from puente.commitments.service.updates import add_deliverable, change_status, load_seed

__all__ = [
    "CommitmentFilter",
    "add_deliverable",
    "change_status",
    "check_state",
    "get_commitment",
    "list_commitments",
    "list_packages",
    "load_seed",
    "state_packages",
    "status_counts",
]
