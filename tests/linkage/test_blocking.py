"""Each blocking rule's recall and pairs on a labelled set (FEBRL3, no SSN)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from puente.linkage import CANDIDATE_RULES, candidate_pairs, choose_rules, prepare
from puente.linkage.blocking import BlockingRule, count_pairs
from puente.linkage.records import records_from_frame
from puente.people import linkage_name_rules


def _prepared(febrl3: pd.DataFrame) -> pd.DataFrame:
    records = records_from_frame(
        febrl3, name="febrl3", id_column="rec_id", truth_column="truth"
    )
    return prepare(records, linkage_name_rules())


def _recall(prepared: pd.DataFrame, rules: list[BlockingRule]) -> tuple[float, int]:
    i, j = candidate_pairs(prepared, None, rules)
    truth = prepared["truth"].to_numpy(dtype=str)
    counts = pd.Series(truth).value_counts()
    true_pairs = int((counts * (counts - 1) // 2).sum())
    return float((truth[i] == truth[j]).sum() / true_pairs), len(i)


def test_each_rule_recall_and_pairs_on_febrl3(febrl3: pd.DataFrame) -> None:
    prepared = _prepared(febrl3)
    measured = {}
    for rule in CANDIDATE_RULES:
        recall, pairs = _recall(prepared, [rule])
        measured[rule.name] = (recall, pairs)
        assert pairs == count_pairs(prepared, None, rule)  # counting agrees
    # Single keys catch a fraction each; none is enough alone.
    assert 0.80 < measured["birth date"][0] < 0.95
    assert measured["given and family names"][0] < 0.5
    assert measured["postcode and street number"][1] < 10_000
    chosen = choose_rules(prepared)
    recall, pairs = _recall(prepared, chosen)
    assert recall >= 0.997  # the union (peers: 0.985)
    assert pairs <= 12 * len(prepared) + 400_000


def test_budget_skips_rules_that_would_explode() -> None:
    frame = pd.DataFrame(
        {
            "gn": ["ana"] * 300,
            "sn": [f"s{i}" for i in range(300)],
            "dob": [f"2000010{i % 9 + 1}" for i in range(300)],
        }
    )
    chosen = choose_rules(frame, budget=5_000)
    names = [rule.name for rule in chosen]
    assert "given name" not in names  # 44,850 pairs alone
    assert "birth date" in names


def test_crosswise_rule_pairs_names_swapped() -> None:
    frame = pd.DataFrame({"gn1": ["ana", "ruiz", "eva"], "sn1": ["ruiz", "ana", "paz"]})
    rule = BlockingRule("names swapped", ("gn1", "sn1"), crosswise=True)
    i, j = candidate_pairs(frame, None, [rule])
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 1)]
    assert np.all(i < j)


def test_rule_columns_must_be_identifiers() -> None:
    import pytest

    with pytest.raises(ValueError, match="identifiers"):
        BlockingRule("bad", ("gn; DROP TABLE x",))
