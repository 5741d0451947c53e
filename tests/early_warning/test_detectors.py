"""Detectors on tiny arrays: missing values, flat series, spikes, batch path."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from puente.early_warning.rules.detectors import (
    Detection,
    cusum,
    cusum_many,
    ears_c1,
    ears_c1_many,
    ears_c2,
    ears_c2_many,
    ears_c3,
    ears_c3_many,
    farrington,
    farrington_flexible,
)

Single = Callable[..., Detection]
Many = Callable[..., Detection]

EARS: list[tuple[Single, Many]] = [
    (ears_c1, ears_c1_many),
    (ears_c2, ears_c2_many),
    (ears_c3, ears_c3_many),
]


def _cusum_single(counts: npt.ArrayLike) -> Detection:
    return cusum(counts, start=6)


def _cusum_many(counts: npt.ArrayLike) -> Detection:
    return cusum_many(counts, start=6)


ALL_FAST: list[Single] = [ears_c1, ears_c2, ears_c3, _cusum_single]
# R's C3 bound at t only uses the C2 excesses at t-1 and t-2, so C3 raises
# the alarm for a spike one step after it.
ALARM_DELAY: list[tuple[Single, int]] = [
    (ears_c1, 0),
    (ears_c2, 0),
    (ears_c3, 1),
    (_cusum_single, 0),
]


def _weekly_dates(n: int) -> npt.NDArray[np.datetime64]:
    return np.datetime64("2018-01-01") + np.arange(n) * np.timedelta64(7, "D")


def _seasonal_weeks(n: int) -> npt.NDArray[np.float64]:
    week = np.arange(n)
    return np.round(8 + 3 * np.sin(2 * np.pi * week / 52) + (week % 3))


class TestMissingValues:
    @pytest.mark.parametrize("detector", ALL_FAST)
    def test_missing_month_has_no_threshold_and_no_alarm(
        self, detector: Single
    ) -> None:
        counts = np.array([5.0, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 500, 6])
        counts[12] = np.nan
        result = detector(counts)
        at = 12 - result.start
        assert math.isnan(result.upperbound[at])
        assert not result.alarm[at]

    @pytest.mark.parametrize(("detector", "delay"), ALARM_DELAY)
    def test_missing_month_does_not_void_the_rest(
        self, detector: Single, delay: int
    ) -> None:
        counts = np.array([5.0, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 500, 6])
        counts[12] = np.nan
        result = detector(counts)
        assert result.alarm[14 + delay - result.start]
        assert np.isfinite(result.upperbound[14 + delay - result.start])

    def test_farrington_flexible_missing_week_has_no_threshold(self) -> None:
        counts = _seasonal_weeks(3 * 52 + 10)
        counts[-1] = np.nan
        result = farrington_flexible(
            counts, _weekly_dates(len(counts)), b=3, start=len(counts) - 2
        )
        assert math.isnan(result.upperbound[-1])
        assert not result.alarm[-1]
        assert np.isfinite(result.upperbound[0])


class TestFlatSeries:
    @pytest.mark.parametrize("detector", ALL_FAST)
    @pytest.mark.parametrize("level", [0.0, 4.0, 120.0])
    def test_raises_no_alarm(self, detector: Single, level: float) -> None:
        result = detector(np.full(20, level))
        assert not result.alarm.any()

    def test_farrington_flexible_raises_no_alarm(self) -> None:
        counts = np.full(3 * 52 + 8, 10.0)
        result = farrington_flexible(
            counts, _weekly_dates(len(counts)), b=3, start=len(counts) - 4
        )
        assert not result.alarm.any()
        assert (result.upperbound > 10).all()


class TestSpike:
    @pytest.mark.parametrize(("detector", "delay"), ALARM_DELAY)
    def test_raises_an_alarm_at_the_spike(self, detector: Single, delay: int) -> None:
        counts = np.array([5.0, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 60, 6])
        result = detector(counts)
        assert result.alarm[14 + delay - result.start]
        assert not result.alarm[: 14 + delay - result.start].any()

    def test_farrington_flexible_raises_an_alarm_at_the_spike(self) -> None:
        counts = _seasonal_weeks(3 * 52 + 8)
        counts[-2] = 60
        result = farrington_flexible(
            counts, _weekly_dates(len(counts)), b=3, start=len(counts) - 3
        )
        np.testing.assert_array_equal(result.alarm, [False, True, False])

    @pytest.mark.parametrize("method", ["delta", "nbPlugin", "muan"])
    def test_farrington_flexible_with_ten_seasonal_periods_flags_the_spike(
        self, method: Literal["delta", "nbPlugin", "muan"]
    ) -> None:
        counts = _seasonal_weeks(3 * 52 + 8)
        counts[-2] = 60
        result = farrington_flexible(
            counts,
            _weekly_dates(len(counts)),
            b=3,
            start=len(counts) - 3,
            no_periods=10,
            past_weeks_not_included=26,
            threshold_method=method,
        )
        np.testing.assert_array_equal(result.alarm, [False, True, False])

    def test_monthly_farrington_flags_the_last_month(self) -> None:
        counts = np.round(100 + 20 * np.sin(2 * np.pi * np.arange(60) / 12))
        counts[-1] = 400
        months = np.arange("2019-01", "2024-01", dtype="datetime64[M]")
        flexible = farrington_flexible(counts, months, freq=12, b=3, start=55)
        classic = farrington(counts, months, freq=12, b=3, start=55)
        expected = [False, False, False, False, True]
        np.testing.assert_array_equal(flexible.alarm, expected)
        np.testing.assert_array_equal(classic.alarm, expected)

    def test_farrington_raises_an_alarm_at_the_spike(self) -> None:
        counts = _seasonal_weeks(3 * 52 + 8)
        counts[-2] = 60
        result = farrington(counts, b=3, start=len(counts) - 3)
        np.testing.assert_array_equal(result.alarm, [False, True, False])


class TestEarsFormula:
    def test_c1_bound_is_mean_plus_z_sd_of_the_seven_previous(self) -> None:
        counts = [3.0, 8, 1, 4, 4, 9, 2, 7, 5]
        result = ears_c1(counts, alpha=0.001)
        for at, t in enumerate(range(7, 9)):
            window = counts[t - 7 : t]
            expected = statistics.mean(window) + 3.090232306167813 * statistics.stdev(
                window
            )
            assert result.upperbound[at] == pytest.approx(expected, rel=1e-12)

    def test_c2_skips_the_two_most_recent_points(self) -> None:
        counts = [3.0, 8, 1, 4, 4, 9, 2, 1000, 1000, 5]
        result = ears_c2(counts)
        window = counts[:7]
        assert result.start == 9
        assert result.upperbound[0] == pytest.approx(
            statistics.mean(window) + 3.090232306167813 * statistics.stdev(window)
        )

    def test_cusum_keeps_summing_after_an_alarm(self) -> None:
        result = cusum([4.0, 4, 4, 4, 30, 4, 4], start=4)
        np.testing.assert_array_equal(result.alarm, [True, True, True])

    def test_rejects_a_baseline_shorter_than_three(self) -> None:
        with pytest.raises(ValueError, match="Minimum baseline"):
            ears_c1(np.arange(10.0), baseline=2)


_counts = st.one_of(
    st.integers(min_value=0, max_value=40).map(float),
    st.just(math.nan),
)
_matrices = st.integers(min_value=1, max_value=6).flatmap(
    lambda rows: st.integers(min_value=16, max_value=30).flatmap(
        lambda cols: arrays(np.float64, (rows, cols), elements=_counts)
    )
)


class TestBatchPath:
    @settings(max_examples=60, deadline=None, database=None)
    @given(matrix=_matrices)
    def test_ears_batch_equals_one_series_at_a_time(
        self, matrix: npt.NDArray[np.float64]
    ) -> None:
        for single, many in EARS:
            batch = many(matrix)
            for row, series in enumerate(matrix):
                alone = single(series)
                assert alone.start == batch.start
                np.testing.assert_array_equal(alone.upperbound, batch.upperbound[row])
                np.testing.assert_array_equal(alone.alarm, batch.alarm[row])

    @settings(max_examples=60, deadline=None, database=None)
    @given(matrix=_matrices)
    def test_cusum_batch_equals_one_series_at_a_time(
        self, matrix: npt.NDArray[np.float64]
    ) -> None:
        batch = _cusum_many(matrix)
        for row, series in enumerate(matrix):
            alone = _cusum_single(series)
            np.testing.assert_array_equal(alone.upperbound, batch.upperbound[row])
            np.testing.assert_array_equal(alone.alarm, batch.alarm[row])

    def test_batch_rejects_a_one_dimensional_array(self) -> None:
        with pytest.raises(ValueError, match="2-D"):
            ears_c2_many(np.ones(20))
