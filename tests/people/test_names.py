from __future__ import annotations

import json
from datetime import date
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from puente.people.rules.matching import jaro_winkler
from puente.people.rules.names import (
    PARTICLES,
    DateCompatibility,
    DatePrecision,
    InvalidPartialDate,
    PartialDate,
    canonical_token,
    compare_birth_dates,
    fold,
    name_tokens,
    name_variants,
    normalise_name,
    parse_partial_date,
    phonetic_key,
)


class TestFold:
    def test_removes_accents_case_and_punctuation(self) -> None:
        assert fold("  MUÑOZ-Pérez, d'Ávila ") == "munoz perez d avila"

    @given(st.text(max_size=40))
    @settings(max_examples=200, database=None)
    def test_is_idempotent(self, text: str) -> None:
        assert fold(fold(text)) == fold(text)


class TestNameTokens:
    @pytest.mark.parametrize(
        ("name", "tokens"),
        [
            ("de la Cruz y Pérez", ("cruz", "perez")),
            ("García-Márquez", ("garcia", "marquez")),
            ("García Márquez", ("garcia", "marquez")),
            ("Silva e Souza", ("silva", "souza")),
            ("dos Santos", ("santos",)),
            ("Van der Berg", ("berg",)),
            ("Del Valle", ("valle",)),
        ],
    )
    def test_drops_particles_and_splits_double_surnames(
        self, name: str, tokens: tuple[str, ...]
    ) -> None:
        assert name_tokens(name) == tokens

    def test_keeps_a_name_made_only_of_particles(self) -> None:
        assert name_tokens("De") == ("de",)


class TestSpellingVariants:
    @pytest.mark.parametrize(
        ("first", "second"),
        [
            ("Joseph", "Jozèf"),  # French / Haitian Creole
            ("Jean", "Jan"),
            ("Louis", "Lwi"),
            ("Pierre", "Pyè"),
            ("Guillaume", "Giyom"),
            ("François", "Franswa"),
            ("Rodríguez", "Rodrigues"),  # Spanish / Portuguese
            ("Muñoz", "Munhoz"),  # ñ / nh
            ("Guillermo", "Guilherme"),  # ll / lh
            ("Conceição", "Consesao"),  # ç
            ("Philippe", "Filip"),  # ph / f
            ("Kelly", "Queli"),  # k / qu, y / i
            ("Yolanda", "Iolanda"),
            ("Gonzalez", "Gonsales"),  # z / s
            ("Vásquez", "Basques"),  # v / b
            ("Helena", "Elena"),  # silent h
            ("Souza", "Sousa"),
        ],
    )
    def test_variants_share_phonetic_key_and_near_spelling(
        self, first: str, second: str
    ) -> None:
        assert phonetic_key(first) == phonetic_key(second)
        similarity = jaro_winkler(canonical_token(first), canonical_token(second))
        assert similarity >= 0.95

    def test_different_names_keep_different_keys(self) -> None:
        assert phonetic_key("Rodríguez") != phonetic_key("Martínez")
        assert phonetic_key("Jean") != phonetic_key("Pierre")


class TestNormaliseName:
    def test_haitian_and_french_spellings_normalise_alike(self) -> None:
        assert (
            normalise_name("Jean-Baptiste", "Dos Santos").full
            == normalise_name("Jan Batis", "Santos").full
        )

    def test_blocking_keys_include_each_surname(self) -> None:
        keys = normalise_name("María", "García Márquez").blocking_keys
        assert keys >= {"|" + phonetic_key("Garcia"), "|" + phonetic_key("Marquez")}

    def test_variants_cover_one_surname_and_swapped_names(self) -> None:
        variants = name_variants("María José", "García Márquez")
        assert normalise_name("María", "García").full in variants
        assert "garsia maria jos" in variants  # family name written first


class TestPartialDates:
    @pytest.mark.parametrize(
        ("text", "precision"),
        [
            ("1990", DatePrecision.YEAR),
            ("1990-05", DatePrecision.MONTH),
            ("1990-05-17", DatePrecision.DAY),
        ],
    )
    def test_parses_each_precision(self, text: str, precision: DatePrecision) -> None:
        parsed = parse_partial_date(text)
        assert parsed.precision is precision
        assert parsed.isoformat() == text

    @pytest.mark.parametrize(
        "text", ["90", "1990-13", "1990-02-30", "1990/05/01", "", "1850", "1990-5"]
    )
    def test_refuses_malformed_or_impossible_dates(self, text: str) -> None:
        with pytest.raises(InvalidPartialDate):
            parse_partial_date(text)

    def test_refuses_future_dates_when_given_today(self) -> None:
        with pytest.raises(InvalidPartialDate):
            parse_partial_date("2031", today=date(2030, 12, 31))

    def test_range_of_a_month(self) -> None:
        february = parse_partial_date("2024-02")
        assert (february.earliest, february.latest) == (
            date(2024, 2, 1),
            date(2024, 2, 29),
        )

    @pytest.mark.parametrize(
        ("first", "second", "expected"),
        [
            ("1990-05-17", "1990-05-17", DateCompatibility.EXACT),
            ("1990", "1990-05-17", DateCompatibility.COMPATIBLE),
            ("1990-05", "1990-05-17", DateCompatibility.COMPATIBLE),
            ("1990-05-17", "1990-12-05", DateCompatibility.INCOMPATIBLE),
            ("1990-05-12", "1990-12-05", DateCompatibility.NEAR),  # day/month swapped
            ("1990-05-17", "1991-05-17", DateCompatibility.NEAR),
            ("1990", "1991", DateCompatibility.NEAR),
            ("1990", "1995", DateCompatibility.INCOMPATIBLE),
            ("1990-04", "1990-05-17", DateCompatibility.INCOMPATIBLE),
        ],
    )
    def test_compares_partial_dates(
        self, first: str, second: str, expected: DateCompatibility
    ) -> None:
        a, b = parse_partial_date(first), parse_partial_date(second)
        assert compare_birth_dates(a, b) is expected
        assert compare_birth_dates(b, a) is expected

    def test_missing_date_is_unknown(self) -> None:
        assert compare_birth_dates(None, PartialDate(1990)) is DateCompatibility.UNKNOWN

    @given(
        st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 1, 1)),
        st.sampled_from([1, 2, 3]),
    )
    @settings(max_examples=200, database=None)
    def test_a_date_is_compatible_with_its_own_truncation(
        self, day: date, parts: int
    ) -> None:
        full = PartialDate(day.year, day.month, day.day)
        text = full.isoformat()[: {1: 4, 2: 7, 3: 10}[parts]]
        relation = compare_birth_dates(full, parse_partial_date(text))
        assert relation in {DateCompatibility.EXACT, DateCompatibility.COMPATIBLE}


class TestNameTables:
    """The particle and alias tables are data (`people/data/names.json`), not code."""

    def test_the_tables_are_read_from_people_data(self) -> None:
        tables = json.loads(
            resources.files("puente.people")
            .joinpath("data", "names.json")
            .read_text("utf-8")
        )
        assert frozenset(tables["particles"]) == PARTICLES
        assert {"de", "dos", "van", "y"} <= PARTICLES
        for alias, spelling in tables["token_aliases"].items():
            assert canonical_token(alias) == canonical_token(spelling)

    def test_every_entry_is_already_folded(self) -> None:
        tables = json.loads(
            resources.files("puente.people")
            .joinpath("data", "names.json")
            .read_text("utf-8")
        )
        for word in tables["particles"]:
            assert fold(word) == word
        for alias, spelling in tables["token_aliases"].items():
            assert (fold(alias), fold(spelling)) == (alias, spelling)
