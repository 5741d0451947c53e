"""Commitment statuses and targets (pure rules)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from puente.commitments.rules.status import (
    Status,
    is_evidence_url,
    needs_evidence,
    parse_deadline,
    parse_quantity,
    progress_share,
    target_of,
)


class TestEvidence:
    @pytest.mark.parametrize("status", [Status.IN_PROGRESS, Status.FULFILLED])
    def test_in_progress_and_fulfilled_need_a_link_or_a_note(
        self, status: Status
    ) -> None:
        assert needs_evidence(status, "", "  ")
        assert not needs_evidence(status, "https://example.org/report", "")
        assert not needs_evidence(status, "", "Decree 216 of 2021")

    def test_planned_needs_none(self) -> None:
        assert not needs_evidence(Status.PLANNED, "", "")

    @pytest.mark.parametrize(
        ("url", "ok"),
        [
            ("https://www.cancilleria.gov.co/etpv", True),
            ("http://example.org/a?b=c", True),
            ("javascript:alert(1)", False),
            ("ftp://example.org/file", False),
            ("https://exa mple.org", False),
            ('https://example.org/"onmouseover', False),
        ],
    )
    def test_an_evidence_link_is_a_plain_web_address(self, url: str, ok: bool) -> None:
        assert is_evidence_url(url) is ok


class TestTargets:
    def test_quantities_and_ranges(self) -> None:
        assert parse_quantity("20000") == (Decimal(20000), None)
        assert parse_quantity("15,000-20,000") == (Decimal(15000), Decimal(20000))
        assert parse_quantity("") == (None, None)
        assert parse_quantity("about a few") == (None, None)

    @pytest.mark.parametrize(
        ("text", "deadline"),
        [
            ("FY2023-FY2024", dt.date(2024, 9, 30)),  # the U.S. fiscal year
            ("2022-08", dt.date(2022, 8, 31)),
            ("2024", dt.date(2024, 12, 31)),
            ("2022-13", None),
            ("", None),
            ("ongoing", None),
        ],
    )
    def test_deadlines(self, text: str, deadline: dt.date | None) -> None:
        assert parse_deadline(text) == deadline

    def test_a_target_keeps_the_announced_words(self) -> None:
        target = target_of("20000", " people ", "FY2023-FY2024")
        assert target.quantity == Decimal(20000)
        assert target.unit == "people"
        assert target.deadline_text == "FY2023-FY2024"

    def test_progress_is_a_share_of_the_target(self) -> None:
        assert progress_share(Decimal(5000), Decimal(20000)) == 0.25
        assert progress_share(Decimal(5000), None) is None
        assert progress_share(Decimal(5000), Decimal(0)) is None
