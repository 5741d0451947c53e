from __future__ import annotations

from typing import Any

import pytest

from puente.core.errors import Conflict
from puente.protection.rules.returns import (
    CheckResultKind,
    InvalidGateFacts,
    OverrideNotAllowed,
    OverrideSignature,
    ReturnGateFailed,
    evaluate_gate,
    load_ruleset,
    parse_ruleset,
    require_gate_passed,
    require_override,
    require_two_person_rule,
)

LOCALES = ("en", "es", "pt", "fr", "ht")

# An adult with no protection needs and every step of a lawful return recorded.
CLEAR: dict[str, Any] = {
    "destination": "GTM",
    "nationalities": ["GTM"],
    "nationality_confirmed_by_destination": True,
    "torture_risk_assessed": True,
    "consular_step_completed": True,
    "travel_document_available": True,
    "readmission_accepted": True,
    "fit_to_travel": True,
    "family_unity_respected": True,
}


def facts(**changes: Any) -> dict[str, Any]:
    return {**CLEAR, **changes}


def signer(user_id: str, *, authorised: bool = True) -> OverrideSignature:
    return OverrideSignature(
        user_id=user_id,
        is_authorised=authorised,
        authority="Dirección de Migración",
        legal_basis="Ley 1234 art. 5",
    )


class TestRuleset:
    def test_covers_every_check_of_research_01_section_3_7(self) -> None:
        ids = {check.id for check in load_ruleset().checks}
        assert ids == {
            "expressed_fear",
            "pending_claim",
            "recognised_protection",
            "fear_screening",
            "torture_risk",
            "child_best_interests_determination",
            "child_guardian_and_views",
            "child_caregiver_confirmed",
            "presumed_trafficking_victim",
            "nationality_confirmed",
            "statelessness",
            "specific_needs_signoff",
            "consular_step",
            "travel_documents",
            "fit_to_travel",
            "family_unity",
        }

    def test_every_check_has_five_languages(self) -> None:
        for check in load_ruleset().checks:
            assert set(check.title) == set(LOCALES)
            assert all(check.fail_reason[locale] for locale in LOCALES)

    def test_rejects_a_rule_over_an_unknown_fact(self) -> None:
        ruleset = load_ruleset()
        data = {
            "ruleset": "x",
            "version": 1,
            "facts": {"destination": {"type": "country", "required": True}},
            "messages": {},
            "checks": [
                {
                    "id": "typo",
                    "legal_basis": "",
                    "applies_when": "true",
                    "pass_when": "facts.destinaton == 'GTM'",
                    "overridable": True,
                    "title": dict(ruleset.checks[0].title),
                    "fail_reason": dict(ruleset.checks[0].fail_reason),
                }
            ],
        }
        with pytest.raises(ValueError, match="unknown facts"):
            parse_ruleset(data)


class TestEvaluateGate:
    def test_clear_case_passes(self) -> None:
        gate = evaluate_gate(CLEAR)
        assert gate.passed, gate.failed_checks
        require_gate_passed(gate)

    def test_missing_facts_fail_closed(self) -> None:
        gate = evaluate_gate({"destination": "GTM"})
        assert {"torture_risk", "travel_documents", "fit_to_travel"} <= set(
            gate.failed_checks
        )

    def test_unaccompanied_child_without_determination_fails_that_check(self) -> None:
        gate = evaluate_gate(
            facts(
                is_child=True,
                is_unaccompanied_or_separated=True,
                guardian_appointed=True,
                child_heard=True,
                caregiver_confirmed=True,
            )
        )
        assert gate.failed_checks == ("child_best_interests_determination",)
        check = gate.check("child_best_interests_determination")
        assert check.result is CheckResultKind.FAIL
        assert "best-interests determination" in check.reason["en"]
        assert set(check.reason) == set(LOCALES)
        with pytest.raises(ReturnGateFailed) as raised:
            require_gate_passed(gate)
        assert isinstance(raised.value, Conflict)
        assert "child_best_interests_determination" in str(raised.value)
        assert raised.value.params["failed_checks"] == gate.failed_checks

    def test_child_with_determination_but_no_caregiver_fails(self) -> None:
        gate = evaluate_gate(
            facts(
                is_child=True,
                is_unaccompanied_or_separated=True,
                bid_status="recommends_return",
                guardian_appointed=True,
                child_heard=True,
            )
        )
        assert gate.failed_checks == ("child_caregiver_confirmed",)

    def test_child_checks_do_not_apply_to_adults(self) -> None:
        check = evaluate_gate(CLEAR).check("child_best_interests_determination")
        assert check.passed
        assert not check.is_applicable

    @pytest.mark.parametrize(
        ("changes", "check"),
        [
            ({"expressed_fear": True}, "expressed_fear"),
            ({"claim_status": "pending"}, "pending_claim"),
            ({"claim_status": "appeal_pending"}, "pending_claim"),
            ({"protection_status": "refugee"}, "recognised_protection"),
            ({"claim_status": "recognised"}, "recognised_protection"),
            ({"expedited_procedure": True}, "fear_screening"),
            (
                {"expedited_procedure": True, "fear_screening_status": "negative"},
                "fear_screening",
            ),
            ({"torture_risk_found": True}, "torture_risk"),
            ({"torture_risk_assessed": False}, "torture_risk"),
            ({"presumed_trafficking_victim": True}, "presumed_trafficking_victim"),
            ({"nationality_confirmed_by_destination": False}, "nationality_confirmed"),
            ({"statelessness_risk_open": True}, "statelessness"),
            (
                {"is_stateless": True, "readmission_accepted": False},
                "statelessness",
            ),
            ({"specific_needs": ["LP-RR"]}, "specific_needs_signoff"),
            ({"specific_needs": ["sm-cc"]}, "specific_needs_signoff"),
            ({"consular_step_completed": False}, "consular_step"),
            ({"readmission_accepted": False}, "travel_documents"),
            ({"fit_to_travel": False}, "fit_to_travel"),
            ({"family_unity_respected": False}, "family_unity"),
        ],
    )
    def test_each_safeguard_blocks(self, changes: dict[str, Any], check: str) -> None:
        gate = evaluate_gate(facts(**changes))
        assert check in gate.failed_checks

    @pytest.mark.parametrize(
        "changes",
        [
            {"expressed_fear": True, "fear_claim_decided": True},
            {"claim_status": "rejected_final"},
            {"claim_status": "appeal_pending", "appeal_suspensive": False},
            {
                "expedited_procedure": True,
                "fear_screening_status": "negative",
                "fear_screening_notified": True,
                "review_window_expired": True,
            },
            {
                "presumed_trafficking_victim": True,
                "reflection_period_ended": True,
                "retrafficking_risk_assessed": True,
            },
            {"specific_needs": ["LP-RR"], "protection_officer_signoff": True},
            {"destination": "MEX", "nationality_confirmed_by_destination": False},
        ],
    )
    def test_safeguard_satisfied(self, changes: dict[str, Any]) -> None:
        assert evaluate_gate(facts(**changes)).passed

    @pytest.mark.parametrize(
        "bad",
        [
            {"nationalities": "GTM"},
            {"expressed_fear": "yes"},
            {"claim_status": "maybe"},
            {"destination": "Guatemala"},
            {"unknown_fact": True},
        ],
    )
    def test_refuses_malformed_facts(self, bad: dict[str, Any]) -> None:
        with pytest.raises(InvalidGateFacts):
            evaluate_gate(facts(**bad))

    def test_destination_is_required(self) -> None:
        with pytest.raises(InvalidGateFacts):
            evaluate_gate({})


class TestOverride:
    def gate(self) -> Any:
        return evaluate_gate(facts(fit_to_travel=False))

    def test_two_authorised_people_other_than_requester_may_override(self) -> None:
        require_override(
            self.gate(), requester_id="u1", signatures=[signer("u2"), signer("u3")]
        )

    @pytest.mark.parametrize(
        "signatures",
        [
            [signer("u2")],
            [signer("u2"), signer("u2")],
            [signer("u1"), signer("u2")],
            [signer("u2"), signer("u3", authorised=False)],
            [
                signer("u2"),
                OverrideSignature(
                    "u3", is_authorised=True, authority="x", legal_basis=" "
                ),
            ],
        ],
    )
    def test_refuses_unless_two_distinct_authorised_non_requesters(
        self, signatures: list[OverrideSignature]
    ) -> None:
        with pytest.raises(OverrideNotAllowed):
            require_two_person_rule("u1", signatures)

    def test_torture_risk_can_never_be_overridden(self) -> None:
        gate = evaluate_gate(facts(torture_risk_found=True))
        with pytest.raises(OverrideNotAllowed, match="torture_risk"):
            require_override(
                gate, requester_id="u1", signatures=[signer("u2"), signer("u3")]
            )

    def test_override_must_cover_every_failed_check(self) -> None:
        gate = evaluate_gate(facts(fit_to_travel=False, family_unity_respected=False))
        with pytest.raises(OverrideNotAllowed, match="still failing"):
            require_override(
                gate,
                requester_id="u1",
                signatures=[signer("u2"), signer("u3")],
                checks=["fit_to_travel"],
            )
