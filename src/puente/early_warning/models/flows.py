"""Flow store metadata: sources, profiles, vintages, series, trigger catalogues,
adoptions and firings. The counts themselves live in Parquet (`flows/` under
`settings.var_dir`); the database holds what is filtered, reported or migrated.

Tenancy: a source published by a state belongs to that state's tenant; regional
compilations belong to `HUB`. Series, vintages and firings follow their source.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from puente.core.db import Base, TenantMixin, new_id, utcnow


class FlowSource(TenantMixin, Base):
    """A publisher's table of counts, e.g. `darien_nat` (Panama SNM)."""

    __tablename__ = "flow_source"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    # ISO3 of the reporting state (per-100k rates); None for regional data.
    reporting_state: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FlowSourceProfile(TenantMixin, Base):
    """A saved column mapping for a source; a changed mapping is a new version."""

    __tablename__ = "flow_source_profile"
    __table_args__ = (UniqueConstraint("source_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("flow_source.id"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    date_column: Mapped[str] = mapped_column(String(80))
    date_format: Mapped[str] = mapped_column(String(40), default="%Y-%m-%d")
    count_column: Mapped[str] = mapped_column(String(80))
    # JSON list of column names (a configurable mapping, never filtered on).
    dimension_columns: Mapped[str] = mapped_column(Text, default="[]")
    # JSON object column -> HXL tag (e.g. {"n": "#affected+num"}).
    hxl_tags: Mapped[str] = mapped_column(Text, default="{}")
    frequency: Mapped[str] = mapped_column(String(10), default="month")
    # "missing" (a period with no report stays missing) or "zero".
    missing_policy: Mapped[str] = mapped_column(String(10), default="missing")
    from_period: Mapped[dt.date | None] = mapped_column(Date)
    to_period: Mapped[dt.date | None] = mapped_column(Date)
    # Dimension holding the reporting state's ISO3 (per-100k), if any.
    state_dimension: Mapped[str | None] = mapped_column(String(80))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FlowVintage(TenantMixin, Base):
    """One imported version of a source's file; older vintages are kept."""

    __tablename__ = "flow_vintage"
    __table_args__ = (UniqueConstraint("source_id", "content_hash"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("flow_source.id"), index=True
    )
    profile_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("flow_source_profile.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    row_count: Mapped[int] = mapped_column(Integer)
    series_count: Mapped[int] = mapped_column(Integer, default=0)
    first_period: Mapped[dt.date | None] = mapped_column(Date)
    last_period: Mapped[dt.date | None] = mapped_column(Date)
    # Relative to the flow store root, e.g. source=darien_nat/vintage=<id>.
    store_path: Mapped[str] = mapped_column(String(400))
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[uuid.UUID | None]


class FlowSeries(TenantMixin, Base):
    """A series: a source and dimension values (`darien_nat|nat=VEN`), or a
    roll-up to totals over some dimensions (`darien_nat|*`)."""

    __tablename__ = "flow_series"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("flow_source.id"), index=True
    )
    series_key: Mapped[str] = mapped_column(String(300), unique=True)
    # JSON object dimension -> value (empty for the total).
    dimensions: Mapped[str] = mapped_column(Text, default="{}")
    dimension_count: Mapped[int] = mapped_column(Integer, default=0)
    first_period: Mapped[dt.date | None] = mapped_column(Date)
    last_period: Mapped[dt.date | None] = mapped_column(Date)
    months_of_data: Mapped[int] = mapped_column(Integer, default=0)
    last_count: Mapped[float | None]
    vintage_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("flow_vintage.id"))


class TriggerCatalogue(TenantMixin, Base):
    """A proposed version of the common trigger catalogue (the triggers as JSON
    data: they are configuration read as a whole, never filtered inside)."""

    __tablename__ = "trigger_catalogue"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    content: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    proposed_by: Mapped[uuid.UUID | None]


class TriggerAdoption(TenantMixin, Base):
    """A state's adoption of a catalogue version (`tenant_code` is the state)."""

    __tablename__ = "trigger_adoption"
    __table_args__ = (UniqueConstraint("catalogue_id", "tenant_code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    catalogue_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("trigger_catalogue.id"), index=True
    )
    adopted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    adopted_by: Mapped[uuid.UUID | None]


class TriggerFiring(TenantMixin, Base):
    """A trigger that held for a series in a period, with the values that made
    it true (JSON: the variables the condition read)."""

    __tablename__ = "trigger_firing"
    __table_args__ = (
        UniqueConstraint("trigger_id", "trigger_version", "series_key", "period"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    trigger_id: Mapped[str] = mapped_column(String(80), index=True)
    trigger_version: Mapped[str] = mapped_column(String(20))
    catalogue_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("trigger_catalogue.id"))
    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("flow_source.id"), index=True
    )
    series_key: Mapped[str] = mapped_column(String(300), index=True)
    # ISO3 of the state the series is about (map colouring); None if regional.
    country: Mapped[str | None] = mapped_column(String(3), index=True)
    period: Mapped[dt.date] = mapped_column(Date, index=True)
    values: Mapped[str] = mapped_column(Text, default="{}")
    severity: Mapped[str] = mapped_column(String(20))
    urgency: Mapped[str] = mapped_column(String(20))
    certainty: Mapped[str] = mapped_column(String(20))
    plan_template: Mapped[str | None] = mapped_column(String(60))
    # JSON object locale -> title (labels by locale may be JSON, STYLE §6).
    title: Mapped[str] = mapped_column(Text, default="{}")
    vintage_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("flow_vintage.id"))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    fired_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
