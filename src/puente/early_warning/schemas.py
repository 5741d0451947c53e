"""Pydantic shapes of the flow store, series panels and trigger firings."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict

Level = Literal["none", "watch", "warning", "emergency"]


class ImportSummary(BaseModel):
    source: str
    vintage_id: uuid.UUID
    is_new_vintage: bool
    file_name: str
    content_hash: str
    row_count: int
    series_count: int
    first_period: dt.date | None
    last_period: dt.date | None
    missing_periods: int
    firing_count: int
    # Blank dimension cells imported as the "not stated" member.
    not_stated: int = 0


class SourceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    title: str
    tenant_code: str
    reporting_state: str | None
    vintage_count: int = 0
    current_vintage_id: uuid.UUID | None = None
    last_imported_at: dt.datetime | None = None


class SeriesRead(BaseModel):
    series_key: str
    source: str
    tenant_code: str
    dimensions: dict[str, str]
    first_period: dt.date | None
    last_period: dt.date | None
    months_of_data: int
    last_count: float | None


class SeriesPanel(BaseModel):
    """Everything a series chart needs; lists are aligned on `periods`
    (None = missing). Forecast lists cover `forecast_periods`."""

    series_key: str
    source: str
    dimensions: dict[str, str]
    periods: list[dt.date]
    counts: list[float | None]
    alarms: dict[str, list[bool | None]]
    forecast_model: str | None
    forecast_periods: list[dt.date]
    forecast_mean: list[float]
    forecast_lo80: list[float]
    forecast_hi80: list[float]
    firings: list[FiringRead]


class FiringRead(BaseModel):
    id: uuid.UUID
    trigger_id: str
    trigger_version: str
    catalogue_version: str
    series_key: str
    source: str
    country: str | None
    tenant_code: str
    period: dt.date
    values: dict[str, float | bool | None]
    severity: str
    urgency: str
    certainty: str
    plan_template: str | None
    title: dict[str, str]
    vintage_id: uuid.UUID | None
    is_open: bool
    fired_at: dt.datetime
    # The CEL condition when the reader knows it; else alerts read it from the
    # stored catalogue version.
    condition: str = ""


class CatalogueRead(BaseModel):
    id: uuid.UUID
    version: str
    trigger_ids: list[str]
    adopted_by: list[str]
    proposed_at: dt.datetime


# Response plans (service.plans).


class LineRead(BaseModel):
    id: uuid.UUID
    sector: str
    sector_label: str
    item: str
    unit: str
    basis: str
    required: float
    in_stock: float
    pledged: float
    gap: float
    covered_share: float


class SiteRead(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    share: float
    average_stay_days: float
    people: int
    lines: list[LineRead]


class TaskRead(BaseModel):
    id: uuid.UUID
    sector: str
    sector_label: str
    description: str
    organisation_id: uuid.UUID | None
    organisation: str | None
    status: str
    status_label: str
    updated_at: dt.datetime


class SectorGap(BaseModel):
    sector: str
    sector_label: str
    lines: int
    lines_with_gap: int
    covered_share: float  # mean over the sector's lines


class PlanSummary(BaseModel):
    id: uuid.UUID
    alert_id: uuid.UUID
    template_id: str
    country: str | None
    status: str
    planning_figure: float
    activated_at: dt.datetime
    alert_title: str


class PlanDetail(PlanSummary):
    planning_basis: str
    planning_basis_label: str
    duration_days: int
    sites: list[SiteRead]
    sectors: list[SectorGap]
    tasks: list[TaskRead]
    can_edit: bool


SeriesPanel.model_rebuild()
