"""Indicators per series and period: the variables trigger conditions read.

Every value at period t uses only periods <= t (tested: truncating the input
never changes an earlier row), so the backtest can compute them once on the
whole history without look-ahead. Names and meanings are documented in
`docs/early-warning-variables.md`.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from puente.early_warning.rules.analytics.series import Frequency

# name -> (type, meaning); the trigger linter accepts exactly these names.
VARIABLES: Final[dict[str, tuple[str, str]]] = {
    "arrivals_month": ("double", "count in the period (null when missing)"),
    "arrivals_prev_month": ("double", "count in the previous period"),
    "rolling_3m": ("double", "sum of the last 3 periods (null if one is missing)"),
    "growth_1m": ("double", "arrivals_month / arrivals_prev_month - 1"),
    "growth_3m": ("double", "rolling_3m / rolling_3m 3 periods earlier - 1"),
    "growth_yoy": ("double", "arrivals_month / same period a year earlier - 1"),
    "share_of_total": ("double", "arrivals_month / the source total, 0..1"),
    "per_100k": ("double", "arrivals_month per 100,000 of the state's population"),
    "baseline": ("double", "mean of the same period in the previous 1-3 years"),
    "months_of_data": ("int", "periods with a count up to and including this one"),
    "c1_alarm": ("bool", "EARS C1 alarm (baseline 6, alpha 0.001)"),
    "c2_alarm": ("bool", "EARS C2 alarm (baseline 6, guard 2, alpha 0.001)"),
    "c3_alarm": ("bool", "EARS C3 alarm (baseline 6, alpha 0.001)"),
    "cusum_alarm": ("bool", "count CUSUM alarm over the last 4 periods"),
    "farrington_alarm": ("bool", "Farrington flexible alarm (null if not run)"),
    "forecast_h1": ("double", "forecast mean 1 period ahead"),
    "forecast_h1_lo80": ("double", "lower bound of the 80 % interval, h=1"),
    "forecast_h1_hi80": ("double", "upper bound of the 80 % interval, h=1"),
    "forecast_h1_hi95": ("double", "upper bound of the 95 % interval, h=1"),
    "forecast_h3": ("double", "forecast mean 3 periods ahead"),
    "forecast_h3_hi80": ("double", "upper bound of the 80 % interval, h=3"),
    "p_exceed_5000": ("double", "probability that the next period exceeds 5,000"),
}

_SEASON: Final[dict[str, int]] = {"month": 12, "week": 52}


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return (
        pl.when(denominator > 0)
        .then(numerator / denominator - 1.0)
        .otherwise(None)
        .cast(pl.Float64)
    )


def add_indicators(
    series: pl.DataFrame,
    population: pl.DataFrame | None = None,
    *,
    frequency: Frequency = "month",
) -> pl.DataFrame:
    """Add the indicator columns to a `build_series` frame.

    `population` has columns `iso3, year, population`; years after the last
    one known use the last one.
    """
    season = _SEASON[frequency]
    key = "series_key"
    count = pl.col("count")
    frame = series.sort(key, "period").with_columns(
        arrivals_month=count,
        arrivals_prev_month=count.shift(1).over(key),
        rolling_3m=count.rolling_sum(3).over(key),
        months_of_data=count.is_not_null().cast(pl.Int64).cum_sum().over(key),
        _same_1y=count.shift(season).over(key),
        _same_2y=count.shift(2 * season).over(key),
        _same_3y=count.shift(3 * season).over(key),
    )
    frame = frame.with_columns(
        growth_1m=_ratio(count, pl.col("arrivals_prev_month")),
        growth_3m=_ratio(pl.col("rolling_3m"), pl.col("rolling_3m").shift(3).over(key)),
        growth_yoy=_ratio(count, pl.col("_same_1y")),
        baseline=pl.mean_horizontal("_same_1y", "_same_2y", "_same_3y"),
    )
    totals = frame.filter(pl.col("level") == 0).select(
        "source", "period", _total=pl.col("count")
    )
    frame = frame.join(totals, on=["source", "period"], how="left").with_columns(
        share_of_total=pl.when(pl.col("_total") > 0)
        .then(count / pl.col("_total"))
        .otherwise(None)
    )
    frame = _per_100k(frame, population)
    return frame.drop("_same_1y", "_same_2y", "_same_3y", "_total").sort(key, "period")


def _per_100k(frame: pl.DataFrame, population: pl.DataFrame | None) -> pl.DataFrame:
    if population is None or population.is_empty():
        return frame.with_columns(per_100k=pl.lit(None, dtype=pl.Float64))
    last_year = int(population["year"].max())  # type: ignore[arg-type]
    first_year = int(population["year"].min())  # type: ignore[arg-type]
    pop = population.select(
        pl.col("iso3").alias("state"),
        pl.col("year").cast(pl.Int32).alias("_year"),
        pl.col("population").cast(pl.Float64).alias("_population"),
    )
    joined = frame.with_columns(
        _year=pl.col("period").dt.year().clip(first_year, last_year).cast(pl.Int32)
    ).join(pop, on=["state", "_year"], how="left")
    return joined.with_columns(
        per_100k=pl.when(pl.col("_population") > 0)
        .then(pl.col("count") / pl.col("_population") * 100_000.0)
        .otherwise(None)
    ).drop("_year", "_population")
