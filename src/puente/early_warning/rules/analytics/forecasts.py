"""Forecasts 1-3 periods ahead with 80 % and 95 % intervals (statsforecast:
naive, seasonal naive, AutoETS, AutoARIMA and their mean, the ensemble; and
the global AR of `global_ar`, pooled over the series of the frame).

Rolling origin, no look-ahead: a forecast made at origin t is fitted on the
periods <= t only. Model choice per series and origin, from the h=1 errors of
the previous `selection_window` origins whose outcome was known at t: the
default model (`default_model`, the global AR) unless the model with the
smallest mean absolute error beats it there by a Diebold-Mariano test at
`switch_p_value`. Choosing the smallest past error alone chased noise: on the
Darién series it was significantly worse than the naive forecast
(docs/forecast-evaluation.md). Missing counts inside a series are
interpolated for fitting the statsforecast models only; they are never
reported.

Guards (response plans size from the upper bound, so a runaway forecast is a
safety problem). At each origin, with `recent max` = the highest count of the
last `cap_window` periods:

- a model is replaced by the naive forecast (mean and bounds) when its fit is
  degenerate: the history has fewer than `min_nonzero` non-zero counts, or a
  jump from near zero lies in the last `cap_window` periods (a count more than
  `jump_ratio` times every count of the `cap_window` periods before it; on the
  log scale such a step reads as an explosive trend), or its mean at some
  horizon exceeds the cap below (the fit extrapolates beyond anything seen);
- every mean and bound is clipped to [0, `cap_multiple` x recent max].

Intervals (`conformal`): the 80 % band is split-conformal. At origin t the band
of model m at horizon h is the model's mean shifted by quantiles of the last
`calibration_window` residuals log1p(actual) - log1p(mean) of m at h whose
outcome was known at t (origin j with j + h <= t); the ranks are the
finite-sample conformal ones (floor((n + 1) 0.1) and ceil((n + 1) 0.9)), so
at least 9 residuals are needed. Until then, and for the 95 % band (which
would need 39), the model's own interval is used, the 95 % band widened to
contain the 80 % one. Bands always contain the mean.
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

from puente.early_warning.rules.analytics.evaluation import absolute_error_test
from puente.early_warning.rules.analytics.global_ar import (
    GlobalARConfig,
    count_matrix,
    global_ar_forecasts,
)

STATSFORECAST_MODELS: Final = ("Naive", "SeasonalNaive", "AutoETS", "AutoARIMA")
BASE_MODELS: Final = (*STATSFORECAST_MODELS, "GlobalAR")
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
    # The naive forecast (the fallback and the benchmark) and the default
    # model are always fitted.
    models: tuple[str, ...] = BASE_MODELS
    default_model: str = "GlobalAR"
    switch_p_value: float = 0.05
    # Guards (see the module docstring).
    cap_multiple: float = 3.0
    cap_window: int = 12
    jump_ratio: float = 20.0
    min_nonzero: int = 8
    # Split-conformal 80 % band from past rolling-origin residuals.
    conformal: bool = True
    calibration_window: int = 24

    @property
    def fitted_models(self) -> tuple[str, ...]:
        wanted = ("Naive", *self.models, self.default_model)
        return tuple(dict.fromkeys(wanted))


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
    return [candidates[name] for name in config.fitted_models if name in candidates]


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
            y = _history(values[: at + 1])
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
    for model in config.fitted_models:
        if model not in STATSFORECAST_MODELS:
            continue
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
    if "GlobalAR" in config.fitted_models:
        stacked = pl.concat([stacked, _global_ar_rows(frame, labels, stacked, config)])
    origin_stats = pl.DataFrame(stats, schema=_STATS_SCHEMA)
    stacked = fall_back_to_naive(stacked, origin_stats)
    members = [m for m in config.ensemble_members if m in config.models]
    ensemble = (
        stacked.filter(pl.col("model").is_in(members))
        .group_by("unique_id", "h")
        .agg(pl.col("mean", *_BOUNDS).mean())
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
        .select("series_key", "origin", "model", "h", "mean", *_BOUNDS)
        .sort("series_key", "origin", "model", "h")
    )


def _global_ar_rows(
    frame: pl.DataFrame,
    labels: Mapping[str, tuple[str, dt.date]],
    stacked: pl.DataFrame,
    config: ForecastConfig,
) -> pl.DataFrame:
    """The global AR's forecasts at the labelled origins, pooled over every
    series of `frame`, in `stacked`'s long shape. Its bounds start as the
    naive forecast's around the model's mean (the conformal band replaces the
    80 % one once there are residuals); where it has no forecast (no count at
    the origin) it is the naive forecast."""
    matrix = count_matrix(frame)
    row_of = {key: i for i, key in enumerate(matrix.keys)}
    col_of = {period: j for j, period in enumerate(matrix.periods)}
    model = global_ar_forecasts(
        matrix.counts,
        GlobalARConfig(
            horizon=config.horizon, selection_window=config.selection_window
        ),
    )
    naive = stacked.filter(pl.col("model") == "Naive")
    means: list[float] = []
    for label, h in naive.select("unique_id", "h").iter_rows():
        key, origin = labels[str(label)]
        means.append(float(model.mean[row_of[key], col_of[origin], int(h) - 1]))
    mean = pl.Series("_ar", means, dtype=pl.Float64).fill_nan(None)
    shift = pl.col("_ar") - pl.col("mean")
    return (
        naive.with_columns(_ar=mean)
        .with_columns(
            [
                pl.when(pl.col("_ar").is_null())
                .then(pl.col(c))
                .otherwise(
                    pl.max_horizontal(pl.col(c) + shift, pl.lit(0.0))
                    if c != "mean"
                    else pl.col("_ar")
                )
                .alias(c)
                for c in ("mean", *_BOUNDS)
            ]
        )
        .with_columns(model=pl.lit("GlobalAR"))
        .select(stacked.columns)
    )


_STATS_SCHEMA: Final[dict[str, pl.DataType]] = {
    "unique_id": pl.Utf8(),
    "series": pl.Utf8(),
    "position": pl.Int64(),
    "cap": pl.Float64(),
    "degenerate": pl.Boolean(),
    "outcomes": pl.List(pl.Float64()),
}


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


def fall_back_to_naive(stacked: pl.DataFrame, stats: pl.DataFrame) -> pl.DataFrame:
    """Replace a model's forecast (mean and bounds, all horizons) by the naive
    one where the origin is degenerate or the model's mean exceeds the cap.

    `stacked`: `unique_id, h, model, mean, lo80, hi80, lo95, hi95` in counts;
    `stats`: `unique_id, cap, degenerate` per origin."""
    columns = ("mean", *_BOUNDS)
    naive = stacked.filter(pl.col("model") == "Naive").select(
        "unique_id", "h", *[pl.col(c).alias(f"_naive_{c}") for c in columns]
    )
    failed = (
        pl.col("degenerate")
        | (pl.col("mean").max().over("unique_id", "model") > pl.col("cap"))
    ) & (pl.col("model") != "Naive")
    return (
        stacked.join(stats.select("unique_id", "cap", "degenerate"), on="unique_id")
        .join(naive, on=["unique_id", "h"], how="left")
        .with_columns(
            [
                pl.when(failed)
                .then(pl.col(f"_naive_{c}"))
                .otherwise(pl.col(c))
                .alias(c)
                for c in columns
            ]
        )
        .select(stacked.columns)
    )


def cap_forecasts(stacked: pl.DataFrame, stats: pl.DataFrame) -> pl.DataFrame:
    """Clip means and bounds to [0, cap] (cap = `cap_multiple` x recent max)."""
    return (
        stacked.join(stats.select("unique_id", "cap"), on="unique_id")
        .with_columns(
            [
                pl.col(c).clip(lower_bound=0.0).clip(upper_bound=pl.col("cap"))
                for c in ("mean", *_BOUNDS)
            ]
        )
        .select(stacked.columns)
    )


def conformal_ranks(n: int, level: float) -> tuple[int, int] | None:
    """1-based order statistics of n residuals bounding a split-conformal
    two-sided `level` band, or None when n is too small."""
    alpha = (1.0 - level) / 2.0
    # The epsilon keeps (9 + 1) * 0.1 from flooring to 0 in floating point.
    low = int(np.floor((n + 1) * alpha + 1e-9))
    high = int(np.ceil((n + 1) * (1.0 - alpha) - 1e-9))
    if low < 1 or high > n:
        return None
    return low, high


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
                best = best if _beats(past[best], past[default], config) else default
            rows.append({"series_key": key, "origin": origin, "model": best})
    if not rows:
        return pl.DataFrame(
            schema={"series_key": pl.Utf8, "origin": pl.Date, "model": pl.Utf8}
        )
    return pl.DataFrame(
        rows, schema={"series_key": pl.Utf8, "origin": pl.Date, "model": pl.Utf8}
    )


def _beats(
    challenger: Mapping[int, float],
    default: Mapping[int, float],
    config: ForecastConfig,
) -> bool:
    """Did the challenger's h=1 errors beat the default's on the origins both
    have, by a Diebold-Mariano test at `switch_p_value`?"""
    common = sorted(set(challenger) & set(default))
    if len(common) < 3:
        return False
    test = absolute_error_test(
        [challenger[j] for j in common], [default[j] for j in common], 1
    )
    return test.mean_difference < 0 and test.p_value < config.switch_p_value


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
    with model choice over the `selection_window` origins before them (and,
    with `conformal`, bands from the `calibration_window` origins before)."""
    wanted = set(keys)
    span = config.selection_window
    if config.conformal:
        span = max(span, config.calibration_window + config.horizon)
    origins: dict[str, list[dt.date]] = {}
    for (key,), group in frame.filter(pl.col("series_key").is_in(wanted)).group_by(
        ["series_key"]
    ):
        periods = group.filter(pl.col("count").is_not_null())["period"].sort()
        origins[str(key)] = periods.tail(span + last_origins).to_list()
    out = forecast_origins(frame, origins, config)
    return out.filter(
        pl.col("period").rank("ordinal", descending=True).over("series_key")
        <= last_origins
    )
