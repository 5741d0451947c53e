"""Coordination read models and write shapes."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, Field


class ReportRead(BaseModel):
    id: uuid.UUID
    reference: str
    organisation_id: uuid.UUID
    organisation: str
    implementing_partner_id: uuid.UUID | None
    implementing_partner: str | None
    sector: str
    sector_label: str
    indicator: str
    indicator_label: str
    country: str
    country_name: str
    admin1: str
    admin1_code: str
    admin2: str
    month: dt.date
    population_type: str
    population_label: str
    women: int
    men: int
    girls: int
    boys: int
    other: int
    total: int
    new_people: int | None
    counted_as: str  # in words: individuals or assistance events
    flow_id: uuid.UUID | None
    flow_reference: str | None
    description: str
    is_sample: bool


class ReportCreate(BaseModel):
    """A 5W row entered by hand: organisations by id (the financing directory),
    codes chosen from lists, counts of zero or more."""

    reference: str | None = Field(default=None, max_length=80)
    organisation_id: uuid.UUID
    implementing_partner_id: uuid.UUID | None = None
    indicator: str = Field(max_length=20)
    country: str = Field(min_length=3, max_length=3)
    admin1: str = Field(default="", max_length=120)
    admin1_code: str = Field(default="", max_length=20)
    admin2: str = Field(default="", max_length=120)
    month: dt.date
    population_type: str = Field(max_length=20)
    women: int = Field(default=0, ge=0, le=10_000_000)
    men: int = Field(default=0, ge=0, le=10_000_000)
    girls: int = Field(default=0, ge=0, le=10_000_000)
    boys: int = Field(default=0, ge=0, le=10_000_000)
    other: int = Field(default=0, ge=0, le=10_000_000)
    new_people: int | None = Field(default=None, ge=0, le=50_000_000)
    flow_id: uuid.UUID | None = None
    description: str = Field(default="", max_length=2000)


class TallyRead(BaseModel):
    key: str
    label: str
    individuals: int
    transit_events: int
    women: int
    men: int
    girls: int
    boys: int
    other: int


class TotalsRead(BaseModel):
    rows: int
    individuals: int
    transit_events: int
    note: str
    by_country: list[TallyRead]
    by_sector: list[TallyRead]
    by_population: list[TallyRead]
    by_month: list[TallyRead]


class ImportSummary(BaseModel):
    file: str
    rows: int
    created: int
    unchanged: int
    organisations_added: int
