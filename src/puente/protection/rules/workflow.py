"""Case workflow as an explicit transition table (STYLE.md §5).

    new -> assessment -> case_plan -> services -> closure -> closed -> reopened
                                                     ^           |
                                                     +-----------+ (back to services)
    reopened -> assessment

Any open stage may move to `closure` (a person moves on, a case was opened in
error); closure itself only ends the case with a supervisor's approval.
Three moves need a supervisor's approval, as in Primero's approval types:
leaving `assessment` (the assessment), leaving `case_plan` (the case plan) and
`closure -> closed` (the closure). The service passes the approvals granted in
the current cycle; after a reopening, earlier approvals do not count.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from puente.core.errors import Conflict, InvalidInput


class CaseState(StrEnum):
    NEW = "new"
    ASSESSMENT = "assessment"
    CASE_PLAN = "case_plan"
    SERVICES = "services"
    CLOSURE = "closure"
    CLOSED = "closed"
    REOPENED = "reopened"


class ApprovalKind(StrEnum):
    ASSESSMENT = "assessment"
    CASE_PLAN = "case_plan"
    CLOSURE = "closure"


class UnknownCaseState(InvalidInput):
    message = "Unknown case state %(state)s."


class TransitionNotAllowed(Conflict):
    message = "A case cannot move from %(state)s to %(target)s."


class ApprovalRequired(TransitionNotAllowed):
    message = (
        "Moving a case from %(state)s to %(target)s needs the %(approval)s approval."
    )


@dataclass(frozen=True, slots=True)
class Transition:
    source: CaseState
    target: CaseState
    approval: ApprovalKind | None = None


_S = CaseState
TRANSITIONS: tuple[Transition, ...] = (
    Transition(_S.NEW, _S.ASSESSMENT),
    Transition(_S.ASSESSMENT, _S.CASE_PLAN, ApprovalKind.ASSESSMENT),
    Transition(_S.CASE_PLAN, _S.SERVICES, ApprovalKind.CASE_PLAN),
    Transition(_S.SERVICES, _S.CLOSURE),
    Transition(_S.CLOSURE, _S.CLOSED, ApprovalKind.CLOSURE),
    Transition(_S.CLOSURE, _S.SERVICES),  # closure refused or new needs found
    Transition(_S.CLOSED, _S.REOPENED),
    Transition(_S.REOPENED, _S.ASSESSMENT),
    # Early closure from any open stage; ending still needs the closure approval.
    Transition(_S.NEW, _S.CLOSURE),
    Transition(_S.ASSESSMENT, _S.CLOSURE),
    Transition(_S.CASE_PLAN, _S.CLOSURE),
    Transition(_S.REOPENED, _S.CLOSURE),
)

_TABLE: Mapping[tuple[CaseState, CaseState], Transition] = MappingProxyType(
    {(t.source, t.target): t for t in TRANSITIONS}
)

OPEN_STATES: frozenset[CaseState] = frozenset(CaseState) - {CaseState.CLOSED}


def _state(value: CaseState | str) -> CaseState:
    try:
        return CaseState(value)
    except ValueError:
        raise UnknownCaseState(state=str(value)) from None


def next_states(state: CaseState | str) -> frozenset[CaseState]:
    """States a case in `state` may move to (approvals aside)."""
    source = _state(state)
    return frozenset(t.target for t in TRANSITIONS if t.source is source)


def required_approval(
    state: CaseState | str, target: CaseState | str
) -> ApprovalKind | None:
    """The approval a move needs, or None; raises if the move does not exist."""
    source, goal = _state(state), _state(target)
    transition = _TABLE.get((source, goal))
    if transition is None:
        raise TransitionNotAllowed(state=source.value, target=goal.value)
    return transition.approval


def require_transition(
    state: CaseState | str,
    target: CaseState | str,
    approvals: Collection[ApprovalKind | str] = (),
) -> None:
    """Raise `TransitionNotAllowed` (or its `ApprovalRequired`) unless allowed."""
    approval = required_approval(state, target)
    granted = {ApprovalKind(kind) for kind in approvals}
    if approval is not None and approval not in granted:
        raise ApprovalRequired(
            state=_state(state).value,
            target=_state(target).value,
            approval=approval.value,
        )


def can_transition(
    state: CaseState | str,
    target: CaseState | str,
    approvals: Collection[ApprovalKind | str] = (),
) -> bool:
    """`require_transition` as a boolean, for `can_*` flags in templates."""
    try:
        require_transition(state, target, approvals)
    except TransitionNotAllowed:
        return False
    return True
