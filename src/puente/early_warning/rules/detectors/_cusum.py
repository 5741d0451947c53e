"""Count CUSUM (Rossi et al. 1999 approximation; R surveillance::cusum)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from puente.early_warning.rules.detectors._common import (
    CHUNK_ROWS,
    BoolArray,
    Detection,
    FloatArray,
    as_matrix,
    as_series,
    make_detection,
    single_row,
)

CusumTransform = Literal[
    "standard", "rossi", "anscombe", "anscombe2nd", "pearsonNegBin", "none"
]


def _standardise(
    x: FloatArray, m: FloatArray, transform: CusumTransform, alpha: float
) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if transform == "standard":
            z = (x - m) / np.sqrt(m)
        elif transform == "rossi":
            z = (x - 3 * m + 2 * np.sqrt(x * m)) / (2 * np.sqrt(m))
        elif transform == "anscombe":
            z = 1.5 * (x ** (2 / 3) - m ** (2 / 3)) / m ** (1 / 6)
        elif transform == "anscombe2nd":
            z = (x ** (2 / 3) - (m ** (2 / 3) - m ** (-1 / 3) / 9)) / (
                2 / 3 * m ** (1 / 6)
            )
        elif transform == "pearsonNegBin":
            z = (x - m) / np.sqrt(m + alpha * m**2)
        else:
            z = x.copy()
    # Zero expected counts: an exact match is no excess (R would give NaN).
    return np.where((x == m) & ~np.isnan(x), 0.0, z)


def _cusum_upper(
    m: FloatArray,
    previous: FloatArray,
    current: FloatArray,
    k: float,
    h: float,
    transform: CusumTransform,
    alpha: float,
) -> FloatArray:
    room = h + k - previous
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if transform == "standard":
            upper = np.ceil(np.sqrt(m) * room + m)
        elif transform == "rossi":
            root = 4 * m**2 + 2 * m**1.5 * h + 2 * m**1.5 * k - 2 * m**1.5 * previous
            upper = (
                2 * h * np.sqrt(m)
                + 2 * k * np.sqrt(m)
                - 2 * previous * np.sqrt(m)
                + 5 * m
                - 2 * np.sqrt(root)
            )
        elif transform == "anscombe":
            base = 2 / 3 * m ** (1 / 6) * room + m ** (2 / 3)
            upper = np.where(base < 0, 0.0, np.abs(base) ** 1.5)
        elif transform == "anscombe2nd":
            base = 2 / 3 * m ** (1 / 6) * room + (m ** (2 / 3) - m ** (1 / 3) / 9)
            upper = np.where(base < 0, 0.0, np.abs(base) ** 1.5)
        elif transform == "pearsonNegBin":
            upper = np.sqrt(m + alpha * m**2) * room + m
        else:
            upper = h - current
    # R: "ensure upper bound is positive and not NaN".
    upper = np.where(np.isnan(upper), 0.0, upper)
    return np.maximum(upper, 0.0)


def _cusum_block(
    observed_rows: FloatArray,
    expected: FloatArray,
    k: float,
    h: float,
    trans: CusumTransform,
    alpha: float,
) -> tuple[FloatArray, BoolArray]:
    # Time-major so each step reads contiguous memory; the loop is over time
    # (the recursion is sequential in time), never over series.
    observed = np.ascontiguousarray(observed_rows.T)
    mean = expected[np.newaxis, :]
    steps = _standardise(observed, mean, trans, alpha)
    width, n_series = observed.shape
    sums = np.zeros((width + 1, n_series))
    for t in range(width):
        updated = sums[t] + (steps[t] - k)
        np.maximum(updated, 0.0, out=updated)
        missing_now = np.isnan(steps[t])
        if missing_now.any():
            updated[missing_now] = sums[t][missing_now]
        sums[t + 1] = updated
    current = sums[1:]
    upper = _cusum_upper(mean, sums[:-1], current, k, h, trans, alpha)
    missing = np.isnan(observed)
    upper[missing] = np.nan
    alarm = (current >= h) & ~missing
    return upper.T, alarm.T


def cusum_many(
    counts: npt.ArrayLike,
    *,
    start: int,
    k: float = 1.04,
    h: float = 2.26,
    m: float | npt.ArrayLike | None = None,
    trans: CusumTransform = "standard",
    alpha: float = 0.1,
) -> Detection:
    """Count CUSUM on many series (R surveillance::algo.cusum / cusum).

    `m` defaults to each series' mean before `start`; no reset after alarms.
    """
    x = as_matrix(counts)
    n_series, n_time = x.shape
    if not 0 < start <= n_time:
        raise ValueError("start must leave at least one point of history")
    if m is None:
        history = x[:, :start]
        present = (~np.isnan(history)).sum(axis=1)
        total = np.nansum(history, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = np.where(present > 0, total / present, np.nan)
    else:
        expected = np.broadcast_to(np.asarray(m, dtype=np.float64), (n_series,)).copy()
    upper = np.empty((n_series, n_time - start))
    alarm = np.empty((n_series, n_time - start), dtype=np.bool_)
    for row in range(0, n_series, CHUNK_ROWS):
        rows = slice(row, row + CHUNK_ROWS)
        upper[rows], alarm[rows] = _cusum_block(
            x[rows, start:], expected[rows], k, h, trans, alpha
        )
    return make_detection(start, upper, alarm)


def cusum(
    counts: npt.ArrayLike,
    *,
    start: int,
    k: float = 1.04,
    h: float = 2.26,
    m: float | None = None,
    trans: CusumTransform = "standard",
    alpha: float = 0.1,
) -> Detection:
    """Count CUSUM from index `start` (R surveillance::cusum, algo.cusum)."""
    x = as_series(counts)[np.newaxis, :]
    return single_row(
        cusum_many(x, start=start, k=k, h=h, m=m, trans=trans, alpha=alpha)
    )
