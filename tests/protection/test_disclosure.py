from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from puente.core.errors import PermissionDenied
from puente.protection.rules.disclosure import (
    CONSULAR_NOTIFICATION_FIELDS,
    Channel,
    ConsularAction,
    ConsularReason,
    ConsularWish,
    DisclosureForbidden,
    InvalidDisclosureRequest,
    ProtectionFacts,
    check_disclosure,
    consular_notification_decision,
    is_disclosable,
    protected_from,
)

# The 20 endorsing states plus Venezuela, Cuba, Nicaragua and the Dominican Republic.
STATES = [
    "ARG",
    "BRB",
    "BLZ",
    "BRA",
    "CAN",
    "CHL",
    "COL",
    "CRI",
    "ECU",
    "SLV",
    "GTM",
    "HTI",
    "HND",
    "JAM",
    "MEX",
    "PAN",
    "PRY",
    "PER",
    "USA",
    "URY",
    "VEN",
    "CUB",
    "NIC",
    "DOM",
]

VENEZUELAN_CLAIMANT = ProtectionFacts(
    nationalities=frozenset({"VEN"}),
    country_of_origin="VEN",
    has_asylum_claim=True,
)


class TestProtectedFrom:
    def test_unprotected_person_has_no_protected_from_states(self) -> None:
        facts = ProtectionFacts(
            nationalities=frozenset({"VEN"}), country_of_origin="VEN"
        )
        assert protected_from(facts) == frozenset()
        check_disclosure(facts, "VEN", Channel.REFERRAL)

    def test_collects_every_feared_state(self) -> None:
        facts = ProtectionFacts(
            nationalities=frozenset({"ven", "COL"}),
            country_of_origin="VEN",
            former_habitual_residences=frozenset({"PER"}),
            persecutor_states=frozenset({"NIC"}),
            is_refugee=True,
        )
        assert protected_from(facts) == {"VEN", "COL", "PER", "NIC"}

    @pytest.mark.parametrize("channel", list(Channel))
    def test_claimant_data_never_goes_to_the_feared_state(
        self, channel: Channel
    ) -> None:
        with pytest.raises(DisclosureForbidden) as raised:
            check_disclosure(VENEZUELAN_CLAIMANT, "ven", channel)
        assert isinstance(raised.value, PermissionDenied)
        assert "asylum" not in str(raised.value).lower()
        check_disclosure(VENEZUELAN_CLAIMANT, "COL", channel)

    def test_unknown_channel_or_state_is_invalid(self) -> None:
        with pytest.raises(InvalidDisclosureRequest):
            check_disclosure(VENEZUELAN_CLAIMANT, "COL", "fax")
        with pytest.raises(InvalidDisclosureRequest):
            check_disclosure(VENEZUELAN_CLAIMANT, "Venezuela", Channel.EXPORT)


class TestConsularNotification:
    def test_venezuelan_claimant_gets_no_notification_toward_venezuela(self) -> None:
        for wish in ConsularWish:
            decisions = consular_notification_decision(VENEZUELAN_CLAIMANT, "COL", wish)
            assert [(d.consulate_state, d.action) for d in decisions] == [
                ("VEN", ConsularAction.DO_NOT_NOTIFY)
            ]
            assert decisions[0].reason is ConsularReason.PROTECTION_FROM_STATE
            assert decisions[0].refer_to_protecting_authority

    def test_person_who_requests_it_is_notified(self) -> None:
        facts = ProtectionFacts(nationalities=frozenset({"HND"}))
        (decision,) = consular_notification_decision(facts, "MEX", "requests")
        assert decision.action is ConsularAction.NOTIFY
        assert decision.reason is ConsularReason.PERSON_REQUESTED

    @pytest.mark.parametrize(
        ("wish", "reason"),
        [
            (ConsularWish.DECLINES, ConsularReason.PERSON_DECLINED),
            (ConsularWish.OPPOSES, ConsularReason.PERSON_OPPOSES),
            (ConsularWish.NOT_YET_ASKED, ConsularReason.WISH_NOT_RECORDED),
        ],
    )
    def test_no_notification_without_a_request(
        self, wish: ConsularWish, reason: ConsularReason
    ) -> None:
        facts = ProtectionFacts(nationalities=frozenset({"HND"}))
        (decision,) = consular_notification_decision(facts, "MEX", wish)
        assert (decision.action, decision.reason) == (
            ConsularAction.DO_NOT_NOTIFY,
            reason,
        )

    def test_national_of_the_detaining_state_has_no_consulate(self) -> None:
        facts = ProtectionFacts(nationalities=frozenset({"MEX"}))
        (decision,) = consular_notification_decision(facts, "MEX", "requests")
        assert decision.reason is ConsularReason.NATIONAL_OF_DETAINING_STATE

    def test_notification_fields_carry_no_claim(self) -> None:
        forbidden = ("claim", "asylum", "refugee", "status", "flag", "protection")
        for name in CONSULAR_NOTIFICATION_FIELDS:
            assert not any(word in name for word in forbidden)


countries = st.sampled_from(STATES)
country_sets = st.frozensets(countries, max_size=3)
persons = st.builds(
    ProtectionFacts,
    nationalities=country_sets,
    country_of_origin=st.none() | countries,
    former_habitual_residences=country_sets,
    persecutor_states=st.frozensets(countries, max_size=2),
    has_asylum_claim=st.booleans(),
    is_refugee=st.booleans(),
    is_stateless=st.booleans(),
    has_protection_flag=st.booleans(),
)


def feared_states(person: ProtectionFacts) -> set[str]:
    """Independent oracle for DP-1, written from research/07 rather than the code."""
    if not (
        person.has_asylum_claim
        or person.is_refugee
        or person.is_stateless
        or person.has_protection_flag
    ):
        return set()
    feared = set(person.nationalities) | set(person.former_habitual_residences)
    feared |= set(person.persecutor_states)
    if person.country_of_origin:
        feared.add(person.country_of_origin)
    return feared


class TestNeverTowardTheFearedState:
    @given(
        persons, st.lists(countries, min_size=1, max_size=4), st.sampled_from(Channel)
    )
    @settings(max_examples=2500, database=None, deadline=None)
    def test_no_disclosure_reaches_a_protected_from_state(
        self, person: ProtectionFacts, recipients: list[str], channel: Channel
    ) -> None:
        # Bias recipients toward the person's own states so violations would show.
        recipients = [*recipients, *sorted(feared_states(person))]
        violations = [
            recipient
            for recipient in recipients
            if is_disclosable(person, recipient, channel)
            and recipient in feared_states(person)
        ]
        assert violations == []
        # And nothing is blocked that the rule does not require.
        for recipient in recipients:
            if recipient not in feared_states(person):
                check_disclosure(person, recipient, channel)

    @given(persons, countries, st.sampled_from(ConsularWish))
    @settings(max_examples=2000, database=None, deadline=None)
    def test_no_consulate_of_a_feared_state_is_ever_notified(
        self, person: ProtectionFacts, detaining: str, wish: ConsularWish
    ) -> None:
        for decision in consular_notification_decision(person, detaining, wish):
            if decision.action is ConsularAction.NOTIFY:
                assert decision.consulate_state not in feared_states(person)
                assert wish is ConsularWish.REQUESTS
                check_disclosure(
                    person, decision.consulate_state, Channel.CONSULAR_NOTIFICATION
                )
