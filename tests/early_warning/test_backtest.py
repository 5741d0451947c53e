"""The backtest command contract and the Darién must-show (issue 3)."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from puente.core import db as core_db
from puente.core.config import get_settings
from puente.core.migrate import upgrade
from puente.early_warning.rules.analytics.backtest import geometric_mean, scored_series

DATA = Path(__file__).resolve().parents[2] / "src/puente/early_warning/data"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Import the vendored Darién file through the CLI into a fresh SQLite
    database, then run the backtest CLI with the default catalogue."""
    from puente.cli import app

    root = tmp_path_factory.mktemp("backtest")
    saved = {
        k: os.environ.get(k)  # noqa: TID251 - test switch
        for k in ("PUENTE_DATABASE_URL", "PUENTE_VAR_DIR")
    }
    os.environ["PUENTE_DATABASE_URL"] = f"sqlite:///{root / 'p.db'}"  # noqa: TID251
    os.environ["PUENTE_VAR_DIR"] = str(root / "var")  # noqa: TID251
    get_settings.cache_clear()
    core_db.dispose_engines()
    upgrade("heads")
    runner = CliRunner()
    imported = runner.invoke(
        app,
        [
            "flows", "import",
            str(DATA / "darien_irregular_transits_by_nationality_monthly.csv"),
            "--source", "darien_nat",
            "--date-column", "t", "--count-column", "n", "--dimension", "nat",
        ],
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    html = root / "report.html"
    result = runner.invoke(
        app,
        [
            "flows", "backtest", "--source", "darien_nat",
            "--events", str(DATA / "darien_events.csv"), "--json",
            "--html", str(html),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "vega" in html.read_text("utf-8")
    yield json.loads(result.stdout)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)  # noqa: TID251
        else:
            os.environ[key] = value  # noqa: TID251
    get_settings.cache_clear()
    core_db.dispose_engines()


@pytest.mark.slow
class TestDarienBacktest:
    def test_prints_the_contract_object(self, report: dict[str, Any]) -> None:
        # The contract's keys, plus the per-series forecast figures.
        assert set(report) == {
            "events",
            "false_alarms_per_series_year",
            "mase_h1",
            "mase_h3",
            "coverage_80",
            "forecast_series",
        }
        assert set(report["events"][0]) == {
            "event_id",
            "series",
            "peak",
            "first_alert",
            "lead_months",
            "detected",
        }

    def test_detects_the_three_waves_two_with_lead(
        self, report: dict[str, Any]
    ) -> None:
        events = {e["event_id"]: e for e in report["events"]}
        assert set(events) == {"darien_2021", "darien_2022", "darien_2023"}
        assert all(e["detected"] for e in events.values())
        assert sum(e["lead_months"] >= 1 for e in events.values()) >= 2

    def test_at_most_one_false_alarm_per_series_year(
        self, report: dict[str, Any]
    ) -> None:
        assert report["false_alarms_per_series_year"] <= 1

    def test_forecasts_are_scored_on_every_eligible_series(
        self, report: dict[str, Any]
    ) -> None:
        scored = report["forecast_series"]
        assert "darien_nat|*" in scored
        assert "darien_nat|nat=VEN" in scored
        assert len(scored) > 5
        ratios = [s["mase_h1"] for s in scored.values() if s["mase_h1"]]
        geometric = float(np.exp(np.mean(np.log(ratios))))
        assert report["mase_h1"] == pytest.approx(geometric, abs=1e-3)

    def test_band_is_calibrated(self, report: dict[str, Any]) -> None:
        # Split-conformal 80 % band: was 0.891 with the models' own intervals.
        assert 0.7 <= report["coverage_80"] <= 0.87

    def test_false_alarms_are_counted_on_the_total(
        self, report: dict[str, Any]
    ) -> None:
        assert {e["series"] for e in report["events"]} == {"darien_nat|*"}

    def test_forecast_beats_naive_at_h1(self, report: dict[str, Any]) -> None:
        # The must-show. Measured 0.9984: below 1, but by less than noise (the
        # Diebold-Mariano test cannot tell it from the naive forecast, see
        # docs/forecast-evaluation.md); the old choice of the smallest past
        # error measured 1.0239, significantly worse than the naive.
        assert report["mase_h1"] < 1

    def test_no_scored_series_is_much_worse_than_naive(
        self, report: dict[str, Any]
    ) -> None:
        # The default model nests the naive forecast and only leaves it on
        # evidence: no series may pay for the others (AutoARIMA alone reached
        # 1.22 at h=3 on AFG, the old choice 1.11 at h=1 on CHN).
        for key, scores in report["forecast_series"].items():
            assert scores["mase_h1"] < 1.05, key
            assert scores["mase_h3"] < 1.05, key

    def test_malformed_file_exits_non_zero_naming_row_and_column(
        self, report: dict[str, Any], tmp_path: Path
    ) -> None:
        from puente.cli import app

        bad = tmp_path / "bad.csv"
        bad.write_text("t,nat,n\n2024-01-01,VEN,x\n", encoding="utf-8")
        result = CliRunner().invoke(
            app,
            [
                "flows", "import", str(bad), "--source", "bad_source",
                "--date-column", "t", "--count-column", "n", "--dimension", "nat",
            ],
        )  # fmt: skip
        assert result.exit_code != 0
        assert "row 2, column n" in result.output


class TestScope:
    def test_scored_series_need_24_months_and_volume(self) -> None:
        months = [dt.date(2020 + i // 12, i % 12 + 1, 1) for i in range(30)]
        rows: dict[str, list[float | None]] = {
            "s|*": [500.0] * 30,
            "s|nat=A": [150.0] * 30,
            "s|nat=B": [20.0] * 30,  # too small
            "s|nat=C": [None] * 10 + [900.0] * 20,  # too short
        }
        series = pl.DataFrame(
            {
                "series_key": [k for k in rows for _ in months],
                "period": [m for _ in rows for m in months],
                "count": [v for values in rows.values() for v in values],
            }
        )
        assert scored_series(series, list(rows)) == ["s|*", "s|nat=A"]
        assert scored_series(series, ["s|nat=A"]) == ["s|nat=A"]

    def testgeometric_mean_of_ratios(self) -> None:
        assert geometric_mean([0.5, 2.0]) == 1.0
        assert geometric_mean([None, 0.8]) == 0.8
        assert geometric_mean([]) is None
