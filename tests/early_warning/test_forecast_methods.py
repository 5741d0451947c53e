"""Forecast evaluation (rules/analytics/evaluation.py): the Diebold-Mariano test,
scoring against the naive forecast, and the pooled global AR(1)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from puente.early_warning.rules.analytics.evaluation import (
    FloatArray,
    GlobalARConfig,
    absolute_error_test,
    diebold_mariano,
    global_ar_forecasts,
    interval_score,
    naive_forecasts,
    pooled_differential,
    score_horizon,
)


def _panel(
    seed: int, momentum: float, n_series: int = 12, n_periods: int = 72
) -> FloatArray:
    """Counts whose month-on-month log growth is AR(1) with `momentum`
    (0: a random walk in logs)."""
    rng = np.random.default_rng(seed)
    growth = np.zeros((n_series, n_periods))
    for t in range(1, n_periods):
        growth[:, t] = momentum * growth[:, t - 1] + rng.normal(0, 0.15, n_series)
    level = np.log(rng.uniform(500, 5000, (n_series, 1))) + np.cumsum(growth, axis=1)
    return np.asarray(np.round(np.exp(level)), dtype=np.float64)


def _score_global_ar(counts: FloatArray, h: int = 1) -> tuple[float, float, float]:
    forecasts = global_ar_forecasts(counts)
    origins = np.zeros(counts.shape, dtype=bool)
    origins[:, 12:] = True
    score = score_horizon(
        [str(i) for i in range(counts.shape[0])],
        counts,
        origins,
        forecasts.mean,
        naive_forecasts(counts, 3),
        h,
    )
    return score.geometric_mean, score.pooled.statistic, score.pooled.p_value


class TestDieboldMariano:
    def test_identical_forecasts_show_no_difference(self) -> None:
        errors = np.random.default_rng(1).normal(0, 10, 40)
        for h in (1, 3):
            result = absolute_error_test(errors, errors.copy(), h)
            assert result.statistic == 0.0
            assert result.p_value == 1.0
            assert result.n == 40

    def test_a_clearly_better_forecast_has_a_small_p_value(self) -> None:
        rng = np.random.default_rng(2)
        noise = rng.normal(0, 1, 60)
        better = absolute_error_test(
            0.5 * noise, 2.0 * noise + rng.normal(0, 0.1, 60), 1
        )
        assert better.statistic < 0
        assert better.p_value < 0.001
        worse = absolute_error_test(2.0 * noise, 0.5 * noise, 1)
        assert worse.statistic > 0
        assert worse.p_value < 0.001

    def test_matches_the_hln_formula_by_hand(self) -> None:
        # d = [1, -1, 2, 0, 3]: mean 1, lag-0 autocovariance 2, so
        # DM = 1 / sqrt(2 / 5); HLN factor sqrt((5 + 1 - 2) / 5); t with 4 df.
        result = diebold_mariano([1.0, -1.0, 2.0, 0.0, 3.0], h=1)
        expected = 1 / math.sqrt(0.4) * math.sqrt(0.8)
        assert result.statistic == pytest.approx(expected)
        assert result.p_value == pytest.approx(2 * stats.t.sf(expected, 4))
        assert result.mean_difference == pytest.approx(1.0)

    def test_uses_lag_h_minus_1_and_falls_back_when_not_positive(self) -> None:
        # Lag-1 autocovariance -1 cancels the variance 2 at h=2: the lag-0
        # variance is used, with the h=2 correction sqrt((5 + 1 - 4 + 2/5) / 5).
        result = diebold_mariano([1.0, -1.0, 2.0, 0.0, 3.0], h=2)
        expected = 1 / math.sqrt(0.4) * math.sqrt(2.4 / 5)
        assert result.statistic == pytest.approx(expected)
        # A positively autocorrelated differential: the lag widens the variance.
        d = [3.0, 2.0, 2.5, 0.5, -0.5, 0.0, 1.0, 2.0]
        one, two = diebold_mariano(d, h=1), diebold_mariano(d, h=2)
        assert abs(two.statistic) < abs(one.statistic)

    def test_swapping_the_forecasts_flips_the_sign_only(self) -> None:
        rng = np.random.default_rng(3)
        a, b = rng.normal(0, 1, 30), rng.normal(0, 1.3, 30)
        ab, ba = absolute_error_test(a, b, 3), absolute_error_test(b, a, 3)
        assert ab.statistic == pytest.approx(-ba.statistic)
        assert ab.p_value == pytest.approx(ba.p_value)


class TestScoring:
    def test_relative_mae_aligns_origin_and_outcome(self) -> None:
        counts = np.array([[100.0, 120.0, 90.0, 150.0, 130.0, 170.0]])
        naive = naive_forecasts(counts, 1)
        # Halfway between the last value and the outcome one period later.
        halfway = naive.copy()
        halfway[0, :-1, 0] = 0.5 * (counts[0, :-1] + counts[0, 1:])
        origins = np.ones(counts.shape, dtype=bool)
        score = score_horizon(["s"], counts, origins, halfway, naive, 1)
        assert score.series["s"].relative_mae == pytest.approx(0.5)
        assert score.origins == 5  # the last origin has no outcome yet

    def test_pooled_differential_does_not_depend_on_series_scale(self) -> None:
        rng = np.random.default_rng(4)
        errors = np.abs(rng.normal(0, 1, (3, 20)))
        naive_errors = np.abs(rng.normal(0, 1, (3, 20)))
        mask = np.ones((3, 20), dtype=bool)
        scaled = np.array([[100.0], [1.0], [0.01]])
        pooled = pooled_differential(errors, naive_errors, mask)
        assert pooled == pytest.approx(
            pooled_differential(errors * scaled, naive_errors * scaled, mask)
        )
        # Its mean is the mean relative MAE over series, minus 1.
        ratios = errors.mean(axis=1) / naive_errors.mean(axis=1)
        assert pooled.mean() == pytest.approx(ratios.mean() - 1)

    def test_interval_score_is_the_width_plus_ten_times_the_miss(self) -> None:
        lo, hi = np.array([10.0, 10.0, 10.0]), np.array([20.0, 20.0, 20.0])
        actual = np.array([15.0, 22.0, 7.0])
        assert interval_score(lo, hi, actual).tolist() == pytest.approx(
            [10.0, 30.0, 40.0]
        )


class TestGlobalAR:
    def test_beats_naive_when_growth_has_momentum(self) -> None:
        ratio, statistic, p_value = _score_global_ar(_panel(seed=5, momentum=0.7))
        assert ratio < 0.9
        assert statistic < 0
        assert p_value < 0.01

    def test_does_not_beat_naive_on_a_random_walk(self) -> None:
        ratio, _statistic, p_value = _score_global_ar(_panel(seed=5, momentum=0.0))
        assert ratio > 0.98
        assert p_value > 0.05

    def test_forecasts_made_at_an_origin_ignore_later_values(self) -> None:
        counts = _panel(seed=6, momentum=0.5, n_periods=48)
        origin = 30
        changed = counts.copy()
        rng = np.random.default_rng(7)
        changed[:, origin + 1 :] *= rng.uniform(
            0.2, 5.0, changed[:, origin + 1 :].shape
        )
        changed[2, origin + 3] = np.nan
        before, after = global_ar_forecasts(counts), global_ar_forecasts(changed)
        np.testing.assert_array_equal(
            before.mean[:, : origin + 1], after.mean[:, : origin + 1]
        )
        np.testing.assert_array_equal(
            before.shrinkage[: origin + 1], after.shrinkage[: origin + 1]
        )
        # ... and the change does reach later origins.
        assert not np.array_equal(
            before.mean[:, origin + 1 :], after.mean[:, origin + 1 :]
        )

    def test_falls_back_to_the_last_value_without_history(self) -> None:
        counts = _panel(seed=8, momentum=0.7, n_periods=5)
        forecasts = global_ar_forecasts(counts)
        # Too few growth pairs to fit and no past errors to choose by: naive.
        np.testing.assert_allclose(forecasts.mean[:, 1, :], counts[:, [1, 1, 1]])
        assert np.isnan(forecasts.shrinkage[1]).all()
        assert np.isnan(forecasts.slopes[1])

    def test_the_shrinkage_grid_must_contain_the_naive(self) -> None:
        with pytest.raises(ValueError, match="naive"):
            GlobalARConfig(shrinkage=(0.0, 0.5))
