"""Flow import: validation, idempotence, vintages, missing values."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core.config import Settings
from puente.early_warning import service
from puente.early_warning.errors import FlowFileRejected
from puente.early_warning.models import FlowSeries, FlowVintage
from puente.early_warning.schemas import ImportSummary
from puente.identity import system_actor


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _import(session: Session, path: Path, source: str = "test_flows") -> ImportSummary:
    return service.import_flows(
        session,
        actor=system_actor(),
        path=path,
        source=source,
        date_column="t",
        count_column="n",
        dimensions=["nat"],
        profile={"tenant": "PAN", "reporting_state": "PAN"},
    )


class TestImportFlows:
    def test_rejects_a_bad_count_naming_row_and_column_and_writes_nothing(
        self, session: Session, var_dir: Path, tmp_path: Path
    ) -> None:
        path = _write(
            tmp_path / "bad.csv", "t,nat,n\n2024-01-01,VEN,10\n2024-02-01,VEN,ten\n"
        )
        with pytest.raises(FlowFileRejected) as caught:
            _import(session, path)
        assert "bad.csv, row 3, column n" in caught.value.problems[0]
        assert session.scalar(select(func.count(FlowVintage.id))) == 0
        assert not (var_dir / "flows").exists() or not any(
            (var_dir / "flows").rglob("*.parquet")
        )

    def test_names_a_missing_column(
        self, session: Session, var_dir: Path, tmp_path: Path
    ) -> None:
        path = _write(tmp_path / "cols.csv", "date,nat,n\n2024-01-01,VEN,1\n")
        with pytest.raises(FlowFileRejected) as caught:
            _import(session, path)
        assert "row 1, column t" in caught.value.problems[0]

    def test_same_content_twice_changes_nothing(
        self, session: Session, var_dir: Path, tmp_path: Path
    ) -> None:
        path = _write(tmp_path / "ok.csv", "t,nat,n\n2024-01-01,VEN,10\n")
        first = _import(session, path)
        second = _import(session, path)
        assert first.is_new_vintage
        assert not second.is_new_vintage
        assert session.scalar(select(func.count(FlowVintage.id))) == 1

    def test_changed_content_is_a_new_vintage_and_keeps_the_old(
        self, session: Session, var_dir: Path, tmp_path: Path
    ) -> None:
        path = _write(tmp_path / "ok.csv", "t,nat,n\n2024-01-01,VEN,10\n")
        _import(session, path)
        _write(path, "t,nat,n\n2024-01-01,VEN,10\n2024-02-01,VEN,12\n")
        _import(session, path)
        assert session.scalar(select(func.count(FlowVintage.id))) == 2
        assert len(list((var_dir / "flows").rglob("counts.parquet"))) == 2

    def test_a_month_without_report_stays_missing(
        self, session: Session, var_dir: Path, tmp_path: Path
    ) -> None:
        path = _write(
            tmp_path / "gap.csv",
            "t,nat,n\n2024-01-01,VEN,10\n2024-01-01,HTI,5\n2024-03-01,VEN,7\n",
        )
        summary = _import(session, path)
        assert summary.missing_periods == 1
        panel = service.series_panel(
            session, actor=system_actor(), series_key="test_flows|nat=HTI"
        )
        assert panel.counts == [5.0, None, 0.0]
        total = session.scalars(
            select(FlowSeries).where(FlowSeries.series_key == "test_flows|*")
        ).one()
        assert total.months_of_data == 2

    def test_reads_hxl_tags_and_xlsx(
        self, session: Session, var_dir: Path, tmp_path: Path
    ) -> None:
        from openpyxl import Workbook

        hxl = _write(
            tmp_path / "hxl.csv",
            "t,nat,n\n#date,#country+code,#affected+num\n2024-01-01,VEN,3\n",
        )
        summary = service.import_flows(
            session,
            actor=system_actor(),
            path=hxl,
            source="hxl_flows",
            date_column="#date",
            count_column="#affected+num",
            dimensions=["#country+code"],
            profile={"tenant": "PAN"},
        )
        assert summary.row_count == 1
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["t", "nat", "n"])
        sheet.append(["2024-01-01", "VEN", 4])
        book.save(tmp_path / "flows.xlsx")
        summary = _import(session, tmp_path / "flows.xlsx", source="xlsx_flows")
        assert summary.row_count == 1


class TestForecastOnDemand:
    def test_a_series_outside_the_live_forecasts_gets_one_when_asked(
        self, session: Session, var_dir: Path, tmp_path: Path
    ) -> None:
        """Live forecasts cover the total and the two largest series; an alert
        on a smaller one still sizes its plan from a forecast."""
        lines = ["t,nat,n"]
        for i in range(24):
            month = f"{2023 + i // 12}-{i % 12 + 1:02d}-01"
            lines += [
                f"{month},VEN,{1000 + 10 * i}",
                f"{month},HTI,{800 + 5 * i}",
                f"{month},COL,{600 + 3 * i}",
                f"{month},CUB,{40 + i}",
            ]
        _import(session, _write(tmp_path / "four.csv", "\n".join(lines) + "\n"))
        frame = service.source_frame(
            session,
            service.flows._visible_source(session, system_actor(), "test_flows"),
        )
        cub = frame.filter(frame["series_key"] == "test_flows|nat=CUB")
        assert cub["forecast_h1"].is_null().all()  # not a live forecast series
        panel = service.series_panel(
            session, actor=system_actor(), series_key="test_flows|nat=CUB"
        )
        assert panel.forecast_model is not None
        assert len(panel.forecast_hi80) == 3
        assert panel.forecast_periods[0].isoformat() == "2025-01-01"
        # Sized from the last count (63), not from nothing or a runaway.
        assert 40 < panel.forecast_mean[0] < 100
        assert panel.forecast_hi80[0] >= panel.forecast_mean[0]


class TestSourceNameIsNotAPath:
    @pytest.mark.parametrize(
        "source", ["../../../../tmp/x", "a/b", "..", "/var/x", ".x", "x" * 61]
    )
    def test_service_refuses_a_path_like_source_and_writes_nothing(
        self, session: Session, var_dir: Path, tmp_path: Path, source: str
    ) -> None:
        from puente.core.paths import UnsafeName

        path = _write(tmp_path / "ok.csv", "t,nat,n\n2024-01-01,VEN,10\n")
        with pytest.raises(UnsafeName):
            _import(session, path, source=source)
        assert session.scalar(select(func.count(FlowVintage.id))) == 0
        assert not any(tmp_path.rglob("*.parquet"))

    def test_cli_refuses_traversal_outside_the_flow_store(
        self, settings: Settings, var_dir: Path, tmp_path: Path
    ) -> None:
        from typer.testing import CliRunner

        from puente.cli import app

        path = _write(tmp_path / "ok.csv", "t,nat,n\n2024-01-01,VEN,10\n")
        target = tmp_path / "escape"
        source = "../" * 12 + str(target).lstrip("/")
        result = CliRunner().invoke(
            app,
            [
                "flows", "import", str(path), "--source", source,
                "--date-column", "t", "--count-column", "n", "--dimension", "nat",
            ],
        )  # fmt: skip
        assert result.exit_code == 2, result.output
        assert "source" in result.output
        assert not target.exists()
        assert not any(tmp_path.rglob("*.parquet"))
