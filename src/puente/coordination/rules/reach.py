"""People reached, counted as R4V counts them.

People in destination, host communities and returnees are *individuals*: over
several months only the people reached for the first time (`new_people`,
when reported; otherwise everyone reported) are added, so nobody is counted
twice across months. People in transit may be helped in several countries on
the way: their figures are *assistance events*, never added to individuals.
A person helped by two partners or in two sectors is still counted by each:
the totals say so.

Pure: dataclasses in, dataclasses out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from puente.coordination.rules.codes import PopulationType


@dataclass(frozen=True, slots=True)
class Reach:
    """One 5W row's figures (people reached by sex and age)."""

    month: dt.date
    country: str
    sector: str
    population_type: PopulationType
    women: int
    men: int
    girls: int
    boys: int
    other: int
    new_people: int | None = None

    @property
    def total(self) -> int:
        return self.women + self.men + self.girls + self.boys + self.other

    @property
    def individuals(self) -> int:
        """What this row adds to individuals (0 for people in transit)."""
        if self.population_type is PopulationType.IN_TRANSIT:
            return 0
        return self.total if self.new_people is None else self.new_people

    @property
    def transit_events(self) -> int:
        return self.total if self.population_type is PopulationType.IN_TRANSIT else 0


@dataclass
class Tally:
    individuals: int = 0
    transit_events: int = 0
    women: int = 0
    men: int = 0
    girls: int = 0
    boys: int = 0
    other: int = 0


@dataclass
class ReachTotals:
    overall: Tally = field(default_factory=Tally)
    by_country: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_sector: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_population: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_month: dict[dt.date, Tally] = field(default_factory=lambda: defaultdict(Tally))
    rows: int = 0


def _add(tally: Tally, row: Reach) -> None:
    tally.individuals += row.individuals
    tally.transit_events += row.transit_events
    tally.women += row.women
    tally.men += row.men
    tally.girls += row.girls
    tally.boys += row.boys
    tally.other += row.other


def reach_totals(rows: Iterable[Reach]) -> ReachTotals:
    totals = ReachTotals()
    for row in rows:
        totals.rows += 1
        for tally in (
            totals.overall,
            totals.by_country[row.country],
            totals.by_sector[row.sector],
            totals.by_population[row.population_type.value],
            totals.by_month[row.month],
        ):
            _add(tally, row)
    return totals


def check_new_people(row: Reach) -> bool:
    """New people reached in a month cannot exceed everyone reached."""
    return row.new_people is None or 0 <= row.new_people <= row.total
