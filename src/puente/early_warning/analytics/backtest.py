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
  series has `min_history` of them) over all evaluated series, / 12;
- `mase_h` = mean absolute error of the chosen forecast at horizon h over the
  same of the naive forecast (last value) on the same origins, averaged over
  series; `coverage_80` = share of outcomes (h = 1..3) inside the 80 % band.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from puente.early_warning.analytics.detection import (
    DEFAULT_DETECTORS,
    DetectorConfig,
    add_detectors,
)
from puente.early_warning.analytics.forecasts import (
    DEFAULT_FORECASTS,
    ForecastConfig,
    choose_models,
    chosen_wide,
    raw_forecasts,
)
from puente.early_warning.analytics.indicators import add_indicators
from puente.early_warning.analytics.series import Frequency
from puente.early_warning.rules.triggers import Catalogue, evaluate_catalogue


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


def run_backtest(
    series: pl.DataFrame,
    catalogue: Catalogue,
    events: Sequence[Event],
    series_keys: Sequence[str],
    *,
    population: pl.DataFrame | None = None,
    frequency: Frequency = "month",
    detectors: DetectorConfig = DEFAULT_DETECTORS,
    forecasts: ForecastConfig = DEFAULT_FORECASTS,
) -> BacktestResult:
    """Replay `series` (a `build_series` frame of one source) for `series_keys`."""
    keys = list(dict.fromkeys(series_keys))
    frame = add_indicators(series, population, frequency=frequency)
    frame = add_detectors(
        frame.filter(pl.col("series_key").is_in(keys)),
        farrington_keys=keys,
        frequency=frequency,
        config=detectors,
    )
    origins = {
        str(key): group.filter(pl.col("months_of_data") >= forecasts.min_history)[
            "period"
        ].to_list()
        for (key,), group in frame.group_by(["series_key"])
    }
    actuals = frame.select("series_key", "period", "count")
    raw = raw_forecasts(actuals, origins, forecasts)
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
    report: dict[str, Any] = {
        "events": _score_events(events, alerts, keys),
        "false_alarms_per_series_year": _false_alarm_rate(
            events, alerts, evaluable, keys
        ),
        "mase_h1": _mase(raw, chosen, actuals, 1),
        "mase_h3": _mase(raw, chosen, actuals, 3),
        "coverage_80": _coverage(raw, chosen, actuals, forecasts.horizon),
    }
    return BacktestResult(report=report, timeline=frame, alerts=alerts)


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


def _mase(
    raw: pl.DataFrame, chosen: pl.DataFrame, actuals: pl.DataFrame, h: int
) -> float | None:
    errors = _errors(raw, chosen, actuals, h)
    ratios: list[float] = []
    for (_key,), group in errors.group_by(["series_key"]):
        model = float((group["mean"] - group["actual"]).abs().mean())  # type: ignore[arg-type]
        naive = float((group["naive"] - group["actual"]).abs().mean())  # type: ignore[arg-type]
        if naive > 0:
            ratios.append(model / naive)
    return round(float(np.mean(ratios)), 4) if ratios else None


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
    from puente.early_warning.analytics.series import series_key

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
