"""Returns that end well, as pure decisions: what a reception needs before a
person counts as received (a child only into the hands of a named caregiver or a
child-protection authority), the follow-up points, the sustainability score and
the small-cell rule for the monthly counts.

The score follows IOM's integrated approach to reintegration (economic, social and
psychosocial dimensions, each scored 0 to 1 by the reintegration sustainability
survey); here the composite is their plain mean, rounded to two places.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from puente.core.i18n import N_

FOLLOW_UP_MONTHS: Final = (3, 6, 12)
DIMENSIONS: Final = ("economic", "social", "psychosocial")
DIMENSION_LABELS: Final = {
    "economic": N_("Economic"),
    "social": N_("Social"),
    "psychosocial": N_("Psychosocial"),
}
SUSTAINABLE_AT: Final = Decimal("0.66")
"""A composite score from this up counts as sustainable reintegration (IOM's
reintegration sustainability survey threshold)."""
SMALL_CELL: Final = 5
"""Monthly counts under this are withheld (shown as fewer than five)."""


def shared_reference(sender_state: str, reference: str) -> str:
    """The reference both states quote for a shared return case: the sending
    state and the first eight characters of the case's random id, in capitals
    (e.g. `COL-R-1A2B3C4D`), read the same on both nodes."""
    compact = reference.replace("-", "")[:8].upper()
    return f"{sender_state}-R-{compact}"


def child_can_be_received(caregiver: str, authority: str) -> bool:
    """A child is received only by a named caregiver or a named child-protection
    authority (not by an empty form)."""
    return bool(caregiver.strip()) or bool(authority.strip())


def score_value(raw: object) -> Decimal:
    """One dimension score: a number from 0 to 1; raises ValueError otherwise."""
    if isinstance(raw, bool):
        raise ValueError("a score is a number from 0 to 1")
    value = Decimal(str(raw))
    if not value.is_finite() or value < 0 or value > 1:
        raise ValueError("a score is a number from 0 to 1")
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def sustainability_score(economic: Decimal, social: Decimal, psych: Decimal) -> Decimal:
    """The composite: the mean of the three dimensions, two places."""
    mean = (economic + social + psych) / 3
    return mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def suppress(count: int) -> int | None:
    """A count to publish, or None when it is a small cell (1 to 4)."""
    return None if 0 < count < SMALL_CELL else count


def is_sustainable(score: Decimal) -> bool:
    """The 12-month composite says the reintegration held."""
    return score >= SUSTAINABLE_AT
