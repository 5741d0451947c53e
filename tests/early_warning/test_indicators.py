"""Indicators, detectors and forecasts on tiny frames."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from puente.early_warning.rules.analytics.detection import add_detectors
from puente.early_warning.rules.analytics.forecasts import (
    ForecastConfig,
    forecast_latest,
)
from puente.early_warning.rules.analytics.indicators import VARIABLES, add_indicators
from puente.early_warning.rules.analytics.series import (
    build_series,
    parse_series_key,
    series_key,
)


def _months(n: int) -> list[dt.date]:
    return [dt.date(2020 + (i // 12), i % 12 + 1, 1) for i in range(n)]


def _long(values: dict[str, list[float | None]]) -> pl.DataFrame:
    rows = [
        {"period": period, "nat": nat, "count": value}
        for nat, series in values.items()
        for period, value in zip(_months(len(series)), series, strict=True)
        if value is not None or nat == "VEN"
    ]
    return pl.DataFrame(
        rows, schema={"period": pl.Date, "nat": pl.Utf8, "count": pl.Float64}
    )


class TestSeries:
    def test_keys_round_trip(self) -> None:
        key = series_key("lh", {"nat": "VEN", "geo": "PAN"})
        assert key == "lh|geo=PAN,nat=VEN"
        assert parse_series_key(key) == ("lh", {"geo": "PAN", "nat": "VEN"})
        assert series_key("lh", {}) == "lh|*"

    def test_rolls_up_to_the_total_and_keeps_missing(self) -> None:
        counts = _long({"VEN": [10, None, 30], "HTI": [1, 2, 3]})
        series = build_series(counts, source="s", dimensions=["nat"])
        total = series.filter(pl.col("series_key") == "s|*")["count"].to_list()
        assert total == [11.0, None, 33.0]


class TestIndicators:
    def test_growth_rolling_share_and_rate(self) -> None:
        counts = _long({"VEN": [10, 20, 30, 60], "HTI": [10, 0, 10, 20]})
        series = build_series(
            counts, source="s", dimensions=["nat"], reporting_state="PAN"
        )
        population = pl.DataFrame(
            {"iso3": ["PAN"], "year": [2020], "population": [1_000_000]}
        )
        frame = add_indicators(series, population)
        ven = frame.filter(pl.col("series_key") == "s|nat=VEN").sort("period")
        assert ven["growth_1m"].to_list() == [None, 1.0, 0.5, 1.0]
        assert ven["rolling_3m"].to_list() == [None, None, 60.0, 110.0]
        assert ven["share_of_total"].to_list()[1] == 1.0
        assert ven["per_100k"].to_list()[3] == pytest.approx(6.0)
        assert ven["months_of_data"].to_list() == [1, 2, 3, 4]

    def test_no_look_ahead(self) -> None:
        values: list[float | None] = [float(v) for v in (5, 7, 6, 9, 8, 30, 40, 8)]
        values = values * 3
        counts = _long({"VEN": values})
        full = add_detectors(
            add_indicators(build_series(counts, source="s", dimensions=["nat"]))
        )
        cut = counts.filter(pl.col("period") <= _months(20)[-1])
        part = add_detectors(
            add_indicators(build_series(cut, source="s", dimensions=["nat"]))
        )
        names = [n for n in VARIABLES if n in part.columns and n != "farrington_alarm"]
        left = full.filter(pl.col("period") <= _months(20)[-1]).select(
            "series_key", "period", *names
        )
        assert left.sort("series_key", "period").equals(
            part.select("series_key", "period", *names).sort("series_key", "period")
        )

    def test_detectors_flag_a_jump(self) -> None:
        values: list[float | None] = [
            100,
            102,
            98,
            101,
            99,
            100,
            103,
            97,
            100,
            101,
            400,
        ]
        frame = add_detectors(
            add_indicators(
                build_series(_long({"VEN": values}), source="s", dimensions=["nat"])
            )
        )
        last = frame.filter(pl.col("series_key") == "s|*").sort("period").tail(1)
        assert last["c1_alarm"][0] is True
        assert last["c2_alarm"][0] is True


class TestForecasts:
    def test_intervals_and_exceedance(self) -> None:
        values: list[float | None] = [float(1000 + 100 * i) for i in range(14)]
        series = build_series(_long({"VEN": values}), source="s", dimensions=["nat"])
        out = forecast_latest(
            series,
            ["s|*"],
            ForecastConfig(selection_window=3, models=("Naive", "AutoETS")),
        )
        row = out.row(0, named=True)
        assert row["forecast_h1_lo80"] <= row["forecast_h1"] <= row["forecast_h1_hi80"]
        assert row["forecast_h1_hi80"] <= row["forecast_h1_hi95"]
        assert 0.0 <= row["p_exceed_5000"] <= 0.5
