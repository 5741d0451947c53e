"""Scoring a tracing description's encodings against a registry's, field by
field (Dice on keyed Bloom filters), and the words a caseworker reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

# Weights of the compared fields; a field missing on either side is left out.
WEIGHTS: Mapping[str, float] = {"given_name": 0.35, "surname": 0.45, "birth_date": 0.2}
SEX_MISMATCH_PENALTY = 0.25
MIN_SCORE = 0.6


@dataclass(frozen=True)
class Scored:
    index: int
    score: float
    likelihood: str


def _dice(query: np.ndarray, rows: np.ndarray) -> np.ndarray:
    both = np.bitwise_count(rows & query).sum(axis=1).astype(float)
    total = np.bitwise_count(rows).sum(axis=1) + np.bitwise_count(query).sum()
    result: np.ndarray = np.divide(
        2 * both, total, out=np.zeros(len(rows), dtype=float), where=total > 0
    )
    return result


def likelihood(score: float) -> str:
    if score >= 0.85:
        return "high"
    if score >= 0.7:
        return "medium"
    return "low"


def score_candidates(
    query_filters: Mapping[str, np.ndarray],
    query_present: Mapping[str, bool],
    query_sex: int,
    rows_filters: Mapping[str, np.ndarray],
    rows_present: Mapping[str, np.ndarray],
    rows_sex: np.ndarray,
    count: int,
) -> list[Scored]:
    """One query record against `count` registry records; best first, above
    `MIN_SCORE`. Sex tokens (0 = unknown) lower the score when they differ."""
    weighted = np.zeros(count, dtype=float)
    weight = np.zeros(count, dtype=float)
    for field, w in WEIGHTS.items():
        if field not in query_filters or not query_present.get(field, False):
            continue
        if field not in rows_filters:
            continue
        dice = _dice(query_filters[field], rows_filters[field])
        present = rows_present[field]
        weighted += np.where(present, w * dice, 0.0)
        weight += np.where(present, w, 0.0)
    scores = np.divide(
        weighted, weight, out=np.zeros(count, dtype=float), where=weight > 0
    )
    if query_sex:
        differs = (rows_sex != 0) & (rows_sex != query_sex)
        scores = np.where(differs, scores - SEX_MISMATCH_PENALTY, scores)
    order = np.argsort(-scores, kind="stable")
    return [
        Scored(int(i), round(float(scores[i]), 4), likelihood(float(scores[i])))
        for i in order
        if scores[i] >= MIN_SCORE
    ]
