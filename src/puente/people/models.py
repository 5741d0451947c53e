"""People tables: persons, search keys, documents, registrations, contacts,
households, consents and encrypted sensitive attributes.

Names as given are kept for display; the normalised tokens and phonetic blocking
keys beside them are what search reads. Contact details, document numbers and
sensitive attributes are encrypted per row (`core.crypto`), bound to their table,
column and row id. Identity tables are referenced by id only (no foreign key), so
the modules stay separable.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from puente.core.db import Base, TenantMixin, new_id, utcnow


class Person(TenantMixin, Base):
    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_tenant_family_norm", "tenant_code", "family_norm"),
        Index("ix_person_tenant_nationality", "tenant_code", "nationality"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    owner_id: Mapped[uuid.UUID | None]  # the registering user
    given_name: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    given_norm: Mapped[str] = mapped_column(String(200))  # canonical tokens
    family_norm: Mapped[str] = mapped_column(String(200))
    sex: Mapped[str] = mapped_column(String(1))  # F, M, X, U
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    birth_month: Mapped[int | None] = mapped_column(SmallInteger)
    birth_day: Mapped[int | None] = mapped_column(SmallInteger)
    birth_precision: Mapped[str | None] = mapped_column(String(5))  # year|month|day
    nationality: Mapped[str | None] = mapped_column(String(3))  # ISO 3166 alpha-3
    other_nationalities: Mapped[str] = mapped_column(String(100), default="")
    country_of_birth: Mapped[str | None] = mapped_column(String(3))
    habitual_residence: Mapped[str | None] = mapped_column(String(3))
    languages: Mapped[str] = mapped_column(String(100), default="")  # ISO 639 list
    consent_to_tracing: Mapped[bool] = mapped_column(Boolean, default=False)
    has_protection_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the person was erased: their data key is destroyed (ADR 0010).
    erased_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PersonSearchKey(Base):
    """Blocking keys (phonetic given|family pairs, surname pairs, single names,
    initials; see `repository.blocking_keys`) with the birth date, indexed so that
    search reads a few thousand index entries, never the table.

    The probe index covers everything search reads (person id and birth date), so
    candidate selection is an index-only scan on PostgreSQL.
    """

    __tablename__ = "person_search_key"
    __table_args__ = (
        PrimaryKeyConstraint("person_id", "key", name="pk_person_search_key"),
        # person_id is the last key column (not an INCLUDE, which is PostgreSQL's)
        # so that the index covers every probe on SQLite too (migration search10_0001).
        Index(
            "ix_person_search_key_probe",
            "tenant_code",
            "key",
            "birth_year",
            "birth_month",
            "birth_day",
            "person_id",
        ),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(64))
    tenant_code: Mapped[str] = mapped_column(String(3))
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    birth_month: Mapped[int | None] = mapped_column(SmallInteger)
    birth_day: Mapped[int | None] = mapped_column(SmallInteger)


class IdentityDocument(TenantMixin, Base):
    """A document; the number is an HMAC blind index (exact search) plus ciphertext."""

    __tablename__ = "identity_document"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    document_type: Mapped[str] = mapped_column(String(30))
    number_index: Mapped[str] = mapped_column(String(64), index=True)
    number_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    number_hint: Mapped[str] = mapped_column(String(8))  # last characters only
    issuing_state: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Registration(TenantMixin, Base):
    """An encounter: where, when and by whom a person was registered or seen."""

    __tablename__ = "registration"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    point_kind: Mapped[str] = mapped_column(String(20))
    place: Mapped[str] = mapped_column(String(200), default="")
    registered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    registered_by: Mapped[uuid.UUID | None]
    organisation_id: Mapped[uuid.UUID | None]


class ContactDetail(TenantMixin, Base):
    __tablename__ = "contact_detail"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # phone, email, whatsapp, address
    value_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Household(TenantMixin, Base):
    __tablename__ = "household"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    owner_id: Mapped[uuid.UUID | None]
    kind: Mapped[str] = mapped_column(String(20))  # household, travelling_group
    head_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class HouseholdMember(TenantMixin, Base):
    __tablename__ = "household_member"
    __table_args__ = (
        UniqueConstraint(
            "household_id", "person_id", name="uq_household_member_person"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    household_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    relationship: Mapped[str] = mapped_column(String(30))  # to the head
    is_caregiver: Mapped[bool] = mapped_column(Boolean, default=False)
    is_separated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Consent(TenantMixin, Base):
    """Who agreed, to what purpose, how, when; revocation stops further use."""

    __tablename__ = "person_consent"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(40))
    given_by: Mapped[str] = mapped_column(String(20))  # subject, guardian
    method: Mapped[str] = mapped_column(String(20))  # verbal, written, assent
    recorded_by: Mapped[uuid.UUID | None]
    given_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]


class SensitiveAttribute(TenantMixin, Base):
    """One sensitive fact of one person, encrypted; reads are audited by the service."""

    __tablename__ = "sensitive_attribute"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", name="uq_sensitive_attribute_kind"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    value_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    consent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person_consent.id", ondelete="RESTRICT")
    )
    recorded_by: Mapped[uuid.UUID | None]
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# --- registry-wide duplicates (people/duplicates) ------------------------------


class DuplicateModel(TenantMixin, Base):
    """A tenant's trained linkage model (Splink JSON), trained once and reused."""

    __tablename__ = "duplicate_model"
    __table_args__ = (
        UniqueConstraint("tenant_code", name="uq_duplicate_model_tenant"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    settings_json: Mapped[str] = mapped_column(Text)
    records: Mapped[int] = mapped_column(Integer)
    trained_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DuplicateCandidate(TenantMixin, Base):
    """Two persons of one tenant the model finds likely the same, awaiting review."""

    __tablename__ = "duplicate_candidate"
    __table_args__ = (
        UniqueConstraint(
            "person_a_id", "person_b_id", name="uq_duplicate_candidate_pair"
        ),
        Index("ix_duplicate_candidate_tenant_status", "tenant_code", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_a_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE")
    )
    person_b_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE")
    )
    probability: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(
        String(20), default="open"
    )  # open|merged|distinct
    found_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[uuid.UUID | None]
    decided_at: Mapped[dt.datetime | None]


class PersonMerge(TenantMixin, Base):
    """A merge: what moved from one record to the other, so it can be undone.

    Both person rows stay; `moved_rows` lists the registrations, documents,
    contacts, consents and household memberships moved (table and row ids)."""

    __tablename__ = "person_merge"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    candidate_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("duplicate_candidate.id", ondelete="SET NULL")
    )
    kept_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    merged_person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    moved_rows: Mapped[str] = mapped_column(Text)
    merged_by: Mapped[uuid.UUID | None]
    merged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    undone_by: Mapped[uuid.UUID | None]
    undone_at: Mapped[dt.datetime | None]


class RemoteCheck(TenantMixin, Base):
    """A duplicate check of one person against another state's registry: the
    exchange module sends only keyed encodings and brings back the answer
    (pending, unreachable for now, answered)."""

    __tablename__ = "people_remote_check"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[dt.datetime | None]


class RemoteCandidate(TenantMixin, Base):
    """A peer's answer to a duplicate check: an opaque reference, a score and a
    likelihood, never a name. A caseworker may mark it as the same person."""

    __tablename__ = "people_remote_candidate"
    __table_args__ = (
        UniqueConstraint("check_id", "reference", name="uq_people_remote_candidate"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    check_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people_remote_check.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(36))
    score: Mapped[float] = mapped_column(Float)
    likelihood: Mapped[str] = mapped_column(String(10))
    decision: Mapped[str] = mapped_column(String(12), default="open")
    decided_by: Mapped[uuid.UUID | None]
    decided_at: Mapped[dt.datetime | None]
