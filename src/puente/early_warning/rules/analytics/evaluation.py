"""Forecast evaluation against the naive forecast (issue 3).

Pure NumPy/SciPy functions, used by `benchmarks/forecast_methods.py`
(docs/forecast-evaluation.md); nothing here reads files or the database.

- `diebold_mariano`: do two forecasts differ in mean loss (with
  `absolute_error_test`, in mean absolute error)? The Diebold-Mariano
  statistic with the Harvey-Leybourne-Newbold (1997) small-sample correction
  and h - 1 autocovariance lags (forecasts h periods ahead made at
  consecutive origins overlap, so their errors are correlated up to lag
  h - 1), compared with Student's t on n - 1 degrees of freedom.
- `score_horizon`: per series, relative MAE (MAE of a method / MAE of the
  naive forecast on the same origins) and the DM test against the naive; and
  one pooled DM test over all series (see `pooled_differential`).
- `global_ar_forecasts` (from `global_ar`, re-exported): the pooled AR(1) on
  log growth that the shipped forecasts use as their default model.

Arrays are indexed [series, period] on one period grid; a forecast made at
origin t for period t + h is stored at [series, t, h - 1]. NaN is missing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from puente.early_warning.rules.analytics.global_ar import (
    SHRINKAGE_GRID,
    GlobalARConfig,
    GlobalARForecasts,
    global_ar_forecasts,
    pooled_slope,
)

__all__ = [
    "SHRINKAGE_GRID",
    "DieboldMariano",
    "GlobalARConfig",
    "GlobalARForecasts",
    "HorizonScore",
    "SeriesScore",
    "absolute_error_test",
    "as_report",
    "diebold_mariano",
    "geometric_mean",
    "global_ar_forecasts",
    "interval_score",
    "naive_forecasts",
    "pooled_differential",
    "pooled_slope",
    "relative_mae",
    "score_horizon",
    "scored_mask",
    "target_matrix",
]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


@dataclass(frozen=True, slots=True)
class DieboldMariano:
    """Test of equal mean loss. `statistic` < 0: the first forecast has the
    smaller loss. `mean_difference` is the mean loss differential."""

    statistic: float
    p_value: float
    n: int
    mean_difference: float


def diebold_mariano(
    differential: Sequence[float] | FloatArray, h: int
) -> DieboldMariano:
    """DM test (HLN-corrected, two-sided) on a loss differential series
    d_t = loss_a,t - loss_b,t in time order, for forecasts h periods ahead.

    The long-run variance uses autocovariances up to lag h - 1; when it is not
    positive (possible for h > 1 in short samples) the lag-0 variance is used,
    as Diebold and Mariano suggest. A constant zero differential (identical
    forecasts) gives statistic 0 and p-value 1."""
    d = np.asarray(differential, dtype=np.float64)
    d = d[~np.isnan(d)]
    n = len(d)
    if n < 2:
        return DieboldMariano(math.nan, math.nan, n, float(d.mean()) if n else math.nan)
    mean = float(d.mean())
    centred = d - mean
    gamma = [float(centred[k:] @ centred[: n - k]) / n for k in range(min(h, n))]
    variance = (gamma[0] + 2.0 * sum(gamma[1:])) / n
    if variance <= 0.0:
        variance = gamma[0] / n
    if variance <= 0.0:
        if mean == 0.0:
            return DieboldMariano(0.0, 1.0, n, 0.0)
        return DieboldMariano(math.copysign(math.inf, mean), 0.0, n, mean)
    correction = math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    statistic = mean / math.sqrt(variance) * correction
    p_value = float(2.0 * stats.t.sf(abs(statistic), df=n - 1))
    return DieboldMariano(statistic, p_value, n, mean)


def absolute_error_test(
    errors: Sequence[float] | FloatArray,
    baseline_errors: Sequence[float] | FloatArray,
    h: int,
) -> DieboldMariano:
    """DM test with absolute-error loss: |errors| - |baseline_errors|."""
    a = np.abs(np.asarray(errors, dtype=np.float64))
    b = np.abs(np.asarray(baseline_errors, dtype=np.float64))
    return diebold_mariano(a - b, h)


def relative_mae(
    errors: Sequence[float] | FloatArray, baseline_errors: Sequence[float] | FloatArray
) -> float:
    """MAE of `errors` / MAE of `baseline_errors` (same origins); NaN when the
    baseline never errs."""
    a = float(np.mean(np.abs(np.asarray(errors, dtype=np.float64))))
    b = float(np.mean(np.abs(np.asarray(baseline_errors, dtype=np.float64))))
    return a / b if b > 0 else math.nan


def geometric_mean(ratios: Sequence[float]) -> float:
    """Geometric mean of the positive, finite ratios (NaN when none)."""
    usable = [r for r in ratios if math.isfinite(r) and r > 0]
    return float(np.exp(np.mean(np.log(usable)))) if usable else math.nan


@dataclass(frozen=True, slots=True)
class SeriesScore:
    relative_mae: float
    test: DieboldMariano


@dataclass(frozen=True, slots=True)
class HorizonScore:
    h: int
    series: dict[str, SeriesScore]
    geometric_mean: float
    pooled: DieboldMariano
    origins: int  # scored origins per series (the same for every method)
    coverage_80: float | None = None  # share of outcomes inside the 80 % band
    above_hi80: float | None = None  # share above its upper bound (nominal 0.1)
    # Geometric mean over series of the mean interval score of the 80 % band
    # over the naive band's (Gneiting-Raftery: width plus 10x each miss).
    interval_score: float | None = None
    interval_test: DieboldMariano | None = None  # pooled, on the interval score


def target_matrix(actual: FloatArray, h: int) -> FloatArray:
    """`actual` shifted so that [i, t] holds the count of period t + h."""
    out = np.full_like(actual, np.nan)
    if h < actual.shape[1]:
        out[:, : actual.shape[1] - h] = actual[:, h:]
    return out


def scored_mask(
    actual: FloatArray, origins: BoolArray, naive: FloatArray, h: int
) -> BoolArray:
    """Origins (series, t) whose outcome at t + h is known and where the naive
    forecast exists: the rows every method is scored on."""
    target = target_matrix(actual, h)
    return origins & ~np.isnan(target) & ~np.isnan(naive[:, :, h - 1])


def pooled_differential(
    loss: FloatArray, baseline_loss: FloatArray, mask: BoolArray
) -> FloatArray:
    """One loss differential per origin for a pooled test over all series.

    Per series, loss - baseline loss (e.g. |e| - |e_naive|) is divided by the
    series' mean baseline loss (so the total does not outweigh a nationality
    a hundred times smaller; the mean of the scaled differential over a series
    is its relative loss - 1, e.g. relative MAE - 1); then averaged over the
    series scored at each origin. Averaging across series first keeps the
    cross-series correlation at one origin (the total contains the
    nationalities) inside the one time series the DM test reads. The pooled
    null is: the mean relative loss over series is 1."""
    scaled = np.full(loss.shape, np.nan)
    for i in range(loss.shape[0]):
        row = mask[i]
        scale = float(np.mean(baseline_loss[i, row])) if row.any() else 0.0
        if scale > 0:
            scaled[i, row] = (loss[i, row] - baseline_loss[i, row]) / scale
    columns = ~np.all(np.isnan(scaled), axis=0)
    return np.asarray(np.nanmean(scaled[:, columns], axis=0), dtype=np.float64)


def score_horizon(
    keys: Sequence[str],
    actual: FloatArray,
    origins: BoolArray,
    forecast: FloatArray,
    naive: FloatArray,
    h: int,
    *,
    bounds: tuple[FloatArray, FloatArray] | None = None,
    naive_bounds: tuple[FloatArray, FloatArray] | None = None,
) -> HorizonScore:
    """Score one method's forecasts (`forecast`, `naive`: [series, origin, h])
    at horizon h on the origins in `origins` whose outcome is known; with
    `bounds` (lo80, hi80) also its band, and with `naive_bounds` too the band
    against the naive one.

    Raises ValueError when the method lacks a forecast the naive has: every
    method is scored on exactly the same origins."""
    mask = scored_mask(actual, origins, naive, h)
    mean = forecast[:, :, h - 1]
    if np.isnan(mean[mask]).any():
        raise ValueError(f"missing forecasts at h={h} on scored origins")
    target = target_matrix(actual, h)
    errors = np.where(mask, target - mean, np.nan)
    naive_errors = np.where(mask, target - naive[:, :, h - 1], np.nan)
    series: dict[str, SeriesScore] = {}
    for i, key in enumerate(keys):
        row = mask[i]
        if not row.any():
            continue
        series[key] = SeriesScore(
            relative_mae=relative_mae(errors[i, row], naive_errors[i, row]),
            test=absolute_error_test(errors[i, row], naive_errors[i, row], h),
        )
    coverage = above = interval = None
    interval_test: DieboldMariano | None = None
    if bounds is not None and mask.any():
        lo, hi = bounds[0][:, :, h - 1], bounds[1][:, :, h - 1]
        if np.isnan(lo[mask]).any() or np.isnan(hi[mask]).any():
            raise ValueError(f"missing bounds at h={h} on scored origins")
        coverage = float(((target >= lo) & (target <= hi))[mask].mean())
        above = float((target > hi)[mask].mean())
        if naive_bounds is not None:
            score = interval_score(lo, hi, target)
            base = interval_score(
                naive_bounds[0][:, :, h - 1], naive_bounds[1][:, :, h - 1], target
            )
            interval = geometric_mean(
                [
                    float(score[i, mask[i]].mean() / base[i, mask[i]].mean())
                    for i in range(len(keys))
                    if mask[i].any() and base[i, mask[i]].mean() > 0
                ]
            )
            interval_test = diebold_mariano(pooled_differential(score, base, mask), h)
    counts = mask.sum(axis=1)
    return HorizonScore(
        h=h,
        series=series,
        geometric_mean=geometric_mean([s.relative_mae for s in series.values()]),
        pooled=diebold_mariano(
            pooled_differential(np.abs(errors), np.abs(naive_errors), mask), h
        ),
        origins=int(counts.max()) if len(counts) else 0,
        coverage_80=coverage,
        above_hi80=above,
        interval_score=interval,
        interval_test=interval_test,
    )


def interval_score(
    lo: FloatArray, hi: FloatArray, actual: FloatArray, level: float = 0.8
) -> FloatArray:
    """Interval score of a central `level` band (lower is better): its width
    plus 2 / (1 - level) times the distance by which the outcome misses it."""
    weight = 2.0 / (1.0 - level)
    below = np.maximum(lo - actual, 0.0)
    above = np.maximum(actual - hi, 0.0)
    return np.asarray((hi - lo) + weight * (below + above), dtype=np.float64)


# --- Global AR(1) on log growth -------------------------------------------


def as_report(score: HorizonScore, digits: int = 4) -> dict[str, Any]:
    """A JSON-ready view of a `HorizonScore`."""

    def num(value: float | None) -> float | None:
        if value is None or not math.isfinite(value):
            return None
        return round(value, digits)

    def test(result: DieboldMariano) -> dict[str, Any]:
        return {
            "statistic": num(result.statistic),
            "p_value": num(result.p_value),
            "n": result.n,
        }

    return {
        "geometric_mean": num(score.geometric_mean),
        "pooled_dm": test(score.pooled),
        "origins": score.origins,
        "coverage_80": num(score.coverage_80),
        "above_hi80": num(score.above_hi80),
        "interval_score_vs_naive": num(score.interval_score),
        "interval_score_pooled_dm": (
            test(score.interval_test) if score.interval_test else None
        ),
        "series": {
            key: {"relative_mae": num(s.relative_mae), "dm": test(s.test)}
            for key, s in score.series.items()
        },
    }


def naive_forecasts(counts: FloatArray, horizon: int) -> FloatArray:
    """The last value, at every origin with a count, for h = 1..horizon."""
    return np.repeat(counts[:, :, None], horizon, axis=2)
