"""The global AR model: one AR(1) on period-on-period log growth,

    log1p(y[t+1]) - log1p(y[t]) = beta (log1p(y[t]) - log1p(y[t-1])),

fitted on every series of a panel at once (a "global" model: the series share
one slope, so a short or noisy series borrows strength from the others), its
slope shrunk towards 0 (the naive forecast) by a ridge penalty chosen at each
origin from past errors only. With no momentum in the data the chosen
shrinkage is 1 and the forecast is the last value; it cannot stray far from
the naive forecast, which is the point: on the Darién series nothing beats the
naive forecast by more than noise (docs/forecast-evaluation.md), and this model
is the shipped default (`forecasts.ForecastConfig.default_model`).

Arrays are indexed [series, period] on one period grid; a forecast made at
origin t for period t + h is stored at [series, t, h - 1]. NaN is missing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import polars as pl

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

# Shrinkage s of the pooled slope towards 0: beta_s = (1 - s) beta_OLS, which
# is ridge regression with penalty s / (1 - s) x'x; s = 1 is the naive forecast.
SHRINKAGE_GRID: Final = (0.0, 0.25, 0.5, 0.75, 0.9, 1.0)


@dataclass(frozen=True, slots=True)
class CountMatrix:
    keys: list[str]  # sorted; row i is keys[i]
    periods: list[dt.date]  # sorted; column j is periods[j]
    counts: FloatArray  # [series, period], NaN where missing


def count_matrix(frame: pl.DataFrame) -> CountMatrix:
    """`series_key, period, count` (long) as a [series, period] array on the
    union of the frame's periods."""
    keys = sorted(str(k) for k in frame["series_key"].unique().to_list())
    periods: list[dt.date] = sorted(frame["period"].unique().to_list())
    row_of = {key: i for i, key in enumerate(keys)}
    col_of = {period: j for j, period in enumerate(periods)}
    counts = np.full((len(keys), len(periods)), np.nan)
    for key, period, count in frame.select("series_key", "period", "count").iter_rows():
        if count is not None:
            counts[row_of[str(key)], col_of[period]] = float(count)
    return CountMatrix(keys, periods, counts)


@dataclass(frozen=True, slots=True)
class GlobalARConfig:
    horizon: int = 3
    shrinkage: tuple[float, ...] = SHRINKAGE_GRID
    # The shrinkage used at origin t is the one whose forecasts at h had the
    # least geometric-mean relative MAE (vs naive) over the last
    # `selection_window` origins whose outcome was known at t; the same window
    # and minimum as the shipped model choice (forecasts.choose_models).
    selection_window: int = 12
    min_selection: int = 2
    min_pairs: int = 10  # growth pairs needed to fit the slope; else naive

    def __post_init__(self) -> None:
        if 1.0 not in self.shrinkage:
            raise ValueError("the shrinkage grid must contain 1.0 (the naive)")


@dataclass(frozen=True, slots=True)
class GlobalARForecasts:
    mean: FloatArray  # [series, origin, h - 1]
    shrinkage: FloatArray  # [origin, h - 1]: the shrinkage chosen (NaN: none)
    slopes: FloatArray = field(repr=False)  # [origin]: unshrunk pooled slope


def pooled_slope(log_counts: FloatArray, t: int) -> float | None:
    """Least-squares slope of next-month log growth on this month's, over
    every series and every pair whose target period is <= t (known at t)."""
    growth = np.diff(log_counts[:, : t + 1], axis=1)  # [:, s] = L[s+1] - L[s]
    x = growth[:, :-1].ravel()
    y = growth[:, 1:].ravel()
    ok = ~np.isnan(x) & ~np.isnan(y)
    if ok.sum() == 0:
        return None
    xx = float(x[ok] @ x[ok])
    if xx <= 0:
        return None
    return float(x[ok] @ y[ok]) / xx


def _path(log_counts: FloatArray, t: int, slope: float, horizon: int) -> FloatArray:
    """Forecast counts at t + 1..t + horizon for every series from origin t:
    growth g_t decays as slope^k; no growth known -> the last value."""
    last = log_counts[:, t]
    before = log_counts[:, t - 1] if t >= 1 else np.full_like(last, np.nan)
    growth = np.where(np.isnan(before), 0.0, last - before)
    steps = np.cumsum([slope**k for k in range(1, horizon + 1)])
    level = last[:, None] + growth[:, None] * steps[None, :]
    return np.asarray(np.maximum(np.expm1(level), 0.0), dtype=np.float64)


def global_ar_forecasts(
    counts: FloatArray, config: GlobalARConfig = GlobalARConfig()
) -> GlobalARForecasts:
    """Pooled AR(1) forecasts at every origin t with a count (module docstring).

    No look-ahead: the slope at t is fitted on pairs whose target is <= t, and
    the shrinkage at t is chosen from forecasts made at earlier origins j
    whose outcome (j + h <= t) was known at t."""
    log_counts = np.log1p(np.maximum(counts, 0.0))
    n_series, n_periods = counts.shape
    grid = config.shrinkage
    horizon = config.horizon
    # candidate[g][:, t, h - 1]: the forecast with shrinkage grid[g] made at t.
    candidate = np.full((len(grid), n_series, n_periods, horizon), np.nan)
    slopes = np.full(n_periods, np.nan)
    for t in range(n_periods):
        slope = pooled_slope(log_counts, t)
        pairs = _pair_count(log_counts, t)
        if slope is None or pairs < config.min_pairs:
            slope = 0.0
        else:
            slopes[t] = slope
        for g, s in enumerate(grid):
            candidate[g, :, t, :] = _path(log_counts, t, (1.0 - s) * slope, horizon)
    observed = ~np.isnan(counts)
    candidate[:, ~observed, :] = np.nan
    mean = np.full((n_series, n_periods, horizon), np.nan)
    chosen = np.full((n_periods, horizon), np.nan)
    naive_index = grid.index(1.0)  # before any choice: the naive forecast
    for h in range(1, horizon + 1):
        for t in range(n_periods):
            # Origins j whose target j + h is known at t, most recent last.
            past = [j for j in range(t - h + 1) if observed[:, j].any()]
            past = past[-config.selection_window :]
            best = _best(candidate, counts, past, h, config.min_selection)
            g = naive_index if best is None else best
            if best is not None:
                chosen[t, h - 1] = grid[best]
            mean[:, t, h - 1] = candidate[g, :, t, h - 1]
    return GlobalARForecasts(mean=mean, shrinkage=chosen, slopes=slopes)


def _pair_count(log_counts: FloatArray, t: int) -> int:
    growth = np.diff(log_counts[:, : t + 1], axis=1)
    return int((~np.isnan(growth[:, :-1]) & ~np.isnan(growth[:, 1:])).sum())


def _best(
    candidate: FloatArray,
    counts: FloatArray,
    past: Sequence[int],
    h: int,
    min_selection: int,
) -> int | None:
    """Index of the shrinkage with the least geometric-mean relative MAE
    (vs the last value) over origins `past` at horizon h; ties go to the
    larger shrinkage (nearer the naive). None when too few origins."""
    if len(past) < min_selection:
        return None
    origins = np.asarray(past)
    target = counts[:, origins + h]
    naive_errors = np.abs(target - counts[:, origins])
    best: int | None = None
    best_score = math.inf
    for g in range(candidate.shape[0]):
        errors = np.abs(target - candidate[g][:, origins, h - 1])
        ratios = []
        for row, naive_row in zip(errors, naive_errors, strict=True):
            ok = ~np.isnan(row) & ~np.isnan(naive_row)
            scale = float(naive_row[ok].sum())
            if ok.any() and scale > 0:
                ratios.append(max(float(row[ok].sum()) / scale, 1e-12))
        if not ratios:
            return None
        score = float(np.mean(np.log(ratios)))
        if score <= best_score:
            best, best_score = g, score
    return best
