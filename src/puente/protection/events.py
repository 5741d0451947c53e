"""Protection events: frozen, past tense, ids only (never names or case facts)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonScreened:
    """Published by `screen_person` once a screening is stored."""

    screening_id: uuid.UUID
    person_id: uuid.UUID


@dataclass(frozen=True)
class CaseOpened:
    """Published by `open_case`."""

    case_id: uuid.UUID
    person_id: uuid.UUID


@dataclass(frozen=True)
class CaseMoved:
    """Published by `move_case` when a case changes workflow state."""

    case_id: uuid.UUID
    state: str


@dataclass(frozen=True)
class ApprovalDecided:
    """Published by `decide_approval` (supervisor approved or rejected)."""

    case_id: uuid.UUID
    approval_id: uuid.UUID
    kind: str
    is_approved: bool


@dataclass(frozen=True)
class CaseReferred:
    """Published by `refer_case`; the receiving organisation sees it in its inbox."""

    case_id: uuid.UUID
    referral_id: uuid.UUID


@dataclass(frozen=True)
class ReferralConsentRevoked:
    """Published by `revoke_referral_consent`: both sides lose further access."""

    referral_id: uuid.UUID


@dataclass(frozen=True)
class ReturnDecisionRecorded:
    """Published by `request_return` with the gate outcome."""

    decision_id: uuid.UUID
    gate_passed: bool


@dataclass(frozen=True)
class ReturnApproved:
    """Published by `approve_return` and `override_return`."""

    decision_id: uuid.UUID
    is_override: bool


@dataclass(frozen=True)
class ConsularTaskCreated:
    """Published by `record_consular_wish` when a notification is due."""

    notification_id: uuid.UUID
    consulate_state: str


@dataclass(frozen=True)
class CasesExported:
    """Published by the export functions; no content, only the count."""

    actor_id: uuid.UUID | None
    count: int


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
class ModusOperandiReportApproved:
    """A protection officer approved an anonymised modus-operandi report the
    victim consented to; the composition root hands its text fields (only) to
    enforcement."""

    report_id: uuid.UUID
    tenant_code: str
