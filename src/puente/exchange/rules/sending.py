"""What an envelope may carry toward a peer, checked when it is queued and again
when it is sent; and how long a failed delivery waits before the next try."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from puente.exchange.rules.terms import (
    SENSITIVE_CATEGORIES,
    AgreementStatus,
    Category,
)

# Keys that name a person directly: never in a body, whatever the agreement says.
FORBIDDEN_KEYS = frozenset(
    {
        "name",
        "given_name",
        "family_name",
        "surname",
        "full_name",
        "birth_date",
        "dob",
        "date_of_birth",
        "document_number",
        "document",
        "passport",
    }
)


# Wind-down terms (ADR 0012): an agreement that lapsed (expired or revoked) still
# carries consent revocations to a party that received data under it, so that
# the party erases what it holds; nothing else.
WIND_DOWN_STATUSES = frozenset({AgreementStatus.EXPIRED, AgreementStatus.REVOKED})
WIND_DOWN_CATEGORIES = frozenset({Category.CONSENT_REVOCATION.value})


class Refusal(StrEnum):
    NO_AGREEMENT = "no_agreement"
    AGREEMENT_NOT_ACTIVE = "agreement_not_active"
    NOT_A_PARTY = "not_a_party"
    WRONG_PURPOSE = "wrong_purpose"
    CATEGORY_NOT_AGREED = "category_not_agreed"
    SENSITIVE_CATEGORY = "sensitive_category"
    FEARED_STATE = "feared_state"
    PERSONAL_IDENTIFIER = "personal_identifier"
    SMALL_CELL = "small_cell"
    INVALID_ALERT = "invalid_alert"


@dataclass(frozen=True)
class AgreementView:
    """What the send check needs of an agreement."""

    status: AgreementStatus
    parties: frozenset[str]
    purpose: str
    categories: frozenset[str]


def identifying_keys(body: object) -> set[str]:
    """Every forbidden key anywhere in a JSON-like body."""
    found: set[str] = set()
    if isinstance(body, dict):
        for key, value in body.items():
            if str(key).lower() in FORBIDDEN_KEYS:
                found.add(str(key))
            found |= identifying_keys(value)
    elif isinstance(body, list):
        for item in body:
            found |= identifying_keys(item)
    return found


def is_wind_down(
    *,
    agreement: AgreementView,
    categories: Iterable[str],
    recipient_received_data: bool,
) -> bool:
    """A consent revocation to a party that received data under this agreement:
    allowed while the agreement is active and after it lapsed (wind-down), even
    when its terms forgot the category; never under a draft."""
    wanted = set(categories)
    return (
        bool(wanted)
        and wanted <= WIND_DOWN_CATEGORIES
        and recipient_received_data
        and (
            agreement.status in WIND_DOWN_STATUSES
            or agreement.status is AgreementStatus.ACTIVE
        )
    )


def send_refusal(
    *,
    agreement: AgreementView | None,
    sender: str,
    recipient: str,
    purpose: str,
    categories: Iterable[str],
    feared_by_subjects: Iterable[frozenset[str]],
    payload: object,
    recipient_received_data: bool = False,
) -> Refusal | None:
    """Why this envelope must not leave (None: it may). Checked at queueing and
    again at sending: an agreement revoked, or a fear recorded in between,
    stops it. A consent revocation travels under the wind-down terms."""
    wanted = set(categories)
    if wanted & SENSITIVE_CATEGORIES:
        return Refusal.SENSITIVE_CATEGORY
    if any(recipient in feared for feared in feared_by_subjects):
        return Refusal.FEARED_STATE
    if identifying_keys(payload):
        return Refusal.PERSONAL_IDENTIFIER
    if agreement is None:
        return Refusal.NO_AGREEMENT
    if is_wind_down(
        agreement=agreement,
        categories=wanted,
        recipient_received_data=recipient_received_data,
    ):
        if not {sender, recipient} <= agreement.parties:
            return Refusal.NOT_A_PARTY
        if purpose != agreement.purpose:
            return Refusal.WRONG_PURPOSE
        return None
    if agreement.status is not AgreementStatus.ACTIVE:
        return Refusal.AGREEMENT_NOT_ACTIVE
    if not {sender, recipient} <= agreement.parties:
        return Refusal.NOT_A_PARTY
    if purpose != agreement.purpose:
        return Refusal.WRONG_PURPOSE
    if not wanted <= agreement.categories:
        return Refusal.CATEGORY_NOT_AGREED
    return None


def next_attempt_at(
    now: dt.datetime, attempts: int, *, base_seconds: float = 1.0, cap: float = 300.0
) -> dt.datetime:
    """Exponential backoff: 1 s, 2 s, 4 s ... capped at five minutes."""
    delay = min(cap, base_seconds * (2 ** max(0, attempts - 1)))
    return now + dt.timedelta(seconds=delay)
