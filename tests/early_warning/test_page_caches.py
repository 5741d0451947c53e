"""Page budget caches (issue 11): forecasts made at import and kept per vintage,
source frames kept per vintage, the chart choice by one query. A new import is
never shown with the old counts or the old forecast, in this process or the next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from puente.app import create_app
from puente.core.config import Settings
from puente.early_warning import service
from puente.early_warning.models import FlowSource
from puente.early_warning.service import _common, flows, store
from puente.identity import system_actor
from puente.web.templating import env

Login = Callable[[TestClient, str], TestClient]

SOURCE = "cache_flows"
SMALL = f"{SOURCE}|nat=HTI"  # never among the forecast series: forecast on demand
MONTHS = [dt.date(2022 + i // 12, i % 12 + 1, 1) for i in range(36)]
TITLE = dict.fromkeys(("en", "es", "pt", "fr", "ht"), "Any arrivals")


def _csv(path: Path, small_base: int) -> Path:
    """Three large series and a small one whose level is `small_base`."""
    lines = ["t,nat,n"]
    for index, month in enumerate(MONTHS):
        for nat, base in (("VEN", 9000), ("COL", 5000), ("ECU", 3000)):
            lines.append(f"{month},{nat},{base + 7 * index}")
        lines.append(f"{month},HTI,{small_base + (index % 3)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(session: Session, path: Path) -> None:
    service.import_flows(
        session,
        actor=system_actor(),
        path=path,
        source=SOURCE,
        date_column="t",
        count_column="n",
        dimensions=["nat"],
        profile={"tenant": "PAN", "reporting_state": "PAN"},
    )


def _forget_memory() -> None:
    """What a new server process starts with: nothing in memory."""
    _common._ON_DEMAND.clear()
    _common._FRAMES.clear()


def _stored_keys(session: Session) -> list[str]:
    source = session.scalars(select(FlowSource).where(FlowSource.name == SOURCE)).one()
    vintage = _common.current_vintage(session, source)
    assert vintage is not None
    path = store.cache_path(vintage.store_path, _common.FORECASTS_CACHE)
    if not path.exists():
        return []
    return sorted(set(pl.read_parquet(path)["series_key"].to_list()))


class TestNeverStale:
    @pytest.mark.parametrize("new_process", [False, True])
    def test_a_new_import_shows_its_own_counts_and_forecast(
        self, session: Session, var_dir: Path, tmp_path: Path, new_process: bool
    ) -> None:
        _import(session, _csv(tmp_path / "first.csv", small_base=40))
        before = flows.series_panel(session, actor=system_actor(), series_key=SMALL)
        assert before.forecast_mean, "the small series is forecast on demand"
        assert max(before.forecast_hi80) < 1000
        assert SMALL in _stored_keys(session)  # kept beside the vintage

        _import(session, _csv(tmp_path / "second.csv", small_base=4000))
        if new_process:
            _forget_memory()
        after = flows.series_panel(session, actor=system_actor(), series_key=SMALL)
        assert before.counts[-1] is not None
        assert after.counts[-1] == before.counts[-1] + 3960
        assert min(after.forecast_mean) > 1000, "the old vintage's forecast is gone"

    def test_the_same_view_again_reads_the_kept_frame(
        self, session: Session, var_dir: Path, tmp_path: Path
    ) -> None:
        _import(session, _csv(tmp_path / "first.csv", small_base=40))
        _forget_memory()
        first = flows.series_panel(session, actor=system_actor(), series_key=SMALL)
        assert len(_common._FRAMES) == 1
        again = flows.series_panel(session, actor=system_actor(), series_key=SMALL)
        assert again.counts == first.counts
        assert again.forecast_mean == first.forecast_mean


class TestMadeAtImport:
    def test_series_with_open_firings_are_forecast_at_import_and_then_only_read(
        self,
        session: Session,
        var_dir: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        document = {
            "version": "cache-test-1",
            "triggers": [
                {"id": "any", "title": TITLE, "condition": "arrivals_month > 0"}
            ],
        }
        service.propose_catalogue(session, actor=system_actor(), document=document)
        service.adopt_catalogue(
            session, actor=system_actor(), version="cache-test-1", state="PAN"
        )
        _import(session, _csv(tmp_path / "first.csv", small_base=40))
        assert SMALL in _stored_keys(session)

        _forget_memory()

        def refit(*_args: Any, **_kwargs: Any) -> pl.DataFrame:
            raise AssertionError("a screen fitted a model the import had made")

        monkeypatch.setattr(_common, "forecast_latest", refit)
        panel = flows.series_panel(session, actor=system_actor(), series_key=SMALL)
        assert len(panel.forecast_mean) == 3
        assert max(panel.forecast_hi80) < 1000

    def test_nothing_is_made_without_open_firings(
        self, session: Session, var_dir: Path, tmp_path: Path
    ) -> None:
        _import(session, _csv(tmp_path / "first.csv", small_base=40))
        assert _stored_keys(session) == []


class TestChartChoice:
    def test_totals_first_then_the_largest_by_last_count(
        self, session: Session, var_dir: Path, tmp_path: Path
    ) -> None:
        _import(session, _csv(tmp_path / "first.csv", small_base=40))
        keys = flows.largest_series(session, actor=system_actor(), limit=3)
        assert keys == [f"{SOURCE}|*", f"{SOURCE}|nat=VEN", f"{SOURCE}|nat=COL"]


class TestTemplateCache:
    def test_compiled_templates_are_kept_for_the_next_process(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        login_as: Login,
        tmp_path: Path,
    ) -> None:
        var = tmp_path / "fresh-var"
        app = create_app(settings.model_copy(update={"var_dir": var}), sessions)
        assert env.cache is not None
        env.cache.clear()  # as a new process: nothing compiled in memory
        with TestClient(app, base_url="http://testserver") as client:
            login_as(client, "analyst.hub")
            assert client.get("/early-warning").status_code == 200
        assert list((var / "cache" / "templates").iterdir())
