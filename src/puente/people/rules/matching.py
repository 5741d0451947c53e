"""Field-by-field comparison of two persons, with a score and an explanation.

Used by search before create (is this person already registered?) and by family
tracing (is this registered person the one being sought?). Candidates come from a
database query on blocking keys; this module only scores them, so it behaves the
same on SQLite and PostgreSQL (research/01 §1.2: Primero's Solr matcher is the
counter-example).

Weights start from Primero's matching boosts (names 15, sex 10, date of birth 5,
nationality 3) plus a document number, which Primero lacks. The score is the
weighted mean similarity over the fields both records have; `coverage` says how
much of the total weight that was, so a name-only match cannot look certain.
The explanation never contains names or dates, only outcomes and numbers, so it
may be logged or shown without leaking personal data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Generic, TypeVar

from puente.people.rules.birth_dates import (
    DateCompatibility,
    PartialDate,
    compare_birth_dates,
)
from puente.people.rules.names import normalise_name

Key = TypeVar("Key")

_DOCUMENT_NOISE = re.compile(r"[^0-9A-Z]")


def jaro(first: str, second: str) -> float:
    """Jaro similarity of two strings, 0.0 to 1.0."""
    if first == second:
        return 1.0
    len_first, len_second = len(first), len(second)
    if not len_first or not len_second:
        return 0.0
    window = max(max(len_first, len_second) // 2 - 1, 0)
    # Each character of `first` takes the first unmatched equal character of
    # `second` within the window (str.find instead of a loop over the window).
    second_matched = [False] * len_second
    first_chars: list[str] = []
    find = second.find
    for i, char in enumerate(first):
        high = i + window + 1
        j = find(char, i - window if i > window else 0, high)
        while j != -1 and second_matched[j]:
            j = find(char, j + 1, high)
        if j != -1:
            second_matched[j] = True
            first_chars.append(char)
    matches = len(first_chars)
    if not matches:
        return 0.0
    second_chars = [c for c, hit in zip(second, second_matched, strict=True) if hit]
    transpositions = (
        sum(a != b for a, b in zip(first_chars, second_chars, strict=True)) / 2
    )
    return (
        matches / len_first
        + matches / len_second
        + (matches - transpositions) / matches
    ) / 3


@lru_cache(maxsize=1 << 18)  # token pairs repeat across candidates and queries
def jaro_winkler(first: str, second: str, *, prefix_scale: float = 0.1) -> float:
    """Jaro-Winkler similarity: Jaro boosted by a common prefix of up to 4."""
    similarity = jaro(first, second)
    prefix = 0
    for a, b in zip(first[:4], second[:4], strict=False):
        if a != b:
            break
        prefix += 1
    return similarity + prefix * prefix_scale * (1 - similarity)


class FieldOutcome(StrEnum):
    MATCH = "match"
    PARTIAL = "partial"
    MISMATCH = "mismatch"
    BLANK = "blank"  # missing on one side: not evidence either way


class Likelihood(StrEnum):
    LIKELY = "likely"
    POSSIBLE = "possible"
    UNLIKELY = "unlikely"


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What is compared. Names as given; normalisation happens here."""

    given_name: str = ""
    family_name: str = ""
    birth_date: PartialDate | None = None
    sex: str | None = None
    nationalities: frozenset[str] = frozenset()
    document_numbers: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class MatchWeights:
    """Field weights and thresholds; a deployment may tune them."""

    given_name: float = 10.0
    family_name: float = 15.0
    birth_date: float = 5.0
    sex: float = 10.0
    nationality: float = 3.0
    document_number: float = 20.0
    # A differing document number is weak evidence: people carry several.
    document_mismatch_weight: float = 3.0
    likely_score: float = 0.88
    possible_score: float = 0.70
    likely_coverage: float = 0.45

    @property
    def total(self) -> float:
        return (
            self.given_name
            + self.family_name
            + self.birth_date
            + self.sex
            + self.nationality
            + self.document_number
        )


DEFAULT_WEIGHTS = MatchWeights()


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """One line of the comparison table shown to the caseworker."""

    field: str
    outcome: FieldOutcome
    similarity: float
    weight: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class MatchResult:
    score: float
    coverage: float
    likelihood: Likelihood
    fields: tuple[FieldComparison, ...]

    def field(self, name: str) -> FieldComparison:
        return next(item for item in self.fields if item.field == name)


@dataclass(frozen=True, slots=True)
class RankedMatch(Generic[Key]):
    key: Key
    result: MatchResult = field(compare=False)


def _outcome(similarity: float) -> FieldOutcome:
    if similarity >= 0.97:
        return FieldOutcome.MATCH
    if similarity >= 0.80:
        return FieldOutcome.PARTIAL
    return FieldOutcome.MISMATCH


def token_similarity(first: Sequence[str], second: Sequence[str]) -> float:
    """Similarity of two token lists, order-insensitive, subset-tolerant.

    "Garcia" against "Garcia Marquez" scores 1.0: a second surname is often
    dropped abroad. Each token of the shorter list takes its best partner.
    """
    if not first or not second:
        return 0.0
    shorter, longer = (first, second) if len(first) <= len(second) else (second, first)
    best = [max(jaro_winkler(a, b) for b in longer) for a in shorter]
    subset_score = sum(best) / len(best)
    whole_score = jaro_winkler(" ".join(first), " ".join(second))
    return max(subset_score, whole_score)


@lru_cache(maxsize=1 << 16)
def _name_similarities(
    given_a: tuple[str, ...],
    family_a: tuple[str, ...],
    given_b: tuple[str, ...],
    family_b: tuple[str, ...],
) -> tuple[float, float, str]:
    """Given and family similarity of two normalised names, and "swapped" when the
    names compare better the other way round. Memoised: in a search the same few
    common names meet again and again, and the answer depends on the tokens only."""
    given = token_similarity(given_a, given_b)
    family = token_similarity(family_a, family_b)
    # Given and family names swapped at registration: accept at a small discount.
    swapped_given = token_similarity(given_a, family_b)
    swapped_family = token_similarity(family_a, given_b)
    if (swapped_given + swapped_family) * 0.95 > given + family:
        return swapped_given * 0.95, swapped_family * 0.95, "swapped"
    return given, family, ""


def _compare_names(
    probe: PersonFacts, candidate: PersonFacts, weights: MatchWeights
) -> tuple[FieldComparison, FieldComparison]:
    a = normalise_name(probe.given_name, probe.family_name)
    b = normalise_name(candidate.given_name, candidate.family_name)
    given, family, detail = _name_similarities(a.given, a.family, b.given, b.family)
    results = []
    for name, tokens_a, tokens_b, similarity, weight in (
        ("given_name", a.given, b.given, given, weights.given_name),
        ("family_name", a.family, b.family, family, weights.family_name),
    ):
        if not tokens_a or not tokens_b:
            results.append(FieldComparison(name, FieldOutcome.BLANK, 0.0, 0.0))
            continue
        text = f"jaro_winkler={similarity:.2f}" + (f"; {detail}" if detail else "")
        results.append(
            FieldComparison(name, _outcome(similarity), similarity, weight, text)
        )
    return results[0], results[1]


_DATE_SIMILARITY = {
    DateCompatibility.EXACT: 1.0,
    DateCompatibility.COMPATIBLE: 0.85,
    DateCompatibility.NEAR: 0.5,
    DateCompatibility.INCOMPATIBLE: 0.0,
}


def _compare_birth_dates(
    probe: PersonFacts, candidate: PersonFacts, weights: MatchWeights
) -> FieldComparison:
    relation = compare_birth_dates(probe.birth_date, candidate.birth_date)
    if relation is DateCompatibility.UNKNOWN:
        return FieldComparison("birth_date", FieldOutcome.BLANK, 0.0, 0.0)
    similarity = _DATE_SIMILARITY[relation]
    outcome = {
        DateCompatibility.EXACT: FieldOutcome.MATCH,
        DateCompatibility.INCOMPATIBLE: FieldOutcome.MISMATCH,
    }.get(relation, FieldOutcome.PARTIAL)
    return FieldComparison(
        "birth_date", outcome, similarity, weights.birth_date, relation.value
    )


def _compare_sex(
    probe: PersonFacts, candidate: PersonFacts, weights: MatchWeights
) -> FieldComparison:
    known = {"f", "m", "x"}
    a, b = (
        (probe.sex or "").strip().lower()[:1],
        (candidate.sex or "").strip().lower()[:1],
    )
    if a not in known or b not in known:
        return FieldComparison("sex", FieldOutcome.BLANK, 0.0, 0.0)
    same = a == b
    return FieldComparison(
        "sex",
        FieldOutcome.MATCH if same else FieldOutcome.MISMATCH,
        1.0 if same else 0.0,
        weights.sex,
    )


def _compare_nationality(
    probe: PersonFacts, candidate: PersonFacts, weights: MatchWeights
) -> FieldComparison:
    a = {code.strip().upper() for code in probe.nationalities if code.strip()}
    b = {code.strip().upper() for code in candidate.nationalities if code.strip()}
    if not a or not b:
        return FieldComparison("nationality", FieldOutcome.BLANK, 0.0, 0.0)
    shared = bool(a & b)
    return FieldComparison(
        "nationality",
        FieldOutcome.MATCH if shared else FieldOutcome.MISMATCH,
        1.0 if shared else 0.0,
        weights.nationality,
    )


def normalise_document_number(number: str) -> str:
    """Upper case, letters and digits only ("ab-123 45" -> "AB12345")."""
    return _DOCUMENT_NOISE.sub("", number.upper())


def _compare_documents(
    probe: PersonFacts, candidate: PersonFacts, weights: MatchWeights
) -> FieldComparison:
    a = {normalise_document_number(n) for n in probe.document_numbers} - {""}
    b = {normalise_document_number(n) for n in candidate.document_numbers} - {""}
    if not a or not b:
        return FieldComparison("document_number", FieldOutcome.BLANK, 0.0, 0.0)
    if a & b:
        return FieldComparison(
            "document_number", FieldOutcome.MATCH, 1.0, weights.document_number
        )
    best = max(jaro_winkler(x, y) for x in a for y in b)
    if best >= 0.93:  # one mistyped character in a typical 8-12 character number
        return FieldComparison(
            "document_number",
            FieldOutcome.PARTIAL,
            0.7,
            weights.document_number,
            f"jaro_winkler={best:.2f}",
        )
    return FieldComparison(
        "document_number", FieldOutcome.MISMATCH, 0.0, weights.document_mismatch_weight
    )


def compare_persons(
    probe: PersonFacts,
    candidate: PersonFacts,
    weights: MatchWeights = DEFAULT_WEIGHTS,
) -> MatchResult:
    """Score how likely two records describe the same person, field by field."""
    given, family = _compare_names(probe, candidate, weights)
    fields = (
        given,
        family,
        _compare_birth_dates(probe, candidate, weights),
        _compare_sex(probe, candidate, weights),
        _compare_nationality(probe, candidate, weights),
        _compare_documents(probe, candidate, weights),
    )
    compared = sum(item.weight for item in fields)
    if not compared:
        return MatchResult(0.0, 0.0, Likelihood.UNLIKELY, fields)
    score = sum(item.similarity * item.weight for item in fields) / compared
    coverage = min(compared / weights.total, 1.0)
    # Same document and a similar family name settles it whatever else differs.
    same_document = (
        fields[-1].outcome is FieldOutcome.MATCH and family.similarity >= 0.8
    )
    strong_score = score >= weights.likely_score and coverage >= weights.likely_coverage
    if same_document or strong_score:
        likelihood = Likelihood.LIKELY
    elif score >= weights.possible_score:
        likelihood = Likelihood.POSSIBLE
    else:
        likelihood = Likelihood.UNLIKELY
    return MatchResult(round(score, 4), round(coverage, 4), likelihood, fields)


@lru_cache(maxsize=1 << 16)
def _agreement(first: tuple[str, ...], second: tuple[str, ...]) -> float:
    if not first or not second:
        return 0.0
    forward = sum(max(jaro_winkler(a, b) for b in second) for a in first)
    backward = sum(max(jaro_winkler(b, a) for a in first) for b in second)
    return (forward + backward) / (len(first) + len(second))


def name_agreement(
    probe: PersonFacts, candidate: PersonFacts, weights: MatchWeights = DEFAULT_WEIGHTS
) -> float:
    """How completely two names correspond, token for token, in both directions.

    `token_similarity` forgives a missing token ("Garcia" = "Garcia Marquez"), so
    among many records that tie on score this says which name has no extra or
    missing tokens; search uses it only to order ties, never to accept a match.
    """
    a = normalise_name(probe.given_name, probe.family_name)
    b = normalise_name(candidate.given_name, candidate.family_name)
    direct = weights.given_name * _agreement(
        a.given, b.given
    ) + weights.family_name * _agreement(a.family, b.family)
    swapped = 0.95 * (
        weights.given_name * _agreement(a.given, b.family)
        + weights.family_name * _agreement(a.family, b.given)
    )
    return round(max(direct, swapped) / (weights.given_name + weights.family_name), 4)


def rank_candidates(
    probe: PersonFacts,
    candidates: Iterable[tuple[Key, PersonFacts]],
    *,
    weights: MatchWeights = DEFAULT_WEIGHTS,
    minimum: Likelihood = Likelihood.POSSIBLE,
    limit: int = 20,
) -> list[RankedMatch[Key]]:
    """Best candidates first, at least `minimum` likely, at most `limit` of them."""
    accepted = {Likelihood.LIKELY} | (
        {Likelihood.POSSIBLE, Likelihood.UNLIKELY}
        if minimum is Likelihood.UNLIKELY
        else {Likelihood.POSSIBLE}
        if minimum is Likelihood.POSSIBLE
        else set()
    )
    ranked = [
        RankedMatch(key, result)
        for key, facts in candidates
        if (result := compare_persons(probe, facts, weights)).likelihood in accepted
    ]
    ranked.sort(key=lambda match: (-match.result.score, -match.result.coverage))
    return ranked[:limit]
