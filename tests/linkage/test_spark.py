"""The same Splink model on a local Spark (the backend for tens of millions of
records): a model trained once (here on DuckDB, as a registry's model is) predicts
on Spark exactly the pairs and scores it predicts on DuckDB."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from puente.linkage import Backend, choose_rules, predict, prepare, train
from puente.linkage.evaluate import pair_scores, true_pair_count
from puente.linkage.records import records_from_frame
from puente.people import linkage_name_rules

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java", allow_module_level=True)


@pytest.mark.slow
def test_spark_backend_predicts_like_duckdb(
    febrl3: pd.DataFrame, spark: object
) -> None:
    subset = febrl3.iloc[:2500].reset_index(drop=True)  # enough for EM
    records = records_from_frame(
        subset, name="febrl3", id_column="rec_id", truth_column="truth"
    )
    training = prepare(records, linkage_name_rules())
    rules = choose_rules(training)
    model = train(training, rules=rules)
    # Spark's cost is its steps, not these rows: predict on a fifth of them
    prepared = training.iloc[:500].reset_index(drop=True)
    found = predict(model, prepared, backend=Backend.SPARK, spark=spark)
    assert found.pairs_compared > 100
    index = pd.Index(prepared["unique_id"])
    i = np.asarray(index.get_indexer(found.left))
    j = np.asarray(index.get_indexer(found.right))
    truth = prepared["truth"].to_numpy(dtype=str)
    _p, _r, f1 = pair_scores(truth, truth, i, j, true_pair_count(truth, None))
    assert f1 >= 0.97
    reference = predict(model, prepared)
    assert found.pairs_compared == reference.pairs_compared
    spark_scores = dict(
        zip(zip(found.left, found.right, strict=True), found.probability, strict=True)
    )
    duckdb_scores = dict(
        zip(
            zip(reference.left, reference.right, strict=True),
            reference.probability,
            strict=True,
        )
    )
    assert spark_scores.keys() == duckdb_scores.keys()
    for pair, probability in duckdb_scores.items():
        # term frequencies are summed in another order: last digits differ
        assert spark_scores[pair] == pytest.approx(probability, abs=1e-4)
