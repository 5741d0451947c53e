"""What the flow services share: a source's stored series as a frame, its
indicators, detectors and live forecasts (`source_frame`), and the population
table. `flows` (import, panels) and `triggers` (evaluation) both read these, so
neither imports the other's internals."""

from __future__ import annotations

import functools
import json
import os
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.early_warning.models import FlowSource, FlowSourceProfile, FlowVintage
from puente.early_warning.rules.analytics.detection import add_detectors
from puente.early_warning.rules.analytics.forecasts import (
    ForecastConfig,
    forecast_latest,
)
from puente.early_warning.rules.analytics.indicators import add_indicators
from puente.early_warning.rules.analytics.series import Frequency, build_series
from puente.early_warning.service import store

__all__ = [
    "DATA_DIR",
    "LIVE_FORECASTS",
    "LIVE_FORECAST_ORIGINS",
    "LIVE_MODELS",
    "TOP_SERIES_FORECAST",
    "current_vintage",
    "forecast_keys",
    "forecast_on_demand",
    "live_config",
    "population",
    "precompute_forecasts",
    "series_frame",
    "source_frame",
]

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


def series_frame(
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
    kept = _FRAMES.get(vintage.store_path)
    if kept is not None:
        _FRAMES.move_to_end(vintage.store_path)
        return kept
    cached = store.cache_path(vintage.store_path, "indicators")
    if cached.exists():
        return _keep_frame(vintage.store_path, pl.read_parquet(cached))
    profile = session.get(FlowSourceProfile, vintage.profile_id)
    assert profile is not None  # noqa: S101 - foreign key
    frequency: Frequency = "week" if profile.frequency == "week" else "month"
    series = series_frame(source, profile, store.read_counts(vintage.store_path))
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
    return _keep_frame(vintage.store_path, frame)


# The frames of the last vintages read, in memory (screens read a few series of
# the same sources on every view). A vintage never changes once written and a
# new import is a new vintage, so a kept frame is never stale.
_FRAMES: OrderedDict[str, pl.DataFrame] = OrderedDict()
FRAMES_KEPT = 12
FRAME_ROWS_KEPT = 250_000  # national feeds past this are read each time


def _keep_frame(relative: str, frame: pl.DataFrame) -> pl.DataFrame:
    if frame.height <= FRAME_ROWS_KEPT:
        _FRAMES[relative] = frame
        while len(_FRAMES) > FRAMES_KEPT:
            _FRAMES.popitem(last=False)
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
# smaller series still sizes its plan and draws its chart from a forecast), per
# vintage and series: kept in memory and in `forecasts.parquet` beside the
# vintage, so a new process reads them instead of fitting again. A new import is
# a new vintage directory, so nothing stale is ever read.
_ON_DEMAND: dict[tuple[str, str], pl.DataFrame] = {}
_ON_DEMAND_MAX = 512
FORECASTS_CACHE = "forecasts"
# At import, forecasts are made ahead for at most this many series with open
# firings (the newest first); any other is made on first view.
PRECOMPUTE_MAX = 60


def _stored_forecasts(relative: str) -> pl.DataFrame:
    path = store.cache_path(relative, FORECASTS_CACHE)
    return pl.read_parquet(path) if path.exists() else pl.DataFrame()


def _store_forecast(relative: str, rows: pl.DataFrame) -> None:
    """Add one series' forecast rows to the vintage's stored forecasts (written
    to a temporary file and renamed, so a reader never sees half a file)."""
    path = store.cache_path(relative, FORECASTS_CACHE)
    stored = _stored_forecasts(relative)
    if stored.height:
        stored = stored.filter(~pl.col("series_key").is_in(rows["series_key"]))
        rows = pl.concat([stored, rows], how="diagonal_relaxed")
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    rows.write_parquet(partial)
    os.replace(partial, path)


def forecast_on_demand(
    session: Session, source: FlowSource, rows: pl.DataFrame
) -> pl.DataFrame:
    """The live forecast at the last period of one series (`rows`: its
    `source_frame` rows): read from the vintage's stored forecasts, or made now
    and stored; empty when the series is too short to forecast."""
    vintage = current_vintage(session, source)
    if vintage is None or rows.height == 0:
        return rows.clear()
    key = (vintage.store_path, str(rows["series_key"][0]))
    if key not in _ON_DEMAND:
        out = _forecast_series(session, vintage, rows, key[1])
        if len(_ON_DEMAND) >= _ON_DEMAND_MAX:
            _ON_DEMAND.clear()
        _ON_DEMAND[key] = out
    return _ON_DEMAND[key]


def _forecast_series(
    session: Session, vintage: FlowVintage, rows: pl.DataFrame, series_key: str
) -> pl.DataFrame:
    stored = _stored_forecasts(vintage.store_path)
    if stored.height:
        found = stored.filter(pl.col("series_key") == series_key)
        if found.height:
            return found
    profile = session.get(FlowSourceProfile, vintage.profile_id)
    frequency: Frequency = (
        "week" if profile is not None and profile.frequency == "week" else "month"
    )
    config = live_config(frequency)
    counts = rows.select("series_key", "period", "count")
    if counts["count"].is_not_null().sum() < config.min_history:
        return rows.clear()
    out = forecast_latest(counts, [series_key], config, last_origins=1)
    if out.height:
        try:
            _store_forecast(vintage.store_path, out)
        except OSError:  # a read-only store: the forecast is kept in memory only
            log.warning("forecast_not_stored", vintage_id=str(vintage.id))
    return out


def precompute_forecasts(
    session: Session, source: FlowSource, frame: pl.DataFrame, keys: Sequence[str]
) -> int:
    """Make and store, at import, the forecasts that screens would otherwise
    make on first view: the series in `keys` (those with open firings, so with
    alerts and charts) that `source_frame` did not forecast. Returns how many."""
    if frame.height == 0 or not keys:
        return 0
    forecast = (
        set(frame.filter(pl.col("forecast_h1").is_not_null())["series_key"].to_list())
        if "forecast_h1" in frame.columns
        else set()
    )
    made = 0
    for key in keys[:PRECOMPUTE_MAX]:
        if key in forecast:
            continue
        rows = frame.filter(pl.col("series_key") == key).sort("period")
        made += int(forecast_on_demand(session, source, rows).height > 0)
    return made


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
