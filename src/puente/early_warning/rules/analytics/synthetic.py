"""Synthetic monthly flow counts shaped like a border agency's feed (issue 10),
for the backtest at scale: `benchmarks/early_warning.py --backtest` and the
CLI test import them as a source with one dimension (`nat`).

Each series is a Poisson-lognormal count around a level that moves as real
flow series do (docs/forecast-evaluation.md describes the Darién ones):

- levels spread over four orders of magnitude (log-normal): most series are
  small, a few carry the flow; about a third fall below the scoring floor;
- a trend (log growth per month, some rising, some falling) and a yearly
  cycle of varying strength;
- structural breaks: in 40 % of the series the level jumps or collapses once
  (x e^N(0, 1)), in 10 % a surge of 3-9 months (x 3-20) comes and goes;
- zeros: small series have many; 5 % of series stop (a run of zeros, a
  closed route) for 6-18 months;
- gaps as feeds have them: 2 % of counts blank, one series in ten starts late
  (no row before its first month), one in twenty ends early.

Pure NumPy; the same seed gives the same panel.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl


def synthetic_flows(
    n_series: int,
    n_months: int,
    *,
    seed: int = 11,
    start: dt.date = dt.date(2017, 1, 1),
) -> pl.DataFrame:
    """Long frame `t` (first of month), `nat` (a series code `N00001`...),
    `n` (count; null where blank), ready to write as CSV and import."""
    rng = np.random.default_rng(seed)
    months = np.arange(n_months)
    level = rng.lognormal(mean=4.5, sigma=1.6, size=(n_series, 1))
    trend = rng.normal(0.0, 0.012, size=(n_series, 1))
    season = rng.uniform(0.0, 0.35, size=(n_series, 1)) * np.sin(
        2 * np.pi * (months[None, :] + rng.integers(0, 12, size=(n_series, 1))) / 12
    )
    log_mean = np.log(level) + trend * months[None, :] + season
    breaks = rng.random(n_series) < 0.4
    at = rng.integers(6, max(7, n_months - 3), size=n_series)
    shift = rng.normal(0.0, 1.0, size=n_series)
    log_mean += np.where(
        breaks[:, None] & (months[None, :] >= at[:, None]), shift[:, None], 0.0
    )
    surges = rng.random(n_series) < 0.1
    surge_at = rng.integers(12, max(13, n_months - 2), size=n_series)
    surge_len = rng.integers(3, 10, size=n_series)
    surge_size = np.log(rng.uniform(3.0, 20.0, size=n_series))
    inside = (months[None, :] >= surge_at[:, None]) & (
        months[None, :] < (surge_at + surge_len)[:, None]
    )
    log_mean += np.where(surges[:, None] & inside, surge_size[:, None], 0.0)
    noise = rng.normal(0.0, 0.2, size=(n_series, n_months))
    counts = rng.poisson(np.exp(np.minimum(log_mean + noise, 14.0))).astype(np.float64)
    stops = rng.random(n_series) < 0.05
    stop_at = rng.integers(0, max(1, n_months - 6), size=n_series)
    stop_len = rng.integers(6, 19, size=n_series)
    stopped = (months[None, :] >= stop_at[:, None]) & (
        months[None, :] < (stop_at + stop_len)[:, None]
    )
    counts[stops[:, None] & stopped] = 0.0
    counts[rng.random((n_series, n_months)) < 0.02] = np.nan
    first = np.where(rng.random(n_series) < 0.1, rng.integers(1, 24, n_series), 0)
    last = np.where(
        rng.random(n_series) < 0.05,
        rng.integers(max(1, n_months - 18), n_months, n_series),
        n_months,
    )
    present = (months[None, :] >= first[:, None]) & (months[None, :] < last[:, None])
    rows, cols = np.nonzero(present)
    periods = [
        dt.date(
            start.year + (start.month - 1 + m) // 12, (start.month - 1 + m) % 12 + 1, 1
        )
        for m in range(n_months)
    ]
    codes = np.array([f"N{i:05d}" for i in range(n_series)])
    return pl.DataFrame(
        {
            "t": pl.Series([periods[c] for c in cols], dtype=pl.Date),
            "nat": codes[rows],
            "n": pl.Series(counts[rows, cols], dtype=pl.Float64).fill_nan(None),
        }
    )
