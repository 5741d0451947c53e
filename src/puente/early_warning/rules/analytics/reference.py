"""The per-origin Python path of `forecasts` as it was before the compiled
kernels (issue 10): a statsforecast call for the naive and seasonal naive
forecasts, and a Python loop per origin for the guards, the conformal band and
the model choice. Kept as the readable specification the kernels reproduce;
tests/early_warning/test_forecasts_scale.py compares both on the Darién data.
Not used by the application."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped,unused-ignore]
import polars as pl

from puente.early_warning.rules.analytics.forecasts import (
    DEFAULT_FORECASTS,
    MODEL_NAMES,
    SEARCH_BOUNDS,
    STATS_SCHEMA,
    STATSFORECAST_MODELS,
    ForecastConfig,
    beats_default,
    bounded_models,
    cap_forecasts,
    conformal_ranks,
    empty_raw,
    fall_back_to_naive,
    global_ar_rows,
    usable_history,
)


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
    stats: list[dict[str, Any]] = []
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
            at = position[origin]
            y = usable_history(values[: at + 1])
            if int((~np.isnan(values[: at + 1])).sum()) < config.min_history:
                continue
            label = f"{len(labels)}"
            labels[label] = (key, origin)
            stats.append(_origin_stats(label, str(key), values, at, config))
            if config.log_scale:
                y = np.log1p(np.maximum(y, 0.0))
            panels.append(
                pd.DataFrame({"unique_id": label, "ds": np.arange(len(y)), "y": y})
            )
    if not panels:
        return empty_raw()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from statsforecast import StatsForecast

        engine = StatsForecast(models=bounded_models(config), freq=1, n_jobs=1)
        result = engine.forecast(
            df=pd.concat(panels, ignore_index=True), h=config.horizon, level=[80, 95]
        )
    # NaN stays NaN (not null), as in the kernels: a model without a forecast
    # (a seasonal naive on less than a season) falls back to the naive.
    result = pl.from_pandas(result, nan_to_null=False)
    result = result.with_columns(
        h=(pl.col("ds") - pl.col("ds").min().over("unique_id") + 1).cast(pl.Int32)
    )
    long: list[pl.DataFrame] = []
    for model in config.fitted_models:
        if model not in STATSFORECAST_MODELS:
            continue
        long.append(
            result.select(
                "unique_id",
                "h",
                pl.lit(model).alias("model"),
                pl.col(model).alias("mean"),
                *[pl.col(f"{model}-{b[:2]}-{b[2:]}").alias(b) for b in SEARCH_BOUNDS],
            )
        )
    stacked = pl.concat(long)
    if config.log_scale:
        stacked = stacked.with_columns(
            [pl.col(c).exp() - 1.0 for c in ("mean", *SEARCH_BOUNDS)]
        )
    if "GlobalAR" in config.fitted_models:
        stacked = pl.concat([stacked, global_ar_rows(frame, labels, stacked, config)])
    origin_stats = pl.DataFrame(stats, schema=STATS_SCHEMA)
    stacked = fall_back_to_naive(stacked, origin_stats)
    members = [m for m in config.ensemble_members if m in config.models]
    ensemble = (
        stacked.filter(pl.col("model").is_in(members))
        .group_by("unique_id", "h")
        .agg(pl.col("mean", *SEARCH_BOUNDS).mean())
        .with_columns(model=pl.lit("Ensemble"))
    )
    stacked = pl.concat([stacked, ensemble.select(stacked.columns)])
    if config.conformal:
        stacked = conformal_bands(stacked, origin_stats, config)
    stacked = cap_forecasts(stacked, origin_stats)
    keys = pl.DataFrame(
        {
            "unique_id": list(labels),
            "series_key": [v[0] for v in labels.values()],
            "origin": pl.Series([v[1] for v in labels.values()], dtype=pl.Date),
        }
    )
    return (
        stacked.join(keys, on="unique_id")
        .select("series_key", "origin", "model", "h", "mean", *SEARCH_BOUNDS)
        .sort("series_key", "origin", "model", "h")
    )


def _origin_stats(
    label: str,
    key: str,
    values: np.ndarray[Any, np.dtype[np.float64]],
    at: int,
    config: ForecastConfig,
) -> dict[str, Any]:
    """What the guards and the calibration need about one origin. `outcomes`
    are the counts at h = 1..horizon after it (NaN when unknown); they are
    only ever read at later origins, once known (see `conformal_bands`)."""
    history = values[: at + 1]
    observed = history[~np.isnan(history)]
    window = config.cap_window
    recent = history[max(0, len(history) - window) :]
    recent = recent[~np.isnan(recent)]
    recent_max = float(recent.max()) if len(recent) else 0.0
    nonzero = int((observed > 0).sum())
    jump = False
    for i in range(max(0, len(history) - window), len(history)):
        before = history[max(0, i - window) : i]
        before = before[~np.isnan(before)]
        value = history[i]
        ceiling = (
            config.jump_ratio * max(float(before.max()), 1.0) if len(before) else 0
        )
        if len(before) and not np.isnan(value) and value > ceiling:
            jump = True
            break
    ahead = values[at + 1 : at + 1 + config.horizon]
    outcomes = [float(v) for v in ahead] + [np.nan] * (config.horizon - len(ahead))
    return {
        "unique_id": label,
        "series": key,
        "position": at,
        "cap": config.cap_multiple * recent_max,
        "degenerate": nonzero < config.min_nonzero or jump,
        "outcomes": outcomes,
    }


def conformal_bands(
    stacked: pl.DataFrame, stats: pl.DataFrame, config: ForecastConfig
) -> pl.DataFrame:
    """The 80 % band from past out-of-sample residuals (module docstring).

    Residuals are on the log1p scale (flows err by ratios). The residual of
    origin j at horizon h enters the band of origin t only when j + h <= t
    (positions on the series' period grid), and only the last
    `calibration_window` such residuals are used."""
    info = stats.select("unique_id", "series", "position", "outcomes")
    frame = stacked.join(info, on="unique_id").sort("series", "model", "h", "position")
    lo_out = frame["lo80"].to_numpy().copy()
    hi_out = frame["hi80"].to_numpy().copy()
    means = frame["mean"].to_numpy()
    positions = frame["position"].to_numpy()
    hs = frame["h"].to_numpy()
    outcomes = frame["outcomes"].to_list()
    new_group = frame.select(
        pl.any_horizontal(
            [pl.col(c).ne_missing(pl.col(c).shift(1)) for c in ("series", "model", "h")]
        )
    ).to_series()
    starts = np.flatnonzero(new_group.fill_null(True).to_numpy())
    ends = np.r_[starts[1:], len(frame)]
    for start, end in zip(starts, ends, strict=True):
        h = int(hs[start])
        pos = positions[start:end]
        mean = np.maximum(means[start:end], 0.0)
        actual = np.array([outcomes[i][h - 1] for i in range(start, end)])
        residual = np.log1p(np.maximum(actual, 0.0)) - np.log1p(mean)
        known_at = pos + h  # the residual is known from this position on
        for k in range(end - start):
            usable = residual[(known_at <= pos[k]) & ~np.isnan(residual)]
            usable = usable[-config.calibration_window :]
            ranks = conformal_ranks(len(usable), 0.8)
            if ranks is None:
                continue
            ordered = np.sort(usable)
            centre = np.log1p(mean[k])
            lo_out[start + k] = np.expm1(centre + ordered[ranks[0] - 1])
            hi_out[start + k] = np.expm1(centre + ordered[ranks[1] - 1])
    mean_col = pl.col("mean")
    return (
        frame.with_columns(
            lo80=pl.Series(lo_out, dtype=pl.Float64),
            hi80=pl.Series(hi_out, dtype=pl.Float64),
        )
        .with_columns(
            lo80=pl.min_horizontal("lo80", mean_col),
            hi80=pl.max_horizontal("hi80", mean_col),
        )
        .with_columns(
            lo95=pl.min_horizontal("lo95", "lo80"),
            hi95=pl.max_horizontal("hi95", "hi80"),
        )
        .select(stacked.columns)
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
        default = config.default_model if config.default_model in errors else None
        for origin, i in origins.select("origin", "_i").iter_rows():
            # origin j's h=1 target is known at origin i when j + 1 <= i.
            past = {
                model: {
                    j: e
                    for j, e in errors.get(model, [])
                    if i - config.selection_window <= j <= i - 1 and e is not None
                }
                for model in MODEL_NAMES
            }
            best = default or "Ensemble"
            best_score = np.inf
            for model in MODEL_NAMES:
                known = list(past[model].values())
                if len(known) >= 2 and float(np.mean(known)) < best_score:
                    best, best_score = model, float(np.mean(known))
            if default is not None and best != default:
                best = (
                    best
                    if beats_default(past[best], past[default], config)
                    else default
                )
            rows.append({"series_key": key, "origin": origin, "model": best})
    if not rows:
        return pl.DataFrame(
            schema={"series_key": pl.Utf8, "origin": pl.Date, "model": pl.Utf8}
        )
    return pl.DataFrame(
        rows, schema={"series_key": pl.Utf8, "origin": pl.Date, "model": pl.Utf8}
    )
