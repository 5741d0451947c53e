"""Protection tables: screenings, cases and their plans, approvals and notes, best
interests of children, the service directory, referrals with consent, family
tracing, return decisions and consular notifications.

Every table is tenant-scoped (`tenant_code`, row-level security on PostgreSQL).
Persons live in `puente.people`; rows here carry the person's id only. Sensitive
text (screening answers, notes, tracing descriptions, protection facts) is stored
encrypted per row with `core.crypto`; the `*_sealed` columns hold the ciphertext.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from puente.core.db import Base, TenantMixin, new_id, utcnow


class ProtectionProfile(TenantMixin, Base):
    """What the feared-state bar needs about a person (research/07 DP-1).

    Kept in protection (a claim is protection data, never shown in `people`);
    the facts are encrypted, the row only says that a profile exists.
    """

    __tablename__ = "protection_profile"
    __table_args__ = (UniqueConstraint("tenant_code", "person_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    facts_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    consents_to_tracing: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[uuid.UUID | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Screening(TenantMixin, Base):
    __tablename__ = "protection_screening"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    organisation_id: Mapped[uuid.UUID | None]
    form: Mapped[str] = mapped_column(String(80))
    form_version: Mapped[int] = mapped_column(Integer)
    # Non-sensitive answers in clear (filtered and reported); sensitive answers and
    # sensitive flags only in `sensitive_sealed`.
    answers: Mapped[str] = mapped_column(Text, default="{}")
    sensitive_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    flags: Mapped[str] = mapped_column(String(600), default="")
    priority: Mapped[str] = mapped_column(String(12))
    recommended_action: Mapped[str] = mapped_column(String(60))
    suggested_specific_needs: Mapped[str] = mapped_column(String(600), default="")
    screened_by: Mapped[uuid.UUID | None]
    screened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Case(TenantMixin, Base):
    __tablename__ = "protection_case"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    screening_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("protection_screening.id")
    )
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    case_type: Mapped[str] = mapped_column(String(30), default="general_protection")
    state: Mapped[str] = mapped_column(String(12), default="new", index=True)
    priority: Mapped[str] = mapped_column(String(12), default="normal")
    flags: Mapped[str] = mapped_column(String(600), default="")
    summary: Mapped[str] = mapped_column(String(300), default="")
    # Approvals count only within the current cycle; reopening starts a new one.
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy API


class CaseAssignment(TenantMixin, Base):
    __tablename__ = "protection_case_assignment"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID]
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CaseEvent(TenantMixin, Base):
    """The case timeline: what happened, when, by whom (codes and ids only)."""

    __tablename__ = "protection_case_event"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(200), default="")
    actor_id: Mapped[uuid.UUID | None]
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Approval(TenantMixin, Base):
    __tablename__ = "protection_approval"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))  # assessment | case_plan | closure
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default="requested", index=True)
    requested_by: Mapped[uuid.UUID | None]
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[uuid.UUID | None]
    decided_at: Mapped[dt.datetime | None]
    comment: Mapped[str] = mapped_column(String(500), default="")


class CasePlan(TenantMixin, Base):
    __tablename__ = "protection_case_plan"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case.id", ondelete="CASCADE"), unique=True
    )
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CasePlanGoal(TenantMixin, Base):
    __tablename__ = "protection_case_plan_goal"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case_plan.id", ondelete="CASCADE"), index=True
    )
    need_code: Mapped[str] = mapped_column(String(10), default="")
    description: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CasePlanTask(TenantMixin, Base):
    __tablename__ = "protection_case_plan_task"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    goal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case_plan_goal.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(String(500))
    responsible_id: Mapped[uuid.UUID | None]
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    done_at: Mapped[dt.datetime | None]


class Note(TenantMixin, Base):
    __tablename__ = "protection_note"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID | None]
    body_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BestInterestsAssessment(TenantMixin, Base):
    __tablename__ = "protection_bia"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case.id", ondelete="CASCADE"), index=True
    )
    findings_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    assessed_by: Mapped[uuid.UUID | None]
    assessed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BestInterestsDetermination(TenantMixin, Base):
    __tablename__ = "protection_bid"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case.id", ondelete="CASCADE"), index=True
    )
    panel_member_ids: Mapped[str] = mapped_column(String(400))
    child_heard: Mapped[bool] = mapped_column(Boolean, default=False)
    reason_child_not_heard: Mapped[str] = mapped_column(String(300), default="")
    options_considered: Mapped[str] = mapped_column(String(400), default="")
    recommendation: Mapped[str | None] = mapped_column(String(20))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    review_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[uuid.UUID | None]
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ServiceDirectoryEntry(TenantMixin, Base):
    """A service one can refer to; `state` is where the provider operates."""

    __tablename__ = "protection_service"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    organisation_name: Mapped[str] = mapped_column(String(200))
    # Not `organisation_id`: the directory is read tenant-wide, not per organisation.
    provider_organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(3), index=True)
    service_type: Mapped[str] = mapped_column(String(40), index=True)
    place: Mapped[str] = mapped_column(String(200))
    languages: Mapped[str] = mapped_column(String(100), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    hours: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Referral(TenantMixin, Base):
    __tablename__ = "protection_referral"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("protection_service.id"))
    recipient_state: Mapped[str] = mapped_column(String(3))
    recipient_organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    # Purpose-bound consent: for what, which data categories, until when.
    purpose: Mapped[str] = mapped_column(String(300))
    shared_fields: Mapped[str] = mapped_column(String(300))
    consent_given_by: Mapped[str] = mapped_column(String(20))  # person | guardian
    consent_until: Mapped[dt.date] = mapped_column(Date)
    consent_revoked_at: Mapped[dt.datetime | None]
    consent_revoked_by: Mapped[uuid.UUID | None]
    status: Mapped[str] = mapped_column(String(10), default="sent", index=True)
    decline_reason: Mapped[str] = mapped_column(String(500), default="")
    sent_by: Mapped[uuid.UUID | None]
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    responded_by: Mapped[uuid.UUID | None]
    responded_at: Mapped[dt.datetime | None]


class TracingRequest(TenantMixin, Base):
    __tablename__ = "protection_tracing_request"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    requester_person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("protection_case.id", ondelete="SET NULL")
    )
    relationship: Mapped[str] = mapped_column(String(30))
    # The sought person's description and last seen place, encrypted.
    sought_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    last_seen_on: Mapped[dt.date | None] = mapped_column(Date)
    search_state: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TracingMatch(TenantMixin, Base):
    __tablename__ = "protection_tracing_match"
    __table_args__ = (UniqueConstraint("request_id", "person_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_tracing_request.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID]
    score: Mapped[float] = mapped_column(Float)
    likelihood: Mapped[str] = mapped_column(String(10))
    comparison: Mapped[str] = mapped_column(Text, default="[]")
    decision: Mapped[str] = mapped_column(String(10), default="pending")


class ReturnDecision(TenantMixin, Base):
    __tablename__ = "protection_return_decision"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("protection_case.id", ondelete="SET NULL")
    )
    destination: Mapped[str] = mapped_column(String(3))
    # Snapshot of the facts and of the gate result each check had (encrypted:
    # the facts name claims and protection status).
    facts_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    gate: Mapped[str] = mapped_column(Text)  # check ids, results, no facts
    gate_passed: Mapped[bool] = mapped_column(Boolean)
    ruleset_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    requested_by: Mapped[uuid.UUID | None]
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[uuid.UUID | None]
    decided_at: Mapped[dt.datetime | None]


class ReturnOverrideSignature(TenantMixin, Base):
    __tablename__ = "protection_return_override"
    __table_args__ = (UniqueConstraint("decision_id", "user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    decision_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_return_decision.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID]
    authority: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(String(300))
    checks: Mapped[str] = mapped_column(String(400))
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ConsularNotification(TenantMixin, Base):
    """One row per consulate state considered (VCCR art. 36).

    `reason` may say `protection_from_state`: it is internal and is never part of
    anything sent to a consulate.
    """

    __tablename__ = "protection_consular_notification"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("protection_case.id", ondelete="SET NULL")
    )
    detaining_state: Mapped[str] = mapped_column(String(3))
    consulate_state: Mapped[str] = mapped_column(String(3))
    detained_at: Mapped[dt.datetime]
    rights_informed_at: Mapped[dt.datetime | None]
    wish: Mapped[str] = mapped_column(String(14))
    action: Mapped[str] = mapped_column(String(14))
    reason: Mapped[str] = mapped_column(String(30))
    refer_to_protecting_authority: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(12))  # task_open | notified | none
    due_at: Mapped[dt.datetime | None]
    notified_at: Mapped[dt.datetime | None]
    opposition_recorded_at: Mapped[dt.datetime | None]
    recorded_by: Mapped[uuid.UUID | None]
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReturnCase(TenantMixin, Base):
    """An approved return followed to its end: reception in the state of return,
    the reintegration plan and referrals there (sealed: they name people and
    services), and the follow-ups. One per approved decision."""

    __tablename__ = "protection_return_case"
    __table_args__ = (UniqueConstraint("decision_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    decision_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_return_decision.id", ondelete="CASCADE")
    )
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    destination: Mapped[str] = mapped_column(String(3), index=True)
    is_child: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="opened", index=True)
    arrival_date: Mapped[dt.date | None] = mapped_column(Date)
    reception_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    plan_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    opened_by: Mapped[uuid.UUID | None]
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    received_at: Mapped[dt.datetime | None]
    # When the state of return's node reported the person received (exchange).
    reception_confirmed_at: Mapped[dt.datetime | None]
    # "exchange" once queued to the state of return under a returns agreement;
    # None: no agreement, the case is handed over as an export.
    shared_via: Mapped[str | None] = mapped_column(String(10))


class IncomingReturn(TenantMixin, Base):
    """A return case another state's node shared with this one under a returns
    agreement: an opaque reference and the fields reception needs, never a name.
    This node's reception takes it from here."""

    __tablename__ = "protection_incoming_return"
    __table_args__ = (UniqueConstraint("tenant_code", "sender_state", "reference"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    sender_state: Mapped[str] = mapped_column(String(3), index=True)
    reference: Mapped[str] = mapped_column(String(36))
    is_child: Mapped[bool] = mapped_column(Boolean, default=False)
    arrival_date: Mapped[dt.date | None] = mapped_column(Date)
    dimensions: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(20), default="awaiting_reception")
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # This node's reception: place, who receives, the child's caregiver or
    # authority (names of the receivers: encrypted), and when it was recorded.
    reception_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    reception_recorded_at: Mapped[dt.datetime | None]
    reception_recorded_by: Mapped[uuid.UUID | None]


class ReturnCount(TenantMixin, Base):
    """Returns and their outcomes per state of return and month: a statistic
    with no person in it, kept in the same transaction as the change it counts
    and readable region-wide (commitments and early warning show it, cells
    under five withheld)."""

    __tablename__ = "protection_return_count"
    __table_args__ = (UniqueConstraint("tenant_code", "state", "month"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    state: Mapped[str] = mapped_column(String(3), index=True)
    month: Mapped[dt.date]
    returns: Mapped[int] = mapped_column(Integer, default=0)
    received: Mapped[int] = mapped_column(Integer, default=0)
    followed_up: Mapped[int] = mapped_column(Integer, default=0)
    sustainable: Mapped[int] = mapped_column(Integer, default=0)


class ReturnFollowUp(TenantMixin, Base):
    """A follow-up 3, 6 or 12 months after arrival: the three dimension scores
    (0 to 1, as in IOM's reintegration sustainability survey) and their mean."""

    __tablename__ = "protection_return_followup"
    __table_args__ = (UniqueConstraint("return_case_id", "month"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    return_case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_return_case.id", ondelete="CASCADE"), index=True
    )
    month: Mapped[int] = mapped_column(Integer)
    done_on: Mapped[dt.date] = mapped_column(Date)
    economic: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    social: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    psychosocial: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    score: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    recorded_by: Mapped[uuid.UUID | None]


class TracingRemoteMatch(TenantMixin, Base):
    """A candidate another state's node found for a forwarded tracing request:
    its state, score, likelihood and an opaque reference, never a name."""

    __tablename__ = "protection_tracing_remote_match"
    __table_args__ = (UniqueConstraint("request_id", "state", "reference"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_tracing_request.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(36))
    score: Mapped[float] = mapped_column(Float)
    likelihood: Mapped[str] = mapped_column(String(10))
    decision: Mapped[str] = mapped_column(String(10), default="pending")
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ModusOperandiReport(TenantMixin, Base):
    """What a victim of trafficking or smuggling told of the route and the way the
    network works, written without anything that identifies anyone, to cross into
    enforcement only with the victim's informed consent and a protection
    officer's approval (never the drafter's own)."""

    __tablename__ = "protection_mo_report"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case.id", ondelete="CASCADE"), index=True
    )
    route: Mapped[str] = mapped_column(Text)
    modus_operandi: Mapped[str] = mapped_column(Text)
    informed_consent: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    drafted_by: Mapped[uuid.UUID | None]
    approved_by: Mapped[uuid.UUID | None]
    approved_at: Mapped[dt.datetime | None]
