"""Host burden from the shipped data, fair-share keys and instrument eligibility."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from puente.core.expressions import Truth
from puente.financing.rules import eligibility
from puente.financing.rules.burden import HostInputs, host_burden
from puente.financing.rules.fair_share import (
    StateIndicators,
    actual_shares,
    fair_shares,
)
from puente.financing.service import burden as burden_service
from puente.identity import Role, system_actor
from tests.financing.conftest import role_actor

DATA = Path(__file__).resolve().parents[2] / "src" / "puente" / "financing" / "data"


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class TestColombiaFromTheShippedData:
    """Must show: Colombia's burden for the latest year, computed from the
    shipped files, counting Venezuelans in need of international protection."""

    def test_latest_year_counts_venezuelans_in_need_of_protection(
        self, session: Session
    ) -> None:
        year = burden_service.latest_year()
        assert year == 2022  # the last year with population, GDP and OIP
        stocks = [
            r
            for r in _csv("unhcr_endorser_stocks_2015_2024.csv")
            if r["geo"] == "COL" and r["t"] == str(year)
        ]
        refugees = sum(int(r["n"]) for r in stocks if r["group"] == "refugee")
        asylum = sum(int(r["n"]) for r in stocks if r["group"] == "asylum")
        [oip_row] = [
            r
            for r in _csv("unhcr_oip_venezuelans_2021_2022.csv")
            if r["asylum"] == "COL" and r["year"] == str(year)
        ]
        [people] = [
            r
            for r in _csv("lad_endorsers_pop_gdp_2015_2024.csv")
            if r["iso3"] == "COL" and r["year"] == str(year)
        ]
        hosted = refugees + asylum + int(oip_row["oip"])
        population = int(people["population"])
        gdp_per_person = float(people["gdp_current_usd"]) / population

        found = burden_service.state_burden(session, actor=system_actor(), state="COL")

        assert found.year == year
        assert found.oip == 2453862
        assert found.oip_known
        assert found.hosted == hosted
        assert found.per_1000 == pytest.approx(hosted * 1000 / population)
        assert found.per_usd_gdp_per_capita == pytest.approx(hosted / gdp_per_person)
        # Without the OIP Colombia would look like a small host.
        assert found.per_1000 == pytest.approx(47.9, abs=0.05)
        assert (refugees + asylum) * 1000 / population < 1

    def test_the_oip_extract_agrees_with_the_stock_file(self) -> None:
        stock = {
            (r["geo"], r["t"], r["from"], r["group"]): int(r["n"])
            for r in _csv("unhcr_endorser_stocks_2015_2024.csv")
        }
        for row in _csv("unhcr_oip_venezuelans_2021_2022.csv"):
            key = (row["asylum"], row["year"], row["origin"])
            assert stock[(*key, "refugee")] == int(row["refugees"]), row
            assert stock[(*key, "asylum")] == int(row["asylum_seekers"]), row

    def test_a_year_without_oip_says_so(self, session: Session) -> None:
        peru_2023 = burden_service.state_burden(
            session, actor=system_actor(), state="PER", year=2023
        )
        assert not peru_2023.oip_known
        assert not peru_2023.is_complete
        assert peru_2023.oip == 0

    def test_every_endorsing_state_has_a_row(self, session: Session) -> None:
        rows = burden_service.host_burden_table(session, actor=system_actor())
        assert len(rows) == 20
        assert rows[0].per_1000 is not None
        assert rows == sorted(rows, key=lambda r: -(r.per_1000 or -1))

    def test_readers_only(self, session: Session) -> None:
        from puente.core.errors import PermissionDenied

        with pytest.raises(PermissionDenied):
            burden_service.host_burden_table(
                session, actor=role_actor(Role.CASEWORKER, "COL")
            )


def test_burden_measures() -> None:
    burden = host_burden(
        HostInputs("XXX", 2022, 1_000_000, 5e9, 100, 50, 850, True, 900)
    )
    assert burden.hosted == 1000
    assert burden.per_1000 == 1.0
    assert burden.gdp_per_capita == 5000
    assert burden.per_usd_gdp_per_capita == pytest.approx(0.2)
    assert burden.per_million_usd_gdp == pytest.approx(0.2)
    unknown = host_burden(HostInputs("XXX", 2022, None, None, 1, 2, 99, False, 0))
    assert unknown.oip == 0
    assert unknown.per_1000 is None
    assert not unknown.is_complete


STATES = (
    StateIndicators(
        "AAA", {"population": 100, "gdp": 300, "past_effort": 10, "unemployment": 5}
    ),
    StateIndicators(
        "BBB",
        {"population": 300, "gdp": 100, "past_effort": 40, "unemployment": 10},
    ),
    StateIndicators(
        "CCC",
        {"population": 100, "gdp": 100, "past_effort": 1, "unemployment": None},
    ),
)


class TestFairShares:
    STATES = STATES

    def test_direct_indicators_share_in_proportion(self) -> None:
        result = fair_shares(self.STATES, {"population": 1})
        assert result.shares == pytest.approx({"AAA": 0.2, "BBB": 0.6, "CCC": 0.2})
        assert sum(result.shares.values()) == pytest.approx(1)

    def test_inverse_indicators_favour_who_already_does_more(self) -> None:
        result = fair_shares(self.STATES, {"past_effort": 1})
        assert result.shares["CCC"] > result.shares["AAA"] > result.shares["BBB"]

    def test_an_indicator_without_every_value_is_left_out_and_weights_rescale(
        self,
    ) -> None:
        result = fair_shares(
            self.STATES, {"population": 40, "gdp": 40, "unemployment": 20}
        )
        assert result.left_out == ("unemployment",)
        assert result.used == pytest.approx({"population": 0.5, "gdp": 0.5})

    def test_the_cap_limits_how_far_corrections_move_a_share(self) -> None:
        weights = {"population": 1, "gdp": 1, "past_effort": 8}
        uncapped = fair_shares(self.STATES, weights)
        capped = fair_shares(self.STATES, weights, cap=0.3)
        base = fair_shares(self.STATES, {"population": 1, "gdp": 1}).shares
        assert abs(uncapped.shares["CCC"] / base["CCC"] - 1) > 0.3
        for state, share in capped.shares.items():
            assert share / base[state] <= 1.3 + 0.02
            assert share / base[state] >= 0.7 - 0.02
        assert sum(capped.shares.values()) == pytest.approx(1)

    def test_actual_shares(self) -> None:
        assert actual_shares({"A": 3, "B": 1}) == {"A": 0.75, "B": 0.25}
        assert actual_shares({"A": 0, "B": 0}) == {"A": 0.0, "B": 0.0}

    def test_the_eu_preset_leaves_out_unemployment_without_rates(
        self, session: Session
    ) -> None:
        table = burden_service.fair_share_table(session, actor=system_actor())
        assert table.left_out == ["unemployment"]
        assert sum(s.fair_share for s in table.shares) == pytest.approx(1)
        usa = next(s for s in table.shares if s.state == "USA")
        assert usa.fair_share == max(s.fair_share for s in table.shares)


class TestEligibility:
    def test_income_groups(self) -> None:
        assert eligibility.income_group(1000) == "low"
        assert eligibility.income_group(4515) == "lower_middle"
        assert eligibility.income_group(6948) == "upper_middle"
        assert eligibility.income_group(50000) == "high"

    def test_a_missing_policy_judgement_leaves_the_outcome_undetermined(
        self, session: Session
    ) -> None:
        result = burden_service.check_eligibility(
            session, actor=system_actor(), instrument="gcff", state="COL"
        )
        assert result.outcome == "undetermined"
        truths = {c.id: c.truth for c in result.clauses}
        assert truths == {
            "middle_income": Truth.TRUE,
            "hosts_many_refugees": Truth.TRUE,
            "protection_framework": Truth.UNKNOWN,
        }
        assert result.missing == ["Strong refugee protection policy framework"]

    def test_with_the_judgement_colombia_is_eligible_for_the_gcff(
        self, session: Session
    ) -> None:
        result = burden_service.check_eligibility(
            session,
            actor=system_actor(),
            instrument="gcff",
            state="COL",
            has_protection_framework=True,
        )
        assert result.outcome == "eligible"

    def test_a_high_income_state_is_not_eligible_whatever_the_judgement(
        self, session: Session
    ) -> None:
        result = burden_service.check_eligibility(
            session, actor=system_actor(), instrument="gcff", state="USA"
        )
        assert result.outcome == "not_eligible"

    def test_the_idb_half_percent_rule(self, session: Session) -> None:
        panama = burden_service.check_eligibility(
            session, actor=system_actor(), instrument="idb-migration", state="PAN"
        )
        assert panama.outcome == "eligible"  # 157,383 from the Americas of 4.4 million
        brazil = burden_service.check_eligibility(
            session, actor=system_actor(), instrument="idb-migration", state="BRA"
        )
        assert brazil.outcome == "not_eligible"  # about 0.2 %
        clauses = [
            eligibility.Clause("c", "intraregional_hosted / population >= 0.005")
        ]
        assert (
            eligibility.check(
                clauses, {"intraregional_hosted": 5.0, "population": 1000.0}
            ).outcome
            is eligibility.Outcome.ELIGIBLE
        )
        assert (
            eligibility.check(
                clauses, {"intraregional_hosted": 4.99, "population": 1000.0}
            ).outcome
            is eligibility.Outcome.NOT_ELIGIBLE
        )
        assert (
            eligibility.check(clauses, {"intraregional_hosted": 5.0}).outcome
            is eligibility.Outcome.UNDETERMINED
        )
