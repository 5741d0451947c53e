"""FTS boundary rule, gaps and funding over time (pure)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puente.financing.rules.codes import FlowStatus, can_move, parse_status
from puente.financing.rules.totals import (
    Boundary,
    FlowFacts,
    RequirementFacts,
    classify,
    funding_over_time,
    money,
    plan_totals,
    usd_value,
)

PLAN = uuid.uuid4()
OTHER = uuid.uuid4()
REQUIREMENTS = [
    RequirementFacts(2023, "COL", "protection", Decimal("1000000.00")),
    RequirementFacts(2023, "PER", "health", Decimal("500000.00")),
    RequirementFacts(2023, None, "integration", Decimal("250000.00")),
    RequirementFacts(2024, "COL", "protection", Decimal("900000.00")),
]


def flow(
    amount: str,
    *,
    status: FlowStatus = FlowStatus.PAID,
    plan: uuid.UUID | None = PLAN,
    source_plan: uuid.UUID | None = None,
    country: str | None = "COL",
    sector: str | None = "protection",
    year: int = 2023,
    day: dt.date = dt.date(2023, 3, 1),
) -> FlowFacts:
    return FlowFacts(
        uuid.uuid4(),
        status,
        Decimal(amount),
        plan,
        source_plan,
        country,
        sector,
        year,
        day,
    )


class TestClassify:
    def test_money_entering_the_plan_is_incoming(self) -> None:
        assert classify(flow("1"), PLAN) is Boundary.INCOMING

    def test_money_moving_inside_the_plan_is_internal(self) -> None:
        assert classify(flow("1", source_plan=PLAN), PLAN) is Boundary.INTERNAL

    def test_money_leaving_for_another_plan_is_outgoing(self) -> None:
        assert (
            classify(flow("1", plan=OTHER, source_plan=PLAN), PLAN) is Boundary.OUTGOING
        )
        assert (
            classify(flow("1", plan=OTHER, source_plan=PLAN), OTHER)
            is Boundary.INCOMING
        )

    def test_other_plans_flows_are_outside(self) -> None:
        assert classify(flow("1", plan=OTHER), PLAN) is Boundary.OUTSIDE


class TestPlanTotals:
    def test_funding_is_commitments_and_payments_and_pledges_are_apart(self) -> None:
        totals = plan_totals(
            PLAN,
            REQUIREMENTS,
            [
                flow("100000", status=FlowStatus.PAID),
                flow("50000", status=FlowStatus.COMMITMENT),
                flow("70000", status=FlowStatus.PLEDGE),
                flow("999999", status=FlowStatus.CANCELLED),
            ],
            year=2023,
        )
        assert totals.requirement_usd == Decimal("1750000.00")
        assert totals.funding_usd == Decimal("150000")
        assert totals.pledged_usd == Decimal("70000")
        assert totals.gap_usd == Decimal("1600000.00")
        assert totals.coverage == float(Decimal("150000") / Decimal("1750000"))

    def test_an_internal_transfer_changes_no_plan_total(self) -> None:
        flows = [flow("400000"), flow("30000", country="PER", sector="health")]
        before = plan_totals(PLAN, REQUIREMENTS, flows, year=2023)
        after = plan_totals(
            PLAN,
            REQUIREMENTS,
            [*flows, flow("250000", source_plan=PLAN, country="COL")],
            year=2023,
        )
        assert (
            after.requirement_usd,
            after.funding_usd,
            after.pledged_usd,
            after.gap_usd,
        ) == (
            before.requirement_usd,
            before.funding_usd,
            before.pledged_usd,
            before.gap_usd,
        )
        assert after.by_country == before.by_country
        assert after.by_sector == before.by_sector
        assert after.internal_usd == Decimal("250000")
        assert after.internal_flows == 1

    def test_a_paid_contribution_from_outside_lowers_the_gap_by_its_value(self) -> None:
        before = plan_totals(PLAN, REQUIREMENTS, [flow("400000")], year=2023)
        after = plan_totals(
            PLAN,
            REQUIREMENTS,
            [flow("400000"), flow("123456.78", country="PER", sector="health")],
            year=2023,
        )
        assert after.funding_usd - before.funding_usd == Decimal("123456.78")
        assert before.gap_usd - after.gap_usd == Decimal("123456.78")

    def test_the_gap_never_goes_below_zero(self) -> None:
        totals = plan_totals(PLAN, REQUIREMENTS, [flow("5000000")], year=2023)
        assert totals.gap_usd == Decimal(0)
        col = next(line for line in totals.by_country if line.key == "COL")
        assert col.gap_usd == Decimal(0)
        assert col.coverage == 5.0

    def test_breakdowns_add_up_to_the_totals(self) -> None:
        flows = [
            flow("1000"),
            flow("2000", country=None, sector=None),
            flow("3000", country="PER", sector="health", status=FlowStatus.COMMITMENT),
        ]
        totals = plan_totals(PLAN, REQUIREMENTS, flows, year=2023)
        for lines in (totals.by_country, totals.by_sector, totals.by_year):
            assert sum(line.funding_usd for line in lines) == totals.funding_usd
            assert sum(line.requirement_usd for line in lines) == totals.requirement_usd
        regional = next(line for line in totals.by_country if line.key == "")
        assert regional.requirement_usd == Decimal("250000.00")
        assert regional.funding_usd == Decimal("2000")

    def test_years_are_separate(self) -> None:
        flows = [flow("1000", year=2024)]
        assert plan_totals(PLAN, REQUIREMENTS, flows, year=2023).funding_usd == 0
        assert plan_totals(PLAN, REQUIREMENTS, flows, year=2024).funding_usd == 1000
        all_years = plan_totals(PLAN, REQUIREMENTS, flows)
        assert all_years.requirement_usd == Decimal("2650000.00")
        assert [line.key for line in all_years.by_year] == ["2023", "2024"]

    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(
        st.lists(
            st.tuples(
                st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
                st.sampled_from(list(FlowStatus)),
                st.booleans(),
            ),
            max_size=25,
        ),
        st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
    )
    def test_internal_transfers_never_change_totals(
        self, items: list[tuple[Decimal, FlowStatus, bool]], transfer: Decimal
    ) -> None:
        flows = [
            flow(str(a), status=s, source_plan=PLAN if inside else None)
            for a, s, inside in items
        ]
        before = plan_totals(PLAN, REQUIREMENTS, flows)
        after = plan_totals(
            PLAN, REQUIREMENTS, [*flows, flow(str(transfer), source_plan=PLAN)]
        )
        assert after.funding_usd == before.funding_usd
        assert after.gap_usd == before.gap_usd
        assert after.pledged_usd == before.pledged_usd


def test_funding_over_time_is_cumulative_by_month() -> None:
    points = funding_over_time(
        PLAN,
        [
            flow("10", day=dt.date(2023, 1, 5)),
            flow("5", status=FlowStatus.PLEDGE, day=dt.date(2023, 1, 20)),
            flow("20", day=dt.date(2023, 3, 2)),
            flow("7", source_plan=PLAN, day=dt.date(2023, 2, 2)),  # internal: not shown
        ],
    )
    assert [(p.month, p.funding_usd, p.pledged_usd) for p in points] == [
        (dt.date(2023, 1, 1), Decimal(10), Decimal(5)),
        (dt.date(2023, 3, 1), Decimal(30), Decimal(5)),
    ]


def test_money_and_usd_values_round_half_up_to_the_cent() -> None:
    assert money("0.005") == Decimal("0.01")
    assert usd_value(Decimal("20000000"), Decimal("0.7410")) == Decimal("14820000.00")


def test_statuses_move_forward_only() -> None:
    assert can_move(FlowStatus.PLEDGE, FlowStatus.COMMITMENT)
    assert can_move(FlowStatus.COMMITMENT, FlowStatus.PAID)
    assert not can_move(FlowStatus.PAID, FlowStatus.PLEDGE)
    assert not can_move(FlowStatus.CANCELLED, FlowStatus.PAID)
    assert parse_status(" Paid ") is FlowStatus.PAID
    assert parse_status("promised") is None
