"""The backtest at scale through the CLI (issue 10): a synthetic source of 400
series x 90 months (`analytics.synthetic`: gaps, zeros, trends, breaks) is
imported with `puente flows import` and replayed with `puente flows backtest`.
The full 4,000 x 90 figure is in `benchmarks/early_warning.py --backtest`; no
time bound here (on the machine shared by eight jobs this run took 703 s of
wall time at ~7 % of a core, which says nothing about the code)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from puente.core import db as core_db
from puente.core.config import get_settings
from puente.core.migrate import upgrade
from puente.early_warning.rules.analytics.synthetic import synthetic_flows

SERIES, MONTHS = 400, 90


@pytest.fixture(scope="module")
def run(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[dict[str, Any], float]]:
    from puente.cli import app

    root = tmp_path_factory.mktemp("scale")
    saved = {
        k: os.environ.get(k)  # noqa: TID251 - test switch
        for k in ("PUENTE_DATABASE_URL", "PUENTE_VAR_DIR")
    }
    os.environ["PUENTE_DATABASE_URL"] = f"sqlite:///{root / 'p.db'}"  # noqa: TID251
    os.environ["PUENTE_VAR_DIR"] = str(root / "var")  # noqa: TID251
    get_settings.cache_clear()
    core_db.dispose_engines()
    upgrade("heads")
    flows = root / "synthetic.csv"
    synthetic_flows(SERIES, MONTHS).write_csv(flows)
    events = root / "events.csv"
    events.write_text("event_id,where,start,peak\nsurge,*,2020-03,2020-08\n", "utf-8")
    runner = CliRunner()
    imported = runner.invoke(
        app,
        [
            "flows", "import", str(flows), "--source", "synthetic",
            "--date-column", "t", "--count-column", "n", "--dimension", "nat",
        ],
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    started = time.perf_counter()
    result = runner.invoke(
        app,
        [
            "flows",
            "backtest",
            "--source",
            "synthetic",
            "--events",
            str(events),
            "--json",
        ],
    )
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    yield json.loads(result.stdout), seconds
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)  # noqa: TID251
        else:
            os.environ[key] = value  # noqa: TID251
    get_settings.cache_clear()
    core_db.dispose_engines()


@pytest.mark.slow
class TestBacktestAtScale:
    def test_scores_the_eligible_series_of_the_source(
        self, run: tuple[dict[str, Any], float]
    ) -> None:
        report, _ = run
        scored = report["forecast_series"]
        # The generator puts about a third of the series below the scoring
        # floor (mean < 100 a month); the rest, and the total, are scored.
        assert SERIES // 3 < len(scored) < SERIES
        assert all(s["origins"] >= 16 for s in scored.values())
        assert 0.5 < report["mase_h1"] < 1.5
        assert report["coverage_80"] is not None
        assert report["events"][0]["event_id"] == "surge"
