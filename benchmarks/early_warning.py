"""Early-warning benchmark (not run in tests).

10 million monthly rows over 100,000 series, 2 % of counts blank and one series
in ten starting late -> EARS C1, C2 and the moving CUSUM with puente's path
(`add_detectors`), and the same alarms with vectorised pandas (groupby shift /
rolling, no per-element Python loop) and with Polars window expressions, in
the same run on the same frame; the three answers are compared row by row and
the run fails loudly on any difference. Then forecasts of 10,000 series:
statsforecast ETS against a statsmodels loop on a sample (projected), and the
shipped pooled AR over every origin. `--backtest` times `run_backtest` (the
engine of `puente flows backtest`) on 4,000 series x 90 months.

    .venv/bin/python benchmarks/early_warning.py --json [--series N --months M]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped,unused-ignore]
import polars as pl

from puente.early_warning.rules.analytics.detection import (
    DEFAULT_DETECTORS,
    DetectorConfig,
    add_detectors,
)
from puente.early_warning.rules.analytics.global_ar import global_ar_forecasts


def synthetic(
    n_series: int, n_months: int, seed: int = 7, *, gaps: float = 0.0
) -> pl.DataFrame:
    """Poisson-lognormal monthly counts. With `gaps` > 0 the data has holes as
    real feeds do: that share of counts is blank (null), and one series in ten
    starts late (its first months have no row at all)."""
    rng = np.random.default_rng(seed)
    level = rng.gamma(2.0, 500.0, size=(n_series, 1))
    counts = rng.poisson(
        level * np.exp(rng.normal(0, 0.2, (n_series, n_months)))
    ).astype(np.float64)
    months = [dt.date(2017 + i // 12, i % 12 + 1, 1) for i in range(n_months)]
    keys = np.array([f"bench|nat={i:06d}" for i in range(n_series)])
    frame = pl.DataFrame(
        {
            "series_key": np.repeat(keys, n_months),
            "source": "bench",
            "period": pl.Series(months * n_series, dtype=pl.Date),
            "count": counts.ravel(),
            "level": pl.Series(np.ones(n_series * n_months, dtype=np.int32)),
            "state": "PAN",
        }
    )
    if gaps <= 0:
        return frame
    blank = rng.random(n_series * n_months) < gaps
    late = np.repeat(rng.random(n_series) < 0.1, n_months) & (
        np.tile(np.arange(n_months), n_series) < rng.integers(1, 13)
    )
    return frame.with_columns(
        count=pl.when(pl.Series(blank)).then(None).otherwise(pl.col("count"))
    ).filter(~pl.Series(late))


ALARMS = ("c1_alarm", "c2_alarm", "cusum_alarm")


def puente_path(frame: pl.DataFrame) -> tuple[float, pl.DataFrame]:
    """The shipped path: `add_detectors` on the long frame (it builds the
    series x period matrix itself, gaps and late starts included; it also
    computes C3, which the peers skip)."""
    started = time.perf_counter()
    out = add_detectors(frame)
    seconds = time.perf_counter() - started
    return seconds, out.select("series_key", "period", *ALARMS)


def _z_alpha(config: DetectorConfig) -> float:
    from scipy import stats

    return float(stats.norm.ppf(1.0 - config.ears_alpha))


def pandas_path(
    frame: pl.DataFrame, config: DetectorConfig = DEFAULT_DETECTORS
) -> tuple[float, pl.DataFrame]:
    """Vectorised pandas (groupby shift/rolling, no per-element Python loop):
    the same EARS C1/C2 and moving CUSUM, on the same grid."""
    df = frame.select("series_key", "period", "count").to_pandas()
    started = time.perf_counter()
    keys = df["series_key"].unique()
    periods = np.sort(df["period"].unique())
    grid = pd.MultiIndex.from_product([keys, periods], names=["series_key", "period"])
    full = df.set_index(["series_key", "period"]).reindex(grid).reset_index()
    grouped = full.groupby("series_key", sort=False)["count"]
    position = full.groupby("series_key", sort=False).cumcount().to_numpy()
    x = full["count"]
    z = _z_alpha(config)
    out = pd.DataFrame({"series_key": full["series_key"], "period": full["period"]})
    base = config.ears_baseline
    for name, lag, start in (("c1_alarm", 1, base), ("c2_alarm", 3, base + 2)):
        shifted = grouped.shift(lag)
        window = shifted.groupby(full["series_key"], sort=False).rolling(
            base, min_periods=3
        )
        mean = window.mean().reset_index(level=0, drop=True).sort_index()
        sd = window.std().reset_index(level=0, drop=True).sort_index()
        out[name] = (x > mean + z * sd).to_numpy() & (position >= start)
    reference = grouped.shift(config.cusum_run)
    ref = reference.groupby(full["series_key"], sort=False).rolling(
        config.cusum_reference, min_periods=3
    )
    m = ref.mean().reset_index(level=0, drop=True).sort_index().clip(lower=1.0)
    scale = np.sqrt(m + config.cusum_dispersion * m * m)
    total = pd.Series(0.0, index=full.index)
    for back in range(config.cusum_run - 1, -1, -1):
        value = grouped.shift(back) if back else x
        step = ((value - m) / scale).where(value != m, 0.0)
        moved = (total + step - config.cusum_k).clip(lower=0.0)
        total = moved.where(step.notna(), total)
    width = config.cusum_reference + config.cusum_run
    out["cusum_alarm"] = (
        (total >= config.cusum_h).to_numpy() & m.notna().to_numpy()
    ) & (position >= width - 1)
    missing = x.isna().to_numpy()
    for name in ALARMS:
        out[name] = out[name].astype(object).where(~missing, None)
    seconds = time.perf_counter() - started
    result = pl.from_pandas(out).with_columns(
        pl.col("period").cast(pl.Date),
        *[pl.col(name).cast(pl.Boolean) for name in ALARMS],
    )
    return seconds, result


def polars_path(
    frame: pl.DataFrame, config: DetectorConfig = DEFAULT_DETECTORS
) -> tuple[float, pl.DataFrame]:
    """Polars expressions over `series_key` windows: the same work."""
    started = time.perf_counter()
    keys = frame.select("series_key").unique()
    periods = frame.select("period").unique()
    full = (
        keys.join(periods, how="cross")
        .join(
            frame.select("series_key", "period", "count"),
            on=["series_key", "period"],
            how="left",
        )
        .sort("series_key", "period")
    )
    z = _z_alpha(config)
    base = config.ears_baseline
    x = pl.col("count")
    position = pl.int_range(pl.len()).over("series_key")

    def window(lag: int, size: int) -> tuple[pl.Expr, pl.Expr]:
        shifted = x.shift(lag)
        return (
            shifted.rolling_mean(size, min_samples=3).over("series_key"),
            shifted.rolling_std(size, min_samples=3).over("series_key"),
        )

    exprs = []
    for name, lag, start in (("c1_alarm", 1, base), ("c2_alarm", 3, base + 2)):
        mean, sd = window(lag, base)
        exprs.append(
            ((x > mean + z * sd).fill_null(False) & (position >= start)).alias(name)
        )
    # Stages materialised one after another (a nested expression would
    # repeat the running sum's subtree at every step).
    staged = full.with_columns(
        pl.int_range(pl.len()).over("series_key").alias("_pos"),
        x.shift(config.cusum_run)
        .rolling_mean(config.cusum_reference, min_samples=3)
        .over("series_key")
        .clip(lower_bound=1.0)
        .alias("_m"),
        *[
            x.shift(back).over("series_key").alias(f"_x{back}")
            for back in range(1, config.cusum_run)
        ],
    ).with_columns(
        (pl.col("_m") + config.cusum_dispersion * pl.col("_m") ** 2)
        .sqrt()
        .alias("_scale"),
        pl.lit(0.0).alias("_s"),
    )
    m, scale = pl.col("_m"), pl.col("_scale")
    for back in range(config.cusum_run - 1, -1, -1):
        value = pl.col(f"_x{back}") if back else x
        step = pl.when(value == m).then(0.0).otherwise((value - m) / scale)
        moved = (pl.col("_s") + step - config.cusum_k).clip(lower_bound=0.0)
        staged = staged.with_columns(
            pl.when(step.is_null()).then(pl.col("_s")).otherwise(moved).alias("_s")
        )
    width = config.cusum_reference + config.cusum_run
    exprs.append(
        (
            (pl.col("_s") >= config.cusum_h).fill_null(False)
            & m.is_not_null()
            & (pl.col("_pos") >= width - 1)
        ).alias("cusum_alarm")
    )
    full = staged
    out = full.with_columns(exprs).with_columns(
        [pl.when(x.is_null()).then(None).otherwise(pl.col(n)).alias(n) for n in ALARMS]
    )
    seconds = time.perf_counter() - started
    return seconds, out.select("series_key", "period", *ALARMS)


def same_alarms(name: str, ours: pl.DataFrame, theirs: pl.DataFrame) -> int:
    """Compare on the rows of the input; fail loudly on any difference.
    Returns the number of alarms (so a run that finds none is visible)."""
    joined = ours.join(theirs, on=["series_key", "period"], how="left", suffix="_peer")
    alarms = 0
    for column in ALARMS:
        differ = joined.filter(pl.col(column).ne_missing(pl.col(f"{column}_peer")))
        if differ.height:
            raise SystemExit(
                f"{name} disagrees with puente on {column} in {differ.height} rows, "
                f"e.g. {differ.head(3).to_dicts()}"
            )
        alarms += int(joined[column].sum() or 0)
    return alarms


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
    # The shipped default, the pooled AR: every origin of every series at once.
    started = time.perf_counter()
    pooled = global_ar_forecasts(values.astype(np.float64))
    pooled_seconds = time.perf_counter() - started
    if not np.isfinite(pooled.mean[:, -1, :]).all():
        raise SystemExit("the pooled AR left a series without a forecast")
    result: dict[str, Any] = {
        "forecast_series": n_series,
        "forecast_model": "ETS(A,A,N) (Holt) on both sides",
        "statsforecast_seconds": round(statsforecast_seconds, 2),
        "statsforecast_jit_s": round(jit_seconds, 2),
        "statsmodels_sample": sample,
        "statsmodels_projected_seconds": round(projected, 2),
        "forecast_ratio": round(projected / statsforecast_seconds, 2),
        "pooled_ar_seconds_all_origins": round(pooled_seconds, 2),
        "pooled_ar_origins": int(values.shape[1]),
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
    parser.add_argument("--gaps", type=float, default=0.02, help="share of blanks")
    parser.add_argument("--forecast-series", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument(
        "--with-auto", action="store_true", help="also time automatic ETS selection"
    )
    parser.add_argument(
        "--backtest",
        action="store_true",
        help="also time `puente flows backtest`'s engine on --backtest-series",
    )
    parser.add_argument(
        "--backtest-only", action="store_true", help="time only the backtest"
    )
    parser.add_argument("--backtest-series", type=int, default=4_000)
    parser.add_argument("--backtest-months", type=int, default=90)
    parser.add_argument(
        "--peer-series",
        type=int,
        default=400,
        help="series of the backtest set on which the per-origin peer runs",
    )
    args = parser.parse_args()
    if args.backtest_only:
        only = backtest(args.backtest_series, args.backtest_months, args.peer_series)
        only["load_average"] = round(os.getloadavg()[0], 1)
        print(json.dumps(only) if args.json else only)
        return
    frame = synthetic(args.series, args.months, gaps=args.gaps)
    ours, ours_out = puente_path(frame)
    pandas_seconds, pandas_out = pandas_path(frame)
    polars_seconds, polars_out = polars_path(frame)
    alarms = same_alarms("pandas", ours_out, pandas_out)
    same_alarms("polars", ours_out, polars_out)
    result: dict[str, Any] = {
        "rows": frame.height,
        "series": args.series,
        "blank_counts": int(frame["count"].null_count()),
        "detector_alarms_compared": alarms,
        "puente_seconds": round(ours, 2),
        "pandas_seconds": round(pandas_seconds, 2),
        "polars_seconds": round(polars_seconds, 2),
        "ratio_pandas": round(pandas_seconds / ours, 2),
        "ratio_polars": round(polars_seconds / ours, 2),
        **forecasts(
            args.forecast_series,
            args.sample,
            min(args.months, 60),
            with_auto=args.with_auto,
        ),
    }
    if args.backtest:
        result.update(
            backtest(args.backtest_series, args.backtest_months, args.peer_series)
        )
    print(json.dumps(result) if args.json else result)


def backtest(n_series: int, n_months: int, peer_series: int) -> dict[str, Any]:
    """`puente flows backtest`'s engine (`run_backtest`, default catalogue,
    one labelled event on the total) on `n_series` x `n_months` of
    `synthetic_flows` (gaps, zeros, trends, breaks, surges), built into
    series exactly as `puente flows import` builds them (plus the total);
    then the rolling-origin forecasts beside their peer (`backtest_peer`)."""
    import tempfile
    from pathlib import Path

    from puente.core.tabular import Limits
    from puente.early_warning.rules.analytics.backtest import Event, run_backtest
    from puente.early_warning.rules.analytics.series import build_series, series_key
    from puente.early_warning.rules.analytics.synthetic import synthetic_flows
    from puente.early_warning.service.reading import Mapping as ColumnMapping
    from puente.early_warning.service.reading import read_table, to_counts
    from puente.early_warning.service.triggers import (
        default_catalogue_document,
        load_catalogue,
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.csv"
        synthetic_flows(n_series, n_months).write_csv(path)
        mapping = ColumnMapping(date_column="t", count_column="n", dimensions=("nat",))
        # A file of this size is past the upload limits (100,000 rows); the
        # benchmark reads it as an operator's local file.
        limits = Limits(max_rows=2_000_000, max_bytes=500 * 1024 * 1024)
        counts, _ = to_counts(read_table(path, limits), mapping, path.name)
    series = build_series(counts, source="synthetic", dimensions=["nat"])
    total = series_key("synthetic", {})
    event = Event("E1", total, dt.date(2020, 3, 1), dt.date(2020, 8, 1))
    catalogue = load_catalogue(default_catalogue_document())
    started = time.perf_counter()
    result = run_backtest(series, catalogue, [event], [total])
    seconds = time.perf_counter() - started
    return {
        "backtest_series": series["series_key"].n_unique(),
        "backtest_months": n_months,
        "backtest_rows": series.height,
        "backtest_blank_counts": int(series["count"].null_count()),
        "backtest_seconds": round(seconds, 1),
        "backtest_budget_seconds": 120,
        "backtest_scored_series": len(result.report["forecast_series"]),
        "backtest_autoets_series": result.ets_series,
        "backtest_mase_h1": result.report["mase_h1"],
        "backtest_coverage_80": result.report["coverage_80"],
        **backtest_peer(series, peer_series),
    }


def backtest_peer(series: pl.DataFrame, n_series: int) -> dict[str, Any]:
    """The backtest's rolling-origin forecasts (naive, seasonal naive, pooled
    AR, the guards and the conformal band at every origin) against the peer
    an expert builds with statsforecast alone: one `StatsForecast.forecast`
    over a panel holding every origin's history as its own series
    (`reference.raw_forecasts`, the readable specification). Both run on the
    first `n_series` scored series of the same set, in this run; any
    difference in a row, a mean or a bound beyond floating-point rounding
    fails the benchmark."""
    from dataclasses import replace

    from puente.early_warning.rules.analytics import backtest as engine
    from puente.early_warning.rules.analytics import forecasts, reference
    from puente.early_warning.rules.analytics.forecasts import DEFAULT_FORECASTS

    keys = sorted(
        engine.scored_series(series, series["series_key"].unique().to_list())
    )[:n_series]
    actuals = (
        series.filter(pl.col("series_key").is_in(keys))
        .select("series_key", "period", "count")
        .sort("series_key", "period")
    )
    origins = engine.forecastable_origins(actuals, DEFAULT_FORECASTS.min_history)
    config = replace(DEFAULT_FORECASTS, models=("Naive", "SeasonalNaive"))
    started = time.perf_counter()
    ours = forecasts.raw_forecasts(actuals, origins, config)
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    theirs = reference.raw_forecasts(actuals, origins, config)
    peer_seconds = time.perf_counter() - started
    on = ["series_key", "origin", "model", "h"]
    joined = ours.join(theirs, on=on, how="full", suffix="_peer", coalesce=True)
    if not (joined.height == ours.height == theirs.height > 0):
        raise SystemExit(
            f"backtest peer: {ours.height} rows against the peer's {theirs.height}"
        )
    for column in ("mean", "lo80", "hi80", "lo95", "hi95"):
        a = joined[column].to_numpy()
        b = joined[f"{column}_peer"].to_numpy()
        same_blank = np.isnan(a) == np.isnan(b)
        close = np.isclose(a, b, rtol=1e-9, atol=1e-6) | (np.isnan(a) & np.isnan(b))
        if not (same_blank.all() and close.all()):
            raise SystemExit(
                f"backtest peer disagrees on {column} in {(~close).sum()} rows"
            )
    return {
        "peer_series": len(keys),
        "peer_origins": sum(len(v) for v in origins.values()),
        "peer_rows_compared": ours.height,
        "peer_puente_seconds": round(ours_seconds, 2),
        "peer_statsforecast_panel_seconds": round(peer_seconds, 2),
        "peer_ratio": round(peer_seconds / ours_seconds, 1),
    }


if __name__ == "__main__":
    main()
