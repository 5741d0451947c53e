"""Run a linkage end to end and measure it against a truth column.

Precision, recall and F1 are over record pairs: a predicted pair is right when
both records carry the same (non-empty) truth value; recall counts every true
pair in the data, so pairs lost in blocking are misses. `seconds` is the wall
time from reading the files to the decision; `peak_mb` the process's peak
resident memory.
"""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from puente.linkage import decide, splink_model
from puente.linkage.blocking import choose_rules
from puente.linkage.pprl import Encoder, EncodingConfig, link_encodings
from puente.linkage.records import NameRules, RecordSet, prepare, read_records

DEDUPE_THRESHOLD = 0.9
TRAINING_SAMPLE = 200_000  # records a one-registry model is trained on


class Mode(StrEnum):
    PLAINTEXT = "plaintext"
    PPRL = "pprl"


@dataclass(frozen=True, slots=True)
class Evaluation:
    precision: float
    recall: float
    f1: float
    seconds: float
    peak_mb: float
    pairs_compared: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def peak_mb() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return round(usage / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def true_pair_count(left: np.ndarray, right: np.ndarray | None) -> int:
    """How many pairs share a truth value (blank truth values match nothing)."""
    counts_left = pd.Series(left[left != ""]).value_counts()
    if right is None:
        return int((counts_left * (counts_left - 1) // 2).sum())
    counts_right = pd.Series(right[right != ""]).value_counts()
    shared = counts_left.index.intersection(counts_right.index)
    return int((counts_left[shared] * counts_right[shared]).sum())


def pair_scores(
    truth_left: np.ndarray,
    truth_right: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    true_pairs: int,
) -> tuple[float, float, float]:
    a, b = truth_left[i], truth_right[j]
    correct = int(((a == b) & (a != "")).sum())
    precision = correct / len(i) if len(i) else 0.0
    recall = correct / true_pairs if true_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _positions(ids: pd.Series, chosen: list[str]) -> np.ndarray:
    index = pd.Index(ids.astype(str))
    return np.asarray(index.get_indexer(chosen), dtype=np.int64)


def link_plaintext(
    left: pd.DataFrame, right: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray, int]:
    """Splink: train on these records, predict, cluster or assign one-to-one."""
    rules = choose_rules(left, right)
    model = splink_model.train(left, right, rules=rules, sample=TRAINING_SAMPLE)
    # One registry: the decision is a cluster, so one wrong link could join
    # two people's records transitively; decide at 0.9, and never join two
    # records scored as different people (`decide.clusters_kept_apart`). Two
    # registries get a one-to-one assignment instead, which already guards
    # precision.
    threshold = DEDUPE_THRESHOLD if right is None else splink_model.MATCH_THRESHOLD
    predictions = splink_model.predict(model, left, right, threshold=threshold)
    if right is None:
        labels = pd.Series(predictions.clusters)
        codes = labels.reindex(left["unique_id"].astype(str)).to_numpy()
        codes = np.where(np.isnan(codes), -1 - np.arange(len(codes)), codes)
        factor, _ = pd.factorize(codes)
        i, j = decide.cluster_pairs(factor.astype(np.int64))
        return i, j, predictions.pairs_compared
    li = _positions(left["unique_id"], predictions.left)
    rj = _positions(right["unique_id"], predictions.right)
    i, j = decide.one_to_one(li, rj, np.asarray(predictions.probability))
    return i, j, predictions.pairs_compared


def link_pprl(
    left: pd.DataFrame, right: pd.DataFrame | None, secret: bytes
) -> tuple[np.ndarray, np.ndarray, int]:
    """Encode both sides under one secret, then link the encodings only."""
    config = EncodingConfig()
    encoder = Encoder(secret, config)
    left_encoding = encoder.encode(left)
    right_encoding = encoder.encode(right) if right is not None else None
    result = link_encodings(
        left_encoding,
        right_encoding,
        blocking=list(config.blocking),
        hardening=config.hardening,
    )
    return result.matched_i, result.matched_j, result.pairs_compared


def evaluate_records(
    left: RecordSet,
    right: RecordSet | None,
    *,
    mode: Mode,
    rules: NameRules | None = None,
    secret: bytes = b"puente-evaluation-secret",
    started: float | None = None,
) -> Evaluation:
    started = time.perf_counter() if started is None else started
    prepared_left = prepare(left, rules)
    prepared_right = prepare(right, rules) if right is not None else None
    if mode is Mode.PLAINTEXT:
        i, j, compared = link_plaintext(prepared_left, prepared_right)
    else:
        i, j, compared = link_pprl(prepared_left, prepared_right, secret)
    truth_left = prepared_left["truth"].to_numpy(dtype=str)
    truth_right = (
        prepared_right["truth"].to_numpy(dtype=str)
        if prepared_right is not None
        else truth_left
    )
    true_pairs = true_pair_count(
        truth_left, truth_right if prepared_right is not None else None
    )
    precision, recall, f1 = pair_scores(truth_left, truth_right, i, j, true_pairs)
    return Evaluation(
        precision=round(precision, 6),
        recall=round(recall, 6),
        f1=round(f1, 6),
        seconds=round(time.perf_counter() - started, 3),
        peak_mb=peak_mb(),
        pairs_compared=int(compared),
    )


def evaluate_files(
    left: Path,
    right: Path | None,
    *,
    id_column: str,
    truth_column: str,
    mode: Mode,
    rules: NameRules | None = None,
) -> Evaluation:
    """`puente linkage evaluate`: read, link, and score against the truth."""
    started = time.perf_counter()
    left_records = read_records(left, id_column=id_column, truth_column=truth_column)
    right_records = (
        read_records(right, id_column=id_column, truth_column=truth_column)
        if right is not None
        else None
    )
    return evaluate_records(
        left_records, right_records, mode=mode, rules=rules, started=started
    )
