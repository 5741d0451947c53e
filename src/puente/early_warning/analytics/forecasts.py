"""Forecasts 1-3 periods ahead with 80 % and 95 % intervals (statsforecast:
naive, seasonal naive, AutoETS, AutoARIMA and their mean, the ensemble).

Rolling origin, no look-ahead: a forecast made at origin t is fitted on the
periods <= t only. The model used at t is the one with the smallest mean
absolute h=1 error over the previous `selection_window` origins whose outcome
was known at t (the ensemble until there is such a record). Missing counts
inside a series are interpolated for fitting only; they are never reported.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped,unused-ignore]
import polars as pl
from scipy.special import ndtr

BASE_MODELS: Final = ("Naive", "SeasonalNaive", "AutoETS", "AutoARIMA")
MODEL_NAMES: Final = (*BASE_MODELS, "Ensemble")
_Z80: Final = 1.2815515655446004
_BOUNDS: Final = ("lo80", "hi80", "lo95", "hi95")


@dataclass(frozen=True, slots=True)
class ForecastConfig:
    horizon: int = 3
    season_length: int = 12
    selection_window: int = 12
    min_history: int = 8  # periods with a count before a series is forecast
    exceed_threshold: float = 5000.0
    # Fit on log(1 + count): flows grow and shrink by ratios, and bands stay
    # positive. Back-transformed means are medians.
    log_scale: bool = True
    # The seasonal naive is a candidate but not an ensemble member: seasonality
    # in transit flows is weak next to regime changes (research/02 §6).
    ensemble_members: tuple[str, ...] = ("Naive", "AutoETS", "AutoARIMA")
    # Candidate models; the live dashboard may leave out AutoARIMA (~4x cost).
    models: tuple[str, ...] = BASE_MODELS


DEFAULT_FORECASTS: Final = ForecastConfig()


def _models(config: ForecastConfig) -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from statsforecast.models import AutoARIMA, AutoETS, Naive, SeasonalNaive

    season = config.season_length
    candidates = {
        "Naive": Naive(),
        "SeasonalNaive": SeasonalNaive(season_length=season),
        "AutoETS": AutoETS(season_length=season),
        # Bounded orders: flows are short series; the full search costs ~4x.
        "AutoARIMA": AutoARIMA(
            season_length=season, max_p=2, max_q=2, max_P=1, max_Q=1, max_order=4
        ),
    }
    return [candidates[name] for name in config.models]


def _history(
    values: np.ndarray[Any, np.dtype[np.float64]],
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Drop leading missing values, interpolate inner ones (fitting only)."""
    present = np.flatnonzero(~np.isnan(values))
    if len(present) == 0:
        return values[:0]
    y = values[present[0] :]
    index = np.arange(len(y))
    known = ~np.isnan(y)
    return np.interp(index, index[known], y[known])


def raw_forecasts(
    frame: pl.DataFrame,
    origins: Mapping[str, Sequence[dt.date]],
    config: ForecastConfig = DEFAULT_FORECASTS,
) -> pl.DataFrame:
    """Every model's forecasts made at each origin of each series.

    `frame` has `series_key, period, count`. Out (long): `series_key, origin,
    model, h, mean, lo80, hi80, lo95, hi95`; the ensemble is the mean of the
    four models' means and bounds.
    """
    panels: list[pd.DataFrame] = []
    labels: dict[str, tuple[str, dt.date]] = {}
    by_key = {
        key: group.sort("period")
        for (key,), group in frame.group_by(["series_key"])
        if key in origins
    }
    for key, group in by_key.items():
        periods = group["period"].to_list()
        values = group["count"].cast(pl.Float64).fill_null(np.nan).to_numpy()
        position = {period: i for i, period in enumerate(periods)}
        for origin in origins[key]:
            if origin not in position:
                continue
            y = _history(values[: position[origin] + 1])
            if (
                int((~np.isnan(values[: position[origin] + 1])).sum())
                < config.min_history
            ):
                continue
            if config.log_scale:
                y = np.log1p(np.maximum(y, 0.0))
            label = f"{len(labels)}"
            labels[label] = (key, origin)
            panels.append(
                pd.DataFrame({"unique_id": label, "ds": np.arange(len(y)), "y": y})
            )
    if not panels:
        return _empty_raw()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from statsforecast import StatsForecast

        engine = StatsForecast(models=_models(config), freq=1, n_jobs=1)
        result = engine.forecast(
            df=pd.concat(panels, ignore_index=True), h=config.horizon, level=[80, 95]
        )
    result = pl.from_pandas(result)
    result = result.with_columns(
        h=(pl.col("ds") - pl.col("ds").min().over("unique_id") + 1).cast(pl.Int32)
    )
    long: list[pl.DataFrame] = []
    for model in config.models:
        long.append(
            result.select(
                "unique_id",
                "h",
                pl.lit(model).alias("model"),
                pl.col(model).alias("mean"),
                *[pl.col(f"{model}-{b[:2]}-{b[2:]}").alias(b) for b in _BOUNDS],
            )
        )
    stacked = pl.concat(long)
    if config.log_scale:
        stacked = stacked.with_columns(
            [pl.col(c).exp() - 1.0 for c in ("mean", *_BOUNDS)]
        )
    ensemble = (
        stacked.filter(pl.col("model").is_in(config.ensemble_members))
        .group_by("unique_id", "h")
        .agg(pl.col("mean", *_BOUNDS).mean())
        .with_columns(model=pl.lit("Ensemble"))
    )
    stacked = pl.concat([stacked, ensemble.select(stacked.columns)])
    keys = pl.DataFrame(
        {
            "unique_id": list(labels),
            "series_key": [v[0] for v in labels.values()],
            "origin": pl.Series([v[1] for v in labels.values()], dtype=pl.Date),
        }
    )
    clip = [pl.col(c).clip(lower_bound=0.0) for c in ("mean", *_BOUNDS)]
    return (
        stacked.join(keys, on="unique_id")
        .with_columns(clip)
        .select("series_key", "origin", "model", "h", "mean", *_BOUNDS)
        .sort("series_key", "origin", "model", "h")
    )


def _empty_raw() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "series_key": pl.Utf8,
            "origin": pl.Date,
            "model": pl.Utf8,
            "h": pl.Int32,
            **dict.fromkeys(("mean", *_BOUNDS), pl.Float64),
        }
    )


def choose_models(
    raw: pl.DataFrame,
    actuals: pl.DataFrame,
    config: ForecastConfig = DEFAULT_FORECASTS,
) -> pl.DataFrame:
    """Model per (series, origin): least mean |h=1 error| over the previous
    `selection_window` origins whose target period is <= the origin."""
    one = raw.filter(pl.col("h") == 1).sort("series_key", "origin")
    origin_index = (
        one.select("series_key", "origin")
        .unique()
        .sort("series_key", "origin")
        .with_columns(_i=pl.int_range(pl.len()).over("series_key"))
    )
    scored = (
        one.join(origin_index, on=["series_key", "origin"])
        .join(
            actuals.select(
                "series_key",
                pl.col("period"),
                pl.col("count").alias("_actual"),
                pl.col("period").shift(-1).over("series_key").alias("_next"),
            ),
            left_on=["series_key", "origin"],
            right_on=["series_key", "period"],
            how="left",
        )
        .join(
            actuals.select(
                "series_key",
                pl.col("period").alias("_next"),
                pl.col("count").alias("_y"),
            ),
            on=["series_key", "_next"],
            how="left",
        )
        .with_columns(_error=(pl.col("mean") - pl.col("_y")).abs())
    )
    rows: list[dict[str, Any]] = []
    for (key,), group in scored.group_by(["series_key"]):
        errors: dict[str, list[tuple[int, float | None]]] = {}
        for model, i, error in group.select("model", "_i", "_error").iter_rows():
            errors.setdefault(model, []).append((i, error))
        origins = origin_index.filter(pl.col("series_key") == key).sort("_i")
        for origin, i in origins.select("origin", "_i").iter_rows():
            best = "Ensemble"
            best_score = np.inf
            for model in MODEL_NAMES:
                # origin j's h=1 target is known at origin i when j + 1 <= i.
                past = [
                    e
                    for j, e in errors.get(model, [])
                    if i - config.selection_window <= j <= i - 1 and e is not None
                ]
                if len(past) >= 2 and float(np.mean(past)) < best_score:
                    best, best_score = model, float(np.mean(past))
            rows.append({"series_key": key, "origin": origin, "model": best})
    if not rows:
        return pl.DataFrame(
            schema={"series_key": pl.Utf8, "origin": pl.Date, "model": pl.Utf8}
        )
    return pl.DataFrame(
        rows, schema={"series_key": pl.Utf8, "origin": pl.Date, "model": pl.Utf8}
    )


def chosen_wide(
    raw: pl.DataFrame, chosen: pl.DataFrame, config: ForecastConfig = DEFAULT_FORECASTS
) -> pl.DataFrame:
    """One row per (series, origin): the chosen model's `forecast_h{h}`,
    `forecast_h{h}_lo80/hi80/lo95/hi95` and `p_exceed_5000`."""
    picked = raw.join(chosen, on=["series_key", "origin", "model"], how="inner")
    if picked.is_empty():
        return pl.DataFrame(
            schema={"series_key": pl.Utf8, "period": pl.Date, "forecast_model": pl.Utf8}
        )
    wide = picked.pivot(
        on="h", index=["series_key", "origin", "model"], values=["mean", *_BOUNDS]
    )
    renames: dict[str, str] = {}
    for column in wide.columns:
        if column in ("series_key", "origin", "model"):
            continue
        value, _, h = column.rpartition("_")
        renames[column] = (
            f"forecast_h{h}" if value == "mean" else f"forecast_h{h}_{value}"
        )
    wide = wide.rename(renames)
    mean = wide["forecast_h1"].to_numpy()
    spread = (wide["forecast_h1_hi80"].to_numpy() - mean) / _Z80
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (config.exceed_threshold - mean) / np.maximum(spread, 1e-9)
    return wide.with_columns(
        p_exceed_5000=pl.Series(1.0 - ndtr(z), dtype=pl.Float64)
    ).rename({"origin": "period", "model": "forecast_model"})


def forecast_origins(
    frame: pl.DataFrame,
    origins: Mapping[str, Sequence[dt.date]],
    config: ForecastConfig = DEFAULT_FORECASTS,
) -> pl.DataFrame:
    """Chosen-model forecasts at every origin given (see `chosen_wide`)."""
    raw = raw_forecasts(frame, origins, config)
    return chosen_wide(raw, choose_models(raw, frame, config), config)


def forecast_latest(
    frame: pl.DataFrame,
    keys: Sequence[str],
    config: ForecastConfig = DEFAULT_FORECASTS,
    *,
    last_origins: int = 1,
) -> pl.DataFrame:
    """Forecasts at the last `last_origins` periods of each series in `keys`,
    with model choice over the `selection_window` origins before them."""
    wanted = set(keys)
    origins: dict[str, list[dt.date]] = {}
    for (key,), group in frame.filter(pl.col("series_key").is_in(wanted)).group_by(
        ["series_key"]
    ):
        periods = group.filter(pl.col("count").is_not_null())["period"].sort()
        origins[str(key)] = periods.tail(
            config.selection_window + last_origins
        ).to_list()
    out = forecast_origins(frame, origins, config)
    return out.filter(
        pl.col("period").rank("ordinal", descending=True).over("series_key")
        <= last_origins
    )
