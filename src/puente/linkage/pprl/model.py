"""Fellegi–Sunter on encodings: Dice levels per field, EM, scores, decisions.

Comparison levels per field: missing on either side; then one level per Dice
threshold passed (a field with thresholds (0.98, 0.9, 0.8) has levels
"else", "≥0.8", "≥0.9", "≥0.98"). Given and family names also take the level of
their crosswise comparison (names swapped). Tokens (sex, birth country) agree or
not. EM estimates m, u and the share of matches λ on the blocked pairs, starting
from u measured on random pairs (as Splink does) and m leaning to agreement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from puente.linkage.pprl.encoder import (
    RECORD_TOKEN,
    SALT_TOKEN,
    SALTED,
    Encoding,
    Hardening,
)
from puente.linkage.pprl.kernels import dice_pairs, popcounts

# Balanced filters hide the filters' weights, so their Dice is 1 - Hamming/L:
# it runs closer to 1 and needs tighter thresholds.
THRESHOLDS: dict[Hardening, tuple[float, ...]] = {
    Hardening.NONE: (0.98, 0.9, 0.8, 0.7, 0.55),
    Hardening.XOR_FOLD: (0.98, 0.9, 0.8, 0.7, 0.55),
    Hardening.BALANCE: (0.995, 0.97, 0.94, 0.9, 0.85),
}
NULL = 0
_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class Comparison:
    name: str
    kind: str  # "filter" or "token"
    levels: int  # including the null level


def comparisons(
    left: Encoding, right: Encoding, hardening: Hardening
) -> list[Comparison]:
    found = []
    for name in left.filters:
        if name in right.filters:
            found.append(Comparison(name, "filter", len(THRESHOLDS[hardening]) + 2))
    for name in ("sex", "birth_country", "state"):
        if name in left.tokens and name in right.tokens:
            found.append(Comparison(name, "token", 3))
    return found


class _Counts:
    """Popcounts per filter, computed once per encoding."""

    def __init__(self, encoding: Encoding) -> None:
        self.counts = {k: popcounts(v) for k, v in encoding.filters.items()}


def _dice(
    left: Encoding,
    right: Encoding,
    lc: _Counts,
    rc: _Counts,
    a: str,
    b: str,
    i: np.ndarray,
    j: np.ndarray,
) -> np.ndarray:
    return np.asarray(
        dice_pairs(left.filters[a], right.filters[b], lc.counts[a], rc.counts[b], i, j)
    )


def comparison_levels(
    left: Encoding,
    right: Encoding,
    i: np.ndarray,
    j: np.ndarray,
    specs: list[Comparison],
    hardening: Hardening,
) -> np.ndarray:
    """The comparison vector of every pair: (pairs, comparisons) small integers."""
    lc, rc = _Counts(left), _Counts(right)
    thresholds = THRESHOLDS[hardening]
    out = np.zeros((len(i), len(specs)), dtype=np.int8)
    for column, spec in enumerate(specs):
        if spec.kind == "token":
            lv, rv = left.tokens[spec.name][i], right.tokens[spec.name][j]
            known = (lv != 0) & (rv != 0)
            out[:, column] = np.where(known, np.where(lv == rv, 2, 1), NULL)
            continue
        known = left.present[spec.name][i] & right.present[spec.name][j]
        dice = _dice(left, right, lc, rc, spec.name, spec.name, i, j)
        other = {"given_name": "surname", "surname": "given_name"}.get(spec.name)
        if other and other in left.filters and other in right.filters:
            cross = _dice(left, right, lc, rc, spec.name, other, i, j)
            back = _dice(left, right, lc, rc, other, spec.name, i, j)
            crossed = np.minimum(cross, back)
            # both crosswise comparisons must agree, or one dropped name would do
            dice = np.maximum(dice, np.where(crossed > dice, crossed - 0.01, dice))
        level = np.ones(len(i), dtype=np.int8)
        for threshold in thresholds[::-1]:
            level += dice >= threshold
        if spec.name in SALTED:
            known &= _same_salt(left, right, i, j)
        out[:, column] = np.where(known, level, NULL)
    return out


def _same_salt(
    left: Encoding, right: Encoding, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """Pairs whose name filters were salted alike (and so can be compared).

    Names hashed under two different birth years are unrelated bits: that is
    no evidence either way, so the level is null rather than a disagreement.
    """
    lt, rt = left.tokens.get(SALT_TOKEN), right.tokens.get(SALT_TOKEN)
    if lt is None or rt is None:
        return np.ones(len(i), dtype=bool)
    return np.asarray(lt[i] == rt[j])


@dataclass(frozen=True, slots=True)
class FSModel:
    """m and u per comparison level (index 0, the null level, is unused) and λ."""

    m: list[np.ndarray]
    u: list[np.ndarray]
    match_share: float

    def weights(self) -> list[np.ndarray]:
        return [
            np.log2(np.maximum(m, _EPSILON) / np.maximum(u, _EPSILON))
            for m, u in zip(self.m, self.u, strict=True)
        ]

    def probability(self, levels: np.ndarray) -> np.ndarray:
        """Match probability of each comparison vector."""
        prior = np.log2(self.match_share / (1 - self.match_share))
        total = np.full(len(levels), prior, dtype=np.float64)
        for column, weight in enumerate(self.weights()):
            contribution = weight[levels[:, column]]
            total += np.where(levels[:, column] == NULL, 0.0, contribution)
        return 1.0 / (1.0 + np.exp2(-total))


def _distribution(levels: np.ndarray, count: int, weights: np.ndarray) -> np.ndarray:
    known = levels != NULL
    mass = np.bincount(levels[known], weights=weights[known], minlength=count)
    mass[NULL] = 0.0
    total = mass.sum()
    return (
        (mass + _EPSILON) / (total + _EPSILON * count)
        if total
        else np.full(count, 1 / count)
    )


def fit(
    levels: np.ndarray,
    specs: list[Comparison],
    random_levels: np.ndarray,
    *,
    iterations: int = 60,
    tolerance: float = 1e-5,
) -> FSModel:
    """EM over the distinct comparison vectors of the blocked pairs."""
    patterns, counts = np.unique(levels, axis=0, return_counts=True)
    counts = counts.astype(np.float64)
    ones = np.ones(len(random_levels))
    u = [
        _distribution(random_levels[:, c], spec.levels, ones)
        for c, spec in enumerate(specs)
    ]
    m = []
    for spec in specs:
        lean = np.geomspace(1.0, 2.0 ** (spec.levels - 2), spec.levels - 1)
        m.append(np.concatenate([[0.0], lean / lean.sum()]))
    share = 0.1
    for _ in range(iterations):
        model = FSModel(m, u, share)
        posterior = model.probability(patterns) * counts
        new_share = float(np.clip(posterior.sum() / counts.sum(), 1e-6, 1 - 1e-6))
        m = [
            _distribution(patterns[:, c], spec.levels, posterior)
            for c, spec in enumerate(specs)
        ]
        u = [
            _distribution(patterns[:, c], spec.levels, counts - posterior)
            for c, spec in enumerate(specs)
        ]
        converged = abs(new_share - share) < tolerance
        share = new_share
        if converged:
            break
    return FSModel(m, u, share)


def random_pairs(
    left: int, right: int, count: int, *, seed: int, dedupe: bool
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    i = rng.integers(0, left, count)
    j = rng.integers(0, right, count)
    if dedupe:
        keep = i != j
        i, j = i[keep], j[keep]
    return i.astype(np.int64), j.astype(np.int64)


def certain_pairs(
    left: Encoding, right: Encoding, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """The cheap first pass: pairs equal on the whole-record token."""
    lt, rt = left.tokens.get(RECORD_TOKEN), right.tokens.get(RECORD_TOKEN)
    if lt is None or rt is None:
        return np.zeros(len(i), dtype=bool)
    return np.asarray((lt[i] != 0) & (lt[i] == rt[j]))
