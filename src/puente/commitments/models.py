"""The commitments tracker's tables: every commitment (the Declaration's own,
the action packages' and each state's deliverables) with its structured target,
status and source, and the evidence behind each status.

A state's deliverables belong to that state's tenant, so its focal point
updates them and no other state's; the Declaration's and the packages'
commitments belong to the hub. Everything is readable region-wide: commitments
are public statements."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from puente.core.db import Base, TenantMixin, new_id, utcnow


class Commitment(TenantMixin, Base):
    __tablename__ = "commitment"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(
        String(20), index=True
    )  # declaration | package | deliverable
    state: Mapped[str | None] = mapped_column(String(3), index=True)
    section: Mapped[str] = mapped_column(String(20), index=True)
    action_package: Mapped[str | None] = mapped_column(String(10), index=True)
    verb: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    target_quantity: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    target_quantity_max: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    target_unit: Mapped[str] = mapped_column(String(40), default="")
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    deadline_text: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(12), index=True)
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    venue: Mapped[str] = mapped_column(String(120), default="")
    announced: Mapped[str] = mapped_column(String(20), default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    gcr: Mapped[str] = mapped_column(String(40), default="")  # objective numbers, ";"
    gcm: Mapped[str] = mapped_column(String(80), default="")
    measure: Mapped[str] = mapped_column(String(30), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Evidence(TenantMixin, Base):
    """A link or a note behind a commitment's status, with its date."""

    __tablename__ = "commitment_evidence"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    commitment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("commitment.id"), index=True
    )
    status: Mapped[str] = mapped_column(String(12))
    url: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    evidence_date: Mapped[dt.date | None] = mapped_column(Date)
    added_by: Mapped[uuid.UUID | None]
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
