"""Who gave consent to a referral: the person, or for a child a parent or guardian
(a child's own agreement is heard, but the consent on record is the guardian's)."""

from __future__ import annotations

from typing import Final

PERSON: Final = "person"
GUARDIAN: Final = "guardian"
CONSENT_GIVERS: Final = (PERSON, GUARDIAN)


class GuardianRequired(ValueError):
    """A child's consent was recorded as the child's own."""


def consent_giver(requested: str | None, *, is_child: bool) -> str:
    """Who the referral records as giving consent. Unsaid: the guardian for a
    child, the person otherwise. Raises ValueError for an unknown giver and
    GuardianRequired when a child's consent is said to be their own."""
    if requested is None or not requested.strip():
        return GUARDIAN if is_child else PERSON
    if requested not in CONSENT_GIVERS:
        raise ValueError(requested)
    if is_child and requested != GUARDIAN:
        raise GuardianRequired(requested)
    return requested
