"""People reached, counted the R4V way (pure)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puente.coordination.rules.codes import INDICATORS, PopulationType
from puente.coordination.rules.reach import Reach, check_new_people, reach_totals
from puente.financing import SECTOR_LABELS

JAN, FEB = dt.date(2024, 1, 1), dt.date(2024, 2, 1)


def row(
    population: PopulationType,
    women: int,
    new: int | None = None,
    month: dt.date = JAN,
    country: str = "COL",
) -> Reach:
    return Reach(month, country, "protection", population, women, 0, 0, 0, 0, new)


def test_people_in_transit_are_assistance_events_not_individuals() -> None:
    totals = reach_totals(
        [row(PopulationType.IN_DESTINATION, 100), row(PopulationType.IN_TRANSIT, 40)]
    )
    assert totals.overall.individuals == 100
    assert totals.overall.transit_events == 40
    assert totals.by_population["in_transit"].individuals == 0


def test_over_months_only_new_people_are_added() -> None:
    totals = reach_totals(
        [
            row(PopulationType.IN_DESTINATION, 100, 100),
            row(PopulationType.IN_DESTINATION, 90, 10, month=FEB),
        ]
    )
    assert totals.overall.individuals == 110
    assert (
        totals.overall.women == 190
    )  # the sex and age breakdown is of everyone reached
    assert totals.by_month[FEB].individuals == 10


def test_host_communities_and_returnees_are_individuals() -> None:
    totals = reach_totals(
        [
            row(PopulationType.HOST_COMMUNITY, 5),
            row(PopulationType.RETURNEES, 7, country="PER"),
        ]
    )
    assert totals.overall.individuals == 12
    assert totals.by_country["PER"].individuals == 7


def test_new_people_cannot_exceed_everyone() -> None:
    assert check_new_people(row(PopulationType.IN_DESTINATION, 10, 10))
    assert not check_new_people(row(PopulationType.IN_DESTINATION, 10, 11))


def test_every_indicator_belongs_to_a_known_sector() -> None:
    assert {item.sector for item in INDICATORS.values()} <= set(SECTOR_LABELS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(list(PopulationType)), st.integers(0, 10_000)),
        max_size=30,
    )
)
def test_individuals_plus_transit_events_never_exceed_everyone_reached(
    items: list[tuple[PopulationType, int]],
) -> None:
    rows = [row(population, women) for population, women in items]
    totals = reach_totals(rows)
    assert totals.overall.individuals + totals.overall.transit_events == sum(
        r.total for r in rows
    )
    assert totals.overall.transit_events == sum(
        r.total for r in rows if r.population_type is PopulationType.IN_TRANSIT
    )
