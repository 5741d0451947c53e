"""From a tidy table of counts to series: every combination of dimension
values, and every roll-up to totals, on a complete period grid.

Missing is not zero. A period in which the source reported nothing at all is
missing for every series (unless the profile says `missing: zero`); within a
period the source did report, a combination it did not list counts 0 (the
source reported that month and listed nothing for it); a blank count cell stays
missing, and so does any sum that includes one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from typing import Literal

import polars as pl

TOTAL = "*"
Frequency = Literal["month", "week"]
MissingPolicy = Literal["missing", "zero"]


def series_key(source: str, dimensions: Mapping[str, str]) -> str:
    """Canonical key: `darien_nat|nat=VEN`, `lighthouse|geo=PAN,nat=VEN`,
    `darien_nat|*` for the total. Dimensions are sorted by name."""
    if not dimensions:
        return f"{source}|{TOTAL}"
    body = ",".join(f"{name}={dimensions[name]}" for name in sorted(dimensions))
    return f"{source}|{body}"


def parse_series_key(key: str) -> tuple[str, dict[str, str]]:
    """Inverse of `series_key`."""
    source, _, body = key.partition("|")
    if body in ("", TOTAL):
        return source, {}
    pairs = (item.partition("=") for item in body.split(","))
    return source, {name: value for name, _, value in pairs}


def period_grid(first: dt.date, last: dt.date, frequency: Frequency) -> pl.Series:
    """Every period from `first` to `last` inclusive (month starts or weeks)."""
    interval = "1mo" if frequency == "month" else "1w"
    return pl.date_range(first, last, interval=interval, eager=True).alias("period")


def _sum_keeping_missing() -> pl.Expr:
    count = pl.col("count")
    return (
        pl.when(count.null_count() > 0)
        .then(None)
        .otherwise(count.sum())
        .cast(pl.Float64)
        .alias("count")
    )


def build_series(
    counts: pl.DataFrame,
    *,
    source: str,
    dimensions: Sequence[str],
    frequency: Frequency = "month",
    missing: MissingPolicy = "missing",
    state_dimension: str | None = None,
    reporting_state: str | None = None,
) -> pl.DataFrame:
    """Long frame `period, <dimensions>, count` -> one row per series and period.

    Columns out: `series_key, source, period, count, level, state` plus one
    column per dimension (null where rolled up). `level` is how many dimensions
    the series fixes (0 = total). `state` is the ISO3 a per-100k rate uses.
    """
    dims = list(dimensions)
    if counts.is_empty():
        return _empty(dims)
    first: dt.date = counts["period"].min()  # type: ignore[assignment]
    last: dt.date = counts["period"].max()  # type: ignore[assignment]
    grid = period_grid(first, last, frequency)
    reported = counts.select("period").unique().with_columns(is_reported=pl.lit(True))
    frames: list[pl.DataFrame] = []
    for size in range(len(dims) + 1):
        for subset in itertools.combinations(dims, size):
            frames.append(_rollup(counts, list(subset), dims, grid))
    out = pl.concat(frames, how="vertical")
    out = out.join(reported, on="period", how="left")
    absent_fill = 0.0 if missing == "zero" else None
    out = out.with_columns(
        count=pl.when(pl.col("is_present"))
        .then(pl.col("count"))
        .when(pl.col("is_reported"))
        .then(pl.lit(0.0))
        .otherwise(pl.lit(absent_fill, dtype=pl.Float64))
    )
    key_parts = [
        pl.when(pl.col(d).is_not_null()).then(pl.lit(f"{d}=") + pl.col(d))
        for d in sorted(dims)
    ]
    body = (
        pl.concat_str(key_parts, separator=",", ignore_nulls=True)
        if key_parts
        else pl.lit("")
    )
    state = (
        pl.col(state_dimension)
        if state_dimension
        else pl.lit(reporting_state, dtype=pl.Utf8)
    )
    return (
        out.with_columns(
            series_key=pl.lit(f"{source}|")
            + pl.when(pl.col("level") == 0).then(pl.lit(TOTAL)).otherwise(body),
            source=pl.lit(source),
            state=state.cast(pl.Utf8),
        )
        .select("series_key", "source", "period", "count", "level", "state", *dims)
        .sort("series_key", "period")
    )


def _rollup(
    counts: pl.DataFrame, subset: list[str], dims: list[str], grid: pl.Series
) -> pl.DataFrame:
    if subset:
        agg = counts.group_by([*subset, "period"]).agg(_sum_keeping_missing())
        keys = agg.select(subset).unique()
        full = keys.join(grid.to_frame(), how="cross")
    else:
        agg = counts.group_by("period").agg(_sum_keeping_missing())
        full = grid.to_frame()
    joined = full.join(
        agg.with_columns(is_present=pl.lit(True)), on=[*subset, "period"], how="left"
    ).with_columns(
        is_present=pl.col("is_present").fill_null(False),
        level=pl.lit(len(subset), dtype=pl.Int32),
    )
    rolled = [pl.lit(None, dtype=pl.Utf8).alias(d) for d in dims if d not in subset]
    return joined.with_columns(rolled).select(
        *dims, "period", "count", "is_present", "level"
    )


def _empty(dims: list[str]) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {
        "series_key": pl.Utf8(),
        "source": pl.Utf8(),
        "period": pl.Date(),
        "count": pl.Float64(),
        "level": pl.Int32(),
        "state": pl.Utf8(),
    }
    schema.update({d: pl.Utf8() for d in dims})
    return pl.DataFrame(schema=schema)
