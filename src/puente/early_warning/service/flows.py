"""Flow store use cases: import files, list sources and series, series panels."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core import audit, events
from puente.core.paths import safe_name
from puente.early_warning.analytics.detection import add_detectors
from puente.early_warning.analytics.forecasts import ForecastConfig, forecast_latest
from puente.early_warning.analytics.indicators import add_indicators
from puente.early_warning.analytics.series import (
    Frequency,
    build_series,
    parse_series_key,
)
from puente.early_warning.errors import SeriesNotFound, SourceNotFound
from puente.early_warning.events import FlowsImported
from puente.early_warning.models import (
    FlowSeries,
    FlowSource,
    FlowSourceProfile,
    FlowVintage,
)
from puente.early_warning.schemas import (
    ImportSummary,
    SeriesPanel,
    SeriesRead,
    SourceRead,
)
from puente.early_warning.service import store
from puente.early_warning.service.reading import Mapping as ColumnMapping
from puente.early_warning.service.reading import read_table, to_counts
from puente.identity import Actor, authorize, visible

log = structlog.get_logger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# Live forecasts: totals and the largest series, a short model-selection window
# and a short calibration window for the conformal band (each past origin is a
# refit; 12 residuals is the least that leaves a margin over the 9 needed).
LIVE_MODELS = ("Naive", "SeasonalNaive", "AutoETS")
LIVE_FORECASTS = ForecastConfig(
    selection_window=4, models=LIVE_MODELS, calibration_window=12
)
LIVE_FORECAST_ORIGINS = 1
TOP_SERIES_FORECAST = 2


@functools.lru_cache(maxsize=1)
def population() -> pl.DataFrame:
    """Population by ISO3 and year (vendored World Bank extract)."""
    return pl.read_csv(DATA_DIR / "lad_endorsers_pop_gdp_2015_2024.csv").select(
        "iso3", "year", "population"
    )


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    text = str(value)
    return dt.date(int(text[:4]), int(text[5:7]), 1)


def import_flows(
    session: Session,
    *,
    actor: Actor,
    path: Path,
    source: str,
    date_column: str,
    count_column: str,
    dimensions: Sequence[str],
    profile: Mapping[str, Any] | None = None,
) -> ImportSummary:
    """Import a CSV/XLSX/HXL file of counts as a vintage of `source`.

    Needs `flows:import` on the source's tenant. Validates everything before
    writing (`FlowFileRejected` names file, row and column); the same content
    again changes nothing; new content is a new vintage (older ones kept).
    Evaluates the adopted triggers on the source and publishes `FlowsImported`.
    """
    safe_name(source, field="source", max_length=60)
    options = dict(profile or {})
    mapping = ColumnMapping(
        date_column=date_column,
        count_column=count_column,
        dimensions=tuple(dimensions),
        date_format=str(options.get("date_format", "%Y-%m-%d")),
        frequency=str(options.get("frequency", "month")),
        from_period=_date(options.get("from")),
        to_period=_date(options.get("to")),
        sum_duplicates=options.get("duplicates") == "sum",
        blank_value=options.get("blank_dimension"),
    )
    table = read_table(path)
    counts = to_counts(table, mapping, path.name)
    row = session.scalars(select(FlowSource).where(FlowSource.name == source)).first()
    tenant = row.tenant_code if row else str(options.get("tenant", actor.tenant_code))
    authorize(actor, "flows:import", tenant_code=tenant)
    if row is None:
        row = FlowSource(
            name=source,
            title=str(options.get("title", source)),
            reporting_state=options.get("reporting_state"),
            tenant_code=tenant,
        )
        session.add(row)
        session.flush()
    profile_row = _profile(session, row, mapping, options, table.hxl_tags)
    digest = hashlib.sha256(path.read_bytes())
    digest.update(profile_row.content_hash.encode())
    content_hash = digest.hexdigest()
    existing = session.scalars(
        select(FlowVintage).where(
            FlowVintage.source_id == row.id, FlowVintage.content_hash == content_hash
        )
    ).first()
    if existing is not None:
        return _summary(row, existing, is_new=False, firing_count=0)
    series = _series_frame(row, profile_row, counts)
    vintage = FlowVintage(
        source_id=row.id,
        profile_id=profile_row.id,
        content_hash=content_hash,
        file_name=path.name[:255],
        row_count=counts.height,
        series_count=series["series_key"].n_unique() if series.height else 0,
        first_period=counts["period"].min() if counts.height else None,
        last_period=counts["period"].max() if counts.height else None,
        store_path="",
        imported_by=actor.user_id,
        tenant_code=row.tenant_code,
    )
    session.add(vintage)
    session.flush()
    vintage.store_path = store.vintage_dir(source, vintage.id)
    _upsert_series(session, row, vintage, series)
    audit.record(
        session,
        actor,
        "flows:vintage:import",
        tenant_code=row.tenant_code,
        object_type="flow_vintage",
        object_id=vintage.id,
        source_id=str(row.id),
        rows=counts.height,
    )
    store.write_counts(session, vintage.store_path, counts)
    from puente.early_warning.service.triggers import run_triggers

    fired = run_triggers(session, actor=actor, source=source)
    events.publish(session, FlowsImported(source=source, vintage_id=vintage.id))
    log.info("flows_imported", source_id=str(row.id), vintage_id=str(vintage.id))
    summary = _summary(row, vintage, is_new=True, firing_count=fired)
    missing = series.filter((pl.col("level") == 0) & pl.col("count").is_null()).height
    return summary.model_copy(update={"missing_periods": missing})


def _profile(
    session: Session,
    source: FlowSource,
    mapping: ColumnMapping,
    options: Mapping[str, Any],
    tags: Mapping[str, str],
) -> FlowSourceProfile:
    content = {
        "date_column": mapping.date_column,
        "date_format": mapping.date_format,
        "count_column": mapping.count_column,
        "dimensions": list(mapping.dimensions),
        "hxl_tags": dict(sorted(tags.items())),
        "frequency": mapping.frequency,
        "missing": str(options.get("missing", "missing")),
        "from": str(mapping.from_period or ""),
        "to": str(mapping.to_period or ""),
        "state_dimension": options.get("state_dimension"),
        "duplicates": "sum" if mapping.sum_duplicates else "reject",
        "blank_dimension": mapping.blank_value,
    }
    content_hash = hashlib.sha256(
        json.dumps(content, sort_keys=True).encode()
    ).hexdigest()
    latest = session.scalars(
        select(FlowSourceProfile)
        .where(FlowSourceProfile.source_id == source.id)
        .order_by(FlowSourceProfile.version.desc())
    ).first()
    if latest is not None and latest.content_hash == content_hash:
        return latest
    profile = FlowSourceProfile(
        source_id=source.id,
        version=(latest.version + 1) if latest else 1,
        date_column=mapping.date_column,
        date_format=mapping.date_format,
        count_column=mapping.count_column,
        dimension_columns=json.dumps(list(mapping.dimensions)),
        hxl_tags=json.dumps(content["hxl_tags"]),
        frequency=mapping.frequency,
        missing_policy=content["missing"],
        from_period=mapping.from_period,
        to_period=mapping.to_period,
        state_dimension=content["state_dimension"],
        content_hash=content_hash,
        tenant_code=source.tenant_code,
    )
    session.add(profile)
    session.flush()
    return profile


def _series_frame(
    source: FlowSource, profile: FlowSourceProfile, counts: pl.DataFrame
) -> pl.DataFrame:
    return build_series(
        counts,
        source=source.name,
        dimensions=json.loads(profile.dimension_columns),
        frequency="week" if profile.frequency == "week" else "month",
        missing="zero" if profile.missing_policy == "zero" else "missing",
        state_dimension=profile.state_dimension,
        reporting_state=source.reporting_state,
    )


def _upsert_series(
    session: Session, source: FlowSource, vintage: FlowVintage, series: pl.DataFrame
) -> None:
    existing = {
        s.series_key: s
        for s in session.scalars(
            select(FlowSeries).where(FlowSeries.source_id == source.id)
        )
    }
    stats = (
        series.sort("period")
        .group_by("series_key")
        .agg(
            first=pl.col("period").filter(pl.col("count").is_not_null()).min(),
            last=pl.col("period").filter(pl.col("count").is_not_null()).max(),
            months=pl.col("count").is_not_null().sum(),
            last_count=pl.col("count").drop_nulls().last(),
            level=pl.col("level").first(),
        )
    )
    for key, first, last, months, last_count, level in stats.iter_rows():
        row = existing.get(key)
        if row is None:
            _, dims = parse_series_key(key)
            row = FlowSeries(
                source_id=source.id,
                series_key=key,
                dimensions=json.dumps(dims, sort_keys=True),
                dimension_count=int(level),
                tenant_code=source.tenant_code,
            )
            session.add(row)
        row.first_period = first
        row.last_period = last
        row.months_of_data = int(months)
        row.last_count = last_count
        row.vintage_id = vintage.id
    session.flush()


def _summary(
    source: FlowSource, vintage: FlowVintage, *, is_new: bool, firing_count: int
) -> ImportSummary:
    return ImportSummary(
        source=source.name,
        vintage_id=vintage.id,
        is_new_vintage=is_new,
        file_name=vintage.file_name,
        content_hash=vintage.content_hash,
        row_count=vintage.row_count,
        series_count=vintage.series_count,
        first_period=vintage.first_period,
        last_period=vintage.last_period,
        missing_periods=0,
        firing_count=firing_count,
    )


def current_vintage(session: Session, source: FlowSource) -> FlowVintage | None:
    return session.scalars(
        select(FlowVintage)
        .where(FlowVintage.source_id == source.id)
        .order_by(FlowVintage.imported_at.desc(), FlowVintage.id)
    ).first()


def source_frame(session: Session, source: FlowSource) -> pl.DataFrame:
    """Indicators, detectors and live forecasts for every series of the
    source's current vintage (cached in Parquet beside the vintage)."""
    vintage = current_vintage(session, source)
    if vintage is None:
        return pl.DataFrame()
    cached = store.cache_path(vintage.store_path, "indicators")
    if cached.exists():
        return pl.read_parquet(cached)
    profile = session.get(FlowSourceProfile, vintage.profile_id)
    assert profile is not None  # noqa: S101 - foreign key
    frequency: Frequency = "week" if profile.frequency == "week" else "month"
    series = _series_frame(source, profile, store.read_counts(vintage.store_path))
    keys = forecast_keys(series)
    frame = add_indicators(series, population(), frequency=frequency)
    frame = add_detectors(frame, farrington_keys=keys, frequency=frequency)
    config = live_config(frequency)
    # The global AR pools the forecast series only (the small ones are noise).
    forecasts = forecast_latest(
        series.filter(pl.col("series_key").is_in(keys)),
        keys,
        config,
        last_origins=LIVE_FORECAST_ORIGINS,
    )
    frame = frame.join(forecasts, on=["series_key", "period"], how="left")
    frame.write_parquet(cached)
    return frame


def live_config(frequency: Frequency) -> ForecastConfig:
    """The live dashboard's forecast settings for a source's frequency."""
    if frequency == "week":
        return ForecastConfig(
            selection_window=4,
            season_length=52,
            models=LIVE_MODELS,
            calibration_window=12,
            cap_window=52,
        )
    return LIVE_FORECASTS


# Forecasts made on demand for series outside `forecast_keys` (an alert on a
# smaller series still sizes its plan from a forecast), per vintage and series.
_ON_DEMAND: dict[tuple[str, str], pl.DataFrame] = {}
_ON_DEMAND_MAX = 512


def forecast_on_demand(
    session: Session, source: FlowSource, rows: pl.DataFrame
) -> pl.DataFrame:
    """The live forecast at the last period of one series (`rows`: its
    `source_frame` rows), made now and kept for the vintage; empty when the
    series is too short to forecast."""
    vintage = current_vintage(session, source)
    if vintage is None or rows.height == 0:
        return rows.clear()
    key = (vintage.store_path, str(rows["series_key"][0]))
    if key not in _ON_DEMAND:
        profile = session.get(FlowSourceProfile, vintage.profile_id)
        frequency: Frequency = (
            "week" if profile is not None and profile.frequency == "week" else "month"
        )
        config = live_config(frequency)
        counts = rows.select("series_key", "period", "count")
        if counts["count"].is_not_null().sum() < config.min_history:
            out = rows.clear()
        else:
            out = forecast_latest(counts, [key[1]], config, last_origins=1)
        if len(_ON_DEMAND) >= _ON_DEMAND_MAX:
            _ON_DEMAND.clear()
        _ON_DEMAND[key] = out
    return _ON_DEMAND[key]


def forecast_keys(series: pl.DataFrame) -> list[str]:
    """Series worth a forecast: the total and the largest one-dimension series
    over the last 12 periods."""
    last = series["period"].max()
    recent = series.filter(pl.col("period") > pl.lit(last).dt.offset_by("-12mo"))
    top = (
        recent.filter(pl.col("level") == 1)
        .group_by("series_key")
        .agg(pl.col("count").sum())
        .sort("count", "series_key", descending=[True, False])
        .head(TOP_SERIES_FORECAST)["series_key"]
        .to_list()
    )
    totals = series.filter(pl.col("level") == 0)["series_key"].unique().to_list()
    return sorted({*totals, *top})


def list_sources(session: Session, *, actor: Actor) -> list[SourceRead]:
    """Sources the actor may read (`flows:read`)."""
    authorize(actor, "flows:read")
    rows = session.scalars(
        visible(actor, select(FlowSource), FlowSource, "flows:read").order_by(
            FlowSource.name
        )
    ).all()
    out: list[SourceRead] = []
    for row in rows:
        vintages = session.execute(
            select(func.count(FlowVintage.id), func.max(FlowVintage.imported_at)).where(
                FlowVintage.source_id == row.id
            )
        ).one()
        current = current_vintage(session, row)
        out.append(
            SourceRead(
                id=row.id,
                name=row.name,
                title=row.title,
                tenant_code=row.tenant_code,
                reporting_state=row.reporting_state,
                vintage_count=int(vintages[0]),
                current_vintage_id=current.id if current else None,
                last_imported_at=vintages[1],
            )
        )
    return out


def _visible_source(session: Session, actor: Actor, name: str) -> FlowSource:
    row = session.scalars(
        visible(actor, select(FlowSource), FlowSource, "flows:read").where(
            FlowSource.name == name
        )
    ).first()
    if row is None:
        raise SourceNotFound(source=name)
    return row


def list_series(
    session: Session, *, actor: Actor, source: str | None = None
) -> list[SeriesRead]:
    """Series the actor may read, optionally of one source."""
    authorize(actor, "flows:read")
    query: Any = select(FlowSeries, FlowSource.name).join(
        FlowSource, FlowSource.id == FlowSeries.source_id
    )
    stmt = visible(actor, query, FlowSeries, "flows:read").order_by(
        FlowSeries.series_key
    )
    if source is not None:
        stmt = stmt.where(FlowSource.name == source)
    return [
        SeriesRead(
            series_key=row.series_key,
            source=name,
            tenant_code=row.tenant_code,
            dimensions=json.loads(row.dimensions),
            first_period=row.first_period,
            last_period=row.last_period,
            months_of_data=row.months_of_data,
            last_count=row.last_count,
        )
        for row, name in session.execute(stmt).all()
    ]


def series_panel(session: Session, *, actor: Actor, series_key: str) -> SeriesPanel:
    """Counts, alarms per detector, forecast mean and 80 % band of one series."""
    authorize(actor, "flows:read")
    source_name, dims = parse_series_key(series_key)
    source = _visible_source(session, actor, source_name)
    frame = source_frame(session, source)
    rows = (
        frame.filter(pl.col("series_key") == series_key).sort("period")
        if frame.height
        else frame
    )
    if rows.height == 0:
        raise SeriesNotFound(series_key=series_key)
    alarms = {
        name: rows[name].to_list()
        for name in (
            "c1_alarm",
            "c2_alarm",
            "c3_alarm",
            "cusum_alarm",
            "farrington_alarm",
        )
    }
    last = (
        rows.filter(pl.col("forecast_h1").is_not_null()).tail(1)
        if "forecast_h1" in rows.columns
        else rows.clear()
    )
    if last.height == 0:
        last = forecast_on_demand(session, source, rows)
    means: list[float] = []
    lows: list[float] = []
    highs: list[float] = []
    periods: list[dt.date] = []
    model = None
    if last.height:
        origin: dt.date = last["period"][0]
        model = last["forecast_model"][0]
        for h in (1, 2, 3):
            if f"forecast_h{h}" not in last.columns:
                continue
            index = origin.year * 12 + origin.month - 1 + h
            periods.append(dt.date(index // 12, index % 12 + 1, 1))
            means.append(float(last[f"forecast_h{h}"][0]))
            lows.append(float(last[f"forecast_h{h}_lo80"][0]))
            highs.append(float(last[f"forecast_h{h}_hi80"][0]))
    from puente.early_warning.service.triggers import firings_for_series

    return SeriesPanel(
        series_key=series_key,
        source=source_name,
        dimensions=dims,
        periods=rows["period"].to_list(),
        counts=rows["count"].to_list(),
        alarms=alarms,
        forecast_model=model,
        forecast_periods=periods,
        forecast_mean=means,
        forecast_lo80=lows,
        forecast_hi80=highs,
        firings=firings_for_series(session, actor=actor, series_key=series_key),
    )
