"""Property tests for totalisation (issue 9, "property tests for ... totalisation"):
over generated insurance periods, the totalised years are the sum of the periods,
no state pays less than its own autonomous pension nor a negative amount, and a
state's pro-rata share never exceeds its theoretical pension."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from puente.pathways.rules.totalisation import totalise
from tests.pathways.test_totalisation import STATE_A, STATE_B

years = st.decimals(min_value=0, max_value=60, places=1, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(a=years, b=years)
def test_totalisation_holds_its_invariants(a: Decimal, b: Decimal) -> None:
    result = totalise({"A": a, "B": b}, {"A": STATE_A, "B": STATE_B})
    assert result.total_years == a + b
    assert result.total_payable >= 0
    assert result.total_payable == sum(s.payable for s in result.states)
    for state in result.states:
        assert state.payable >= 0
        if state.autonomous is not None:
            assert state.payable >= state.autonomous
        if state.pro_rata is not None and state.theoretical is not None:
            assert state.pro_rata <= state.theoretical


@settings(max_examples=200, deadline=None)
@given(a=years, b=years, extra=st.decimals(min_value=0, max_value=10, places=1))
def test_more_years_in_a_state_never_lower_what_it_pays(
    a: Decimal, b: Decimal, extra: Decimal
) -> None:
    before = totalise({"A": a, "B": b}, {"A": STATE_A, "B": STATE_B})
    after = totalise({"A": a + extra, "B": b}, {"A": STATE_A, "B": STATE_B})
    assert after.total_years >= before.total_years
    # The state where the years were added pays at least as much as before.
    assert after.states[0].payable >= before.states[0].payable
