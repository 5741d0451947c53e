from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from puente.people.rules.birth_dates import parse_partial_date
from puente.people.rules.matching import (
    FieldOutcome,
    Likelihood,
    PersonFacts,
    compare_persons,
    jaro,
    jaro_winkler,
    rank_candidates,
    token_similarity,
)
from puente.people.rules.names import normalise_name


class TestJaroWinkler:
    @pytest.mark.parametrize(
        ("first", "second", "expected"),
        [
            ("martha", "marhta", 0.961),
            ("dwayne", "duane", 0.840),
            ("dixon", "dicksonx", 0.813),
            ("abc", "abc", 1.0),
            ("abc", "xyz", 0.0),
            ("", "abc", 0.0),
        ],
    )
    def test_known_values(self, first: str, second: str, expected: float) -> None:
        assert jaro_winkler(first, second) == pytest.approx(expected, abs=0.001)

    @given(st.text(max_size=12), st.text(max_size=12))
    @settings(max_examples=300, database=None)
    def test_is_symmetric_and_bounded(self, first: str, second: str) -> None:
        value = jaro_winkler(first, second)
        assert 0.0 <= value <= 1.0
        assert value == pytest.approx(jaro_winkler(second, first))
        assert jaro(first, second) <= value + 1e-9


MARIA = PersonFacts(
    given_name="María José",
    family_name="García Márquez",
    birth_date=parse_partial_date("1990-05-17"),
    sex="F",
    nationalities=frozenset({"VEN"}),
    document_numbers=frozenset({"V-12.345.678"}),
)


class TestComparePersons:
    def test_same_person_written_differently_is_likely(self) -> None:
        other = PersonFacts(
            given_name="Maria Jose",
            family_name="Garcia",  # second surname dropped abroad
            birth_date=parse_partial_date("1990"),
            sex="f",
            nationalities=frozenset({"ven"}),
        )
        result = compare_persons(MARIA, other)
        assert result.likelihood is Likelihood.LIKELY
        assert result.field("family_name").outcome is FieldOutcome.MATCH
        assert result.field("birth_date").detail == "compatible"
        assert result.field("document_number").outcome is FieldOutcome.BLANK

    def test_same_document_number_settles_it(self) -> None:
        other = PersonFacts(
            given_name="Majo",
            family_name="García",
            document_numbers=frozenset({"v12345678"}),
        )
        result = compare_persons(MARIA, other)
        assert result.field("document_number").outcome is FieldOutcome.MATCH
        assert result.likelihood is Likelihood.LIKELY

    def test_different_person_is_unlikely(self) -> None:
        other = PersonFacts(
            given_name="Pedro",
            family_name="Rodríguez",
            birth_date=parse_partial_date("1970-01-02"),
            sex="M",
            nationalities=frozenset({"COL"}),
        )
        result = compare_persons(MARIA, other)
        assert result.likelihood is Likelihood.UNLIKELY
        assert result.field("sex").outcome is FieldOutcome.MISMATCH

    def test_swapped_given_and_family_names_still_match(self) -> None:
        probe = PersonFacts(given_name="Jean Robert", family_name="Pierre-Louis")
        swapped = PersonFacts(given_name="Pierre Louis", family_name="Jan Wobè")
        result = compare_persons(probe, swapped)
        assert "swapped" in result.field("given_name").detail

    def test_creole_and_french_spellings_match(self) -> None:
        probe = PersonFacts(given_name="Joseph", family_name="Jean-Baptiste", sex="M")
        creole = PersonFacts(given_name="Jozèf", family_name="Jan Batis", sex="M")
        result = compare_persons(probe, creole)
        assert result.score == pytest.approx(1.0)

    def test_name_only_match_is_not_likely(self) -> None:
        probe = PersonFacts(given_name="Ana", family_name="Pérez")
        result = compare_persons(
            probe, PersonFacts(given_name="Ana", family_name="Perez")
        )
        assert result.score == pytest.approx(1.0)
        assert result.likelihood is Likelihood.POSSIBLE

    def test_explanation_holds_no_personal_data(self) -> None:
        result = compare_persons(MARIA, MARIA)
        text = repr(result.fields).lower()
        for value in ("garcia", "maria", "1990", "12345678", "'ven'"):
            assert value not in text

    def test_nothing_comparable_scores_zero(self) -> None:
        result = compare_persons(PersonFacts(), PersonFacts())
        assert (result.score, result.likelihood) == (0.0, Likelihood.UNLIKELY)


class TestRankCandidates:
    def test_orders_best_first_and_drops_unlikely(self) -> None:
        candidates = [
            (
                "other",
                PersonFacts(given_name="Pedro", family_name="Rodríguez", sex="M"),
            ),
            ("same", MARIA),
            ("close", PersonFacts(given_name="Maria", family_name="Garcia", sex="F")),
        ]
        ranked = rank_candidates(MARIA, candidates)
        assert [match.key for match in ranked] == ["same", "close"]


class TestNameComparisonMemo:
    @settings(max_examples=200, deadline=None)
    @given(
        names=st.lists(
            st.sampled_from(["maria", "jose", "gonzalez", "perez", "marie", "gonsal"]),
            min_size=4,
            max_size=4,
        )
    )
    def test_memoised_names_equal_the_token_formula(self, names: list[str]) -> None:
        probe = PersonFacts(given_name=names[0], family_name=names[1])
        candidate = PersonFacts(given_name=names[2], family_name=names[3])
        given, family = (
            compare_persons(probe, candidate).field(f).similarity
            for f in ("given_name", "family_name")
        )
        a = normalise_name(names[0], names[1])
        b = normalise_name(names[2], names[3])
        direct = (
            token_similarity(a.given, b.given),
            token_similarity(a.family, b.family),
        )
        swapped = (
            token_similarity(a.given, b.family),
            token_similarity(a.family, b.given),
        )
        if sum(swapped) * 0.95 > sum(direct):
            direct = (swapped[0] * 0.95, swapped[1] * 0.95)
        assert (given, family) == direct


def _jaro_by_the_book(first: str, second: str) -> float:
    """Jaro as first written: every position of the window tried in turn."""
    if first == second:
        return 1.0
    if not first or not second:
        return 0.0
    window = max(max(len(first), len(second)) // 2 - 1, 0)
    first_matched = [False] * len(first)
    second_matched = [False] * len(second)
    for i, char in enumerate(first):
        for j in range(max(0, i - window), min(i + window + 1, len(second))):
            if not second_matched[j] and second[j] == char:
                first_matched[i] = second_matched[j] = True
                break
    matches = sum(first_matched)
    if not matches:
        return 0.0
    a = [c for c, hit in zip(first, first_matched, strict=True) if hit]
    b = [c for c, hit in zip(second, second_matched, strict=True) if hit]
    half = sum(x != y for x, y in zip(a, b, strict=True)) / 2
    total = matches / len(first) + matches / len(second) + (matches - half) / matches
    return total / 3


@settings(max_examples=500, deadline=None)
@given(
    first=st.text(alphabet="aeinorsz ", max_size=14),
    second=st.text(alphabet="aeinorsz ", max_size=14),
)
def test_jaro_equals_the_book_algorithm(first: str, second: str) -> None:
    assert jaro(first, second) == _jaro_by_the_book(first, second)
