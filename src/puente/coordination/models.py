"""Who does what where (5W): one activity report per organisation, implementing
partner, sector, indicator, place (country and admin areas), month and
population type, with people reached by sex and age, and the funding flow that
paid for it (financing's flow id, never a foreign key across modules).

Rows carry `tenant_code` (the node that recorded them) and are read
region-wide: they hold counts, never people."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from puente.core.db import Base, TenantMixin, new_id, utcnow


class ActivityReport(TenantMixin, Base):
    __tablename__ = "coordination_activity"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Makes imports idempotent: the same row again changes nothing.
    reference: Mapped[str] = mapped_column(String(80), unique=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(index=True)
    implementing_partner_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    sector: Mapped[str] = mapped_column(String(30), index=True)
    indicator: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(3), index=True)
    admin1: Mapped[str] = mapped_column(String(120), default="")
    admin1_code: Mapped[str] = mapped_column(String(20), default="")
    admin2: Mapped[str] = mapped_column(String(120), default="")
    month: Mapped[dt.date] = mapped_column(Date, index=True)
    population_type: Mapped[str] = mapped_column(String(20))
    women: Mapped[int] = mapped_column(Integer, default=0)
    men: Mapped[int] = mapped_column(Integer, default=0)
    girls: Mapped[int] = mapped_column(Integer, default=0)
    boys: Mapped[int] = mapped_column(Integer, default=0)
    other: Mapped[int] = mapped_column(Integer, default=0)
    new_people: Mapped[int | None] = mapped_column(Integer)
    flow_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
