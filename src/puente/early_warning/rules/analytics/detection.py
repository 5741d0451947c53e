"""Detector outputs per series and period, vectorised over many series.

EARS C1/C2/C3 and the count CUSUM run on one (series x time) matrix through
`rules.detectors`; Farrington flexible fits a GLM per period, so it runs only
for the series named (totals and the largest series). Every alarm at period t
reads only periods <= t. An alarm is null when the count is missing and false
when there is not yet enough history.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from puente.early_warning.rules import detectors
from puente.early_warning.rules.analytics.series import Frequency

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_EARS_START: Final = {"C1": 0, "C2": 2, "C3": 4}


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    """Settings shared by the live system and the backtest."""

    ears_baseline: int = 6
    ears_alpha: float = 0.001
    cusum_reference: int = 6  # periods whose mean is the expected count
    cusum_run: int = 4  # periods the CUSUM accumulates over
    cusum_k: float = 1.04
    cusum_h: float = 2.26
    cusum_dispersion: float = 0.1  # negative-binomial alpha: counts vary ~30 %
    farrington_years: int = 2
    farrington_window: int = 2
    farrington_alpha: float = 0.01


DEFAULT_DETECTORS: Final = DetectorConfig()


def to_matrix(
    frame: pl.DataFrame,
) -> tuple[list[str], list[dt.date], FloatArray]:
    """(series keys, periods, series x period counts with NaN for missing)."""
    keys = frame["series_key"].unique().sort()
    periods = frame["period"].unique().sort()
    indexed = (
        frame.select("series_key", "period", "count")
        .join(keys.to_frame().with_row_index("_row"), on="series_key")
        .join(periods.to_frame().with_row_index("_col"), on="period")
    )
    matrix = np.full((len(keys), len(periods)), np.nan)
    matrix[indexed["_row"].to_numpy(), indexed["_col"].to_numpy()] = (
        indexed["count"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    )
    return keys.to_list(), periods.to_list(), matrix


def ears_alarms(
    x: FloatArray, config: DetectorConfig = DEFAULT_DETECTORS
) -> dict[str, BoolArray]:
    """C1, C2, C3 alarms over the whole matrix (False before enough history)."""
    out: dict[str, BoolArray] = {}
    n_time = x.shape[1]
    for method, extra in _EARS_START.items():
        start = config.ears_baseline + extra
        alarm = np.zeros(x.shape, dtype=np.bool_)
        if n_time > start:
            result = detectors.ears_many(
                x,
                method=method,  # type: ignore[arg-type]
                start=start,
                baseline=config.ears_baseline,
                alpha=config.ears_alpha,
            )
            alarm[:, start:] = result.alarm
        out[f"{method.lower()}_alarm"] = alarm
    return out


def cusum_alarms(
    x: FloatArray, config: DetectorConfig = DEFAULT_DETECTORS
) -> BoolArray:
    """A moving count CUSUM: at each t, accumulate the last `cusum_run`
    standardised excesses over the mean of the `cusum_reference` periods
    before them (negative-binomial scale: flows are overdispersed)."""
    width = config.cusum_reference + config.cusum_run
    n_time = x.shape[1]
    alarm = np.zeros(x.shape, dtype=np.bool_)
    for t in range(width - 1, n_time):
        window = x[:, t - width + 1 : t + 1]
        reference = window[:, : config.cusum_reference]
        present = (~np.isnan(reference)).sum(axis=1)
        with np.errstate(invalid="ignore"):
            mean = np.nansum(reference, axis=1) / np.maximum(present, 1)
        expected = np.where(present >= 3, np.maximum(mean, 1.0), np.nan)
        result = detectors.cusum_many(
            window,
            start=config.cusum_reference,
            k=config.cusum_k,
            h=config.cusum_h,
            m=expected,
            trans="pearsonNegBin",
            alpha=config.cusum_dispersion,
        )
        alarm[:, t] = result.alarm[:, -1] & ~np.isnan(expected)
    return alarm


def farrington_alarm(
    counts: FloatArray,
    periods: list[dt.date],
    frequency: Frequency,
    config: DetectorConfig = DEFAULT_DETECTORS,
) -> BoolArray:
    """Farrington flexible on one series (False before enough history)."""
    alarm = farrington_verdict(counts, periods, frequency, config)
    return np.zeros(len(counts), dtype=np.bool_) if alarm is None else alarm


def farrington_verdict(
    counts: FloatArray,
    periods: list[dt.date],
    frequency: Frequency,
    config: DetectorConfig = DEFAULT_DETECTORS,
) -> BoolArray | None:
    """Farrington flexible on one series, or None when the series cannot be
    fitted ("not enough data": a degenerate or too short window). A failing
    detector never fails its caller (an import, a dashboard)."""
    freq = 12 if frequency == "month" else 52
    start = freq * config.farrington_years + config.farrington_window
    alarm = np.zeros(len(counts), dtype=np.bool_)
    if len(counts) <= start:
        return alarm
    if np.nansum(counts) == 0:
        return alarm
    try:
        result = _farrington(counts, periods, freq, start, config)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError):
        # statsmodels refuses degenerate windows (e.g. all zeros) and a window
        # as short as the model has no residual degrees of freedom.
        return None
    alarm[start:] = result.alarm
    return alarm


def _farrington(
    counts: FloatArray,
    periods: list[dt.date],
    freq: int,
    start: int,
    config: DetectorConfig,
) -> detectors.FarringtonDetection:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return detectors.farrington_flexible(
            counts,
            periods,
            freq=freq,
            start=start,
            b=config.farrington_years,
            w=config.farrington_window,
            alpha=config.farrington_alpha,
        )


def add_detectors(
    frame: pl.DataFrame,
    *,
    farrington_keys: Collection[str] = (),
    frequency: Frequency = "month",
    config: DetectorConfig = DEFAULT_DETECTORS,
) -> pl.DataFrame:
    """Add `c1_alarm, c2_alarm, c3_alarm, cusum_alarm, farrington_alarm`."""
    if frame.is_empty():
        return frame.with_columns(
            [
                pl.lit(None, dtype=pl.Boolean).alias(name)
                for name in (
                    "c1_alarm",
                    "c2_alarm",
                    "c3_alarm",
                    "cusum_alarm",
                    "farrington_alarm",
                )
            ]
        )
    keys, periods, x = to_matrix(frame)
    alarms = ears_alarms(x, config)
    alarms["cusum_alarm"] = cusum_alarms(x, config)
    farrington = np.zeros(x.shape, dtype=np.bool_)
    has_farrington = np.zeros(len(keys), dtype=np.bool_)
    wanted = set(farrington_keys)
    for i, key in enumerate(keys):
        if key in wanted:
            verdict = farrington_verdict(x[i], periods, frequency, config)
            if verdict is not None:  # None: not enough data, no verdict (null)
                farrington[i] = verdict
                has_farrington[i] = True
    alarms["farrington_alarm"] = farrington
    missing = np.isnan(x).ravel()
    n_periods = len(periods)
    long = pl.DataFrame(
        {
            "series_key": pl.Series(keys, dtype=pl.Utf8).gather(
                np.repeat(np.arange(len(keys)), n_periods)
            ),
            "period": pl.Series(periods, dtype=pl.Date).gather(
                np.tile(np.arange(n_periods), len(keys))
            ),
            "_missing": missing,
            "_no_farrington": np.repeat(~has_farrington, n_periods),
            **{name: values.ravel() for name, values in alarms.items()},
        }
    )
    long = long.with_columns(
        [
            pl.when(pl.col("_missing")).then(None).otherwise(pl.col(name)).alias(name)
            for name in alarms
        ]
    ).with_columns(
        farrington_alarm=pl.when(pl.col("_no_farrington"))
        .then(None)
        .otherwise(pl.col("farrington_alarm"))
    )
    return frame.join(
        long.drop("_missing", "_no_farrington"),
        on=["series_key", "period"],
        how="left",
    )
