from __future__ import annotations

from datetime import date

import pytest

from puente.protection.rules.best_interests import (
    BidRecommendation,
    BidRecord,
    ChildDecision,
    ChildFacts,
    Procedure,
    age_on,
    bid_problems,
    bid_supports_return,
    required_procedure,
)

TODAY = date(2025, 6, 1)
UNACCOMPANIED = ChildFacts(age_years=15, is_unaccompanied=True)


class TestRequiredProcedure:
    @pytest.mark.parametrize(
        "decision",
        [
            ChildDecision.RETURN,
            ChildDecision.DURABLE_SOLUTION,
            ChildDecision.TEMPORARY_CARE,
        ],
    )
    def test_unaccompanied_child_needs_a_determination(
        self, decision: ChildDecision
    ) -> None:
        requirement = required_procedure(UNACCOMPANIED, decision)
        assert requirement.procedure is Procedure.DETERMINATION

    def test_separation_from_parents_needs_a_determination_for_any_child(self) -> None:
        child = ChildFacts(age_years=8)
        decision = ChildDecision.SEPARATION_FROM_PARENTS
        assert required_procedure(child, decision).procedure is Procedure.DETERMINATION

    def test_case_management_of_unaccompanied_child_needs_an_assessment(self) -> None:
        requirement = required_procedure(UNACCOMPANIED, ChildDecision.CASE_MANAGEMENT)
        assert requirement.procedure is Procedure.ASSESSMENT

    def test_disputed_age_is_treated_as_a_child(self) -> None:
        person = ChildFacts(age_years=19, is_age_disputed=True, is_separated=True)
        requirement = required_procedure(person, ChildDecision.RETURN)
        assert requirement.procedure is Procedure.DETERMINATION
        assert "age_disputed_treated_as_child" in requirement.reasons

    def test_adult_needs_nothing(self) -> None:
        adult = ChildFacts(age_years=30, is_unaccompanied=True)
        assert (
            required_procedure(adult, ChildDecision.RETURN).procedure is Procedure.NONE
        )

    def test_age_on_counts_completed_years(self) -> None:
        assert age_on(date(2007, 6, 2), TODAY) == 17
        assert age_on(date(2007, 6, 1), TODAY) == 18


class TestBidRecord:
    def complete(self, **changes: object) -> BidRecord:
        values: dict[str, object] = {
            "panel_member_ids": frozenset({"a", "b", "c"}),
            "child_heard": True,
            "options_considered": ("return", "local_integration"),
            "recommendation": BidRecommendation.RECOMMENDS_RETURN,
            "decided_on": date(2025, 5, 1),
            "review_on": date(2025, 11, 1),
        }
        values.update(changes)
        return BidRecord(**values)  # type: ignore[arg-type]

    def test_complete_record_supports_return(self) -> None:
        record = self.complete()
        assert bid_problems(record, today=TODAY) == ()
        assert bid_supports_return(record, today=TODAY)

    def test_small_panel_and_unheard_child_are_problems(self) -> None:
        record = self.complete(panel_member_ids=frozenset({"a"}), child_heard=False)
        assert bid_problems(record, today=TODAY) == (
            "panel_too_small",
            "child_not_heard",
        )
        assert not bid_supports_return(record, today=TODAY)

    def test_overdue_review_or_other_recommendation_does_not_support_return(
        self,
    ) -> None:
        assert not bid_supports_return(
            self.complete(review_on=date(2025, 1, 1)), today=TODAY
        )
        assert not bid_supports_return(
            self.complete(recommendation=BidRecommendation.AGAINST_RETURN), today=TODAY
        )
        assert not bid_supports_return(None, today=TODAY)
