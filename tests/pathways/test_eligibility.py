from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

import celpy
import pytest
from celpy import evaluation as celpy_evaluation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puente.pathways.errors import FactsError
from puente.pathways.rules.catalogue import PathwayKind, VerifiedCatalogue
from puente.pathways.rules.cel import compile_rule, lint_expression
from puente.pathways.rules.eligibility import (
    ClauseState,
    Outcome,
    Screener,
    ScreeningResult,
    decide,
    evaluate_clause,
    questions_that_matter,
    screen,
)
from puente.pathways.rules.facts import FACTS, Facts, parse_facts
from puente.pathways.service import load_catalogue, result_read
from tests.pathways.conftest import TODAY


def reasons(result: ScreeningResult, language: str = "en") -> list[str]:
    return result_read(result, language).reasons


VENEZUELAN_IN_COLOMBIA = {
    "age": 30,
    "nationality": "VEN",
    "country_of_residence": "COL",
    "date_of_entry": "2020-03-01",
}


class TestMustShow:
    def test_venezuelan_in_colombia_is_eligible_for_the_protection_statute(
        self, catalogue: VerifiedCatalogue
    ) -> None:
        results = screen(parse_facts(VENEZUELAN_IN_COLOMBIA), catalogue.pathways, TODAY)
        eligible = [r for r in results if r.outcome is Outcome.ELIGIBLE]
        assert any(r.state == "COL" and r.pathway_id == "col-etpv" for r in eligible)
        assert all(reasons(r) for r in eligible)

    def test_some_pathway_is_undetermined_and_lists_missing_facts(
        self, catalogue: VerifiedCatalogue
    ) -> None:
        results = screen(parse_facts(VENEZUELAN_IN_COLOMBIA), catalogue.pathways, TODAY)
        undetermined = [r for r in results if r.outcome is Outcome.UNDETERMINED]
        assert undetermined
        assert all(r.missing and reasons(r) for r in undetermined)
        tfwp = next(r for r in undetermined if r.pathway_id == "can-tfwp-agricultural")
        assert "has_job_offer" in tfwp.missing

    @pytest.mark.parametrize("isco", ["6111", "9211"])
    def test_an_agricultural_job_offer_changes_a_labour_outcome(
        self, catalogue: VerifiedCatalogue, isco: str
    ) -> None:
        facts = parse_facts(VENEZUELAN_IN_COLOMBIA)
        offer = facts.replace(
            has_job_offer=True, job_offer_isco=isco, job_offer_state="CAN"
        )
        before = {r.pathway_id: r for r in screen(facts, catalogue.pathways, TODAY)}
        after = {r.pathway_id: r for r in screen(offer, catalogue.pathways, TODAY)}
        changed = [
            pid
            for pid, r in after.items()
            if r.kind is PathwayKind.LABOUR and r.outcome is not before[pid].outcome
        ]
        assert "can-tfwp-agricultural" in changed
        assert after["can-tfwp-agricultural"].outcome is Outcome.ELIGIBLE
        assert any(
            "job offer" in reason for reason in reasons(after["can-tfwp-agricultural"])
        )

    def test_reasons_come_in_the_requested_language(
        self, catalogue: VerifiedCatalogue
    ) -> None:
        results = screen(parse_facts(VENEZUELAN_IN_COLOMBIA), catalogue.pathways, TODAY)
        etpv = next(r for r in results if r.pathway_id == "col-etpv")
        assert "Você mora em Colômbia." in reasons(etpv, "pt")
        tfwp = next(r for r in results if r.pathway_id == "can-tfwp-agricultural")
        assert any(
            r.startswith("Para decidir, precisamos saber se você tem uma oferta")
            for r in reasons(tfwp, "pt")
        )


class TestScreening:
    def test_only_open_pathways_are_screened(
        self, catalogue: VerifiedCatalogue
    ) -> None:
        facts = parse_facts(VENEZUELAN_IN_COLOMBIA)
        ids = {r.pathway_id for r in screen(facts, catalogue.pathways, TODAY)}
        assert "usa-chnv-parole" not in ids  # closed 2025-01-20
        early = {
            r.pathway_id for r in screen(facts, catalogue.pathways, date(2024, 6, 1))
        }
        assert "usa-chnv-parole" in early

    def test_false_clause_beats_missing_facts(
        self, catalogue: VerifiedCatalogue
    ) -> None:
        results = screen(parse_facts({"nationality": "VEN"}), catalogue.pathways, TODAY)
        h2a = next(r for r in results if r.pathway_id == "usa-h2a")
        assert h2a.outcome is Outcome.NOT_ELIGIBLE
        assert h2a.missing == ()

    def test_questions_only_for_undetermined_pathways(
        self, catalogue: VerifiedCatalogue
    ) -> None:
        facts = parse_facts(VENEZUELAN_IN_COLOMBIA)
        questions = questions_that_matter(facts, catalogue.pathways, TODAY)
        assert "has_job_offer" in questions
        assert "date_of_entry" not in questions
        # Only the Mexico visitor card asks about the border subdivision of a job,
        # and it is already not eligible for a Venezuelan.
        assert "job_offer_subdivision" not in questions

    def test_json_shape_matches_the_cli_contract(
        self, catalogue: VerifiedCatalogue
    ) -> None:
        result = screen(parse_facts(VENEZUELAN_IN_COLOMBIA), catalogue.pathways, TODAY)[
            0
        ]
        data = result_read(result, "en").model_dump()
        assert {"pathway_id", "state", "kind", "outcome", "reasons", "missing"} <= set(
            data
        )

    def test_years_of_residence_is_computed(self) -> None:
        values = parse_facts({"date_of_entry": "2020-11-29"}).to_cel(TODAY)
        assert values["years_of_residence"] == 5


class TestFactsParsing:
    def test_unknown_key_names_the_key(self) -> None:
        with pytest.raises(FactsError) as error:
            parse_facts({"agee": 3})
        assert error.value.field == "agee"

    def test_wrong_type_names_the_field(self) -> None:
        with pytest.raises(FactsError) as error:
            parse_facts({"age": "thirty"})
        assert error.value.field == "age"

    def test_computed_fact_cannot_be_sent(self) -> None:
        with pytest.raises(FactsError, match="years_of_residence"):
            parse_facts({"years_of_residence": 3})

    def test_absent_and_null_are_missing(self) -> None:
        facts = parse_facts({"age": None})
        assert not facts.has("age")

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("nationality", "ve"),
            ("date_of_entry", "2020-13-01"),
            ("family_in", ["US"]),
            ("protection_status", "refugees"),
            ("has_job_offer", 1),
            ("job_offer_isco", "61"),
        ],
    )
    def test_invalid_values_are_rejected(self, key: str, value: object) -> None:
        with pytest.raises(FactsError) as error:
            parse_facts({key: value})
        assert error.value.field == key


class TestLint:
    def test_rejects_unknown_facts_and_comprehensions(self) -> None:
        assert lint_expression("salary > 3")
        assert lint_expression('family_in.exists(s, s == "USA")')
        assert lint_expression('nationality.matches("V.*")')
        assert not lint_expression('"USA" in family_in && age >= 18')


# --- cross-check against cel-python ------------------------------------------------

_ISO = st.sampled_from(
    [
        "VEN",
        "COL",
        "HTI",
        "CUB",
        "MEX",
        "GTM",
        "USA",
        "CAN",
        "BRA",
        "CRI",
        "ECU",
        "PER",
        "PRY",
        "BLZ",
        "JAM",
        "NIC",
        "CHL",
        "PAN",
    ]
)


def _value(name: str) -> st.SearchStrategy[Any]:
    spec = FACTS[name]
    kind = spec.type.value
    if kind in ("integer", "isced"):
        return st.integers(spec.minimum or 0, spec.maximum or 100)
    if kind == "boolean":
        return st.booleans()
    if kind == "iso3":
        return _ISO
    if kind == "iso3_list":
        return st.lists(_ISO, max_size=3, unique=True)
    if kind == "date":
        return st.dates(date(2010, 1, 1), date(2026, 1, 1)).map(date.isoformat)
    if kind == "isco08":
        return st.sampled_from(["6111", "9211", "6121", "7112", "5120", "2221", "8341"])
    if kind == "iso3166_2":
        return st.sampled_from(["BR-RR", "BR-SP", "MX-CHP", "MX-CMX", "BR-AM"])
    if kind == "tag_list":
        return st.lists(st.sampled_from(["pruning", "harvesting"]), max_size=2)
    return st.sampled_from(spec.values)


_facts = st.fixed_dictionaries(
    {},
    optional={name: _value(name) for name in FACTS if not FACTS[name].computed_from},
)


@functools.cache
def _screener() -> Screener:
    return Screener(load_catalogue().pathways, TODAY)


class TestCrossCheckWithCelPython:
    _env = celpy.Environment()
    _programs: ClassVar[dict[str, Any]] = {}

    def _celpy(self, expression: str, activation: Mapping[str, Any]) -> bool | None:
        program = self._programs.get(expression)
        if program is None:
            program = self._programs[expression] = self._env.program(
                self._env.compile(expression)
            )
        try:
            to_cel = celpy.json_to_cel  # type: ignore[attr-defined]
            result = program.evaluate({k: to_cel(v) for k, v in activation.items()})
        except celpy_evaluation.CELEvalError:
            return None
        if isinstance(result, celpy_evaluation.CELEvalError):
            return None
        return bool(result)

    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(data=_facts)
    def test_clause_results_agree(self, data: dict[str, object]) -> None:
        facts: Facts = parse_facts(data)
        screener = _screener()
        activation = {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in facts.to_cel(TODAY).items()
        }
        for result, pathway in zip(
            screener.screen(facts), screener.pathways, strict=True
        ):
            for (clause_id, state), clause in zip(
                result.clauses, pathway.clauses_in_force(TODAY), strict=True
            ):
                assert clause_id == clause.id
                reference = self._celpy(clause.cel, activation)
                if reference is None:
                    assert state is ClauseState.UNKNOWN, (pathway.id, clause.id)
                else:
                    expected = ClauseState.PASS if reference else ClauseState.FAIL
                    assert state is expected, (pathway.id, clause.id)


# --- the memo on value classes is exact --------------------------------------------

_WIDE_ISO = st.sampled_from(
    [
        "VEN",
        "COL",
        "HTI",
        "CUB",
        "MEX",
        "GTM",
        "USA",
        "CAN",
        "BRA",
        "NIC",
        "ESP",
        "AFG",
        "XXA",
        "SLV",
        "HND",
        "PAN",
        "DOM",
        "JAM",
        "BLZ",
        "URY",
        "ARG",
        "IND",
    ]
)


def _wide(name: str) -> st.SearchStrategy[Any]:
    """Values as varied as a registry's: any age, entry dates over 60 years."""
    spec = FACTS[name]
    kind = spec.type.value
    if kind in ("integer", "isced"):
        return st.integers(spec.minimum or 0, spec.maximum or 130)
    if kind == "date":
        return st.dates(date(1966, 1, 1), date(2026, 11, 28)).map(date.isoformat)
    if kind == "iso3":
        return _WIDE_ISO
    if kind == "iso3_list":
        return st.lists(_WIDE_ISO, max_size=4, unique=True)
    return _value(name)


_wide_facts = st.fixed_dictionaries(
    {},
    optional={name: _wide(name) for name in FACTS if not FACTS[name].computed_from},
)


@functools.cache
def _rules() -> dict[str, Any]:
    return {
        c.cel: compile_rule(c.cel)
        for p in load_catalogue().pathways
        for c in p.clauses_in_force(TODAY)
    }


class TestMemoIsExact:
    @settings(
        max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(data=_wide_facts)
    def test_memoised_results_equal_every_clause_evaluated(
        self, data: dict[str, object]
    ) -> None:
        facts = parse_facts(data)
        values = facts.to_cel(TODAY)
        screener = _screener()
        for result in screener.screen(facts):
            clauses = result.pathway.clauses_in_force(TODAY)
            fresh = decide(
                result.pathway,
                clauses,
                [evaluate_clause(_rules()[c.cel], values) for c in clauses],
            )
            assert result == fresh, result.pathway_id

    def test_dates_and_ages_are_memoised_by_class(self) -> None:
        screener = Screener(load_catalogue().pathways, TODAY)
        assert {"age", "date_of_entry"} <= screener.classified_facts
        # `country_of_residence != nationality` compares two facts: both stay raw.
        assert "nationality" not in screener.classified_facts
        plan = next(p for p in screener._plans if p.pathway.id == "col-etpv")
        # Two entry dates on the same side of every date the rules name share one
        # memo entry; a date across one of them (2021-01-31) gets its own.
        for day in ("2020-03-01", "2020-03-02", "2019-07-17"):
            screener.screen(
                parse_facts(dict(VENEZUELAN_IN_COLOMBIA, date_of_entry=day))
            )
        assert len(plan.cache) == 1
        screener.screen(
            parse_facts(dict(VENEZUELAN_IN_COLOMBIA, date_of_entry="2022-01-01"))
        )
        assert len(plan.cache) == 2

    def test_one_decision_per_distinct_clause_values(self) -> None:
        screener = Screener(load_catalogue().pathways, TODAY)
        plan = next(p for p in screener._plans if p.pathway.id == "col-etpv")
        # Peruvian and Ecuadorian residents of Colombia: different facts (two memo
        # entries) but the same clause values, so one decision, shared.
        results = [
            next(
                r
                for r in screener.screen(
                    parse_facts(dict(VENEZUELAN_IN_COLOMBIA, nationality=code))
                )
                if r.pathway_id == "col-etpv"
            )
            for code in ("PER", "ECU")
        ]
        assert len(plan.cache) == 2
        assert len(plan.decided) == 1
        assert results[0] is results[1]
        assert results[0].outcome is Outcome.NOT_ELIGIBLE
