"""Application stages per pathway kind: an explicit, linear transition table.

An application moves one stage forward at a time; a decision (approved or refused)
can be recorded at the `decision` stage only, and an approved application goes on
through the stages after it; withdrawal and a closed pathway end it from any stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from puente.core.i18n import N_
from puente.pathways.rules.catalogue import PathwayKind


class ApplicationStatus(StrEnum):
    ACTIVE = "active"
    NEEDS_REVIEW = "needs_review"  # a re-screen found the person no longer eligible
    PATHWAY_CLOSED = "pathway_closed"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


OPEN_STATUSES: Final = frozenset(
    {ApplicationStatus.ACTIVE, ApplicationStatus.NEEDS_REVIEW}
)

STAGES: Final[Mapping[PathwayKind, tuple[str, ...]]] = {
    PathwayKind.LABOUR: (
        "submitted",
        "documents",
        "job_offer",
        "decision",
        "visa",
        "travel",
        "arrived",
    ),
    PathwayKind.FAMILY: (
        "submitted",
        "documents",
        "sponsor_check",
        "interview",
        "decision",
        "travel",
        "arrived",
    ),
    PathwayKind.HUMANITARIAN: (
        "submitted",
        "triage",
        "documents",
        "interview",
        "decision",
        "travel",
        "arrived",
    ),
    PathwayKind.RESETTLEMENT: (
        "referral",
        "interview",
        "security_check",
        "medical",
        "decision",
        "travel",
        "arrived",
    ),
    PathwayKind.REGULARISATION: (
        "submitted",
        "documents",
        "biometrics",
        "decision",
        "permit_issued",
    ),
    PathwayKind.STUDY: (
        "submitted",
        "admission",
        "documents",
        "decision",
        "visa",
        "travel",
    ),
}
DECISION_STAGE: Final = "decision"
STAGE_LABELS: Final[Mapping[str, str]] = {
    "submitted": N_("Submitted"),
    "documents": N_("Documents"),
    "job_offer": N_("Job offer"),
    "decision": N_("Decision"),
    "visa": N_("Visa"),
    "travel": N_("Travel"),
    "arrived": N_("Arrived"),
    "sponsor_check": N_("Sponsor check"),
    "interview": N_("Interview"),
    "triage": N_("Triage"),
    "referral": N_("Referral"),
    "security_check": N_("Security check"),
    "medical": N_("Medical examination"),
    "biometrics": N_("Biometrics"),
    "permit_issued": N_("Permit issued"),
    "admission": N_("Admission"),
}
STATUS_LABELS: Final[Mapping[str, str]] = {
    ApplicationStatus.ACTIVE: N_("Active"),
    ApplicationStatus.NEEDS_REVIEW: N_("Needs review"),
    ApplicationStatus.PATHWAY_CLOSED: N_("Pathway closed"),
    ApplicationStatus.APPROVED: N_("Approved"),
    ApplicationStatus.REFUSED: N_("Refused"),
    ApplicationStatus.WITHDRAWN: N_("Withdrawn"),
}
"""Words for the codes: a stage, a status (a decision is approved or refused)."""


def first_stage(kind: PathwayKind) -> str:
    return STAGES[kind][0]


def next_stage(kind: PathwayKind, current: str) -> str | None:
    """The stage after `current`, or None at the last stage."""
    stages = STAGES[kind]
    position = stages.index(current)
    return stages[position + 1] if position + 1 < len(stages) else None


def can_advance(kind: PathwayKind, current: str, target: str, status: str) -> bool:
    """Only open applications move, one stage at a time, and never past an
    undecided decision stage."""
    moving = OPEN_STATUSES | {ApplicationStatus.APPROVED}
    if status not in moving or target not in STAGES[kind]:
        return False
    if current == DECISION_STAGE:
        return False  # the decision itself moves the application on
    return next_stage(kind, current) == target
