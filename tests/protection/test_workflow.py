from __future__ import annotations

import itertools

import pytest

from puente.core.errors import Conflict
from puente.protection.rules.workflow import (
    TRANSITIONS,
    ApprovalKind,
    ApprovalRequired,
    CaseState,
    TransitionNotAllowed,
    UnknownCaseState,
    can_transition,
    next_states,
    require_transition,
    required_approval,
)

S = CaseState


class TestTransitionTable:
    def test_main_path_is_walkable_with_approvals(self) -> None:
        path = [S.NEW, S.ASSESSMENT, S.CASE_PLAN, S.SERVICES, S.CLOSURE, S.CLOSED]
        approvals = set(ApprovalKind)
        for source, target in itertools.pairwise(path):
            require_transition(source, target, approvals)

    def test_reopened_case_goes_back_to_assessment(self) -> None:
        assert next_states(S.CLOSED) == {S.REOPENED}
        assert S.ASSESSMENT in next_states("reopened")

    @pytest.mark.parametrize(
        ("source", "target", "approval"),
        [
            (S.ASSESSMENT, S.CASE_PLAN, ApprovalKind.ASSESSMENT),
            (S.CASE_PLAN, S.SERVICES, ApprovalKind.CASE_PLAN),
            (S.CLOSURE, S.CLOSED, ApprovalKind.CLOSURE),
        ],
    )
    def test_supervisor_approval_required(
        self, source: CaseState, target: CaseState, approval: ApprovalKind
    ) -> None:
        assert required_approval(source, target) is approval
        with pytest.raises(ApprovalRequired):
            require_transition(source, target, approvals=())
        other = set(ApprovalKind) - {approval}
        with pytest.raises(ApprovalRequired):
            require_transition(source, target, approvals=other)
        require_transition(source, target, approvals=[approval.value])

    def test_only_three_transitions_need_approval(self) -> None:
        assert sum(t.approval is not None for t in TRANSITIONS) == 3

    @pytest.mark.parametrize(
        ("source", "target"),
        [
            (S.NEW, S.SERVICES),
            (S.NEW, S.CLOSED),
            (S.CLOSED, S.SERVICES),
            (S.SERVICES, S.CASE_PLAN),
            (S.CLOSED, S.CLOSED),
        ],
    )
    def test_refuses_moves_outside_the_table(
        self, source: CaseState, target: CaseState
    ) -> None:
        with pytest.raises(TransitionNotAllowed) as raised:
            require_transition(source, target, set(ApprovalKind))
        assert isinstance(raised.value, Conflict)
        assert not can_transition(source, target, set(ApprovalKind))

    def test_every_state_has_a_way_forward(self) -> None:
        assert all(next_states(state) for state in CaseState)

    def test_unknown_state_is_invalid_input(self) -> None:
        with pytest.raises(UnknownCaseState):
            next_states("archived")
