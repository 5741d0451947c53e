"""The compiled forecast path gives today's per-origin results (issue 10).

`forecasts.raw_forecasts` / `choose_models` (kernels over every origin at once)
against `reference.raw_forecasts` / `choose_models` (a statsforecast call for
the naive models and a Python loop per origin) on the vendored Darién series:
the same rows, the same numbers to floating-point rounding, the same model
chosen at every origin."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from puente.early_warning.rules.analytics import backtest, forecasts, reference
from puente.early_warning.rules.analytics.forecasts import DEFAULT_FORECASTS
from puente.early_warning.rules.analytics.series import build_series
from puente.early_warning.service.reading import Mapping as ColumnMapping
from puente.early_warning.service.reading import read_table, to_counts

DATA = Path(__file__).resolve().parents[2] / "src/puente/early_warning/data"
KEYS = ("series_key", "origin", "model", "h")


class Panel:
    def __init__(self, actuals: pl.DataFrame) -> None:
        self.actuals = actuals
        self.origin_dates = backtest.forecastable_origins(
            actuals, DEFAULT_FORECASTS.min_history
        )


@pytest.fixture(scope="module")
def panel() -> Panel:
    """The Darién series as `puente flows import` builds them; the scored ones."""
    profiles: dict[str, Any] = json.loads((DATA / "profiles.json").read_text("utf-8"))
    profile = profiles["darien_nat"]
    start = str(profile["from"])
    mapping = ColumnMapping(
        date_column=profile["date_column"],
        count_column=profile["count_column"],
        dimensions=tuple(profile["dimensions"]),
        from_period=dt.date(int(start[:4]), int(start[5:7]), 1),
    )
    counts, _ = to_counts(read_table(DATA / profile["file"]), mapping, profile["file"])
    series = build_series(
        counts,
        source="darien_nat",
        dimensions=profile["dimensions"],
        reporting_state=profile.get("reporting_state"),
    )
    keys = backtest.scored_series(series, series["series_key"].unique().to_list())
    return Panel(
        series.filter(pl.col("series_key").is_in(keys))
        .select("series_key", "period", "count")
        .sort("series_key", "period")
    )


def _same(old: pl.DataFrame, new: pl.DataFrame) -> None:
    assert old.height == new.height > 0
    joined = old.join(new, on=list(KEYS), how="full", suffix="_new")
    assert joined.height == old.height
    for column in ("mean", "lo80", "hi80", "lo95", "hi95"):
        a = joined[column].to_numpy()
        b = joined[f"{column}_new"].to_numpy()
        assert (np.isnan(a) == np.isnan(b)).all(), column
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-9, err_msg=column)


def _same_choice(old: pl.DataFrame, new: pl.DataFrame) -> None:
    joined = old.join(new, on=["series_key", "origin"], how="full", suffix="_new")
    assert joined.height == old.height == new.height > 0
    assert joined.filter(pl.col("model").ne_missing(pl.col("model_new"))).is_empty()


@pytest.mark.slow
def test_naive_models_and_choice_match_on_every_darien_series(panel: Panel) -> None:
    config = replace(DEFAULT_FORECASTS, models=("Naive", "SeasonalNaive"))
    origins = panel.origin_dates
    old = reference.raw_forecasts(panel.actuals, origins, config)
    new = forecasts.raw_forecasts(panel.actuals, origins, config)
    _same(old, new)
    _same_choice(
        reference.choose_models(old, panel.actuals, config),
        forecasts.choose_models(old, panel.actuals, config),
    )


@pytest.mark.slow
def test_with_autoets_the_ensemble_and_the_choice_match(panel: Panel) -> None:
    config = replace(DEFAULT_FORECASTS, models=("Naive", "SeasonalNaive", "AutoETS"))
    origins = dict(sorted(panel.origin_dates.items())[:2])
    old = reference.raw_forecasts(panel.actuals, origins, config)
    new = forecasts.raw_forecasts(panel.actuals, origins, config, n_jobs=2)
    _same(old, new)
    assert set(new["model"].unique()) >= {"AutoETS", "Ensemble", "GlobalAR"}
    chosen = forecasts.choose_models(new, panel.actuals, config)
    _same_choice(reference.choose_models(old, panel.actuals, config), chosen)


def test_a_switch_needs_a_significant_win() -> None:
    """The kernel's Diebold-Mariano rule, on hand-made errors: a challenger
    better by chance stays unchosen; a consistently better one is chosen."""
    periods = pl.date_range(
        pl.date(2020, 1, 1), pl.date(2021, 12, 1), "1mo", eager=True
    )
    actual = np.full(len(periods), 100.0)
    actuals = pl.DataFrame({"series_key": "s", "period": periods, "count": actual})
    rows = []
    rng = np.random.default_rng(1)
    for i, origin in enumerate(periods[:-1]):
        rows.append(("GlobalAR", origin, 100.0 + 10.0))
        rows.append(("Naive", origin, 100.0 + (9.0 if i % 2 else 11.5)))
        rows.append(("AutoETS", origin, 100.0 + 2.0 + rng.normal(0, 0.1)))
    raw = pl.DataFrame(
        {
            "series_key": "s",
            "origin": [r[1] for r in rows],
            "model": [r[0] for r in rows],
            "h": pl.Series([1] * len(rows), dtype=pl.Int32),
            "mean": [r[2] for r in rows],
        }
    )
    new = forecasts.choose_models(raw, actuals, DEFAULT_FORECASTS)
    old = reference.choose_models(raw, actuals, DEFAULT_FORECASTS)
    _same_choice(old, new)
    late = new.filter(pl.col("origin") >= pl.date(2020, 6, 1))["model"].unique()
    assert late.to_list() == ["AutoETS"]
