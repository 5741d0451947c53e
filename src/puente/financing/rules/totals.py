"""Requirements, funding and gaps with OCHA FTS's boundary rule.

A flow is seen from a plan's boundary: *incoming* when money enters the plan
from outside, *outgoing* when it leaves, *internal* when it moves between two
organisations inside the plan (an agency's sub-grant to a partner). Totals count
incoming flows only, so money is never counted twice; internal flows are shown
apart. Funding is commitments plus payments; pledges are reported separately
(FTS's `fundingTotal` and `pledgeTotal`). The gap is what the requirement still
lacks after funding, never below zero.

Pure: dataclasses in, dataclasses out, `Decimal` money.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, Final

from puente.financing.rules.codes import FUNDING_STATUSES, FlowStatus

CENT: Final = Decimal("0.01")
ZERO: Final = Decimal("0")
REGIONAL: Final = ""  # requirement or flow not assigned to one country or sector


def money(value: Decimal | int | float | str) -> Decimal:
    """A USD amount rounded half-up to the cent."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


class Boundary(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"
    INTERNAL = "internal"
    OUTSIDE = "outside"


@dataclass(frozen=True, slots=True)
class FlowFacts:
    id: uuid.UUID
    status: FlowStatus
    amount_usd: Decimal
    plan_id: uuid.UUID | None
    source_plan_id: uuid.UUID | None
    country: str | None
    sector: str | None
    usage_year: int
    flow_date: dt.date


@dataclass(frozen=True, slots=True)
class RequirementFacts:
    year: int
    country: str | None
    sector: str | None
    amount_usd: Decimal


def classify(flow: FlowFacts, plan_id: uuid.UUID) -> Boundary:
    """Where `flow` sits relative to the boundary of plan `plan_id`."""
    into = flow.plan_id == plan_id
    out_of = flow.source_plan_id == plan_id
    if into and out_of:
        return Boundary.INTERNAL
    if into:
        return Boundary.INCOMING
    if out_of:
        return Boundary.OUTGOING
    return Boundary.OUTSIDE


@dataclass(frozen=True, slots=True)
class Line:
    """Requirement, funding, pledges and gap for one key (a country, a sector or
    a year); `key` is "" for the regional or unassigned part."""

    key: str
    requirement_usd: Decimal
    funding_usd: Decimal
    pledged_usd: Decimal

    @property
    def gap_usd(self) -> Decimal:
        return max(self.requirement_usd - self.funding_usd, ZERO)

    @property
    def coverage(self) -> float | None:
        """Funding as a share of the requirement (None without a requirement)."""
        if self.requirement_usd <= 0:
            return None
        return float(self.funding_usd / self.requirement_usd)


@dataclass(frozen=True, slots=True)
class PlanTotals:
    requirement_usd: Decimal
    funding_usd: Decimal
    pledged_usd: Decimal
    internal_usd: Decimal  # moved inside the plan: shown, never counted
    outgoing_usd: Decimal
    by_country: tuple[Line, ...]
    by_sector: tuple[Line, ...]
    by_year: tuple[Line, ...]
    counted_flows: int
    internal_flows: int

    @property
    def gap_usd(self) -> Decimal:
        return max(self.requirement_usd - self.funding_usd, ZERO)

    @property
    def coverage(self) -> float | None:
        if self.requirement_usd <= 0:
            return None
        return float(self.funding_usd / self.requirement_usd)


@dataclass
class _Sums:
    requirement: Decimal = ZERO
    funding: Decimal = ZERO
    pledged: Decimal = ZERO


@dataclass
class _Grouped:
    sums: dict[str, _Sums] = field(default_factory=lambda: defaultdict(_Sums))

    def lines(self, order: Callable[[Line], Any]) -> tuple[Line, ...]:
        built = [
            Line(key, s.requirement, s.funding, s.pledged)
            for key, s in self.sums.items()
        ]
        return tuple(sorted(built, key=order))


def _by_gap(line: Line) -> Any:
    # Largest gap first; the regional part last among equals.
    return (-line.gap_usd, line.key == REGIONAL, line.key)


def plan_totals(
    plan_id: uuid.UUID,
    requirements: Iterable[RequirementFacts],
    flows: Iterable[FlowFacts],
    *,
    year: int | None = None,
) -> PlanTotals:
    """Totals of plan `plan_id` (one usage year, or all years when `year` is None)."""
    countries, sectors, years = _Grouped(), _Grouped(), _Grouped()
    requirement = funding = pledged = internal = outgoing = ZERO
    counted = internal_count = 0
    for need in requirements:
        if year is not None and need.year != year:
            continue
        requirement += need.amount_usd
        countries.sums[need.country or REGIONAL].requirement += need.amount_usd
        sectors.sums[need.sector or REGIONAL].requirement += need.amount_usd
        years.sums[str(need.year)].requirement += need.amount_usd
    for flow in flows:
        if year is not None and flow.usage_year != year:
            continue
        if flow.status is FlowStatus.CANCELLED:
            continue
        side = classify(flow, plan_id)
        if side is Boundary.INTERNAL:
            internal += flow.amount_usd
            internal_count += 1
            continue
        if side is Boundary.OUTGOING:
            outgoing += flow.amount_usd
            continue
        if side is not Boundary.INCOMING:
            continue
        counted += 1
        keys = (
            (countries, flow.country or REGIONAL),
            (sectors, flow.sector or REGIONAL),
            (years, str(flow.usage_year)),
        )
        if flow.status in FUNDING_STATUSES:
            funding += flow.amount_usd
            for grouped, key in keys:
                grouped.sums[key].funding += flow.amount_usd
        elif flow.status is FlowStatus.PLEDGE:
            pledged += flow.amount_usd
            for grouped, key in keys:
                grouped.sums[key].pledged += flow.amount_usd
    return PlanTotals(
        requirement_usd=requirement,
        funding_usd=funding,
        pledged_usd=pledged,
        internal_usd=internal,
        outgoing_usd=outgoing,
        by_country=countries.lines(_by_gap),
        by_sector=sectors.lines(_by_gap),
        by_year=years.lines(lambda line: line.key),
        counted_flows=counted,
        internal_flows=internal_count,
    )


@dataclass(frozen=True, slots=True)
class MonthPoint:
    month: dt.date
    funding_usd: Decimal  # cumulative
    pledged_usd: Decimal  # cumulative


def funding_over_time(
    plan_id: uuid.UUID, flows: Sequence[FlowFacts], *, year: int | None = None
) -> list[MonthPoint]:
    """Cumulative incoming funding and pledges by month of the flow date."""
    by_month: dict[dt.date, _Sums] = defaultdict(_Sums)
    for flow in flows:
        if year is not None and flow.usage_year != year:
            continue
        if classify(flow, plan_id) is not Boundary.INCOMING:
            continue
        month = flow.flow_date.replace(day=1)
        if flow.status in FUNDING_STATUSES:
            by_month[month].funding += flow.amount_usd
        elif flow.status is FlowStatus.PLEDGE:
            by_month[month].pledged += flow.amount_usd
    points: list[MonthPoint] = []
    funding = pledged = ZERO
    for month in sorted(by_month):
        funding += by_month[month].funding
        pledged += by_month[month].pledged
        points.append(MonthPoint(month, funding, pledged))
    return points


def usd_value(amount: Decimal, usd_per_unit: Decimal) -> Decimal:
    """The USD value of `amount` at `usd_per_unit`, to the cent."""
    return money(amount * usd_per_unit)
