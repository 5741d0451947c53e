"""Pathways tables: published catalogue versions and pathway states, screenings
(facts encrypted per row), applications with decisions and notifications, the labour
side (workers, employers, recruiters, job offers, attestations), qualification
recognition and the totalisations an officer chose to keep.

Persons and users are referenced by id only (no foreign key), so the modules stay
separable. Every table carries `tenant_code` and row-level security: for catalogue
rows it is the publishing state, for everything else the tenant that recorded it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from puente.core.db import Base, TenantMixin, new_id, utcnow

JsonDict = dict[str, Any]
JsonList = list[Any]


class CatalogueVersion(TenantMixin, Base):
    """One state's signed publication (the whole signed document is kept)."""

    __tablename__ = "pathway_catalogue_version"
    __table_args__ = (UniqueConstraint("tenant_code", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    version: Mapped[str] = mapped_column(String(40))
    published_on: Mapped[dt.date]
    key_id: Mapped[str] = mapped_column(String(80))
    signature: Mapped[str] = mapped_column(String(200))
    document: Mapped[JsonDict] = mapped_column(JSON)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    loaded_by: Mapped[uuid.UUID | None]
    loaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class EntryRegimeVersion(TenantMixin, Base):
    """One state's signed visa and entry regimes (the whole signed document is
    kept); the current one per state answers, earlier ones are the history."""

    __tablename__ = "pathway_entry_regime_version"
    __table_args__ = (UniqueConstraint("tenant_code", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    version: Mapped[str] = mapped_column(String(40))
    published_on: Mapped[dt.date]
    key_id: Mapped[str] = mapped_column(String(80))
    signature: Mapped[str] = mapped_column(String(200))
    document: Mapped[JsonDict] = mapped_column(JSON)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    loaded_by: Mapped[uuid.UUID | None]
    loaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PathwayState(TenantMixin, Base):
    """Whether a pathway is open: the last computed state and any override."""

    __tablename__ = "pathway_state"
    __table_args__ = (UniqueConstraint("pathway_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    pathway_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(40))
    override: Mapped[str | None] = mapped_column(String(10))  # open | closed | None
    is_open: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(500), default="")
    changed_by: Mapped[uuid.UUID | None]
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Screening(TenantMixin, Base):
    """A person's facts against every open pathway. Facts are encrypted, bound to
    this row; results keep each clause state and the rule version for audit."""

    __tablename__ = "pathway_screening"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    owner_id: Mapped[uuid.UUID | None]  # the screening officer
    person_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    applicant_ref: Mapped[str] = mapped_column(String(80), default="", index=True)
    language: Mapped[str] = mapped_column(String(5))
    facts_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    facts_hash: Mapped[str] = mapped_column(String(64))
    results: Mapped[JsonList] = mapped_column(JSON)
    catalogue_versions: Mapped[JsonDict] = mapped_column(JSON)
    eligible_count: Mapped[int] = mapped_column(Integer, default=0)
    undetermined_count: Mapped[int] = mapped_column(Integer, default=0)
    screened_on: Mapped[dt.date]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    rescreened_at: Mapped[dt.datetime | None]


class Application(TenantMixin, Base):
    __tablename__ = "pathway_application"
    __table_args__ = (Index("ix_pathway_application_pathway", "pathway_id", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    owner_id: Mapped[uuid.UUID | None]
    pathway_id: Mapped[str] = mapped_column(String(80))
    pathway_state: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    applicant_ref: Mapped[str] = mapped_column(String(80), default="")
    screening_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("pathway_screening.id"), index=True
    )
    stage: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    eligibility: Mapped[str] = mapped_column(String(20), default="")
    alternatives: Mapped[JsonList] = mapped_column(JSON, default=list)
    documents: Mapped[JsonDict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApplicationDecision(TenantMixin, Base):
    __tablename__ = "pathway_application_decision"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pathway_application.id"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(20))  # approved | refused
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[uuid.UUID | None]
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApplicationNotification(TenantMixin, Base):
    """A message for the applicant (sent by whichever channel the node uses)."""

    __tablename__ = "pathway_application_notification"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pathway_application.id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]


class Worker(TenantMixin, Base):
    """A worker profile for labour matching. Pseudonymous: `worker_ref`, never a
    name; a person record, when there is one, is referenced by id."""

    __tablename__ = "pathway_worker"
    __table_args__ = (UniqueConstraint("worker_ref"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    owner_id: Mapped[uuid.UUID | None]
    person_id: Mapped[uuid.UUID | None]
    worker_ref: Mapped[str] = mapped_column(String(40))
    isco: Mapped[str] = mapped_column(String(4), index=True)
    skills: Mapped[JsonList] = mapped_column(JSON, default=list)
    years_experience: Mapped[int] = mapped_column(SmallInteger, default=0)
    languages: Mapped[JsonDict] = mapped_column(JSON, default=dict)  # {en: "B1"}
    credentials: Mapped[JsonList] = mapped_column(JSON, default=list)
    preferred_destinations: Mapped[JsonList] = mapped_column(JSON, default=list)
    available_from: Mapped[dt.date]
    birth_year: Mapped[int] = mapped_column(SmallInteger)
    nationality: Mapped[str] = mapped_column(String(3))
    pathway_outcomes: Mapped[JsonDict] = mapped_column(JSON, default=dict)
    consents_to_matching: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Employer(TenantMixin, Base):
    __tablename__ = "pathway_employer"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_id: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Recruiter(TenantMixin, Base):
    """A licensed recruiter; `is_debarred` feeds check ER-14."""

    __tablename__ = "pathway_recruiter"
    __table_args__ = (UniqueConstraint("licence_number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    licence_number: Mapped[str] = mapped_column(String(80))
    authority: Mapped[str] = mapped_column(String(120))
    valid_to: Mapped[dt.date]
    is_debarred: Mapped[bool] = mapped_column(Boolean, default=False)
    iris_certified: Mapped[bool] = mapped_column(Boolean, default=False)


class JobOffer(TenantMixin, Base):
    """A job offer: the documented JSON, its filterable columns and check results."""

    __tablename__ = "pathway_job_offer"
    __table_args__ = (Index("ix_pathway_job_offer_status_isco", "status", "isco"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    employer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("pathway_employer.id")
    )
    external_id: Mapped[str] = mapped_column(String(80), default="")
    title: Mapped[str] = mapped_column(String(200))
    isco: Mapped[str] = mapped_column(String(4))
    state: Mapped[str] = mapped_column(String(3))
    pathway_id: Mapped[str] = mapped_column(String(80), default="")
    wage_hourly: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    hours_week: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    contract_language: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12))  # draft | blocked | published
    blocked: Mapped[bool] = mapped_column(Boolean)
    document: Mapped[JsonDict] = mapped_column(JSON)
    checks: Mapped[JsonList] = mapped_column(JSON)
    checked_on: Mapped[dt.date]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None]


class OfferAttestation(TenantMixin, Base):
    """An attestation for an attested check (ER-07, ER-09, ER-16) and its review.
    It counts only once a different person has accepted it."""

    __tablename__ = "pathway_offer_attestation"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    offer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pathway_job_offer.id"), index=True
    )
    check_id: Mapped[str] = mapped_column(String(8))
    attested_by: Mapped[uuid.UUID | None]
    attested_on: Mapped[dt.date]
    evidence: Mapped[str] = mapped_column(Text)  # the employer's statement
    evidence_ref: Mapped[str] = mapped_column(String(300), default="")
    review: Mapped[str] = mapped_column(String(10), default="pending")
    reviewed_by: Mapped[uuid.UUID | None]
    reviewed_at: Mapped[dt.datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")


class RecognitionDecision(TenantMixin, Base):
    """A credential recognised (or not) for a destination occupation; reusable for
    every worker holding the same credential. `tenant_code` is the deciding state."""

    __tablename__ = "pathway_recognition_decision"
    __table_args__ = (UniqueConstraint("tenant_code", "credential_key", "isco"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    credential_key: Mapped[str] = mapped_column(String(200))
    issuing_country: Mapped[str] = mapped_column(String(3))
    qualification: Mapped[str] = mapped_column(String(200))
    isced_level: Mapped[int] = mapped_column(SmallInteger)
    isco: Mapped[str] = mapped_column(String(4))
    outcome: Mapped[str] = mapped_column(String(20))
    conditions: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[uuid.UUID | None]
    decided_on: Mapped[dt.date]


class RegulatedOccupation(TenantMixin, Base):
    __tablename__ = "pathway_regulated_occupation"
    __table_args__ = (UniqueConstraint("tenant_code", "isco"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    isco: Mapped[str] = mapped_column(String(4))
    title: Mapped[str] = mapped_column(String(200))
    authority: Mapped[str] = mapped_column(String(200))
    source_url: Mapped[str] = mapped_column(String(500), default="")


class SavedTotalisation(TenantMixin, Base):
    """A totalisation an officer chose to keep: who and when, the inputs, the result,
    the agreement and the rule version it ran under. Personal data, walled to the
    tenant (never shared region-wide); a person is referenced by id, never by name."""

    __tablename__ = "pathway_totalisation"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    owner_id: Mapped[uuid.UUID | None]  # who saved it
    person_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    worker_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("pathway_worker.id"), index=True
    )
    agreement: Mapped[str | None] = mapped_column(String(20))
    rule_version: Mapped[str] = mapped_column(String(20))
    total_years: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    total_payable: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    inputs: Mapped[JsonDict] = mapped_column(JSON)
    result: Mapped[JsonDict] = mapped_column(JSON)
    saved_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class OutcomeCount(TenantMixin, Base):
    """Approved applications per destination state, pathway kind and month: a
    statistic with no person in it, kept in the same transaction as the decision and
    readable region-wide (commitments show the people resettled or regularised)."""

    __tablename__ = "pathway_outcome_count"
    __table_args__ = (
        UniqueConstraint("tenant_code", "pathway_state", "kind", "month"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    pathway_state: Mapped[str] = mapped_column(String(3), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    month: Mapped[dt.date]
    approved: Mapped[int] = mapped_column(Integer, default=0)
