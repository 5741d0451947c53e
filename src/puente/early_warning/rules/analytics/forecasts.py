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
from scipy import stats
from scipy.special import ndtr

from puente.early_warning.rules.analytics import kernels
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
SEARCH_BOUNDS: Final = ("lo80", "hi80", "lo95", "hi95")
# statsforecast's normal quantiles for its 80 % and 95 % intervals.
_Z_LEVELS: Final = tuple(float(z) for z in stats.norm.ppf([0.9, 0.975]))
_LONG_SCHEMA: Final[dict[str, pl.DataType]] = {
    "unique_id": pl.Utf8(),
    "h": pl.Int32(),
    "model": pl.Utf8(),
    **{c: pl.Float64() for c in ("mean", "lo80", "hi80", "lo95", "hi95")},
}


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


def bounded_models(
    config: ForecastConfig, names: Sequence[str] | None = None
) -> list[Any]:
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
    wanted = config.fitted_models if names is None else names
    return [candidates[name] for name in wanted if name in candidates]


def usable_history(
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
    *,
    n_jobs: int = 1,
) -> pl.DataFrame:
    """Every model's forecasts made at each origin of each series.

    `frame` has `series_key, period, count`. Out (long): `series_key, origin,
    model, h, mean, lo80, hi80, lo95, hi95`; the ensemble is the mean of the
    four models' means and bounds.

    The naive and seasonal naive forecasts, the guards' statistics and the
    conformal bands come from compiled kernels over all origins at once
    (`kernels`); only AutoETS and AutoARIMA are fitted by statsforecast, one
    fit per origin (`n_jobs` processes). `reference.raw_forecasts` is the
    per-origin path these reproduce.
    """
    panel = _origin_panel(frame, origins, config.min_history)
    if panel is None:
        return empty_raw()
    values, starts, keys, periods, origin_series, origin_at = panel
    labels = [str(i) for i in range(len(origin_at))]
    cap, degenerate, outcomes = kernels.origin_stats(
        values,
        starts,
        origin_series,
        origin_at,
        config.horizon,
        config.cap_window,
        config.jump_ratio,
        config.min_nonzero,
        config.cap_multiple,
    )
    long = [
        _naive_rows(values, starts, origin_series, origin_at, labels, config, model)
        for model in config.fitted_models
        if model in ("Naive", "SeasonalNaive")
    ]
    fitted = [
        m
        for m in config.fitted_models
        if m in STATSFORECAST_MODELS and m not in ("Naive", "SeasonalNaive")
    ]
    if fitted:
        long.append(
            _statsforecast_rows(
                values, starts, origin_series, origin_at, labels, config, fitted, n_jobs
            )
        )
    stacked = pl.concat(long)
    stacked = stacked.sort(
        pl.col("model").replace_strict(
            {m: i for i, m in enumerate(config.fitted_models)}, return_dtype=pl.Int32
        ),
        maintain_order=True,
    )
    if config.log_scale:
        stacked = stacked.with_columns(
            [pl.col(c).exp() - 1.0 for c in ("mean", *SEARCH_BOUNDS)]
        )
    origin_keys = [keys[s] for s in origin_series]
    origin_dates = [
        periods[s][a] for s, a in zip(origin_series, origin_at, strict=True)
    ]
    if "GlobalAR" in config.fitted_models:
        stacked = pl.concat(
            [
                stacked,
                global_ar_rows(
                    frame,
                    dict(
                        zip(
                            labels,
                            zip(origin_keys, origin_dates, strict=True),
                            strict=True,
                        )
                    ),
                    stacked,
                    config,
                ),
            ]
        )
    origin_stats = pl.DataFrame(
        {
            "unique_id": labels,
            "series": origin_keys,
            "position": origin_at.astype(np.int64),
            "cap": cap,
            "degenerate": degenerate,
            "outcomes": pl.Series(outcomes).cast(pl.List(pl.Float64)),
        },
        schema=STATS_SCHEMA,
    )
    stacked = fall_back_to_naive(stacked, origin_stats)
    members = [m for m in config.ensemble_members if m in config.models]
    ensemble = (
        stacked.filter(pl.col("model").is_in(members))
        .group_by("unique_id", "h", maintain_order=True)
        .agg(pl.col("mean", *SEARCH_BOUNDS).mean())
        .with_columns(model=pl.lit("Ensemble"))
    )
    stacked = pl.concat([stacked, ensemble.select(stacked.columns)])
    if config.conformal:
        stacked = conformal_bands(stacked, origin_stats, config)
    stacked = cap_forecasts(stacked, origin_stats)
    ids = pl.DataFrame(
        {
            "unique_id": labels,
            "series_key": origin_keys,
            "origin": pl.Series(origin_dates, dtype=pl.Date),
        }
    )
    return (
        stacked.join(ids, on="unique_id")
        .select("series_key", "origin", "model", "h", "mean", *SEARCH_BOUNDS)
        .sort("series_key", "origin", "model", "h")
    )


Panel = tuple[
    "np.ndarray[Any, np.dtype[np.float64]]",
    "np.ndarray[Any, np.dtype[np.int64]]",
    list[str],
    list[list[dt.date]],
    "np.ndarray[Any, np.dtype[np.int64]]",
    "np.ndarray[Any, np.dtype[np.int64]]",
]


def _origin_panel(
    frame: pl.DataFrame, origins: Mapping[str, Sequence[dt.date]], min_history: int
) -> Panel | None:
    """The series that have origins, concatenated (kernels' layout), and the
    origins with at least `min_history` counts up to them."""
    chunks: list[np.ndarray[Any, np.dtype[np.float64]]] = []
    keys: list[str] = []
    periods: list[list[dt.date]] = []
    origin_series: list[int] = []
    origin_at: list[int] = []
    for (key,), unsorted in frame.group_by(["series_key"]):
        if key not in origins:
            continue
        group = unsorted.sort("period")
        dates = group["period"].to_list()
        values = group["count"].cast(pl.Float64).fill_null(np.nan).to_numpy()
        counted = np.cumsum(~np.isnan(values))
        position = {period: i for i, period in enumerate(dates)}
        s = len(keys)
        for origin in origins[key]:
            at = position.get(origin)
            if at is None or counted[at] < min_history:
                continue
            origin_series.append(s)
            origin_at.append(at)
        keys.append(str(key))
        periods.append(dates)
        chunks.append(values)
    if not origin_at:
        return None
    starts = np.zeros(len(chunks) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([len(c) for c in chunks])
    return (
        np.ascontiguousarray(np.concatenate(chunks), dtype=np.float64),
        starts,
        keys,
        periods,
        np.asarray(origin_series, dtype=np.int64),
        np.asarray(origin_at, dtype=np.int64),
    )


def _naive_rows(
    values: np.ndarray[Any, np.dtype[np.float64]],
    starts: np.ndarray[Any, np.dtype[np.int64]],
    origin_series: np.ndarray[Any, np.dtype[np.int64]],
    origin_at: np.ndarray[Any, np.dtype[np.int64]],
    labels: list[str],
    config: ForecastConfig,
    model: str,
) -> pl.DataFrame:
    """statsforecast's `Naive` or `SeasonalNaive` with its normal 80 % and
    95 % intervals (mean -/+ z sigma_h), on the fitting scale."""
    naive, naive_sigma, seasonal, seasonal_sigma = kernels.naive_forecasts(
        values,
        starts,
        origin_series,
        origin_at,
        config.horizon,
        config.season_length,
        config.log_scale,
    )
    steps = np.arange(1, config.horizon + 1, dtype=np.float64)
    if model == "Naive":
        mean, sigmah = naive, naive_sigma[:, None] * np.sqrt(steps)[None, :]
    else:
        k = np.floor(np.arange(config.horizon) / config.season_length)
        mean, sigmah = seasonal, seasonal_sigma[:, None] * np.sqrt(k + 1)[None, :]
    z80, z95 = _Z_LEVELS
    horizon = config.horizon
    return pl.DataFrame(
        {
            "unique_id": np.repeat(np.asarray(labels, dtype=object), horizon),
            "h": np.tile(np.arange(1, horizon + 1, dtype=np.int32), len(labels)),
            "model": model,
            "mean": mean.ravel(),
            "lo80": (mean - z80 * sigmah).ravel(),
            "hi80": (mean + z80 * sigmah).ravel(),
            "lo95": (mean - z95 * sigmah).ravel(),
            "hi95": (mean + z95 * sigmah).ravel(),
        },
        schema=_LONG_SCHEMA,
    )


def _statsforecast_rows(
    values: np.ndarray[Any, np.dtype[np.float64]],
    starts: np.ndarray[Any, np.dtype[np.int64]],
    origin_series: np.ndarray[Any, np.dtype[np.int64]],
    origin_at: np.ndarray[Any, np.dtype[np.int64]],
    labels: list[str],
    config: ForecastConfig,
    models: list[str],
    n_jobs: int,
) -> pl.DataFrame:
    """AutoETS / AutoARIMA fitted at every origin (statsforecast)."""
    ids: list[np.ndarray[Any, np.dtype[Any]]] = []
    ds: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    ys: list[np.ndarray[Any, np.dtype[np.float64]]] = []
    for label, s, at in zip(labels, origin_series, origin_at, strict=True):
        y = usable_history(values[starts[s] : starts[s] + at + 1])
        if config.log_scale:
            y = np.log1p(np.maximum(y, 0.0))
        ids.append(np.full(len(y), label, dtype=object))
        ds.append(np.arange(len(y)))
        ys.append(y)
    data = pd.DataFrame(
        {
            "unique_id": np.concatenate(ids),
            "ds": np.concatenate(ds),
            "y": np.concatenate(ys),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from statsforecast import StatsForecast

        engine = StatsForecast(
            models=bounded_models(config, models), freq=1, n_jobs=n_jobs
        )
        result = engine.forecast(df=data, h=config.horizon, level=[80, 95])
    result = pl.from_pandas(result).with_columns(
        h=(pl.col("ds") - pl.col("ds").min().over("unique_id") + 1).cast(pl.Int32)
    )
    return pl.concat(
        [
            result.select(
                pl.col("unique_id").cast(pl.Utf8),
                "h",
                pl.lit(model).alias("model"),
                pl.col(model).cast(pl.Float64).alias("mean"),
                *[
                    pl.col(f"{model}-{b[:2]}-{b[2:]}").cast(pl.Float64).alias(b)
                    for b in SEARCH_BOUNDS
                ],
            )
            for model in models
        ]
    )


def global_ar_rows(
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
    where = pl.DataFrame(
        {
            "unique_id": list(labels),
            "_row": [row_of[key] for key, _ in labels.values()],
            "_col": [col_of[origin] for _, origin in labels.values()],
        },
        schema={"unique_id": pl.Utf8, "_row": pl.Int64, "_col": pl.Int64},
    )
    naive = stacked.filter(pl.col("model") == "Naive").join(
        where, on="unique_id", how="left", maintain_order="left"
    )
    means = model.mean[
        naive["_row"].to_numpy(), naive["_col"].to_numpy(), naive["h"].to_numpy() - 1
    ]
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
                for c in ("mean", *SEARCH_BOUNDS)
            ]
        )
        .with_columns(model=pl.lit("GlobalAR"))
        .select(stacked.columns)
    )


STATS_SCHEMA: Final[dict[str, pl.DataType]] = {
    "unique_id": pl.Utf8(),
    "series": pl.Utf8(),
    "position": pl.Int64(),
    "cap": pl.Float64(),
    "degenerate": pl.Boolean(),
    "outcomes": pl.List(pl.Float64()),
}


def fall_back_to_naive(stacked: pl.DataFrame, stats: pl.DataFrame) -> pl.DataFrame:
    """Replace a model's forecast (mean and bounds, all horizons) by the naive
    one where the origin is degenerate or the model's mean exceeds the cap.

    `stacked`: `unique_id, h, model, mean, lo80, hi80, lo95, hi95` in counts;
    `stats`: `unique_id, cap, degenerate` per origin."""
    columns = ("mean", *SEARCH_BOUNDS)
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
                for c in ("mean", *SEARCH_BOUNDS)
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
    `calibration_window` such residuals are used (`kernels.conformal`)."""
    info = stats.select("unique_id", "series", "position", "outcomes")
    frame = stacked.join(info, on="unique_id").sort("series", "model", "h", "position")
    lo_out = frame["lo80"].to_numpy().astype(np.float64, copy=True)
    hi_out = frame["hi80"].to_numpy().astype(np.float64, copy=True)
    actual = frame.select(
        pl.col("outcomes").list.get(pl.col("h") - 1, null_on_oob=True)
    ).to_series()
    new_group = frame.select(
        pl.any_horizontal(
            [pl.col(c).ne_missing(pl.col(c).shift(1)) for c in ("series", "model", "h")]
        )
    ).to_series()
    starts = np.flatnonzero(new_group.fill_null(True).to_numpy()).astype(np.int64)
    ends = np.r_[starts[1:], len(frame)].astype(np.int64)
    kernels.conformal(
        starts,
        ends,
        frame["h"].to_numpy().astype(np.int64),
        frame["position"].to_numpy().astype(np.int64),
        frame["mean"].to_numpy().astype(np.float64),
        actual.cast(pl.Float64).fill_null(np.nan).to_numpy(),
        lo_out,
        hi_out,
        config.calibration_window,
    )
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


def empty_raw() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "series_key": pl.Utf8,
            "origin": pl.Date,
            "model": pl.Utf8,
            "h": pl.Int32,
            **dict.fromkeys(("mean", *SEARCH_BOUNDS), pl.Float64),
        }
    )


def choose_models(
    raw: pl.DataFrame,
    actuals: pl.DataFrame,
    config: ForecastConfig = DEFAULT_FORECASTS,
) -> pl.DataFrame:
    """Model per (series, origin): least mean |h=1 error| over the previous
    `selection_window` origins whose target period is <= the origin; the
    default model unless that one beats it by the Diebold-Mariano rule
    (`beats_default`). Computed for every origin at once (`kernels.choose`)."""
    one = raw.filter(pl.col("h") == 1)
    origin_index = (
        one.select("series_key", "origin")
        .unique()
        .sort("series_key", "origin")
        .with_columns(_row=pl.int_range(pl.len()))
    )
    if origin_index.is_empty():
        return pl.DataFrame(
            schema={"series_key": pl.Utf8, "origin": pl.Date, "model": pl.Utf8}
        )
    scored = (
        one.join(
            actuals.select(
                "series_key",
                pl.col("period"),
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
        .filter(pl.col("_error").is_not_null())
        .join(origin_index, on=["series_key", "origin"])
    )
    rows = origin_index.height
    errors = np.full((len(MODEL_NAMES), rows), np.nan)
    present = np.zeros((len(MODEL_NAMES), rows), dtype=np.bool_)
    model_of = {m: i for i, m in enumerate(MODEL_NAMES)}
    index = scored["model"].replace_strict(model_of, default=-1).to_numpy()
    keep = index >= 0
    at = scored["_row"].to_numpy()[keep]
    errors[index[keep], at] = scored["_error"].cast(pl.Float64).to_numpy()[keep]
    present[index[keep], at] = True
    fitted = set(one["model"].unique().to_list())
    default = model_of[config.default_model] if config.default_model in fitted else -1
    series = origin_index["series_key"].to_numpy()
    boundaries = np.flatnonzero(np.r_[True, series[1:] != series[:-1]])
    series_starts = np.r_[boundaries, rows].astype(np.int64)
    best, n, mean, variance, statistic = kernels.choose(
        errors, present, series_starts, default, config.selection_window
    )
    with np.errstate(invalid="ignore"):
        p_value = np.where(
            variance > 0,
            2.0 * stats.t.sf(np.abs(statistic), np.maximum(n - 1, 1)),
            np.where(mean == 0.0, 1.0, 0.0),
        )
        switch = (n >= 2) & (mean < 0) & (p_value < config.switch_p_value)
    if default >= 0:
        best = np.where((best == default) | switch, best, default)
    names = np.asarray(MODEL_NAMES, dtype=object)
    chosen = np.where(best >= 0, names[np.maximum(best, 0)], "Ensemble")
    return origin_index.select(
        "series_key", "origin", pl.Series("model", chosen, dtype=pl.Utf8)
    )


def beats_default(
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
        on="h", index=["series_key", "origin", "model"], values=["mean", *SEARCH_BOUNDS]
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
