"""Early-warning benchmark (not run in tests).

10 million monthly rows over 100,000 series -> indicators, EARS C2 and CUSUM
with puente's Polars/NumPy path, and the same work in plain pandas (groupby
per series) in the same run; then forecasts of 10,000 series with
statsforecast against a statsmodels loop on a sample, projected.

    .venv/bin/python benchmarks/early_warning.py --json [--series N --months M]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped,unused-ignore]
import polars as pl

from puente.early_warning.analytics.detection import (
    DEFAULT_DETECTORS,
    cusum_alarms,
    ears_alarms,
)
from puente.early_warning.analytics.indicators import add_indicators


def synthetic(n_series: int, n_months: int, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    level = rng.gamma(2.0, 500.0, size=(n_series, 1))
    counts = rng.poisson(level * np.exp(rng.normal(0, 0.2, (n_series, n_months))))
    months = [dt.date(2017 + i // 12, i % 12 + 1, 1) for i in range(n_months)]
    keys = np.array([f"bench|nat={i:06d}" for i in range(n_series)])
    return pl.DataFrame(
        {
            "series_key": np.repeat(keys, n_months),
            "source": "bench",
            "period": pl.Series(months * n_series, dtype=pl.Date),
            "count": counts.ravel().astype(np.float64),
            "level": pl.Series(np.ones(n_series * n_months, dtype=np.int32)),
            "state": "PAN",
        }
    )


def puente_path(frame: pl.DataFrame, n_series: int, n_months: int) -> float:
    started = time.perf_counter()
    add_indicators(frame)
    matrix = frame["count"].to_numpy().reshape(n_series, n_months)
    ears_alarms(matrix)
    cusum_alarms(matrix)
    return time.perf_counter() - started


def pandas_path(frame: pl.DataFrame) -> float:
    df = frame.select("series_key", "period", "count").to_pandas()
    started = time.perf_counter()
    grouped = df.groupby("series_key", sort=False)["count"]
    df["prev"] = grouped.shift(1)
    df["rolling_3m"] = grouped.transform(lambda s: s.rolling(3).sum())
    df["growth_1m"] = df["count"] / df["prev"] - 1
    df["yoy"] = grouped.shift(12)
    config = DEFAULT_DETECTORS

    def c2(series: pd.Series) -> pd.Series:
        base = series.shift(3).rolling(config.ears_baseline)
        return series > base.mean() + 3.09 * base.std()

    def cusum(series: pd.Series) -> pd.Series:
        values = series.to_numpy()
        out = np.zeros(len(values), dtype=bool)
        width = config.cusum_reference + config.cusum_run
        for t in range(width - 1, len(values)):
            window = values[t - width + 1 : t + 1]
            m = max(window[: config.cusum_reference].mean(), 1.0)
            s = 0.0
            for x in window[config.cusum_reference :]:
                z = (x - m) / np.sqrt(m + config.cusum_dispersion * m * m)
                s = max(0.0, s + z - config.cusum_k)
            out[t] = s >= config.cusum_h
        return pd.Series(out, index=series.index)

    df["c2"] = grouped.transform(c2)
    df["cusum"] = grouped.transform(cusum)
    return time.perf_counter() - started


def forecasts(
    n_series: int, sample: int, n_months: int, *, with_auto: bool = False
) -> dict[str, Any]:
    """The same model on both sides (Holt's linear trend, additive errors: ETS AAN),
    so the ratio compares engines, not model searches. statsforecast also returns 80 %
    intervals; its one-off numba compilation is timed apart (`statsforecast_jit_s`)."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    frame = synthetic(n_series, n_months)
    panel = pd.DataFrame(
        {
            "unique_id": frame["series_key"].to_numpy(),
            "ds": np.tile(np.arange(n_months), n_series),
            "y": frame["count"].to_numpy(),
        }
    )

    def run_statsforecast(data: pd.DataFrame, model: AutoETS) -> float:
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            StatsForecast(models=[model], freq=1, n_jobs=2).forecast(
                df=data, h=3, level=[80]
            )
        return time.perf_counter() - started

    warm_up = panel[panel["unique_id"].isin(panel["unique_id"].unique()[:4])]
    jit_seconds = run_statsforecast(warm_up, AutoETS(model="AAN", season_length=1))
    statsforecast_seconds = run_statsforecast(
        panel, AutoETS(model="AAN", season_length=1)
    )
    values = frame["count"].to_numpy().reshape(n_series, n_months)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for row in values[:sample]:
            fit = ExponentialSmoothing(row, trend="add").fit()
            fit.forecast(3)
    loop = time.perf_counter() - started
    projected = loop / sample * n_series
    result: dict[str, Any] = {
        "forecast_series": n_series,
        "forecast_model": "ETS(A,A,N) (Holt) on both sides",
        "statsforecast_seconds": round(statsforecast_seconds, 2),
        "statsforecast_jit_s": round(jit_seconds, 2),
        "statsmodels_sample": sample,
        "statsmodels_projected_seconds": round(projected, 2),
        "forecast_ratio": round(projected / statsforecast_seconds, 2),
    }
    if with_auto:
        # Automatic ETS selection (what the live path uses) has no statsmodels peer.
        result["statsforecast_auto_ets_seconds"] = round(
            run_statsforecast(panel, AutoETS(season_length=12)), 2
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--series", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=100)
    parser.add_argument("--forecast-series", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument(
        "--with-auto", action="store_true", help="also time automatic ETS selection"
    )
    args = parser.parse_args()
    frame = synthetic(args.series, args.months)
    ours = puente_path(frame, args.series, args.months)
    theirs = pandas_path(frame)
    result = {
        "rows": frame.height,
        "series": args.series,
        "puente_seconds": round(ours, 2),
        "pandas_seconds": round(theirs, 2),
        "ratio": round(theirs / ours, 2),
        **forecasts(
            args.forecast_series,
            args.sample,
            min(args.months, 60),
            with_auto=args.with_auto,
        ),
    }
    print(json.dumps(result) if args.json else result)


if __name__ == "__main__":
    main()
