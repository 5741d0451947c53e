"""Financing read models (what services return) and write shapes (what the API
and the screens send). Money is a Decimal, serialised as a JSON number."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, PlainSerializer

Money = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
Code3 = Annotated[str, Field(min_length=3, max_length=3, pattern=r"^[A-Za-z]{3}$")]


class OrganisationRead(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    kind_label: str
    country: str | None
    country_name: str | None
    iati_ref: str
    is_sample: bool


class PlanSummary(BaseModel):
    id: uuid.UUID
    code: str
    title: str
    kind: str
    kind_label: str
    years: list[int]
    early_warning_plan_id: uuid.UUID | None
    requirement_usd: Money
    funding_usd: Money
    gap_usd: Money


class LineRead(BaseModel):
    """Requirement, funding, pledges and gap for one country, sector or year;
    `key` is "" for the regional or unassigned part, `label` is in words."""

    key: str
    label: str
    requirement_usd: Money
    funding_usd: Money
    pledged_usd: Money
    gap_usd: Money
    coverage: float | None


class MonthRead(BaseModel):
    month: dt.date
    funding_usd: Money
    pledged_usd: Money


class GapRead(BaseModel):
    plan: str
    plan_id: uuid.UUID
    title: str
    year: int | None
    requirement_usd: Money
    funding_usd: Money
    pledged_usd: Money
    gap_usd: Money
    internal_usd: Money
    coverage: float | None
    counted_flows: int
    internal_flows: int
    by_country: list[LineRead]
    by_sector: list[LineRead]
    by_year: list[LineRead]
    over_time: list[MonthRead]


class FlowRead(BaseModel):
    id: uuid.UUID
    reference: str
    status: str
    status_label: str
    source_organisation_id: uuid.UUID
    source_organisation: str
    destination_organisation_id: uuid.UUID | None
    destination_organisation: str | None
    source_plan: str | None
    plan: str | None
    plan_title: str | None
    boundary: str
    boundary_label: str
    country: str | None
    country_name: str | None
    sector: str | None
    sector_label: str | None
    usage_year: int
    amount: Money
    currency: str
    usd_per_unit: Decimal
    amount_usd: Money
    flow_date: dt.date
    description: str
    is_sample: bool
    next_statuses: list[str]


class FlowCreate(BaseModel):
    """A flow entered by hand. Organisations and plans are picked from lists
    (ids); the USD value comes from `amount_usd`, else `usd_per_unit`, else the
    stored annual rate of the currency."""

    reference: str | None = Field(default=None, max_length=80)
    source_organisation_id: uuid.UUID
    destination_organisation_id: uuid.UUID | None = None
    source_plan_id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None
    country: Code3 | None = None
    sector: str | None = Field(default=None, max_length=30)
    usage_year: int | None = Field(default=None, ge=1990, le=2100)
    status: str = Field(default="pledge", max_length=12)
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    usd_per_unit: Decimal | None = Field(
        default=None, gt=0, max_digits=18, decimal_places=8
    )
    amount_usd: Decimal | None = Field(
        default=None, gt=0, max_digits=16, decimal_places=2
    )
    flow_date: dt.date
    description: str = Field(default="", max_length=2000)


class StatusChange(BaseModel):
    status: str = Field(min_length=1, max_length=12)


class ImportSummary(BaseModel):
    file: str
    rows: int
    created: int
    unchanged: int
    organisations_added: int


class PledgeLineIn(BaseModel):
    line_id: uuid.UUID
    quantity: float = Field(gt=0, le=1_000_000_000, allow_inf_nan=False)


class PlanPledge(BaseModel):
    """A donor's pledge against one sector of an early-warning response plan."""

    sector: str = Field(min_length=1, max_length=20)
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    usd_per_unit: Decimal | None = Field(
        default=None, gt=0, max_digits=18, decimal_places=8
    )
    flow_date: dt.date | None = None
    lines: list[PledgeLineIn] = Field(default_factory=list, max_length=100)
    description: str = Field(default="", max_length=2000)


class NeedLineRead(BaseModel):
    line_id: uuid.UUID
    site: str
    item: str
    unit: str
    required: float
    covered_in_plan: float  # stock and pledges recorded in the plan itself
    covered_by_donors: float  # quantities named in donors' pledges here
    uncovered: float


class NeedSectorRead(BaseModel):
    sector: str
    sector_label: str
    lines: list[NeedLineRead]
    pledged_usd: Money
    lines_uncovered: int


class EarlyWarningNeeds(BaseModel):
    early_warning_plan_id: uuid.UUID
    finance_plan_id: uuid.UUID | None
    title: str
    country: str | None
    country_name: str | None
    status: str
    sectors: list[NeedSectorRead]
    pledges: list[FlowRead]


class BurdenRead(BaseModel):
    state: str
    state_name: str
    year: int
    population: int | None
    gdp_usd: float | None
    gdp_per_capita: float | None
    refugees: int
    asylum_seekers: int
    oip: int
    oip_known: bool
    hosted: int
    per_1000: float | None
    per_usd_gdp_per_capita: float | None
    per_million_usd_gdp: float | None
    is_complete: bool


class ShareRead(BaseModel):
    state: str
    state_name: str
    fair_share: float
    hosted: int
    hosted_share: float
    funding_usd: Money
    funding_share: float


class FairShareRead(BaseModel):
    year: int
    preset: str | None
    weights: dict[str, float]
    used: dict[str, float]
    left_out: list[str]
    cap: float | None
    shares: list[ShareRead]


class ClauseRead(BaseModel):
    id: str
    label: str
    truth: str
    truth_label: str


class FactRead(BaseModel):
    name: str
    label: str
    value: str


class EligibilityRead(BaseModel):
    instrument: str
    instrument_name: str
    state: str
    state_name: str
    year: int
    outcome: str
    outcome_label: str
    clauses: list[ClauseRead]
    facts: list[FactRead]
    missing: list[str]
    basis: str


class InstrumentRead(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    kind: str
    kind_label: str
    administrator: str | None
    grant_usd: Money
    loan_usd: Money
    leverage: float | None
    beneficiaries: list[str]
    beneficiary_names: list[str]
    source: str
