"""EARS C1 / C2 / C3 (R surveillance::earsC), one series or many."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from puente.early_warning.rules.detectors._common import (
    CHUNK_ROWS,
    Detection,
    FloatArray,
    as_matrix,
    as_series,
    make_detection,
    single_row,
)

EarsMethod = Literal["C1", "C2", "C3"]

# R's earsC refuses baselines shorter than 3; we also need 3 non-missing values.
_MIN_BASELINE = 3


def _window_mean_sd(
    x: FloatArray, first_lag: int, baseline: int, start: int
) -> tuple[FloatArray, FloatArray]:
    """Mean and sd of x[:, t-first_lag-baseline+1 .. t-first_lag], t >= start.

    Missing values are skipped; fewer than 3 present values give NaN.
    """
    n_time = x.shape[1]
    lags = range(first_lag, first_lag + baseline)
    views = [x[:, start - lag : n_time - lag] for lag in lags]
    total = np.zeros((x.shape[0], n_time - start))
    if not np.isnan(x).any():
        # Fast path; same operations in the same order as the general path,
        # so a series gives bit-identical results alone or in a batch.
        for view in views:
            total += view
        mean = total / float(baseline)
        squares = np.zeros_like(total)
        for view in views:
            squares += (view - mean) ** 2
        return mean, np.sqrt(squares / float(baseline - 1))
    valid = [~np.isnan(view) for view in views]
    count = np.zeros_like(total)
    for view, present in zip(views, valid, strict=True):
        total += np.where(present, view, 0.0)
        count += present
    enough = count >= _MIN_BASELINE
    safe_count = np.where(enough, count, 1.0)
    mean = total / safe_count
    squares = np.zeros_like(total)
    for view, present in zip(views, valid, strict=True):
        squares += np.where(present, (view - mean) ** 2, 0.0)
    sd = np.sqrt(squares / np.where(enough, safe_count - 1.0, 1.0))
    return np.where(enough, mean, np.nan), np.where(enough, sd, np.nan)


def _ears_block(
    x: FloatArray,
    method: EarsMethod,
    start: int,
    baseline: int,
    z_alpha: float,
    min_sigma: float,
) -> tuple[FloatArray, FloatArray]:
    observed = x[:, start:]
    if method in ("C1", "C2"):
        first_lag = 1 if method == "C1" else 3
        mean, sd = _window_mean_sd(x, first_lag, baseline, start)
        upper = mean + z_alpha * np.maximum(sd, min_sigma)
    else:
        # C3 (R earsC): C2 statistics at t-2, t-1 shift the C2 band at t.
        mean, sd = _window_mean_sd(x, 3, baseline, start - 2)
        sigma = np.maximum(sd, min_sigma)
        excess = x[:, start - 2 :] - mean
        with np.errstate(divide="ignore", invalid="ignore"):
            # A zero sd gives +/-inf like R, but 0/0 counts as no excess.
            c2 = np.where(sigma > 0, excess / sigma, np.sign(excess) * np.inf)
        c2 = np.where(excess == 0, 0.0, c2)
        # Missing lagged months add no excess instead of voiding the week.
        excess_c2 = np.maximum(0.0, c2 - 1.0)
        lagged = np.where(np.isnan(excess_c2), 0.0, excess_c2)
        pressure = lagged[:, :-2] + lagged[:, 1:-1]
        sigma_now = sigma[:, 2:]
        with np.errstate(invalid="ignore", over="ignore"):
            shift = np.where(sigma_now > 0, sigma_now * (z_alpha - pressure), 0.0)
        upper = np.maximum(0.0, observed + shift)
        upper = np.where(np.isnan(sigma_now), np.nan, upper)
    upper = np.where(np.isnan(observed), np.nan, upper)
    return upper, observed


def _ears_start(method: EarsMethod, baseline: int, start: int | None) -> int:
    if baseline < _MIN_BASELINE:
        raise ValueError("Minimum baseline to use is 3.")
    max_lag = {"C1": baseline, "C2": baseline + 2, "C3": baseline + 4}[method]
    first = max_lag if start is None else start
    if first < max_lag:
        raise ValueError(f"start must be >= {max_lag} for EARS {method}")
    return first


def ears_many(
    counts: npt.ArrayLike,
    *,
    method: EarsMethod = "C1",
    start: int | None = None,
    baseline: int = 7,
    alpha: float = 0.001,
    min_sigma: float = 0.0,
) -> Detection:
    """EARS on a series x time array, like R surveillance::earsC per column."""
    x = as_matrix(counts)
    first = _ears_start(method, baseline, start)
    if min_sigma < 0:
        raise ValueError("min_sigma needs to be non-negative")
    z_alpha = float(stats.norm.ppf(1.0 - alpha))
    n_series, n_time = x.shape
    width = max(n_time - first, 0)
    upper = np.empty((n_series, width))
    alarm = np.zeros((n_series, width), dtype=np.bool_)
    if width == 0:
        return make_detection(first, upper, alarm)
    for row in range(0, n_series, CHUNK_ROWS):
        block = x[row : row + CHUNK_ROWS]
        block_upper, observed = _ears_block(
            block, method, first, baseline, z_alpha, min_sigma
        )
        upper[row : row + CHUNK_ROWS] = block_upper
        alarm[row : row + CHUNK_ROWS] = observed > block_upper
    return make_detection(first, upper, alarm)


def ears_c1_many(
    counts: npt.ArrayLike,
    *,
    start: int | None = None,
    baseline: int = 7,
    alpha: float = 0.001,
    min_sigma: float = 0.0,
) -> Detection:
    """EARS C1 on many series (R surveillance::earsC, method "C1")."""
    return ears_many(
        counts,
        method="C1",
        start=start,
        baseline=baseline,
        alpha=alpha,
        min_sigma=min_sigma,
    )


def ears_c2_many(
    counts: npt.ArrayLike,
    *,
    start: int | None = None,
    baseline: int = 7,
    alpha: float = 0.001,
    min_sigma: float = 0.0,
) -> Detection:
    """EARS C2 on many series (R surveillance::earsC, method "C2")."""
    return ears_many(
        counts,
        method="C2",
        start=start,
        baseline=baseline,
        alpha=alpha,
        min_sigma=min_sigma,
    )


def ears_c3_many(
    counts: npt.ArrayLike,
    *,
    start: int | None = None,
    baseline: int = 7,
    alpha: float = 0.001,
    min_sigma: float = 0.0,
) -> Detection:
    """EARS C3 on many series (R surveillance::earsC, method "C3")."""
    return ears_many(
        counts,
        method="C3",
        start=start,
        baseline=baseline,
        alpha=alpha,
        min_sigma=min_sigma,
    )


def _ears_single(
    counts: npt.ArrayLike,
    method: EarsMethod,
    *,
    start: int | None,
    baseline: int,
    alpha: float,
    min_sigma: float,
) -> Detection:
    """One series through the batch path (same results alone or in a batch)."""
    x = as_series(counts)[np.newaxis, :]
    return single_row(
        ears_many(
            x,
            method=method,
            start=start,
            baseline=baseline,
            alpha=alpha,
            min_sigma=min_sigma,
        )
    )


def ears_c1(
    counts: npt.ArrayLike,
    *,
    start: int | None = None,
    baseline: int = 7,
    alpha: float = 0.001,
    min_sigma: float = 0.0,
) -> Detection:
    """EARS C1: mean + z*sd of the 7 previous counts (R surveillance::earsC)."""
    return _ears_single(
        counts,
        "C1",
        start=start,
        baseline=baseline,
        alpha=alpha,
        min_sigma=min_sigma,
    )


def ears_c2(
    counts: npt.ArrayLike,
    *,
    start: int | None = None,
    baseline: int = 7,
    alpha: float = 0.001,
    min_sigma: float = 0.0,
) -> Detection:
    """EARS C2: C1 with a 2-step guard gap (R surveillance::earsC, "C2")."""
    return _ears_single(
        counts,
        "C2",
        start=start,
        baseline=baseline,
        alpha=alpha,
        min_sigma=min_sigma,
    )


def ears_c3(
    counts: npt.ArrayLike,
    *,
    start: int | None = None,
    baseline: int = 7,
    alpha: float = 0.001,
    min_sigma: float = 0.0,
) -> Detection:
    """EARS C3: C2 band shifted by the last 2 C2 excesses (R earsC, "C3")."""
    return _ears_single(
        counts,
        "C3",
        start=start,
        baseline=baseline,
        alpha=alpha,
        min_sigma=min_sigma,
    )
