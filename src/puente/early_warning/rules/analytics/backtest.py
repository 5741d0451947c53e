"""Backtest: replay history month by month with a trigger catalogue.

Rolling origin, no look-ahead: indicators and detectors at period t read only
periods <= t (see `indicators`, `detection`), and the forecast used at t is
fitted on periods <= t with a model chosen from errors known at t. Definitions
(issue 3):

- an event is detected when an alert fires for its series between 3 months
  before `start` and `peak`; lead = peak - first such alert, in months;
- an alert is a (series, period) with at least one firing; it is false when it
  falls outside every event window [start - 3, peak + 2] of its series;
- series-years count the periods evaluated (months with a count once the
  series has `min_history` of them) over all evaluated series, / 12.

Which series are scored, and on what (decided on principle, before looking at
the figures; docs/early-warning-variables.md says the same):

- Alerts (events, false alarms) are scored on the alert series: the series of
  the labelled events (the Darién total), or the series `--where` names. Only
  they have labels, so only their alerts can be judged true or false.
- Forecasts are scored on every series in the backtest's scope (the source,
  narrowed by `--where`) that has enough to score: at least
  `SCORED_MIN_MONTHS` (24) months with a count and a mean of at least
  `SCORED_MIN_MEAN` (100) a month. Forecast accuracy is a property of the
  method over the series it runs on, not of the one series that happens to
  carry event labels; a single series' ratio is a small, noisy sample
  (a few dozen correlated origins). Below ~100 a month a series carries no
  planning weight and its errors are counting noise.
- `mase_h` is, per series, the mean absolute error of the chosen forecast at
  horizon h over that of the naive forecast (last value) on the same origins
  (relative MAE; the naive is the scale), aggregated over the scored series
  as a geometric mean (ratios average on the log scale: 0.5 and 2 cancel).
  `coverage_80` is the share of outcomes (h = 1..3, all scored series)
  inside the 80 % band. The per-series figures are under `forecast_series`.
- The alert series are forecast with the configured model set (their
  forecasts also feed trigger conditions); the other scored series with the
  live dashboard's set (`SCOPE_MODELS`: no AutoARIMA, ~5x cheaper), which is
  what the dashboard shows for them; the Darién backtest runs in ~20 s.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from puente.early_warning.rules.analytics import evaluation
from puente.early_warning.rules.analytics.detection import (
    DEFAULT_DETECTORS,
    DetectorConfig,
    add_detectors,
)
from puente.early_warning.rules.analytics.forecasts import (
    DEFAULT_FORECASTS,
    ForecastConfig,
    choose_models,
    chosen_wide,
    raw_forecasts,
)
from puente.early_warning.rules.analytics.indicators import add_indicators
from puente.early_warning.rules.analytics.series import Frequency
from puente.early_warning.rules.triggers import Catalogue, evaluate_catalogue

SCORED_MIN_MONTHS = 24
SCORED_MIN_MEAN = 100.0
SCOPE_MODELS = ("Naive", "SeasonalNaive", "AutoETS")


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str
    series_key: str
    start: dt.date
    peak: dt.date


@dataclass(frozen=True, slots=True)
class BacktestResult:
    report: dict[str, Any]
    timeline: pl.DataFrame = field(repr=False)  # per series and period
    alerts: pl.DataFrame = field(repr=False)  # series_key, period, trigger_id


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def add_months(day: dt.date, months: int) -> dt.date:
    index = month_index(day) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def scored_series(series: pl.DataFrame, scope: Sequence[str]) -> list[str]:
    """Series of `scope` with at least `SCORED_MIN_MONTHS` counts and a mean
    count of at least `SCORED_MIN_MEAN` (module docstring)."""
    summary = (
        series.filter(pl.col("series_key").is_in(list(scope)))
        .group_by("series_key")
        .agg(
            months=pl.col("count").is_not_null().sum(),
            mean=pl.col("count").mean(),
        )
        .filter(
            (pl.col("months") >= SCORED_MIN_MONTHS)
            & (pl.col("mean") >= SCORED_MIN_MEAN)
        )
    )
    return sorted(summary["series_key"].to_list())


def run_backtest(
    series: pl.DataFrame,
    catalogue: Catalogue,
    events: Sequence[Event],
    series_keys: Sequence[str],
    *,
    forecast_scope: Sequence[str] | None = None,
    population: pl.DataFrame | None = None,
    frequency: Frequency = "month",
    detectors: DetectorConfig = DEFAULT_DETECTORS,
    forecasts: ForecastConfig = DEFAULT_FORECASTS,
    scope_forecasts: ForecastConfig | None = None,
) -> BacktestResult:
    """Replay `series` (a `build_series` frame of one source): alerts on
    `series_keys`, forecasts scored on the eligible series of
    `forecast_scope` (default: every series of the frame)."""
    keys = list(dict.fromkeys(series_keys))
    scope = (
        series["series_key"].unique().to_list()
        if forecast_scope is None
        else list(forecast_scope)
    )
    scored = scored_series(series, scope)
    frame = add_indicators(series, population, frequency=frequency)
    frame = add_detectors(
        frame.filter(pl.col("series_key").is_in(keys)),
        farrington_keys=keys,
        frequency=frequency,
        config=detectors,
    )
    actuals = (
        series.filter(pl.col("series_key").is_in([*keys, *scored]))
        .select("series_key", "period", "count")
        .sort("series_key", "period")
    )
    origins = forecastable_origins(actuals, forecasts.min_history)
    others = scope_forecasts or replace(forecasts, models=SCOPE_MODELS)
    raw = pl.concat(
        [
            raw_forecasts(
                actuals, {k: v for k, v in origins.items() if k in keys}, forecasts
            ),
            raw_forecasts(
                actuals, {k: v for k, v in origins.items() if k not in keys}, others
            ),
        ]
    )
    chosen = choose_models(raw, actuals, forecasts)
    wide = chosen_wide(raw, chosen, forecasts)
    frame = frame.join(wide, on=["series_key", "period"], how="left").sort(
        "series_key", "period"
    )
    evaluable = frame.filter(
        (pl.col("months_of_data") >= forecasts.min_history)
        & pl.col("count").is_not_null()
    )
    rows_by_series = {
        str(key): group.sort("period").to_dicts()
        for (key,), group in evaluable.group_by(["series_key"])
    }
    firings = evaluate_catalogue(catalogue, rows_by_series)
    alerts = pl.DataFrame(
        {
            "series_key": [f.series_key for f in firings],
            "period": pl.Series([f.period for f in firings], dtype=pl.Date),
            "trigger_id": [f.trigger_id for f in firings],
        },
        schema={"series_key": pl.Utf8, "period": pl.Date, "trigger_id": pl.Utf8},
    )
    in_scope = raw.filter(pl.col("series_key").is_in(scored))
    per_series = _per_series(in_scope, chosen, actuals, forecasts.horizon)
    report: dict[str, Any] = {
        "events": _score_events(events, alerts, keys),
        "false_alarms_per_series_year": _false_alarm_rate(
            events, alerts, evaluable, keys
        ),
        "mase_h1": geometric_mean([s["mase_h1"] for s in per_series.values()]),
        "mase_h3": geometric_mean([s["mase_h3"] for s in per_series.values()]),
        "coverage_80": _coverage(in_scope, chosen, actuals, forecasts.horizon),
        "forecast_series": per_series,
    }
    return BacktestResult(report=report, timeline=frame, alerts=alerts)


def forecastable_origins(
    actuals: pl.DataFrame, min_history: int
) -> dict[str, list[dt.date]]:
    """Every period at which a series has at least `min_history` counts."""
    counted = actuals.with_columns(
        _n=pl.col("count").is_not_null().cum_sum().over("series_key")
    )
    return {
        str(key): group.filter(pl.col("_n") >= min_history)["period"].to_list()
        for (key,), group in counted.group_by(["series_key"])
    }


def _alert_periods(alerts: pl.DataFrame, key: str) -> list[dt.date]:
    return sorted(set(alerts.filter(pl.col("series_key") == key)["period"].to_list()))


def _score_events(
    events: Sequence[Event], alerts: pl.DataFrame, keys: Sequence[str]
) -> list[dict[str, Any]]:
    scored: list[dict[str, Any]] = []
    for event in events:
        if event.series_key not in keys:
            continue
        first = add_months(event.start, -3)
        inside = [
            p
            for p in _alert_periods(alerts, event.series_key)
            if first <= p <= event.peak
        ]
        first_alert = inside[0] if inside else None
        scored.append(
            {
                "event_id": event.event_id,
                "series": event.series_key,
                "peak": event.peak.strftime("%Y-%m"),
                "first_alert": first_alert.strftime("%Y-%m") if first_alert else None,
                "lead_months": (
                    month_index(event.peak) - month_index(first_alert)
                    if first_alert
                    else None
                ),
                "detected": first_alert is not None,
            }
        )
    return scored


def _false_alarm_rate(
    events: Sequence[Event],
    alerts: pl.DataFrame,
    evaluable: pl.DataFrame,
    keys: Sequence[str],
) -> float:
    false = 0
    for key in keys:
        windows = [
            (add_months(e.start, -3), add_months(e.peak, 2))
            for e in events
            if e.series_key == key
        ]
        for period in _alert_periods(alerts, key):
            if not any(lo <= period <= hi for lo, hi in windows):
                false += 1
    series_years = evaluable.filter(pl.col("series_key").is_in(keys)).height / 12.0
    return round(false / series_years, 4) if series_years else 0.0


def _errors(
    raw: pl.DataFrame, chosen: pl.DataFrame, actuals: pl.DataFrame, h: int
) -> pl.DataFrame:
    """Per (series, origin): the chosen and the naive forecast at horizon h and
    the outcome h periods after the origin (dropped when unknown)."""
    target = actuals.with_columns(
        origin=pl.col("period").shift(h).over("series_key")
    ).select("series_key", "origin", pl.col("count").alias("actual"))
    picked = raw.filter(pl.col("h") == h).join(
        chosen, on=["series_key", "origin", "model"], how="inner"
    )
    naive = raw.filter((pl.col("h") == h) & (pl.col("model") == "Naive")).select(
        "series_key", "origin", pl.col("mean").alias("naive")
    )
    return (
        picked.join(naive, on=["series_key", "origin"])
        .join(target, on=["series_key", "origin"])
        .drop_nulls("actual")
    )


def _relative_mae(
    raw: pl.DataFrame, chosen: pl.DataFrame, actuals: pl.DataFrame, h: int
) -> dict[str, float]:
    """Per series: MAE of the chosen forecast / MAE of the naive (same origins)."""
    errors = _errors(raw, chosen, actuals, h)
    ratios: dict[str, float] = {}
    for (key,), group in errors.group_by(["series_key"]):
        model = float((group["mean"] - group["actual"]).abs().mean())  # type: ignore[arg-type]
        naive = float((group["naive"] - group["actual"]).abs().mean())  # type: ignore[arg-type]
        if naive > 0:
            ratios[str(key)] = model / naive
    return ratios


def geometric_mean(ratios: Sequence[float | None]) -> float | None:
    """`evaluation.geometric_mean` of the known ratios, to 4 places; None when
    there are none."""
    value = evaluation.geometric_mean([r for r in ratios if r is not None])
    return None if math.isnan(value) else round(value, 4)


def _per_series(
    raw: pl.DataFrame, chosen: pl.DataFrame, actuals: pl.DataFrame, horizon: int
) -> dict[str, dict[str, float | int | None]]:
    h1 = _relative_mae(raw, chosen, actuals, 1)
    h3 = _relative_mae(raw, chosen, actuals, min(3, horizon))
    out: dict[str, dict[str, float | int | None]] = {}
    for key in sorted(raw["series_key"].unique().to_list()):
        one = raw.filter(pl.col("series_key") == key)
        r1, r3 = h1.get(key), h3.get(key)
        out[key] = {
            "mase_h1": round(r1, 4) if r1 is not None else None,
            "mase_h3": round(r3, 4) if r3 is not None else None,
            "coverage_80": _coverage(one, chosen, actuals, horizon),
            "origins": one["origin"].n_unique(),
        }
    return out


def _coverage(
    raw: pl.DataFrame, chosen: pl.DataFrame, actuals: pl.DataFrame, horizon: int
) -> float | None:
    inside = total = 0
    for h in range(1, horizon + 1):
        errors = _errors(raw, chosen, actuals, h)
        total += errors.height
        inside += errors.filter(
            (pl.col("actual") >= pl.col("lo80")) & (pl.col("actual") <= pl.col("hi80"))
        ).height
    return round(inside / total, 4) if total else None


def parse_events(rows: Sequence[Mapping[str, str]], source: str) -> list[Event]:
    """Events from `event_id,where,start,peak` rows (`where` is `*` or
    `DIM=VALUE[,DIM=VALUE]`; months `YYYY-MM`)."""
    from puente.early_warning.rules.analytics.series import series_key

    events: list[Event] = []
    for row in rows:
        where = row["where"].strip()
        dims = (
            {}
            if where in ("", "*")
            else dict(part.split("=", 1) for part in where.split(","))
        )
        events.append(
            Event(
                event_id=row["event_id"].strip(),
                series_key=series_key(source, dims),
                start=_month(row["start"]),
                peak=_month(row["peak"]),
            )
        )
    return events


def _month(text: str) -> dt.date:
    year, month = text.strip()[:7].split("-")
    return dt.date(int(year), int(month), 1)
