"""Best interests of the child (research/01 §3.6; UNHCR Best Interests Procedure
Guidelines 2021, which replace the 2008 BID Guidelines).

Two levels:

- **Best-interests assessment (BIA)**: continuous, inside case management, for
  every child at risk, and every unaccompanied or separated child.
- **Best-interests determination (BID)**: a formal process decided by a
  multidisciplinary panel, required for (i) a durable solution for an
  unaccompanied or separated child (return, local integration, resettlement),
  (ii) certain temporary care decisions for such a child, and (iii) any decision
  that may separate a child from their parents against their will. Puente also
  makes the BID a hard precondition for the return of an unaccompanied or
  separated child (the return gate checks it).

A person whose age is disputed is treated as a child until it is settled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

ADULT_AGE = 18
MINIMUM_BID_PANEL = 3  # Puente's rule: a multidisciplinary panel of at least three


class Procedure(StrEnum):
    NONE = "none"
    ASSESSMENT = "assessment"  # BIA
    DETERMINATION = "determination"  # BID


class ChildDecision(StrEnum):
    CASE_MANAGEMENT = "case_management"  # ordinary case plan and services
    TEMPORARY_CARE = "temporary_care"  # alternative care placement
    DURABLE_SOLUTION = "durable_solution"  # local integration or resettlement
    RETURN = "return"  # return or family reunification in another country
    SEPARATION_FROM_PARENTS = "separation_from_parents"  # against their will


class BidRecommendation(StrEnum):
    RECOMMENDS_RETURN = "recommends_return"
    AGAINST_RETURN = "against_return"
    OTHER_SOLUTION = "other_solution"


@dataclass(frozen=True, slots=True)
class ChildFacts:
    age_years: int | None = None
    is_age_disputed: bool = False
    is_unaccompanied: bool = False
    is_separated: bool = False
    is_at_risk: bool = False  # any CR/SC specific need or child-protection flag

    @property
    def is_child(self) -> bool:
        if self.is_age_disputed:
            return True
        return self.age_years is not None and self.age_years < ADULT_AGE

    @property
    def is_unaccompanied_or_separated(self) -> bool:
        return self.is_child and (self.is_unaccompanied or self.is_separated)


@dataclass(frozen=True, slots=True)
class Requirement:
    procedure: Procedure
    reasons: tuple[str, ...]  # reason codes, for labels in the web layer


@dataclass(frozen=True, slots=True)
class BidRecord:
    """The facts of a best-interests determination that the rules check."""

    panel_member_ids: frozenset[str]
    child_heard: bool
    reason_child_not_heard: str = ""
    options_considered: tuple[str, ...] = ()
    recommendation: BidRecommendation | None = None
    decided_on: date | None = None
    review_on: date | None = None


def age_on(birth: date, on: date) -> int:
    """Completed years at `on`."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def required_procedure(child: ChildFacts, decision: ChildDecision) -> Requirement:
    """Which best-interests procedure a decision about this person needs."""
    if not child.is_child:
        return Requirement(Procedure.NONE, ("not_a_child",))
    reasons: list[str] = []
    if child.is_age_disputed:
        reasons.append("age_disputed_treated_as_child")
    if decision is ChildDecision.SEPARATION_FROM_PARENTS:
        return Requirement(
            Procedure.DETERMINATION, (*reasons, "separation_from_parents")
        )
    if child.is_unaccompanied_or_separated and decision in (
        ChildDecision.DURABLE_SOLUTION,
        ChildDecision.RETURN,
        ChildDecision.TEMPORARY_CARE,
    ):
        return Requirement(
            Procedure.DETERMINATION,
            (*reasons, f"unaccompanied_or_separated_{decision}"),
        )
    if child.is_unaccompanied_or_separated:
        return Requirement(
            Procedure.ASSESSMENT, (*reasons, "unaccompanied_or_separated")
        )
    if child.is_at_risk or decision is not ChildDecision.CASE_MANAGEMENT:
        return Requirement(Procedure.ASSESSMENT, (*reasons, "child_at_risk"))
    return Requirement(Procedure.NONE, (*reasons, "no_risk_identified"))


def bid_problems(record: BidRecord, *, today: date) -> tuple[str, ...]:
    """What keeps a BID from being complete and current; empty when it is."""
    problems = []
    if len(record.panel_member_ids) < MINIMUM_BID_PANEL:
        problems.append("panel_too_small")
    if not record.child_heard and not record.reason_child_not_heard.strip():
        problems.append("child_not_heard")
    if len(record.options_considered) < 2:
        problems.append("options_not_weighed")
    if record.recommendation is None or record.decided_on is None:
        problems.append("no_decision")
    if record.review_on is not None and record.review_on < today:
        problems.append("review_overdue")
    return tuple(problems)


def bid_supports_return(record: BidRecord | None, *, today: date) -> bool:
    """True when a complete, current BID recommends return (for the return gate)."""
    return (
        record is not None
        and not bid_problems(record, today=today)
        and record.recommendation is BidRecommendation.RECOMMENDS_RETURN
    )
