"""Compiled kernels for forecasting many series at every origin (issue 10).

The per-origin work of `forecasts` (the naive and seasonal naive forecasts
with statsforecast's own intervals, the guards' statistics, the split-conformal
band and the model choice by the Diebold-Mariano rule) done for every series
and origin in one compiled pass over flat arrays, instead of a Python loop per
origin (a pandas frame per origin, a statsforecast call per model). Each
kernel states the Python code whose results it reproduces; the tests compare
both on the Darién data (tests/early_warning/test_forecasts_scale.py).

Layout: the series of a panel are concatenated in `values` (NaN where a count
is missing), series s occupying `values[starts[s]:starts[s + 1]]`; an origin is
(series, position in that series).
"""

from __future__ import annotations

from typing import Any

import numba as nb
import numpy as np

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


@nb.njit(cache=True, nogil=True)
def _history_log(
    values: FloatArray, first: int, at: int, log_scale: bool
) -> FloatArray:  # pragma: no cover - compiled
    """`forecasts.usable_history(values[:at + 1])` (then log1p when `log_scale`):
    leading missing values dropped, inner ones interpolated, trailing ones
    held at the last known value (np.interp's clamp)."""
    n = at + 1 - first
    out = np.empty(n)
    last_known = -1
    for i in range(n):
        v = values[first + i]
        if not np.isnan(v):
            if last_known >= 0 and i - last_known > 1:
                left = out[last_known]
                step = (v - left) / (i - last_known)
                for j in range(last_known + 1, i):
                    out[j] = left + step * (j - last_known)
            out[i] = v
            last_known = i
    for j in range(last_known + 1, n):
        out[j] = out[last_known]
    if log_scale:
        for i in range(n):
            out[i] = np.log1p(max(out[i], 0.0))
    return out


@nb.njit(cache=True, nogil=True)
def naive_forecasts(
    values: FloatArray,
    starts: IntArray,
    origin_series: IntArray,
    origin_at: IntArray,
    horizon: int,
    season: int,
    log_scale: bool,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:  # pragma: no cover
    """statsforecast's `Naive` and `SeasonalNaive` on each origin's history:
    means [origin, h - 1] and residual standard deviations [origin] (sigma of
    `_calculate_sigma`: the sum of squared residuals over n - 1, resp.
    n - season). The seasonal mean is NaN where the history is shorter than
    the season at that horizon, as statsforecast's is."""
    k = len(origin_at)
    naive = np.full((k, horizon), np.nan)
    seasonal = np.full((k, horizon), np.nan)
    naive_sigma = np.zeros(k)
    seasonal_sigma = np.zeros(k)
    for o in range(k):
        base = starts[origin_series[o]]
        at = origin_at[o]
        first = -1
        for i in range(at + 1):
            if not np.isnan(values[base + i]):
                first = i
                break
        if first < 0:
            continue
        y = _history_log(values[base:], first, at, log_scale)
        n = len(y)
        for h in range(horizon):
            naive[o, h] = y[n - 1]
            index = n - season + h % season
            if index >= 0:
                seasonal[o, h] = y[index]
        if n - 1 > 0:
            total = 0.0
            for i in range(1, n):
                total += (y[i] - y[i - 1]) ** 2
            naive_sigma[o] = np.sqrt(total / (n - 1))
        if n - season > 0:
            total = 0.0
            for i in range(season, n):
                total += (y[i] - y[i - season]) ** 2
            seasonal_sigma[o] = np.sqrt(total / (n - season))
    return naive, naive_sigma, seasonal, seasonal_sigma


@nb.njit(cache=True, nogil=True)
def origin_stats(
    values: FloatArray,
    starts: IntArray,
    origin_series: IntArray,
    origin_at: IntArray,
    horizon: int,
    window: int,
    jump_ratio: float,
    min_nonzero: int,
    cap_multiple: float,
) -> tuple[FloatArray, BoolArray, FloatArray]:  # pragma: no cover - compiled
    """`forecasts._origin_stats` for every origin: cap [origin], degenerate
    [origin] and outcomes [origin, h - 1]."""
    k = len(origin_at)
    cap = np.zeros(k)
    degenerate = np.zeros(k, dtype=np.bool_)
    outcomes = np.full((k, horizon), np.nan)
    for o in range(k):
        s = origin_series[o]
        base = starts[s]
        length = starts[s + 1] - base
        at = origin_at[o]
        size = at + 1
        recent_max = 0.0
        seen = False
        for i in range(max(0, size - window), size):
            v = values[base + i]
            if not np.isnan(v) and (not seen or v > recent_max):
                recent_max = v
                seen = True
        nonzero = 0
        for i in range(size):
            v = values[base + i]
            if not np.isnan(v) and v > 0:
                nonzero += 1
        jump = False
        for i in range(max(0, size - window), size):
            before_max = 0.0
            before_n = 0
            for j in range(max(0, i - window), i):
                v = values[base + j]
                if not np.isnan(v):
                    if before_n == 0 or v > before_max:
                        before_max = v
                    before_n += 1
            value = values[base + i]
            ceiling = jump_ratio * max(before_max, 1.0)
            if before_n > 0 and not np.isnan(value) and value > ceiling:
                jump = True
                break
        for h in range(horizon):
            if at + 1 + h < length:
                outcomes[o, h] = values[base + at + 1 + h]
        cap[o] = cap_multiple * recent_max
        degenerate[o] = nonzero < min_nonzero or jump
    return cap, degenerate, outcomes


@nb.njit(cache=True, nogil=True)
def conformal(
    group_starts: IntArray,
    group_ends: IntArray,
    hs: IntArray,
    positions: IntArray,
    means: FloatArray,
    actual: FloatArray,
    lo_out: FloatArray,
    hi_out: FloatArray,
    calibration_window: int,
) -> None:  # pragma: no cover - compiled
    """The loop of `forecasts.conformal_bands` over (series, model, h) groups
    sorted by position; writes the 80 % band into `lo_out`, `hi_out`."""
    for g in range(len(group_starts)):
        start, end = group_starts[g], group_ends[g]
        h = hs[start]
        size = end - start
        residual = np.empty(size)
        for i in range(size):
            a = actual[start + i]
            m = max(means[start + i], 0.0)
            residual[i] = np.log1p(max(a, 0.0)) - np.log1p(m) if not np.isnan(a) else a
        usable = np.empty(size)
        for k in range(size):
            count = 0
            for i in range(size):
                if positions[start + i] + h <= positions[start + k] and not np.isnan(
                    residual[i]
                ):
                    usable[count] = residual[i]
                    count += 1
            first = max(0, count - calibration_window)
            n = count - first
            low = int(np.floor((n + 1) * 0.1 + 1e-9))
            high = int(np.ceil((n + 1) * 0.9 - 1e-9))
            if low < 1 or high > n:
                continue
            ordered = np.sort(usable[first:count])
            centre = np.log1p(max(means[start + k], 0.0))
            lo_out[start + k] = np.expm1(centre + ordered[low - 1])
            hi_out[start + k] = np.expm1(centre + ordered[high - 1])


@nb.njit(cache=True, nogil=True)
def choose(
    errors: FloatArray,
    present: BoolArray,
    series_starts: IntArray,
    default: int,
    window: int,
) -> tuple[IntArray, IntArray, FloatArray, FloatArray, FloatArray]:  # pragma: no cover
    """The loop of `forecasts.choose_models`. `errors[model, row]` is the h=1
    absolute error at an origin (rows of one series consecutive, in origin
    order), `present` whether it is known (a NaN error counts as known, as
    in the Python rule). Returns per row: the model with the least mean past
    error (`default` when none has two; -1 for "Ensemble" fallback is the
    caller's), and for the Diebold-Mariano test of that model against the
    default on their common past origins: n, mean differential, variance
    (lag 0, as the HLN statistic at h = 1 reads it) and statistic."""
    n_models, rows = errors.shape
    best_out = np.empty(rows, dtype=np.int64)
    n_out = np.zeros(rows, dtype=np.int64)
    mean_out = np.full(rows, np.nan)
    stat_out = np.full(rows, np.nan)
    var_out = np.full(rows, np.nan)
    d = np.empty(window)
    for s in range(len(series_starts) - 1):
        lo, hi = series_starts[s], series_starts[s + 1]
        for r in range(lo, hi):
            i = r - lo
            first = max(lo, lo + i - window)
            best = default
            best_score = np.inf
            for m in range(n_models):
                total = 0.0
                count = 0
                for j in range(first, r):
                    if present[m, j]:
                        total += errors[m, j]
                        count += 1
                if count >= 2:
                    score = total / count
                    if score < best_score:
                        best, best_score = m, score
            best_out[r] = best
            if default < 0 or best == default:
                continue
            count = 0
            for j in range(first, r):
                if present[best, j] and present[default, j]:
                    value = abs(errors[best, j]) - abs(errors[default, j])
                    if not np.isnan(value):
                        d[count] = value
                        count += 1
            common = 0
            for j in range(first, r):
                if present[best, j] and present[default, j]:
                    common += 1
            if common < 3:
                n_out[r] = -1  # too few common origins: never switch
                continue
            n_out[r] = count
            if count < 2:
                continue
            mean = 0.0
            for q in range(count):
                mean += d[q]
            mean /= count
            gamma = 0.0
            for q in range(count):
                gamma += (d[q] - mean) ** 2
            gamma /= count
            mean_out[r] = mean
            var_out[r] = gamma / count
            if var_out[r] > 0:
                correction = np.sqrt((count + 1 - 2) / count)
                stat_out[r] = mean / np.sqrt(var_out[r]) * correction
    return best_out, n_out, mean_out, var_out, stat_out
