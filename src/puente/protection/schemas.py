"""Pydantic in/out shapes of the protection API."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from puente.core.inputs import Moment
from puente.protection.rules.reintegration import shared_reference

Iso3 = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScreeningCreate(_In):
    person_id: uuid.UUID
    answers: dict[str, Any] = Field(default_factory=dict)
    form_version: int = 1


class ScreeningRead(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    form: str
    form_version: int
    priority: str
    recommended_action: str
    flags: list[str]
    suggested_specific_needs: list[str]


class ProfileWrite(_In):
    """Facts to add. Omitted fields keep their stored value: an edit never
    weakens a protection fact (removing one is `ProfileWithdraw`)."""

    claim_status: str | None = None
    country_of_origin: Iso3 | None = None
    former_habitual_residences: list[Iso3] | None = None
    persecutor_states: list[Iso3] | None = None
    is_refugee: bool | None = None
    is_stateless: bool | None = None
    expressed_fear: bool | None = None


class ProfileWithdraw(_In):
    """Withdraw one protection fact, with the reason (kept encrypted)."""

    fact: Annotated[str, Field(max_length=40)]
    state: Iso3 | None = None
    reason: Annotated[str, Field(min_length=1, max_length=1000)]


class CaseCreate(_In):
    person_id: uuid.UUID
    screening_id: uuid.UUID | None = None
    case_type: str | None = None
    summary: Annotated[str, Field(max_length=300)] = ""


class CaseUpdate(_In):
    expected_version: int
    summary: Annotated[str, Field(max_length=300)] | None = None
    priority: str | None = None


class CaseMove(_In):
    target: str
    expected_version: int | None = None


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str
    person_id: uuid.UUID
    tenant_code: str
    case_type: str
    state: str
    priority: str
    flags: str
    summary: str
    owner_id: uuid.UUID | None
    opened_at: dt.datetime
    version: int


class ApprovalDecision(_In):
    approve: bool
    comment: Annotated[str, Field(max_length=500)] = ""


class ApprovalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    kind: str
    status: str
    cycle: int


class GoalCreate(_In):
    description: Annotated[str, Field(min_length=1, max_length=500)]
    need_code: Annotated[str, Field(max_length=10)] = ""


class TaskCreate(_In):
    description: Annotated[str, Field(min_length=1, max_length=500)]
    due_on: dt.date | None = None


class IdRead(BaseModel):
    id: uuid.UUID


class NoteCreate(_In):
    body: Annotated[str, Field(min_length=1, max_length=10000)]


class BidCreate(_In):
    panel_member_ids: list[str] = Field(min_length=1, max_length=10)
    child_heard: bool
    options_considered: list[str] = Field(default_factory=list, max_length=10)
    recommendation: str
    decided_on: dt.date
    review_on: dt.date | None = None
    reason_child_not_heard: Annotated[str, Field(max_length=300)] = ""


class ServiceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organisation_name: str
    state: str
    service_type: str
    place: str
    languages: str
    capacity: int | None
    hours: str


class ReferralCreate(_In):
    case_id: uuid.UUID
    service_id: uuid.UUID
    purpose: Annotated[str, Field(min_length=1, max_length=300)]
    shared_fields: list[str] = Field(min_length=1)
    # Unsaid: a child's consent is recorded as the guardian's, else the person's.
    consent_given_by: str | None = None
    consent_until: dt.date


class ReferralResponse(_In):
    reason: Annotated[str, Field(max_length=500)] = ""


class ReferralRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    service_id: uuid.UUID
    recipient_state: str
    purpose: str
    shared_fields: str
    consent_until: dt.date
    consent_revoked_at: dt.datetime | None
    status: str
    decline_reason: str


class ReferralContent(BaseModel):
    """What the recipient may read under the consent."""

    referral: ReferralRead
    given_name: str | None
    family_name: str | None
    specific_needs: list[str]
    case_summary: str


class ReturnCreate(_In):
    person_id: uuid.UUID
    destination: Iso3
    facts: dict[str, Any] = Field(default_factory=dict)
    case_id: uuid.UUID | None = None
    unaccompanied: bool | None = Field(
        default=None,
        description="The child is unaccompanied or separated (the gate fact "
        "`is_unaccompanied_or_separated`); records that say so win.",
    )


class CheckRead(BaseModel):
    id: str
    result: str
    applicable: bool
    overridable: bool
    legal_basis: str
    title: str
    reason: str


class ReturnRead(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    destination: str
    status: str
    gate_passed: bool
    failed_checks: list[str]
    checks: list[CheckRead]
    signatures: int


class OverrideSign(_In):
    authority: Annotated[str, Field(min_length=1, max_length=200)]
    legal_basis: Annotated[str, Field(min_length=1, max_length=300)]
    checks: list[str] | None = None


class TracingCreate(_In):
    requester_person_id: uuid.UUID
    relationship: str
    sought_given_name: Annotated[str, Field(max_length=200)] = ""
    sought_family_name: Annotated[str, Field(max_length=200)] = ""
    sought_sex: str | None = None
    sought_birth_date: str | None = None
    last_seen_place: Annotated[str, Field(max_length=200)] = ""
    last_seen_on: dt.date | None = None
    search_state: Iso3 | None = None
    case_id: uuid.UUID | None = None


class TracingMatchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    score: float
    likelihood: str
    decision: str


class TracingCandidateRead(BaseModel):
    """Another state's candidate: never a name, only an opaque reference."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    state: str
    score: float
    likelihood: str
    reference: str
    decision: str


class TracingRead(BaseModel):
    id: uuid.UUID
    status: str
    relationship: str
    search_state: str
    matches: list[TracingMatchRead]
    candidates: list[TracingCandidateRead] = []


class TracingDecision(_In):
    confirm: bool


class ConsularCreate(_In):
    person_id: uuid.UUID
    wish: str
    detained_at: Moment
    rights_informed_at: Moment | None = None
    case_id: uuid.UUID | None = None


class ConsularRead(BaseModel):
    """Never says why a consulate is not notified (that could reveal a claim)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    consulate_state: str
    wish: str
    action: str
    status: str
    due_at: dt.datetime | None
    refer_to_protecting_authority: bool
    # Translated; set when the task was withdrawn by a later protection fact.
    status_reason: str | None = None


class ExportRequest(_In):
    format: str = "csv"
    password: Annotated[str, Field(max_length=200)] | None = None
    encrypt: bool = True


class ReceptionIn(_In):
    arrival_date: dt.date
    place: Annotated[str, Field(min_length=1, max_length=200)]
    receiving_party: Annotated[str, Field(min_length=1, max_length=200)]
    caregiver: Annotated[str, Field(max_length=200)] = ""
    child_protection_authority: Annotated[str, Field(max_length=200)] = ""
    received: bool = True


class ReintegrationReferralIn(_In):
    dimension: Annotated[str, Field(pattern=r"^(economic|social|psychosocial)$")]
    service: Annotated[str, Field(min_length=1, max_length=200)]


class ReintegrationPlanIn(_In):
    economic: Annotated[str, Field(max_length=2000)] = ""
    social: Annotated[str, Field(max_length=2000)] = ""
    psychosocial: Annotated[str, Field(max_length=2000)] = ""
    referrals: list[ReintegrationReferralIn] = Field(default_factory=list)


class FollowUpIn(_In):
    month: Annotated[int, Field(ge=1, le=24)]
    done_on: dt.date
    economic: Annotated[float, Field(ge=0, le=1)]
    social: Annotated[float, Field(ge=0, le=1)]
    psychosocial: Annotated[float, Field(ge=0, le=1)]


class FollowUpRead(BaseModel):
    month: int
    done_on: dt.date
    economic: float
    social: float
    psychosocial: float
    score: float


class ReturnCaseFields(BaseModel):
    """What a return case row and its API shape have in common."""

    id: uuid.UUID
    decision_id: uuid.UUID
    person_id: uuid.UUID
    destination: str
    is_child: bool
    status: str
    arrival_date: dt.date | None
    shared_via: str | None = None
    # When the state of return's node reported the person received.
    reception_confirmed_at: dt.datetime | None = None


class ReturnCaseRead(ReturnCaseFields):
    reception: dict[str, str]
    plan: dict[str, Any]
    follow_ups: list[FollowUpRead]


class ReturnCountRead(BaseModel):
    state: str
    month: dt.date
    returns: int | None
    received: int | None


# --- read models the services return (never ORM rows) ------------------------------


class _View(BaseModel):
    """A row as the service read it: frozen and detached, so no live, writable
    object reaches the web layer or the API."""

    model_config = ConfigDict(from_attributes=True, frozen=True)


class ApprovalView(_View):
    """An `Approval` row as read (frozen; not attached to the session)."""

    id: uuid.UUID
    case_id: uuid.UUID
    kind: str
    cycle: int
    status: str
    requested_by: uuid.UUID | None
    requested_at: dt.datetime
    decided_by: uuid.UUID | None
    decided_at: dt.datetime | None
    comment: str
    tenant_code: str


class ServiceView(_View):
    """A `ServiceDirectoryEntry` row as read (frozen, detached)."""

    id: uuid.UUID
    slug: str
    organisation_name: str
    provider_organisation_id: uuid.UUID | None
    state: str
    service_type: str
    place: str
    languages: str
    capacity: int | None
    hours: str
    is_active: bool
    tenant_code: str


class ConsularView(_View):
    """A `ConsularNotification` row as read (frozen, detached)."""

    id: uuid.UUID
    person_id: uuid.UUID
    case_id: uuid.UUID | None
    detaining_state: str
    consulate_state: str
    detained_at: dt.datetime
    rights_informed_at: dt.datetime | None
    wish: str
    action: str
    reason: str
    refer_to_protecting_authority: bool
    status: str
    due_at: dt.datetime | None
    notified_at: dt.datetime | None
    opposition_recorded_at: dt.datetime | None
    recorded_by: uuid.UUID | None
    recorded_at: dt.datetime
    tenant_code: str


class RemoteMatchView(_View):
    """A `TracingRemoteMatch` row as read (frozen; not attached to the session)."""

    id: uuid.UUID
    request_id: uuid.UUID
    state: str
    reference: str
    score: float
    likelihood: str
    decision: str
    received_at: dt.datetime
    tenant_code: str


class BiaView(_View):
    """A best-interests assessment as recorded; the sealed findings stay behind."""

    id: uuid.UUID
    case_id: uuid.UUID
    assessed_by: uuid.UUID | None
    assessed_at: dt.datetime
    tenant_code: str


class BidView(_View):
    """A `BestInterestsDetermination` row as read (frozen, detached)."""

    id: uuid.UUID
    case_id: uuid.UUID
    panel_member_ids: str
    child_heard: bool
    reason_child_not_heard: str
    options_considered: str
    recommendation: str | None
    decided_on: dt.date | None
    review_on: dt.date | None
    recorded_by: uuid.UUID | None
    recorded_at: dt.datetime
    tenant_code: str


class AssignmentView(_View):
    """A `CaseAssignment` row as read (frozen; not attached to the session)."""

    id: uuid.UUID
    case_id: uuid.UUID
    user_id: uuid.UUID
    assigned_at: dt.datetime
    tenant_code: str


class CaseView(_View):
    """A `Case` row as read (frozen, detached)."""

    id: uuid.UUID
    number: str
    person_id: uuid.UUID
    screening_id: uuid.UUID | None
    organisation_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    case_type: str
    state: str
    priority: str
    flags: str
    summary: str
    cycle: int
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    updated_at: dt.datetime
    version: int
    tenant_code: str


class GoalView(_View):
    """A `CasePlanGoal` row as read (frozen, detached)."""

    id: uuid.UUID
    plan_id: uuid.UUID
    need_code: str
    description: str
    created_at: dt.datetime
    tenant_code: str


class TaskView(_View):
    """A `CasePlanTask` row as read (frozen, detached)."""

    id: uuid.UUID
    goal_id: uuid.UUID
    description: str
    responsible_id: uuid.UUID | None
    due_on: dt.date | None
    done_at: dt.datetime | None
    tenant_code: str


class EventView(_View):
    """A `CaseEvent` row as read (frozen, detached)."""

    id: uuid.UUID
    case_id: uuid.UUID
    kind: str
    detail: str
    actor_id: uuid.UUID | None
    occurred_at: dt.datetime
    tenant_code: str


class NoteRecorded(_View):
    """A note as recorded; its sealed body stays behind (see `list_notes`)."""

    id: uuid.UUID
    case_id: uuid.UUID
    author_id: uuid.UUID | None
    created_at: dt.datetime
    tenant_code: str


class ReferralRecord(_View):
    """A `Referral` row as read (frozen, detached; sealed columns left out)."""

    id: uuid.UUID
    case_id: uuid.UUID
    service_id: uuid.UUID
    recipient_state: str
    recipient_organisation_id: uuid.UUID | None
    purpose: str
    shared_fields: str
    consent_given_by: str
    consent_until: dt.date
    consent_revoked_at: dt.datetime | None
    consent_revoked_by: uuid.UUID | None
    status: str
    decline_reason: str
    sent_by: uuid.UUID | None
    sent_at: dt.datetime
    responded_by: uuid.UUID | None
    responded_at: dt.datetime | None
    tenant_code: str


class ReturnRecord(_View):
    """A `ReturnDecision` row as read (frozen, detached; sealed columns left out)."""

    id: uuid.UUID
    person_id: uuid.UUID
    case_id: uuid.UUID | None
    destination: str
    gate: str
    gate_passed: bool
    ruleset_version: int
    status: str
    requested_by: uuid.UUID | None
    requested_at: dt.datetime
    decided_by: uuid.UUID | None
    decided_at: dt.datetime | None
    tenant_code: str


class ScreeningRecord(_View):
    """A `Screening` row as read (frozen, detached; sealed columns left out)."""

    id: uuid.UUID
    person_id: uuid.UUID
    organisation_id: uuid.UUID | None
    form: str
    form_version: int
    answers: str
    flags: str
    priority: str
    recommended_action: str
    suggested_specific_needs: str
    screened_by: uuid.UUID | None
    screened_at: dt.datetime
    tenant_code: str


class TracingRequestRecord(_View):
    """A `TracingRequest` row as read (frozen, detached; sealed columns left out)."""

    id: uuid.UUID
    requester_person_id: uuid.UUID
    case_id: uuid.UUID | None
    relationship: str
    last_seen_on: dt.date | None
    search_state: str
    status: str
    created_by: uuid.UUID | None
    created_at: dt.datetime
    tenant_code: str


class TracingMatchRecord(_View):
    """A `TracingMatch` row as read (frozen, detached; sealed columns left out)."""

    id: uuid.UUID
    request_id: uuid.UUID
    person_id: uuid.UUID
    score: float
    likelihood: str
    comparison: str
    decision: str
    tenant_code: str


class ProfileRecord(_View):
    """A `ProtectionProfile` row as read (frozen, detached): only that a profile
    exists and whether the person consents to tracing; the facts stay sealed."""

    id: uuid.UUID
    person_id: uuid.UUID
    consents_to_tracing: bool
    updated_by: uuid.UUID | None
    updated_at: dt.datetime
    tenant_code: str


class MoReportRecord(_View):
    """A `ModusOperandiReport` row as read (frozen, detached)."""

    id: uuid.UUID
    case_id: uuid.UUID
    route: str
    modus_operandi: str
    informed_consent: bool
    status: str
    drafted_by: uuid.UUID | None
    approved_by: uuid.UUID | None
    approved_at: dt.datetime | None
    tenant_code: str


class OverrideSignatureRecord(_View):
    """A `ReturnOverrideSignature` row as read (frozen, detached)."""

    id: uuid.UUID
    decision_id: uuid.UUID
    user_id: uuid.UUID
    authority: str
    legal_basis: str
    checks: str
    signed_at: dt.datetime
    tenant_code: str


class ReturnCaseRecord(_View, ReturnCaseFields):
    """A `ReturnCase` row as read (frozen, detached; sealed columns left out):
    the API's fields plus who opened it, when, and the tenant."""

    opened_by: uuid.UUID | None
    opened_at: dt.datetime
    received_at: dt.datetime | None
    tenant_code: str


class FollowUpRecord(_View):
    """A `ReturnFollowUp` row as read (frozen, detached)."""

    id: uuid.UUID
    return_case_id: uuid.UUID
    month: int
    done_on: dt.date
    economic: Decimal
    social: Decimal
    psychosocial: Decimal
    score: Decimal
    recorded_by: uuid.UUID | None
    tenant_code: str


class IncomingReturnRecord(_View):
    """An `IncomingReturn` row as read: another state's opaque reference and
    the reception fields it shared (frozen, detached)."""

    id: uuid.UUID
    sender_state: str
    reference: str
    is_child: bool
    arrival_date: dt.date | None
    dimensions: str
    status: str
    received_at: dt.datetime
    tenant_code: str
    reception_recorded_at: dt.datetime | None = None

    @property
    def display_reference(self) -> str:
        """The reference both states quote (the sender's return case number)."""
        return shared_reference(self.sender_state, self.reference)


class IncomingReturnRead(BaseModel):
    id: uuid.UUID
    sender_state: str
    reference: str
    is_child: bool
    arrival_date: dt.date | None
    dimensions: list[str]
    status: str
    received_at: dt.datetime
    reference_shown: str = ""
    reception: dict[str, str] = {}
