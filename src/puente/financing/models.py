"""Financing tables: the directory of funding organisations, response plans and
their requirements (year × country × sector), funding flows (source →
destination, pledge → commitment → paid, original currency and USD value),
what a pledge covers of an early-warning plan, development-finance instruments
and the exchange rates used when a flow carries none.

Every table carries `tenant_code` (the node that recorded the row) and is read
region-wide by financing readers: money and plans are not personal data.
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
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from puente.core.db import Base, TenantMixin, new_id, utcnow

MONEY = Numeric(18, 2)
RATE = Numeric(18, 8)


class FundingOrganisation(TenantMixin, Base):
    """A donor, agency, fund or partner that money comes from or goes to."""

    __tablename__ = "financing_organisation"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    # Case-folded name, unique: the same organisation is never entered twice.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(3))
    iati_ref: Mapped[str] = mapped_column(String(60), default="")
    # The Puente organisation this entry stands for (a donor's own ministry).
    puente_organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FinancePlan(TenantMixin, Base):
    """A response plan that asks for money: the RMRP of a year, a national plan,
    or an early-warning response plan made fundable."""

    __tablename__ = "finance_plan"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    early_warning_plan_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)
    source: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PlanRequirement(TenantMixin, Base):
    """What a plan asks for in one year, country (None: regional) and sector
    (None: not assigned)."""

    __tablename__ = "finance_requirement"
    __table_args__ = (
        UniqueConstraint(
            "plan_id", "year", "country", "sector", name="uq_finance_requirement_line"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("finance_plan.id"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    country: Mapped[str | None] = mapped_column(String(3))
    sector: Mapped[str | None] = mapped_column(String(30))
    amount_usd: Mapped[Decimal] = mapped_column(MONEY)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text, default="")


class FundingFlow(TenantMixin, Base):
    """One transfer of money: from an organisation (and, when the money was
    already inside a plan, that plan) to an organisation, plan, country and
    sector. `reference` makes imports idempotent."""

    __tablename__ = "funding_flow"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(80), unique=True)
    source_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("financing_organisation.id"), index=True
    )
    destination_organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("financing_organisation.id"), index=True
    )
    source_plan_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("finance_plan.id"), index=True
    )
    plan_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("finance_plan.id"), index=True
    )
    country: Mapped[str | None] = mapped_column(String(3), index=True)
    sector: Mapped[str | None] = mapped_column(String(30))
    usage_year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    usd_per_unit: Mapped[Decimal] = mapped_column(RATE)
    amount_usd: Mapped[Decimal] = mapped_column(MONEY)
    flow_date: Mapped[dt.date] = mapped_column(Date)
    instrument_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("financing_instrument.id")
    )
    description: Mapped[str] = mapped_column(Text, default="")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PledgeCoverage(TenantMixin, Base):
    """What a pledge to an early-warning plan covers: a quantity of one of the
    plan's requirement lines (the line is the early-warning module's; its id is
    kept, never a foreign key across modules)."""

    __tablename__ = "funding_pledge_line"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    flow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("funding_flow.id"), index=True
    )
    early_warning_plan_id: Mapped[uuid.UUID] = mapped_column(index=True)
    early_warning_line_id: Mapped[uuid.UUID] = mapped_column(index=True)
    sector: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[float] = mapped_column(Float)


class Instrument(TenantMixin, Base):
    """A development-finance instrument (GCFF, the IDB migration facility)."""

    __tablename__ = "financing_instrument"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    administrator_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("financing_organisation.id")
    )
    grant_usd: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    loan_usd: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    beneficiaries: Mapped[str] = mapped_column(String(200), default="")  # ISO3 list
    source: Mapped[str] = mapped_column(Text, default="")


class ExchangeRate(TenantMixin, Base):
    """US dollars per unit of a currency in a year (annual average)."""

    __tablename__ = "financing_exchange_rate"
    __table_args__ = (
        UniqueConstraint("currency", "year", name="uq_financing_exchange_rate_year"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    currency: Mapped[str] = mapped_column(String(3))
    year: Mapped[int] = mapped_column(Integer)
    usd_per_unit: Mapped[Decimal] = mapped_column(RATE)
    source: Mapped[str] = mapped_column(Text, default="")
