"""Exchange's pure rules: terms, status, the send check, backoff, scoring."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from puente.exchange.rules.matching import likelihood, score_candidates
from puente.exchange.rules.sending import (
    AgreementView,
    Refusal,
    identifying_keys,
    next_attempt_at,
    send_refusal,
)
from puente.exchange.rules.terms import (
    AgreementStatus,
    TermsInvalid,
    agreement_status,
    canonical_json,
    make_terms,
)

TODAY = dt.date(2026, 12, 6)


def _terms(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "agreement_id": "a1",
        "parties": ["pan", "COL"],
        "purpose": "tracing",
        "categories": ["linkage_encodings", "match_candidates"],
        "legal_basis": "Bilateral MoU",
        "dpia_reference": "DPIA-1",
        "retention_days": 90,
        "expires_on": dt.date(2027, 12, 31),
        "today": TODAY,
    }
    return base | changes


class TestTerms:
    def test_parties_are_sorted_upper_case_and_canonical(self) -> None:
        terms = make_terms(**_terms())  # type: ignore[arg-type]
        assert terms.parties == ("COL", "PAN")
        assert canonical_json(terms.as_dict()).startswith(b'{"agreement_id":"a1"')

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"parties": ["COL"]}, "parties"),
            ({"purpose": "marketing"}, "purpose"),
            ({"categories": ["health"]}, "categories"),
            ({"categories": ["aggregates"]}, "categories"),
            ({"legal_basis": " "}, "legal_basis"),
            ({"dpia_reference": ""}, "dpia_reference"),
            ({"retention_days": 0}, "retention_days"),
            ({"expires_on": TODAY}, "expires_on"),
        ],
    )
    def test_refuses_bad_terms_naming_the_field(
        self, change: dict[str, object], field: str
    ) -> None:
        with pytest.raises(TermsInvalid, match=field):
            make_terms(**_terms(**change))  # type: ignore[arg-type]


class TestStatus:
    def _status(self, signed: list[str], **kw: object) -> AgreementStatus:
        args: dict[str, object] = {
            "parties": ["COL", "PAN"],
            "signed_by": signed,
            "is_revoked": False,
            "expires_on": dt.date(2027, 1, 1),
            "today": TODAY,
        } | kw
        return agreement_status(**args)  # type: ignore[arg-type]

    def test_draft_until_every_party_signed(self) -> None:
        assert self._status(["COL"]) is AgreementStatus.DRAFT
        assert self._status(["COL", "PAN"]) is AgreementStatus.ACTIVE

    def test_expired_by_date_and_revoked_wins(self) -> None:
        assert self._status(["COL", "PAN"], expires_on=TODAY) is AgreementStatus.EXPIRED
        assert (
            self._status(["COL", "PAN"], is_revoked=True, expires_on=TODAY)
            is AgreementStatus.REVOKED
        )


ACTIVE = AgreementView(
    status=AgreementStatus.ACTIVE,
    parties=frozenset({"COL", "PAN"}),
    purpose="tracing",
    categories=frozenset({"linkage_encodings"}),
)


def _refusal(**kw: object) -> Refusal | None:
    args: dict[str, object] = {
        "agreement": ACTIVE,
        "sender": "COL",
        "recipient": "PAN",
        "purpose": "tracing",
        "categories": ["linkage_encodings"],
        "feared_by_subjects": [frozenset()],
        "payload": {"encoding": "AAAA"},
    } | kw
    return send_refusal(**args)  # type: ignore[arg-type]


class TestSendCheck:
    def test_allows_what_the_agreement_covers(self) -> None:
        assert _refusal() is None

    @pytest.mark.parametrize(
        ("change", "refusal"),
        [
            ({"agreement": None}, Refusal.NO_AGREEMENT),
            (
                {
                    "agreement": AgreementView(
                        AgreementStatus.REVOKED,
                        ACTIVE.parties,
                        "tracing",
                        ACTIVE.categories,
                    )
                },
                Refusal.AGREEMENT_NOT_ACTIVE,
            ),
            ({"recipient": "HUB"}, Refusal.NOT_A_PARTY),
            ({"purpose": "statistics"}, Refusal.WRONG_PURPOSE),
            ({"categories": ["match_candidates"]}, Refusal.CATEGORY_NOT_AGREED),
            ({"categories": ["health"]}, Refusal.SENSITIVE_CATEGORY),
            ({"feared_by_subjects": [frozenset({"PAN"})]}, Refusal.FEARED_STATE),
            ({"payload": {"x": [{"given_name": "Ana"}]}}, Refusal.PERSONAL_IDENTIFIER),
        ],
    )
    def test_refuses(self, change: dict[str, object], refusal: Refusal) -> None:
        assert _refusal(**change) is refusal

    def test_feared_state_beats_an_active_agreement(self) -> None:
        assert _refusal(feared_by_subjects=[frozenset(), frozenset({"PAN"})]) is (
            Refusal.FEARED_STATE
        )

    def test_identifying_keys_are_found_at_any_depth(self) -> None:
        assert identifying_keys({"a": [{"b": {"document_number": "X"}}]}) == {
            "document_number"
        }


def test_backoff_doubles_and_caps() -> None:
    now = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)
    waits = [(next_attempt_at(now, n) - now).total_seconds() for n in (1, 2, 3, 20)]
    assert waits == [1.0, 2.0, 4.0, 300.0]


def test_scoring_ranks_the_closer_record_first() -> None:
    rng = np.random.default_rng(1)
    query = rng.integers(0, 2**63, size=4, dtype=np.uint64)
    near = query.copy()
    near[0] ^= np.uint64(1)
    far = rng.integers(0, 2**63, size=4, dtype=np.uint64)
    rows = np.stack([far, near])
    scored = score_candidates(
        {"surname": query},
        {"surname": True},
        0,
        {"surname": rows},
        {"surname": np.array([True, True])},
        np.zeros(2, dtype=np.uint64),
        2,
    )
    assert [s.index for s in scored] == [1]
    assert scored[0].likelihood == "high"
    assert likelihood(0.65) == "low"


class TestWindDown:
    """A lapsed agreement still carries consent revocations to a party that
    received data under it; nothing else, and never under a draft."""

    @staticmethod
    def _view(status: AgreementStatus) -> AgreementView:
        return AgreementView(
            status=status,
            parties=frozenset({"COL", "PAN"}),
            purpose="tracing",
            categories=frozenset({"linkage_encodings", "match_candidates"}),
        )

    def _refusal(
        self,
        status: AgreementStatus,
        categories: list[str],
        *,
        received: bool = True,
        feared: frozenset[str] = frozenset(),
        purpose: str = "tracing",
    ) -> Refusal | None:
        return send_refusal(
            agreement=self._view(status),
            sender="COL",
            recipient="PAN",
            purpose=purpose,
            categories=categories,
            feared_by_subjects=[feared],
            payload={"references": ["r1"]},
            recipient_received_data=received,
        )

    @pytest.mark.parametrize(
        "status",
        [AgreementStatus.REVOKED, AgreementStatus.EXPIRED, AgreementStatus.ACTIVE],
    )
    def test_a_revocation_leaves_to_who_received_data(
        self, status: AgreementStatus
    ) -> None:
        assert self._refusal(status, ["consent_revocation"]) is None

    def test_not_to_a_party_that_received_nothing(self) -> None:
        assert (
            self._refusal(
                AgreementStatus.REVOKED, ["consent_revocation"], received=False
            )
            is Refusal.AGREEMENT_NOT_ACTIVE
        )

    def test_nothing_else_under_a_lapsed_agreement(self) -> None:
        assert (
            self._refusal(
                AgreementStatus.REVOKED, ["consent_revocation", "match_candidates"]
            )
            is Refusal.AGREEMENT_NOT_ACTIVE
        )
        assert (
            self._refusal(AgreementStatus.EXPIRED, ["linkage_encodings"])
            is Refusal.AGREEMENT_NOT_ACTIVE
        )

    def test_never_under_a_draft(self) -> None:
        assert (
            self._refusal(AgreementStatus.DRAFT, ["consent_revocation"])
            is Refusal.AGREEMENT_NOT_ACTIVE
        )

    def test_the_hard_denies_still_hold(self) -> None:
        assert (
            self._refusal(
                AgreementStatus.REVOKED,
                ["consent_revocation"],
                feared=frozenset({"PAN"}),
            )
            is Refusal.FEARED_STATE
        )
        assert (
            self._refusal(
                AgreementStatus.REVOKED, ["consent_revocation"], purpose="statistics"
            )
            is Refusal.WRONG_PURPOSE
        )
