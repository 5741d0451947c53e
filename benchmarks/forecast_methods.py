"""Forecast methods against the naive forecast on the Darién series (issue 3).

Rolling origin, no look-ahead, on the vendored Darién nationality file (the
monthly rows from 2020-01; earlier rows are annual totals, see profiles.json):
the same series (`backtest.scored_series`) and origins (`backtest._origins`
with `min_history`) the backtest scores. For each method, per series and
horizon (h = 1, 3): the MAE over the naive forecast's (relative MAE), their
geometric mean over series, and Diebold-Mariano tests against the naive, per
series and pooled; for methods with an 80 % band, its coverage and interval
score against the naive band (`rules/analytics/evaluation.py`).

Methods: the naive (last value, statsforecast's band); the naive with the
shipped split-conformal band; seasonal naive, drift, AutoETS, AutoARIMA and
Theta from statsforecast, each alone (log1p scale as shipped, no guards); the
shipped ensemble and per-series selection exactly as the backtest runs them;
a pooled AR(1) on log growth over the scored series. See
docs/forecast-evaluation.md.

    .venv/bin/python benchmarks/forecast_methods.py [--json] [--quick] [--jobs N]

Progress goes to stderr; the result (a table, or one JSON object) to stdout.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import json
import math
import resource
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped,unused-ignore]
import polars as pl
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from puente.early_warning.rules.analytics import backtest
from puente.early_warning.rules.analytics.evaluation import (
    BoolArray,
    FloatArray,
    GlobalARConfig,
    as_report,
    global_ar_forecasts,
    naive_forecasts,
    score_horizon,
)
from puente.early_warning.rules.analytics.forecasts import (
    DEFAULT_FORECASTS,
    choose_models,
    raw_forecasts,
    usable_history,
)
from puente.early_warning.rules.analytics.global_ar import count_matrix
from puente.early_warning.rules.analytics.series import build_series
from puente.early_warning.service.reading import Mapping as ColumnMapping
from puente.early_warning.service.reading import read_table, to_counts

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "puente" / "early_warning" / "data"
SOURCE = "darien_nat"
HORIZONS = (1, 3)
HORIZON = max(HORIZONS)
METHODS = (
    "naive",
    "naive_conformal",
    "seasonal_naive",
    "drift",
    "auto_ets",
    "auto_arima",
    "theta",
    "shipped_ensemble",
    "shipped_selection",
    "global_ar",
)
stderr = Console(stderr=True)


@dataclass(frozen=True, slots=True)
class Panel:
    keys: list[str]
    periods: list[dt.date]
    counts: FloatArray  # [series, period]
    origins: BoolArray  # [series, period]: the backtest's origins
    actuals: pl.DataFrame  # series_key, period, count (scored series)
    origin_dates: dict[str, list[dt.date]]


@dataclass(frozen=True, slots=True)
class Forecasts:
    mean: FloatArray  # [series, origin, h - 1]
    lo80: FloatArray | None = None
    hi80: FloatArray | None = None
    note: str = ""


def source_profile(source: str = SOURCE, data: Path = DATA) -> dict[str, Any]:
    profiles: dict[str, dict[str, Any]] = json.loads(
        (data / "profiles.json").read_text("utf-8")
    )
    return profiles[source]


def load_series(source: str = SOURCE, data: Path = DATA) -> pl.DataFrame:
    """The source's series exactly as `puente flows import` builds them from
    the vendored file and its profile (`from`: monthly rows only)."""
    profile = source_profile(source, data)
    start = str(profile["from"])
    mapping = ColumnMapping(
        date_column=profile["date_column"],
        count_column=profile["count_column"],
        dimensions=tuple(profile["dimensions"]),
        from_period=dt.date(int(start[:4]), int(start[5:7]), 1),
    )
    counts, _not_stated = to_counts(
        read_table(data / profile["file"]), mapping, profile["file"]
    )
    return build_series(
        counts,
        source=source,
        dimensions=profile["dimensions"],
        reporting_state=profile.get("reporting_state"),
    )


def alert_keys(events: Path, source: str = SOURCE) -> list[str]:
    """The labelled events' series: forecast with the full model set in the
    backtest (the CLI's `keys` without `--where`)."""
    with events.open(newline="", encoding="utf-8") as handle:
        parsed = backtest.parse_events(list(csv.DictReader(handle)), source)
    return sorted({event.series_key for event in parsed})


def build_panel(series: pl.DataFrame) -> Panel:
    keys = backtest.scored_series(series, series["series_key"].unique().to_list())
    actuals = (
        series.filter(pl.col("series_key").is_in(keys))
        .select("series_key", "period", "count")
        .sort("series_key", "period")
    )
    matrix = count_matrix(actuals)
    keys, periods, counts = matrix.keys, matrix.periods, matrix.counts
    column = {p: j for j, p in enumerate(periods)}
    row = {k: i for i, k in enumerate(keys)}
    origin_dates = backtest.forecastable_origins(actuals, DEFAULT_FORECASTS.min_history)
    origins = np.zeros(counts.shape, dtype=bool)
    for key, dates in origin_dates.items():
        for day in dates:
            origins[row[key], column[day]] = True
    return Panel(keys, periods, counts, origins, actuals, origin_dates)


# --- statsforecast models, fitted alone -----------------------------------

_ALIASES = {
    "naive": "Naive",
    "seasonal_naive": "SeasonalNaive",
    "drift": "RWD",
    "auto_ets": "AutoETS",
    "auto_arima": "AutoARIMA",
    "theta": "Theta",
}


def _statsforecast_models(names: Sequence[str]) -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from statsforecast.models import (
            AutoARIMA,
            AutoETS,
            Naive,
            RandomWalkWithDrift,
            SeasonalNaive,
            Theta,
        )
    season = DEFAULT_FORECASTS.season_length
    build: dict[str, Any] = {
        "naive": Naive,
        "seasonal_naive": functools.partial(SeasonalNaive, season_length=season),
        "drift": RandomWalkWithDrift,
        "auto_ets": functools.partial(AutoETS, season_length=season),
        # The shipped bounded search (forecasts.bounded_models).
        "auto_arima": functools.partial(
            AutoARIMA,
            season_length=season,
            max_p=2,
            max_q=2,
            max_P=1,
            max_Q=1,
            max_order=4,
        ),
        "theta": functools.partial(Theta, season_length=season),
    }
    return [build[name]() for name in names]


def statsforecast_forecasts(
    panel: Panel, names: Sequence[str], jobs: int
) -> dict[str, Forecasts]:
    """Each model fitted at every origin on log1p(count) up to the origin
    (inner gaps interpolated, as the shipped path does), back-transformed,
    floored at 0. No guards, no ensemble, no selection: the model alone."""
    frames: list[pd.DataFrame] = []
    labels: list[tuple[int, int]] = []
    for i in range(len(panel.keys)):
        for t in np.flatnonzero(panel.origins[i]):
            y = np.log1p(np.maximum(usable_history(panel.counts[i, : t + 1]), 0.0))
            label = str(len(labels))
            labels.append((i, int(t)))
            frames.append(
                pd.DataFrame({"unique_id": label, "ds": np.arange(len(y)), "y": y})
            )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from statsforecast import StatsForecast

        engine = StatsForecast(models=_statsforecast_models(names), freq=1, n_jobs=jobs)
        result = engine.forecast(
            df=pd.concat(frames, ignore_index=True), h=HORIZON, level=[80]
        )
    result = pd.DataFrame(result).sort_values(["unique_id", "ds"])
    shape = (*panel.counts.shape, HORIZON)
    index = np.array([labels[int(u)] for u in result["unique_id"]])
    h = result.groupby("unique_id").cumcount().to_numpy()
    out: dict[str, Forecasts] = {}
    for name in names:
        alias = _ALIASES[name]
        arrays = []
        for column in (alias, f"{alias}-lo-80", f"{alias}-hi-80"):
            array = np.full(shape, np.nan)
            values = np.maximum(np.expm1(result[column].to_numpy(float)), 0.0)
            array[index[:, 0], index[:, 1], h] = values
            arrays.append(array)
        out[name] = Forecasts(arrays[0], arrays[1], arrays[2])
    return out


def with_naive_fallback(
    forecasts: Forecasts, naive: Forecasts, origins: BoolArray
) -> Forecasts:
    """Where a model made no forecast (the seasonal naive at h=1 from the first
    origin: 11 months of history, a 12-month season), the naive forecast and
    its band."""
    missing = np.isnan(forecasts.mean) & ~np.isnan(naive.mean) & origins[:, :, None]
    if not missing.any():
        return forecasts

    def fill(own: FloatArray | None, other: FloatArray | None) -> FloatArray | None:
        if own is None or other is None:
            return own
        return np.where(missing, other, own)

    cells = ", ".join(
        f"h={h}: {int(missing[:, :, h - 1].sum())}" for h in range(1, HORIZON + 1)
    )
    return replace(
        forecasts,
        mean=np.where(missing, naive.mean, forecasts.mean),
        lo80=fill(forecasts.lo80, naive.lo80),
        hi80=fill(forecasts.hi80, naive.hi80),
        note=f"no forecast, naive used instead (series x origins) at {cells}",
    )


# --- the shipped pipeline, exactly as the backtest runs it ---------------


def shipped_forecasts(panel: Panel, alerts: Sequence[str]) -> dict[str, Forecasts]:
    """`raw_forecasts` + `choose_models` as `run_backtest` calls them: the
    alert series with the configured model set, the other scored series with
    `SCOPE_MODELS`; guards and conformal bands included."""
    origins = panel.origin_dates
    raw = pl.concat(
        [
            raw_forecasts(
                panel.actuals,
                {k: v for k, v in origins.items() if k in alerts},
                DEFAULT_FORECASTS,
            ),
            raw_forecasts(
                panel.actuals,
                {k: v for k, v in origins.items() if k not in alerts},
                replace(DEFAULT_FORECASTS, models=backtest.SCOPE_MODELS),
            ),
        ]
    )
    chosen = choose_models(raw, panel.actuals, DEFAULT_FORECASTS)
    picked = raw.join(chosen, on=["series_key", "origin", "model"], how="inner")
    return {
        "shipped_naive": _to_arrays(raw.filter(pl.col("model") == "Naive"), panel),
        "shipped_ensemble": _to_arrays(
            raw.filter(pl.col("model") == "Ensemble"), panel
        ),
        "shipped_selection": _to_arrays(picked, panel),
    }


def _to_arrays(rows: pl.DataFrame, panel: Panel) -> Forecasts:
    row = {k: i for i, k in enumerate(panel.keys)}
    column = {p: j for j, p in enumerate(panel.periods)}
    shape = (*panel.counts.shape, HORIZON)
    arrays = {name: np.full(shape, np.nan) for name in ("mean", "lo80", "hi80")}
    for record in rows.iter_rows(named=True):
        at = (row[record["series_key"]], column[record["origin"]], record["h"] - 1)
        for name, array in arrays.items():
            array[at] = record[name]
    return Forecasts(arrays["mean"], arrays["lo80"], arrays["hi80"])


# --- running and reporting -------------------------------------------------


@contextmanager
def step(progress: Progress, text: str) -> Iterator[None]:
    task = progress.add_task(text, total=1)
    yield
    progress.update(task, completed=1)


def run(*, quick: bool, jobs: int, events: Path) -> dict[str, Any]:
    started = time.perf_counter()
    names = [n for n in _ALIASES if not (quick and n == "auto_arima")]
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=stderr) as progress:
        with step(progress, "load the series"):
            panel = build_panel(load_series())
            alerts = alert_keys(events)
        with step(progress, f"statsforecast ({len(names)} models)"):
            methods = statsforecast_forecasts(panel, names, jobs)
        with step(progress, "shipped pipeline"):
            shipped = shipped_forecasts(panel, alerts)
        with step(progress, "global AR(1)"):
            ar = global_ar_forecasts(panel.counts, GlobalARConfig(horizon=HORIZON))
        with step(progress, "scores and tests"):
            naive = naive_forecasts(panel.counts, HORIZON)
            _check_naive(naive, shipped["shipped_naive"].mean, panel.origins)
            # The last value itself (expm1(log1p(y)) is y only up to rounding),
            # with statsforecast's naive band.
            methods["naive"] = replace(methods["naive"], mean=naive)
            methods["seasonal_naive"] = with_naive_fallback(
                methods["seasonal_naive"], methods["naive"], panel.origins
            )
            # The same last value with the shipped split-conformal band: tells
            # the band method apart from the model in the interval scores.
            methods["naive_conformal"] = replace(shipped["shipped_naive"], mean=naive)
            methods["shipped_ensemble"] = shipped["shipped_ensemble"]
            methods["shipped_selection"] = shipped["shipped_selection"]
            methods["global_ar"] = Forecasts(ar.mean)
            report = {
                name: _score(panel, methods[name], methods["naive"])
                for name in METHODS
                if name in methods
            }
    scored = panel.origins.any(axis=0)
    chosen = ar.shrinkage[scored]
    slopes = ar.slopes[scored]
    return {
        "source": SOURCE,
        "file": str((DATA / source_profile()["file"]).relative_to(ROOT)),
        "series": panel.keys,
        "alert_series": alerts,
        "first_origin": min(min(d) for d in panel.origin_dates.values()).isoformat(),
        "last_origin": max(max(d) for d in panel.origin_dates.values()).isoformat(),
        "min_history": DEFAULT_FORECASTS.min_history,
        "quick": quick,
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(_cpu_seconds(), 1),
        "notes": {n: f.note for n, f in methods.items() if f.note},
        "global_ar": {
            "slope_first_origin": round(float(slopes[0]), 4),
            "slope_last_origin": round(float(slopes[-1]), 4),
            "slope_min": round(float(np.nanmin(slopes)), 4),
            "slope_max": round(float(np.nanmax(slopes)), 4),
            "shrinkage_chosen": {
                f"h{h}": _frequencies(chosen[:, h - 1]) for h in HORIZONS
            },
        },
        "summary": {
            name: {
                f"h{h}": {
                    "geometric_mean": r[f"h{h}"]["geometric_mean"],
                    "pooled_dm_statistic": r[f"h{h}"]["pooled_dm"]["statistic"],
                    "pooled_dm_p": r[f"h{h}"]["pooled_dm"]["p_value"],
                    "coverage_80": r[f"h{h}"]["coverage_80"],
                    "interval_score_vs_naive": r[f"h{h}"]["interval_score_vs_naive"],
                    "interval_score_pooled_dm_p": (
                        r[f"h{h}"]["interval_score_pooled_dm"] or {}
                    ).get("p_value"),
                }
                for h in HORIZONS
            }
            for name, r in report.items()
        },
        "methods": report,
    }


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (statsforecast's
    workers): the wall time depends on what else the machine runs."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _check_naive(naive: FloatArray, shipped: FloatArray, origins: BoolArray) -> None:
    """Our naive is the shipped one (the backtest's scale)."""
    ours, theirs = naive[origins], shipped[origins]
    if not np.allclose(ours, theirs, rtol=1e-6, atol=1e-6):
        raise RuntimeError("the naive forecast differs from the shipped one")


def _bounds(forecasts: Forecasts) -> tuple[FloatArray, FloatArray] | None:
    if forecasts.lo80 is None or forecasts.hi80 is None:
        return None
    return forecasts.lo80, forecasts.hi80


def _score(panel: Panel, forecasts: Forecasts, naive: Forecasts) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for h in HORIZONS:
        score = score_horizon(
            panel.keys,
            panel.counts,
            panel.origins,
            forecasts.mean,
            naive.mean,
            h,
            bounds=_bounds(forecasts),
            naive_bounds=_bounds(naive),
        )
        report = as_report(score)
        report["series_better_p05"] = sum(
            s.test.p_value < 0.05 and s.test.statistic < 0
            for s in score.series.values()
        )
        report["series_worse_p05"] = sum(
            s.test.p_value < 0.05 and s.test.statistic > 0
            for s in score.series.values()
        )
        out[f"h{h}"] = report
    return out


def _frequencies(values: FloatArray) -> dict[str, int]:
    known = values[~np.isnan(values)]
    labels, counts = np.unique(known, return_counts=True)
    return {f"{v:g}": int(c) for v, c in zip(labels, counts, strict=True)}


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.{digits}f}"


def table(result: Mapping[str, Any]) -> str:
    methods: dict[str, Any] = result["methods"]
    lines = [
        f"{result['source']}: {len(result['series'])} series, origins "
        f"{result['first_origin'][:7]}..{result['last_origin'][:7]}; "
        f"{result['seconds']} s ({result['cpu_seconds']} s CPU)",
        "",
        "rMAE: relative MAE vs naive, geometric mean over series; DM: pooled",
        "Diebold-Mariano statistic (< 0: better than naive) and p; +/-: series",
        "better/worse than naive (DM p < 0.05); cov: 80 % band coverage; IS:",
        "interval score of the 80 % band vs the naive band (geometric mean)",
        "and its pooled DM p",
        "",
        " " * 18
        + "".join(
            f" | h={h}: {'rMAE':>6} {'DM':>6} {'p':>6} {'+/-':>5} {'cov':>5}"
            f" {'IS':>5} {'p':>6}"
            for h in HORIZONS
        ),
    ]
    for name, report in methods.items():
        cells = []
        for h in HORIZONS:
            r = report[f"h{h}"]
            dm = r["pooled_dm"]
            cells.append(
                f" |      {_fmt(r['geometric_mean']):>6} {_fmt(dm['statistic'], 2):>6} "
                f"{_fmt(dm['p_value']):>6} "
                f"{r['series_better_p05']:>2}/{r['series_worse_p05']:<2} "
                f"{_fmt(r['coverage_80'], 2):>5} "
                f"{_fmt(r['interval_score_vs_naive'], 2):>5} "
                f"{_fmt((r['interval_score_pooled_dm'] or {}).get('p_value')):>6}"
            )
        lines.append(f"{name:<18}" + "".join(cells))
    for h in HORIZONS:
        lines += ["", f"relative MAE per series, h={h}", ""]
        short = {n: n[:8] for n in methods}
        lines.append(f"{'series':<20}" + "".join(f"{s:>9}" for s in short.values()))
        for key in result["series"]:
            row = [
                methods[n][f"h{h}"]["series"].get(key, {}).get("relative_mae")
                for n in methods
            ]
            lines.append(f"{key:<20}" + "".join(f"{_fmt(v):>9}" for v in row))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--quick", action="store_true", help="leave out AutoARIMA (the slowest)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="statsforecast n_jobs")
    parser.add_argument(
        "--events",
        type=Path,
        default=DATA / "darien_events.csv",
        help="labelled events (their series get the full model set)",
    )
    args = parser.parse_args()
    result = run(quick=args.quick, jobs=args.jobs, events=args.events)
    print(json.dumps(result, indent=1) if args.json else table(result))


if __name__ == "__main__":
    main()
