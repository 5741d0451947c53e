"""Property tests for the return gate (issue 9, "property tests for ... the return
gate"): any generated combination of blocking facts fails every check it names,
whatever else is true; arbitrary junk facts are refused as invalid or
evaluated, never another error."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from puente.protection.rules.returns import InvalidGateFacts, evaluate_gate
from tests.protection.test_returns import CLEAR

BLOCKING: list[tuple[dict[str, Any], str]] = [
    ({"expressed_fear": True}, "expressed_fear"),
    ({"claim_status": "pending"}, "pending_claim"),
    ({"protection_status": "refugee"}, "recognised_protection"),
    ({"torture_risk_found": True}, "torture_risk"),
    ({"presumed_trafficking_victim": True}, "presumed_trafficking_victim"),
    ({"nationality_confirmed_by_destination": False}, "nationality_confirmed"),
    ({"statelessness_risk_open": True}, "statelessness"),
    ({"specific_needs": ["LP-RR"]}, "specific_needs_signoff"),
    ({"consular_step_completed": False}, "consular_step"),
    ({"readmission_accepted": False}, "travel_documents"),
    ({"fit_to_travel": False}, "fit_to_travel"),
    ({"family_unity_respected": False}, "family_unity"),
]


@settings(max_examples=300, deadline=None)
@given(st.sets(st.integers(0, len(BLOCKING) - 1), min_size=1))
def test_every_blocking_fact_blocks_whatever_else_is_true(chosen: set[int]) -> None:
    facts = dict(CLEAR)
    for index in chosen:
        facts.update(BLOCKING[index][0])
    gate = evaluate_gate(facts)
    assert not gate.passed
    for index in chosen:
        assert BLOCKING[index][1] in gate.failed_checks


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=20),
    st.lists(st.text(max_size=5), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(CLEAR)), junk, min_size=1))
def test_junk_facts_fail_closed_and_never_raise(changes: dict[str, Any]) -> None:
    assume(any(CLEAR[key] != value for key, value in changes.items()))
    try:
        gate = evaluate_gate({**CLEAR, **changes})
    except InvalidGateFacts:
        return  # a 422 naming the fact: refused, nothing decided
    # Whatever the gate says, it says it for every check and never crashes.
    assert len(gate.checks) > 0
    for check in gate.checks:
        assert check.result is not None
