from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from puente.pathways.errors import OfferError
from puente.pathways.rules.fair_recruitment import CHECKS, CheckKind, CheckOutcome
from puente.pathways.rules.fair_recruitment import check_offer as rules_check_offer
from puente.pathways.rules.offers import Attestation
from puente.pathways.service import parse_offer
from tests.pathways.helpers import check_with_law

check_offer = check_with_law


def compliant_offer(**changes: Any) -> dict[str, Any]:
    offer: dict[str, Any] = {
        "id": "offer-1",
        "title": "Apple harvest worker",
        "isco": "9211",
        "state": "USA",
        "subdivision": "US-WA",
        "pathway_id": "usa-h2a",
        "employer_name": "Orchard Co.",
        "employer_legal_id": "EIN 12-3456789",
        "worksite_address": "1 Orchard Rd, Yakima WA",
        "tasks": "Picking and packing apples",
        "wage_hourly": 19.82,
        "wage_floor_hourly": 19.82,
        "currency": "USD",
        "hours_week": 40,
        "start_date": "2027-03-01",
        "end_date": "2027-10-31",
        "contract_language": "es",
        "contract_translations": ["en"],
        "recruitment_languages": ["es"],
        "contract_delivery_days_before_departure": 14,
        "pay_frequency": "weekly",
        "pay_method": "worker_account",
        "guaranteed_hours_ratio": 0.75,
        "housing_provided": True,
        "housing_cost_weekly": 0,
        "termination_terms": "Either party, 7 days' notice; return travel paid.",
        "grievance_contact": "DOL WHD 1-866-487-9243 (free, Spanish)",
        "labour_market_test": {
            "type": "DOL ETA-9142A",
            "reference": "H-300-1",
            "valid_to": "2027-10-31",
        },
        "privacy_notice_url": "https://example.org/privacy",
        "recruiter_licence": {
            "number": "GT-MINTRAB-0042",
            "authority": "MINTRAB",
            "valid_to": "2028-01-01",
        },
        "costs": [
            {
                "category": "travel",
                "amount": 350,
                "currency": "USD",
                "paid_by": "employer",
            },
            {
                "category": "documents_visa",
                "amount": 190,
                "currency": "USD",
                "paid_by": "employer",
            },
        ],
        "skills": ["harvesting", "pruning"],
        "required_language": "es",
        "required_cefr": "B1",
    }
    offer.update(changes)
    return offer


def result(check: Any, check_id: str) -> Any:
    return next(c for c in check.checks if c.id == check_id)


class TestCatalogueOfChecks:
    def test_twenty_four_checks_in_order(self) -> None:
        assert [c.id for c in CHECKS] == [f"ER-{i:02d}" for i in range(1, 25)]
        assert {c.kind for c in CHECKS} == set(CheckKind)


class TestCompliantOffer:
    def test_is_not_blocked_and_attested_checks_wait(self) -> None:
        check = check_offer(parse_offer(compliant_offer()))
        assert not check.blocked, check.failed()
        attested = [c for c in check.checks if c.kind is CheckKind.ATTESTED]
        assert attested
        assert all(c.result is CheckOutcome.NEEDS_ATTESTATION for c in attested)

    def test_attestation_passes_an_attested_check(self) -> None:
        from datetime import date

        check = check_offer(
            parse_offer(compliant_offer()),
            attestations=[Attestation("ER-16", "Labour inspector 7", date(2027, 2, 1))],
        )
        assert result(check, "ER-16").result is CheckOutcome.PASS

    def test_json_shape(self) -> None:
        data = check_offer(parse_offer(compliant_offer())).to_json()
        assert set(data) == {"blocked", "checks"}
        assert {"id", "result", "reason"} <= set(data["checks"][0])  # type: ignore[index]


class TestEmployerPays:
    def test_worker_paid_recruitment_fee_fails_er01_and_blocks(self) -> None:
        costs = [
            {
                "category": "recruitment_fee",
                "amount": 500,
                "currency": "USD",
                "paid_by": "worker",
            }
        ]
        check = check_offer(parse_offer(compliant_offer(costs=costs)))
        assert check.blocked
        er01 = result(check, "ER-01")
        assert er01.result is CheckOutcome.FAIL
        assert "recruitment fee" in er01.reason

    def test_worker_paid_related_cost_also_fails(self) -> None:
        costs = [
            {
                "category": "medical",
                "amount": 80,
                "currency": "USD",
                "paid_by": "worker",
            }
        ]
        assert (
            result(
                check_offer(parse_offer(compliant_offer(costs=costs))), "ER-01"
            ).result
            is CheckOutcome.FAIL
        )


class TestOtherChecks:
    @pytest.mark.parametrize(
        ("changes", "check_id"),
        [
            ({"bond_amount": 100}, "ER-02"),
            ({"deductions": [{"type": "travel", "amount": 20}]}, "ER-03"),
            ({"tasks": ""}, "ER-04"),
            ({"recruitment_languages": ["ht"]}, "ER-05"),
            ({"contract_delivery_days_before_departure": 1}, "ER-06"),
            ({"wage_hourly": 10}, "ER-08"),
            ({"employer_holds_documents": True}, "ER-10"),
            ({"requires_permission_to_change_employer": True}, "ER-11"),
            (
                {
                    "contract": {
                        "wage_hourly": 15,
                        "hours_week": 40,
                        "isco": "9211",
                        "state": "USA",
                    }
                },
                "ER-12",
            ),
            (
                {
                    "recruiter_licence": {
                        "number": "X",
                        "authority": "Y",
                        "valid_to": "2020-01-01",
                    }
                },
                "ER-13",
            ),
            ({"grievance_contact": ""}, "ER-17"),
            ({"pay_frequency": "monthly"}, "ER-18"),
            ({"guaranteed_hours_ratio": 0.5}, "ER-19"),
            ({"housing_cost_weekly": 50}, "ER-20"),
            ({"requirements": [{"text": "Men only, single"}]}, "ER-21"),
            ({"minimum_age": 16}, "ER-22"),
            ({"labour_market_test": None}, "ER-23"),
            ({"privacy_notice_url": ""}, "ER-24"),
        ],
    )
    def test_each_automatic_check_can_fail(
        self, changes: dict[str, Any], check_id: str
    ) -> None:
        check = check_offer(parse_offer(compliant_offer(**changes)))
        assert result(check, check_id).result is CheckOutcome.FAIL
        assert check.blocked

    def test_debarred_recruiter_fails(self) -> None:
        check = check_offer(
            parse_offer(compliant_offer()), debarred_recruiters={"GT-MINTRAB-0042"}
        )
        assert result(check, "ER-14").result is CheckOutcome.FAIL


class TestParsing:
    def test_unknown_field_is_named(self) -> None:
        with pytest.raises(OfferError) as error:
            parse_offer(compliant_offer(salary=3))
        assert error.value.field == "salary"

    def test_bad_payer_is_named(self) -> None:
        costs = [
            {"category": "travel", "amount": 1, "currency": "USD", "paid_by": "state"}
        ]
        with pytest.raises(OfferError) as error:
            parse_offer(compliant_offer(costs=costs))
        assert error.value.field == "costs[0].paid_by"

    def test_required_fields(self) -> None:
        data = compliant_offer()
        del data["recruiter_licence"]
        with pytest.raises(OfferError, match="recruiter_licence"):
            parse_offer(data)

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"hours_week": 500}, "hours_week"),
            ({"title": "x" * 201}, "title"),
            ({"wage_hourly": "²"}, "wage_hourly"),
            ({"wage_hourly": "1" * 5000}, "wage_hourly"),
            ({"wage_hourly": True}, "wage_hourly"),
            ({"wage_hourly": "NaN"}, "wage_hourly"),
            ({"start_date": "2027-W09-1"}, "start_date"),
            ({"start_date": "9999-99-99"}, "start_date"),
            ({"minimum_age": 18.0}, "minimum_age"),
            (
                {"contract_delivery_days_before_departure": "14"},
                "contract_delivery_days_before_departure",
            ),
            (
                {"recruiter_licence": {"number": "A-1", "authority": "MINTRAB"}},
                "recruiter_licence.valid_to",
            ),
            ({"recruiter_licence": ""}, "recruiter_licence"),
            ({"labour_market_test": {"type": "DOL"}}, "labour_market_test.reference"),
            ({"requirements": [{"text": ""}]}, "requirements[0].text"),
        ],
    )
    def test_every_bad_value_names_its_field(
        self, changes: dict[str, Any], field: str
    ) -> None:
        with pytest.raises(OfferError) as error:
            parse_offer(compliant_offer(**changes))
        assert error.value.field == field

    def test_a_document_that_is_not_an_object_is_refused(self) -> None:
        with pytest.raises(OfferError, match="JSON object"):
            parse_offer(["not", "an", "offer"])

    def test_amounts_keep_their_decimals(self) -> None:
        offer = parse_offer(compliant_offer(wage_hourly=19.82))
        assert offer.wage_hourly == Decimal("19.82")


class TestLawFromTheCatalogue:
    def test_the_programme_of_the_pathway_sets_the_pay_frequency(self) -> None:
        monthly = parse_offer(compliant_offer(pay_frequency="monthly"))
        assert result(check_offer(monthly), "ER-18").result is CheckOutcome.FAIL
        # The same offer checked without the programme's published rules passes.
        alone = rules_check_offer(monthly)
        assert result(alone, "ER-18").result is CheckOutcome.PASS

    def test_the_published_minimum_wage_is_the_floor(self) -> None:
        offer = parse_offer(compliant_offer(wage_hourly=7.00, wage_floor_hourly=None))
        er08 = result(check_offer(offer), "ER-08")
        assert er08.result is CheckOutcome.FAIL
        assert "7.25" in er08.reason
        above = parse_offer(compliant_offer(wage_hourly=8.00, wage_floor_hourly=None))
        assert result(check_offer(above), "ER-08").result is CheckOutcome.PASS
        # Without a published minimum, no floor is on record: the check fails.
        assert result(rules_check_offer(above), "ER-08").result is CheckOutcome.FAIL


class TestBareLicenceNumber:
    def test_a_licence_number_alone_is_accepted_and_needs_a_review(self) -> None:
        offer = parse_offer(
            {
                "title": "Farm worker",
                "isco": "9211",
                "state": "CAN",
                "wage_hourly": 17.5,
                "currency": "CAD",
                "hours_week": 40,
                "contract_language": "es",
                "recruiter_licence": "CAN-ON-123",
                "costs": [
                    {
                        "category": "recruitment_fee",
                        "amount": 500,
                        "currency": "CAD",
                        "paid_by": "worker",
                    }
                ],
            }
        )
        result = check_offer(offer)
        by_id = {c.id: c for c in result.checks}
        assert by_id["ER-13"].result.value == "needs_attestation"
        assert "CAN-ON-123" in by_id["ER-13"].reason
        assert by_id["ER-01"].result.value == "fail"
        assert result.blocked


def test_the_schema_fills_every_field_of_the_offer() -> None:
    """Every field of the offer JSON reaches what the checks read."""
    offer = parse_offer(compliant_offer())
    data = compliant_offer()
    for name in data:
        value = getattr(offer, name)
        assert value not in (None, "", ()), name
