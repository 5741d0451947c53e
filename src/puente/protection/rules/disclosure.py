"""Never toward the feared state (DESIGN.md hard deny; research/07 DP-1).

Nothing about an asylum seeker, refugee, stateless person or anyone with a
protection flag - not even that a claim exists - goes to a state in the person's
*protected-from* set: every nationality, the country of origin, every former
country of habitual residence and every state the person names as persecutor.
It holds for every channel this system has and no role, consent or setting
lifts it. The service calls `check_disclosure()` before anything leaves.

Consular notification (VCCR art. 36) follows the same rule: the consulate of a
state the person is protected from is never notified, whatever the person's
wish, and nothing said to any consulate mentions a claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from puente.core.errors import InvalidInput, PermissionDenied

_COUNTRY = re.compile(r"^[A-Z]{3}$")


class Channel(StrEnum):
    REFERRAL = "referral"
    EXPORT = "export"
    CONSULAR_NOTIFICATION = "consular_notification"
    TRACING = "tracing"
    EXCHANGE = "exchange"
    AGGREGATE = "aggregate"


class DisclosureForbidden(PermissionDenied):
    # Deliberately says nothing about why: the message may reach the recipient.
    message = "This information cannot be disclosed to this recipient."


class InvalidDisclosureRequest(InvalidInput):
    message = "A disclosure needs a known channel and an ISO 3166 alpha-3 state."


@dataclass(frozen=True, slots=True)
class ProtectionFacts:
    """What DP-1 needs to know about a person; countries as ISO 3166 alpha-3."""

    nationalities: frozenset[str] = frozenset()
    country_of_origin: str | None = None
    former_habitual_residences: frozenset[str] = frozenset()
    persecutor_states: frozenset[str] = frozenset()
    has_asylum_claim: bool = False  # ever made, whatever its stage or outcome
    is_refugee: bool = False  # refugee, complementary or temporary protection
    is_stateless: bool = False
    has_protection_flag: bool = False  # e.g. expressed fear, LP-RR, screening flag

    @property
    def is_protected(self) -> bool:
        return (
            self.has_asylum_claim
            or self.is_refugee
            or self.is_stateless
            or self.has_protection_flag
        )


def _country(code: str) -> str:
    normalised = code.strip().upper()
    if not _COUNTRY.match(normalised):
        raise InvalidDisclosureRequest()
    return normalised


def _countries(codes: Iterable[str | None]) -> frozenset[str]:
    return frozenset(_country(code) for code in codes if code and code.strip())


def protected_from(facts: ProtectionFacts) -> frozenset[str]:
    """States nothing about this person may reach; empty if not protected."""
    if not facts.is_protected:
        return frozenset()
    return _countries(
        [
            *facts.nationalities,
            facts.country_of_origin,
            *facts.former_habitual_residences,
            *facts.persecutor_states,
        ]
    )


def is_disclosable(
    facts: ProtectionFacts, recipient_state: str, channel: Channel | str
) -> bool:
    """`check_disclosure` as a boolean (for filtering aggregates and lists)."""
    try:
        check_disclosure(facts, recipient_state, channel)
    except DisclosureForbidden:
        return False
    return True


def check_disclosure(
    facts: ProtectionFacts, recipient_state: str, channel: Channel | str
) -> None:
    """Raise `DisclosureForbidden` if the recipient state is one the person fled.

    Applies to every channel, aggregates included: a person protected from the
    recipient is left out of the aggregate before small-cell suppression.
    """
    try:
        Channel(channel)
    except ValueError:
        raise InvalidDisclosureRequest() from None
    if _country(recipient_state) in protected_from(facts):
        raise DisclosureForbidden()


# --- consular notification (VCCR art. 36) ---------------------------------------


class ConsularWish(StrEnum):
    NOT_YET_ASKED = "not_yet_asked"
    REQUESTS = "requests"
    DECLINES = "declines"
    OPPOSES = "opposes"  # art. 36(1)(c): officers refrain if the national opposes


class ConsularAction(StrEnum):
    NOTIFY = "notify"
    DO_NOT_NOTIFY = "do_not_notify"


class ConsularReason(StrEnum):
    PERSON_REQUESTED = "person_requested"
    PERSON_DECLINED = "person_declined"
    PERSON_OPPOSES = "person_opposes"
    WISH_NOT_RECORDED = "wish_not_recorded"  # inform of the right first
    # Internal only: never sent to a consulate, never shown as a claim.
    PROTECTION_FROM_STATE = "protection_from_state"
    NATIONAL_OF_DETAINING_STATE = "national_of_detaining_state"


@dataclass(frozen=True, slots=True)
class ConsularDecision:
    consulate_state: str
    action: ConsularAction
    reason: ConsularReason
    # Protected or stateless people are pointed to UNHCR or the authority that
    # protects their interests instead (research/01 §3.8).
    refer_to_protecting_authority: bool = False


# The only facts a consular notification may carry; no claim, status or flag.
CONSULAR_NOTIFICATION_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "birth_date",
    "nationality",
    "place_of_detention",
    "detained_at",
)


def consular_notification_decision(
    facts: ProtectionFacts, detaining_state: str, wish: ConsularWish | str
) -> tuple[ConsularDecision, ...]:
    """One decision per consulate state (each nationality but the detaining state).

    Notify only when the person requests it and the state is not one they are
    protected from. A stateless person, or one with no other nationality, gets
    no decision at all; `refer_to_protecting_authority` marks when UNHCR or the
    protecting authority should be offered instead.
    """
    detaining = _country(detaining_state)
    wish = ConsularWish(wish)
    feared = protected_from(facts)
    decisions = []
    for state in sorted(_countries(facts.nationalities)):
        if state == detaining:
            decisions.append(
                ConsularDecision(
                    state,
                    ConsularAction.DO_NOT_NOTIFY,
                    ConsularReason.NATIONAL_OF_DETAINING_STATE,
                )
            )
        elif state in feared:
            # Checked before the wish: even a request cannot send it (DP-1).
            decisions.append(
                ConsularDecision(
                    state,
                    ConsularAction.DO_NOT_NOTIFY,
                    ConsularReason.PROTECTION_FROM_STATE,
                    refer_to_protecting_authority=True,
                )
            )
        else:
            reason = {
                ConsularWish.REQUESTS: ConsularReason.PERSON_REQUESTED,
                ConsularWish.DECLINES: ConsularReason.PERSON_DECLINED,
                ConsularWish.OPPOSES: ConsularReason.PERSON_OPPOSES,
                ConsularWish.NOT_YET_ASKED: ConsularReason.WISH_NOT_RECORDED,
            }[wish]
            action = (
                ConsularAction.NOTIFY
                if wish is ConsularWish.REQUESTS
                else ConsularAction.DO_NOT_NOTIFY
            )
            decisions.append(ConsularDecision(state, action, reason))
    return tuple(decisions)


def needs_protecting_authority(facts: ProtectionFacts) -> bool:
    """Stateless or protected people communicate through UNHCR or the protecting
    authority rather than a consulate of a state they fled."""
    return facts.is_stateless or facts.is_refugee or facts.has_asylum_claim
