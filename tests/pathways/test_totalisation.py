from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from puente.pathways.rules.totalisation import (
    PARTIES,
    Agreement,
    Basis,
    PensionFormula,
    TotalisationError,
    totalise,
)

STATE_A = PensionFormula(
    minimum_years=Decimal(20),
    reference_wage=Decimal(2000),
    base_rate=Decimal("0.40"),
    base_years=Decimal(20),
    rate_per_year=Decimal("0.02"),
)
STATE_B = PensionFormula(
    minimum_years=Decimal(15),
    reference_wage=Decimal(1500),
    rate_per_year=Decimal("0.016"),
)


class TestWorkedExample:
    """research/03 §5.2, figure for figure."""

    def test_reproduces_the_worked_example(self) -> None:
        result = totalise(
            {"A": Decimal(9), "B": Decimal(13)}, {"A": STATE_A, "B": STATE_B}
        )
        a, b = result.states
        assert result.total_years == 22
        assert (a.autonomous, b.autonomous) == (None, None)
        assert a.theoretical == Decimal("880.00")
        assert a.pro_rata == a.payable == Decimal("360.00")
        assert b.theoretical == Decimal("528.00")
        assert b.pro_rata == b.payable == Decimal("312.00")
        assert result.total_payable == Decimal("672.00")
        assert any("880.00 × 9/22 = 360.00" in line for line in result.explanation)

    def test_variant_linear_formula_pays_the_same_either_way(self) -> None:
        result = totalise(
            {"A": Decimal(9), "B": Decimal(16)}, {"A": STATE_A, "B": STATE_B}
        )
        b = result.states[1]
        assert b.autonomous == b.pro_rata == b.payable == Decimal("384.00")

    def test_without_totalisation_nothing_is_paid(self) -> None:
        alone = totalise({"A": Decimal(9)}, {"A": STATE_A})
        assert alone.total_payable == 0
        assert alone.states[0].basis is Basis.NONE


class TestAgreements:
    def test_parties_per_research(self) -> None:
        lad = {
            "ARG",
            "BRA",
            "CHL",
            "COL",
            "ECU",
            "SLV",
            "PRY",
            "PER",
            "URY",
            "BRB",
            "BLZ",
            "JAM",
            "HTI",
            "MEX",
            "USA",
        }
        assert set(PARTIES[Agreement.IBERO_AMERICAN]) & lad == {
            "ARG",
            "BRA",
            "CHL",
            "COL",
            "ECU",
            "SLV",
            "PRY",
            "PER",
            "URY",
        }
        assert set(PARTIES[Agreement.CARICOM]) & lad == {"BRB", "BLZ", "JAM"}

    def test_non_party_is_refused(self) -> None:
        with pytest.raises(TotalisationError, match="MEX"):
            totalise(
                {"MEX": Decimal(9), "ARG": Decimal(13)},
                {"MEX": STATE_A, "ARG": STATE_B},
                agreement=Agreement.IBERO_AMERICAN,
            )

    def test_party_not_yet_in_effect_is_refused(self) -> None:
        with pytest.raises(TotalisationError, match="COL"):
            totalise(
                {"COL": Decimal(9), "ARG": Decimal(13)},
                {"COL": STATE_A, "ARG": STATE_B},
                agreement=Agreement.IBERO_AMERICAN,
                on=date(2022, 1, 1),
            )

    def test_party_in_effect_computes(self) -> None:
        result = totalise(
            {"COL": Decimal(9), "ARG": Decimal(13)},
            {"COL": STATE_A, "ARG": STATE_B},
            agreement=Agreement.IBERO_AMERICAN,
            on=date(2024, 1, 1),
        )
        assert result.total_payable == Decimal("672.00")
