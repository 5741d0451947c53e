"""Privacy-preserving linkage of encodings: block on tokens, compare filters,
score with Fellegi–Sunter, decide. Works on `Encoding`s only, so a linkage unit
that never holds the secret (or any name) can run it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from puente.linkage import decide
from puente.linkage.blocking import BlockingRule, candidate_pairs, choose_rules
from puente.linkage.pprl.encoder import Encoding, Hardening, token_rules
from puente.linkage.pprl.model import (
    FSModel,
    certain_pairs,
    comparison_levels,
    comparisons,
    fit,
    random_pairs,
)

MATCH_THRESHOLD = 0.5
RANDOM_PAIRS = 200_000


@dataclass(frozen=True, slots=True)
class EncodedLinkage:
    """Candidate pairs (row positions), their probabilities and the decision."""

    i: np.ndarray
    j: np.ndarray
    probability: np.ndarray
    matched_i: np.ndarray  # decided pairs: within clusters, or one-to-one links
    matched_j: np.ndarray
    model: FSModel
    rules: list[BlockingRule]

    @property
    def pairs_compared(self) -> int:
        return len(self.i)


def link_encodings(
    left: Encoding,
    right: Encoding | None = None,
    *,
    blocking: list[BlockingRule],
    hardening: Hardening,
    threshold: float = MATCH_THRESHOLD,
    model: FSModel | None = None,
    seed: int = 11,
) -> EncodedLinkage:
    """Deduplicate one encoding (`right` None) or link two, one-to-one."""
    dedupe = right is None
    other = left if right is None else right
    left_tokens = left.token_frame()
    right_tokens = None if right is None else right.token_frame()
    rules = choose_rules(left_tokens, right_tokens, candidates=token_rules(blocking))
    i, j = candidate_pairs(left_tokens, right_tokens, rules)
    specs = comparisons(left, other, hardening)
    levels = comparison_levels(left, other, i, j, specs, hardening)
    if model is None:
        ri, rj = random_pairs(
            len(left), len(other), RANDOM_PAIRS, seed=seed, dedupe=dedupe
        )
        model = fit(
            levels, specs, comparison_levels(left, other, ri, rj, specs, hardening)
        )
    probability = model.probability(levels)
    probability[certain_pairs(left, other, i, j)] = 1.0
    matched = probability >= threshold
    if dedupe:
        labels = decide.clusters(len(left), i[matched], j[matched])
        mi, mj = decide.cluster_pairs(labels)
    else:
        probability = one_to_one_probability(i, j, probability, model.match_share)
        matched = probability >= threshold
        mi, mj = decide.one_to_one(i[matched], j[matched], probability[matched])
    return EncodedLinkage(i, j, probability, mi, mj, model, rules)


def mutual_best(i: np.ndarray, j: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Positions of the pairs that are the best-scored of both their records."""
    order = np.argsort(-score, kind="stable")
    _, first_i = np.unique(i[order], return_index=True)
    _, first_j = np.unique(j[order], return_index=True)
    return np.intersect1d(order[first_i], order[first_j])


def one_to_one_probability(
    i: np.ndarray, j: np.ndarray, probability: np.ndarray, match_share: float
) -> np.ndarray:
    """Match probabilities once each record is known to match at most once.

    EM's prior λ is the share of matches among all blocked pairs (about one in
    forty on FEBRL4). Linking two registries one-to-one, a record's matches can
    only be its best-scored pair, and only if it is its partner's best too: the
    model's own expected number of matches (the sum of its probabilities) then
    falls among those mutual-best pairs, whose prior is that number over their
    count. Their evidence (the Fellegi–Sunter weights) is unchanged; other pairs
    keep their probability. Nothing here looks at a truth column.
    """
    best = mutual_best(i, j, probability)
    if not len(best):
        return probability
    expected = float(probability.sum())
    prior = min(expected, len(best)) / (len(best) + 1)
    if prior <= match_share:
        return probability
    p = np.clip(probability[best], 1e-300, 1 - 1e-16)
    shift = np.log(prior / (1 - prior)) - np.log(match_share / (1 - match_share))
    log_odds = np.log(p) - np.log1p(-p) + shift
    out = probability.copy()
    out[best] = np.where(probability[best] >= 1.0, 1.0, 1 / (1 + np.exp(-log_odds)))
    return out
