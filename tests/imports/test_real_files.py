"""Every shipped flow file imports under a source name no profile knows
(issue 9 item 9): the detectors run on every series and a series too short for
Farrington records no verdict instead of failing the import."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.early_warning import service
from puente.early_warning.demo import profiles
from puente.early_warning.models import FlowSource, FlowSourceProfile, FlowVintage
from puente.early_warning.rules.analytics.detection import add_detectors
from puente.early_warning.service import store
from puente.early_warning.service._common import (
    DATA_DIR,
    current_vintage,
    forecast_keys,
    series_frame,
)
from puente.identity import system_actor

FLOW_FILES = sorted(
    path
    for path in DATA_DIR.glob("*.csv")
    if path.name not in {"darien_events.csv", "lad_endorsers_pop_gdp_2015_2024.csv"}
)


def test_the_shipped_flow_files_are_found() -> None:
    assert len(FLOW_FILES) >= 8


@pytest.mark.parametrize("path", FLOW_FILES, ids=lambda p: p.stem)
def test_a_shipped_file_imports_under_a_new_source_name(
    session: Session, var_dir: Path, path: Path
) -> None:
    """The file's shipped profile (duplicates, blanks) under a new name, so the
    annual rows and short series a demo profile filters out are all there."""
    with path.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    dimensions = [c for c in header if c not in {"t", "q", "n"}]
    known = next(
        (p for p in profiles().values() if p["file"] == path.name), {"tenant": "PAN"}
    )
    options = {k: v for k, v in known.items() if k not in {"from", "to", "title"}}
    source = f"new_{path.stem[:40]}"
    summary = service.import_flows(
        session,
        actor=system_actor(),
        path=path,
        source=source,
        date_column="t",
        count_column="n",
        dimensions=dimensions,
        profile=options,
    )
    assert summary.is_new_vintage
    assert summary.row_count > 0
    row = session.scalars(select(FlowSource).where(FlowSource.name == source)).one()
    vintage = current_vintage(session, row)
    assert vintage is not None
    profile = session.get(FlowSourceProfile, vintage.profile_id)
    assert profile is not None
    series = series_frame(row, profile, store.read_counts(vintage.store_path))
    # Farrington on the series the dashboard fits; none fails.
    frame = add_detectors(series, farrington_keys=forecast_keys(series))
    assert frame.height == series.height
    assert frame.filter(pl.col("level") == 0).height > 0
    assert session.scalar(select(func.count(FlowVintage.id))) == 1


def test_the_darien_file_without_any_profile_runs_every_detector(
    session: Session, var_dir: Path
) -> None:
    """The case of issue 9: annual rows then months, series of every length;
    the Farrington fit with no residual degrees of freedom gives no verdict."""
    path = DATA_DIR / "darien_irregular_transits_by_nationality_monthly.csv"
    service.import_flows(
        session,
        actor=system_actor(),
        path=path,
        source="darien_renamed",
        date_column="t",
        count_column="n",
        dimensions=["nat"],
    )
    row = session.scalars(
        select(FlowSource).where(FlowSource.name == "darien_renamed")
    ).one()
    vintage = current_vintage(session, row)
    assert vintage is not None
    profile = session.get(FlowSourceProfile, vintage.profile_id)
    assert profile is not None
    series = series_frame(row, profile, store.read_counts(vintage.store_path))
    keys = series["series_key"].unique().to_list()
    frame = add_detectors(series, farrington_keys=keys)
    verdicts = frame.group_by("series_key").agg(
        pl.col("farrington_alarm").is_not_null().any().alias("has")
    )
    # some series are fitted, some (too short or degenerate) have no verdict
    assert verdicts["has"].any()
    assert not verdicts["has"].all()
