"""Protection events: frozen, past tense, ids only (never names or case facts)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class TracingForwarded:
    """Published by `create_tracing_request` for a request toward another state,
    past the feared-state bar; the exchange module sends it under an agreement."""

    request_id: uuid.UUID
    tenant_code: str
    search_state: str
    requester_person_id: uuid.UUID


@dataclass(frozen=True)
class RemoteMatchDecided:
    """Published by `decide_remote_match`: the caseworker confirmed or rejected
    another state's candidate; the exchange module tells that state."""

    request_id: uuid.UUID
    match_id: uuid.UUID
    tenant_code: str
    state: str
    reference: str
    is_confirmed: bool


@dataclass(frozen=True)
class IncomingReturnReceived:
    """Published by `record_incoming_reception` when this node, the state of
    return, first marks a shared return received: the exchange module tells the
    state that sent it (its reference and the arrival date; no receiver's name)."""

    incoming_id: uuid.UUID
    tenant_code: str
    sender_state: str
    reference: str
    arrival_date: dt.date


@dataclass(frozen=True)
class ModusOperandiReportApproved:
    """A protection officer approved an anonymised modus-operandi report the
    victim consented to; the composition root hands its text fields (only) to
    enforcement."""

    report_id: uuid.UUID
    tenant_code: str


@dataclass(frozen=True)
class ReturnCaseOpened:
    """Published by `open_return_case`, past the gate and the feared-state bar:
    the exchange module shares it with the state of return when a returns
    agreement is active (else the case is handed over as an export)."""

    return_case_id: uuid.UUID
    tenant_code: str
    state: str
    person_id: uuid.UUID
