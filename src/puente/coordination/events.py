"""Coordination events: frozen, past tense, ids and counts only.

`ActivityReportsImported` is published after a 5W import; the commitments
module subscribes to date the progress of commitments measured by people
reached."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActivityReportsImported:
    tenant_code: str
    created: int
