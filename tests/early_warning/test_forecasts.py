"""Forecast guards (runaway forecasts) and the conformal 80 % band."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import ClassVar

import numpy as np
import polars as pl
import pytest

from puente.early_warning.rules.analytics.forecasts import (
    ForecastConfig,
    conformal_bands,
    conformal_ranks,
    raw_forecasts,
)

BOUNDS = ("lo80", "hi80", "lo95", "hi95")
# Guards off: what the models alone produce.
UNGUARDED = {
    "cap_multiple": float("inf"),
    "jump_ratio": float("inf"),
    "min_nonzero": 0,
    "conformal": False,
}


def _months(n: int) -> list[dt.date]:
    return [dt.date(2020 + i // 12, i % 12 + 1, 1) for i in range(n)]


def _frame(values: list[float | None], key: str = "s|*") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "series_key": [key] * len(values),
            "period": pl.Series(_months(len(values)), dtype=pl.Date),
            "count": pl.Series(values, dtype=pl.Float64),
        }
    )


def _raw(
    values: list[float | None], config: ForecastConfig, first: int
) -> pl.DataFrame:
    frame = _frame(values)
    origins = {"s|*": _months(len(values))[first:]}
    return raw_forecasts(frame, origins, config)


def _recent_max(values: list[float | None], origin: dt.date) -> float:
    at = _months(len(values)).index(origin)
    window = [v for v in values[max(0, at - 11) : at + 1] if v is not None]
    return max(window)


# Lighthouse Colombia in shape: a year of ~150 a month, then tens of thousands.
JUMP: list[float | None] = [
    *[133.0, 144, 135, 177, 162, 175, 169, 149, 207, 147, 206, 280],
    *[21891.0, 22227, 32929, 43559, 36808, 32535, 58249, 85369, 75332],
]
# A series that is zero for a year, then tens of thousands.
FROM_ZERO: list[float | None] = [*[0.0] * 12, 18000.0, 26000, 31000, 40000, 45000]
# An ordinary series: growth with noise, never near zero.
ORDINARY: list[float | None] = [
    float(round(2000 * 1.03**i * (1 + 0.08 * np.sin(i * 1.7)))) for i in range(30)
]
MODELS = ("Naive", "SeasonalNaive", "AutoETS", "AutoARIMA")


class TestGuards:
    @pytest.mark.parametrize("values", [JUMP, FROM_ZERO], ids=["jump", "from_zero"])
    def test_jump_from_near_zero_stays_within_the_cap(
        self, values: list[float | None]
    ) -> None:
        config = ForecastConfig(models=MODELS, min_history=8)
        raw = _raw(values, config, first=11)
        assert not raw.is_empty()
        for row in raw.iter_rows(named=True):
            cap = config.cap_multiple * _recent_max(values, row["origin"])
            for column in ("mean", *BOUNDS):
                assert 0.0 <= row[column] <= cap + 1e-6, (row, cap)
        # Just after the jump every model falls back to the naive forecast.
        after = raw.filter(
            (pl.col("origin") == _months(len(values))[13]) & (pl.col("h") == 1)
        )
        assert after["mean"].to_list() == pytest.approx([values[13]] * after.height)

    def test_the_unguarded_models_do_explode_on_the_same_series(self) -> None:
        # The reproduction: without the guards the log-scale fits run away.
        unguarded = ForecastConfig(models=MODELS, **UNGUARDED)  # type: ignore[arg-type]
        raw = _raw(JUMP, unguarded, first=11)
        worst = raw.select(pl.col("hi80").max()).item()
        assert worst > 3 * max(v for v in JUMP if v is not None)

    def test_ordinary_series_is_unchanged_by_the_guards(self) -> None:
        guarded = ForecastConfig(models=MODELS, conformal=False)
        unguarded = ForecastConfig(models=MODELS, **UNGUARDED)  # type: ignore[arg-type]
        a = _raw(ORDINARY, guarded, first=20)
        b = _raw(ORDINARY, unguarded, first=20)
        assert a.height == b.height > 0
        for column in ("mean", *BOUNDS):
            np.testing.assert_allclose(a[column].to_numpy(), b[column].to_numpy())

    def test_too_few_non_zero_counts_fall_back_to_naive(self) -> None:
        values: list[float | None] = [0.0, 0, 5, 0, 0, 7, 0, 0, 0, 9, 0, 40]
        config = ForecastConfig(models=MODELS, min_nonzero=8)
        raw = _raw(values, config, first=9).filter(pl.col("h") == 1)
        last = raw.filter(pl.col("origin") == _months(12)[11])
        assert last["mean"].to_list() == pytest.approx([40.0] * last.height)


class TestConformal:
    def test_ranks(self) -> None:
        assert conformal_ranks(8, 0.8) is None
        assert conformal_ranks(9, 0.8) == (1, 9)
        assert conformal_ranks(24, 0.8) == (2, 23)

    def _stacked(
        self, outcomes: np.ndarray, mean: float = 1000.0
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        n = len(outcomes)
        labels = [str(i) for i in range(n)]
        stacked = pl.DataFrame(
            {
                "unique_id": labels,
                "h": pl.Series([1] * n, dtype=pl.Int32),
                "model": ["Naive"] * n,
                "mean": [mean] * n,
                # Deliberately useless model bands: the calibration replaces them.
                "lo80": [0.0] * n,
                "hi80": [1e9] * n,
                "lo95": [0.0] * n,
                "hi95": [1e9] * n,
            }
        )
        stats = pl.DataFrame(
            {
                "unique_id": labels,
                "series": ["s|*"] * n,
                "position": list(range(n)),
                "outcomes": [[float(v), np.nan, np.nan] for v in outcomes],
            }
        )
        return stacked, stats

    def test_band_covers_about_80_percent_of_known_noise(self) -> None:
        sigma = 0.3
        rng = np.random.default_rng(7)
        outcomes = 1000.0 * np.exp(rng.normal(0.0, sigma, 600))
        stacked, stats = self._stacked(outcomes)
        out = conformal_bands(stacked, stats, ForecastConfig(calibration_window=24))
        out = out.with_columns(pl.col("unique_id").cast(pl.Int64)).sort("unique_id")
        calibrated = out.filter(pl.col("unique_id") >= 10)
        inside = (
            (calibrated["lo80"].to_numpy() <= outcomes[10:])
            & (outcomes[10:] <= calibrated["hi80"].to_numpy())
        ).mean()
        assert 0.74 <= inside <= 0.88
        z = 1.2815515655446004
        assert calibrated["hi80"].median() == pytest.approx(
            1000.0 * np.exp(z * sigma), rel=0.12
        )
        assert calibrated["lo80"].median() == pytest.approx(
            1000.0 * np.exp(-z * sigma), rel=0.12
        )
        # Before 9 residuals are known, the model's band stays (95 % contains 80 %).
        early = out.filter(pl.col("unique_id") < 9)
        assert early["hi80"].to_list() == [1e9] * 9
        assert (out["hi95"] >= out["hi80"]).all()
        assert (out["lo95"] <= out["lo80"]).all()

    def test_no_look_ahead(self) -> None:
        rng = np.random.default_rng(3)
        outcomes = 1000.0 * np.exp(rng.normal(0.0, 0.2, 60))
        changed = outcomes.copy()
        changed[40:] *= 50.0  # a later regime must not move earlier bands
        config = ForecastConfig(calibration_window=24)
        a = conformal_bands(*self._stacked(outcomes), config)
        b = conformal_bands(*self._stacked(changed), config)

        def upto(frame: pl.DataFrame) -> pl.DataFrame:
            # origin 40's h=1 outcome is the first changed one; known from 41.
            return frame.with_columns(pl.col("unique_id").cast(pl.Int64)).filter(
                pl.col("unique_id") <= 40
            )

        assert upto(a).sort("unique_id").equals(upto(b).sort("unique_id"))

    def test_end_to_end_bands_contain_the_mean(self) -> None:
        rng = np.random.default_rng(11)
        values: list[float | None] = [
            float(v) for v in np.round(3000 * np.exp(rng.normal(0, 0.25, 48)))
        ]
        config = dataclasses.replace(
            ForecastConfig(), models=("Naive", "AutoETS"), calibration_window=12
        )
        raw = _raw(values, config, first=8)
        assert (raw["lo80"] <= raw["mean"]).all()
        assert (raw["mean"] <= raw["hi80"]).all()
        assert (raw["hi80"] <= raw["hi95"]).all()


def _raw_h1(errors: dict[str, list[float]], actual: list[float]) -> pl.DataFrame:
    """h=1 forecasts at origins 0..n-2 whose error to the next count is given."""
    months = _months(len(actual))
    rows = []
    for model, errs in errors.items():
        for i, error in enumerate(errs):
            mean = actual[i + 1] + error
            rows.append(
                {
                    "series_key": "s|*",
                    "origin": months[i],
                    "model": model,
                    "h": 1,
                    "mean": mean,
                    **dict.fromkeys(BOUNDS, mean),
                }
            )
    return pl.DataFrame(rows).with_columns(
        pl.col("origin").cast(pl.Date), pl.col("h").cast(pl.Int32)
    )


class TestModelChoice:
    """The default model (the global AR) unless another beat it by a test."""

    ACTUAL: ClassVar[list[float]] = [1000.0 + 10 * i for i in range(21)]

    def _chosen_last(self, errors: dict[str, list[float]]) -> str:
        from puente.early_warning.rules.analytics.forecasts import choose_models

        actuals = _frame(list(self.ACTUAL))
        chosen = choose_models(_raw_h1(errors, self.ACTUAL), actuals)
        return str(chosen.sort("origin")["model"][-1])

    def test_a_smaller_past_error_by_chance_does_not_switch(self) -> None:
        rng = np.random.default_rng(5)
        noise = rng.normal(0.0, 100.0, 20)
        errors = {
            "GlobalAR": list(noise),
            # Smaller on average over the window, but not consistently.
            "AutoETS": list(noise * rng.choice([0.5, 1.3], 20)),
        }
        past = errors["AutoETS"][-13:-1], errors["GlobalAR"][-13:-1]
        assert np.mean(np.abs(past[0])) < np.mean(np.abs(past[1]))
        assert self._chosen_last(errors) == "GlobalAR"

    def test_a_consistently_better_model_is_chosen(self) -> None:
        rng = np.random.default_rng(7)
        base = np.abs(rng.normal(200.0, 30.0, 20))
        errors = {"GlobalAR": list(base), "AutoETS": list(base * 0.3)}
        assert self._chosen_last(errors) == "AutoETS"

    def test_the_default_is_fitted_even_when_not_listed(self) -> None:
        config = dataclasses.replace(ForecastConfig(), models=("Naive",))
        assert config.fitted_models == ("Naive", "GlobalAR")
        raw = _raw(list(ORDINARY), config, first=10)
        assert set(raw["model"].unique().to_list()) == {"Naive", "GlobalAR", "Ensemble"}

    def test_the_global_ar_is_the_naive_on_a_random_walk(self) -> None:
        rng = np.random.default_rng(13)
        walk = 5000.0 * np.exp(np.cumsum(rng.normal(0.0, 0.2, 48)))
        config = dataclasses.replace(ForecastConfig(), models=("Naive",))
        raw = _raw([float(v) for v in walk], config, first=8)
        one = raw.filter(pl.col("h") == 1).sort("origin", "model")
        naive = one.filter(pl.col("model") == "Naive")["mean"].to_numpy()
        ar = one.filter(pl.col("model") == "GlobalAR")["mean"].to_numpy()
        # Never far from the last value: the slope is shrunk towards 0.
        assert np.median(np.abs(ar / naive - 1.0)) < 0.05
