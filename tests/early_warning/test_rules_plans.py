"""Sphere arithmetic on known numbers (research/02 §4), gaps and task moves."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puente.early_warning.rules import plans as rules


def _param(pid: str) -> rules.SphereParameter:
    return rules.sphere_parameters()[pid]


class TestSphereData:
    def test_ships_the_sphere_figures(self) -> None:
        params = rules.sphere_parameters()
        assert params["water_l_per_person_day"].value == 15
        assert params["people_per_toilet"].value == 20
        assert params["covered_m2_per_person"].value == 3.5
        assert params["kcal_per_person_day"].value == 2100
        assert all(p.source for p in params.values())

    def test_every_template_covers_the_five_sectors(self) -> None:
        _default, templates = rules.plan_templates()
        for template in templates.values():
            sectors = {_param(pid).sector for pid in template.parameters}
            assert sectors == set(rules.SECTORS)

    def test_unknown_template_falls_back_to_the_default(self) -> None:
        assert rules.template_for("no-such-template").id == "transit_surge"
        assert rules.template_for(None).id == "transit_surge"

    def test_rejects_a_template_naming_an_unknown_parameter(self) -> None:
        raw = {
            "templates": [
                {
                    "id": "x",
                    "title": "x",
                    "duration_days": 1,
                    "sectors": [],
                    "parameters": ["nope"],
                    "sites": [],
                }
            ]
        }
        with pytest.raises(ValueError, match="unknown parameters"):
            rules.parse_templates(raw, rules.sphere_parameters())

    def test_rejects_a_non_positive_figure(self) -> None:
        raw = {
            "parameters": [
                {
                    "id": "w",
                    "sector": "wash",
                    "item": "Water",
                    "unit": "L",
                    "kind": "per_person_per_day",
                    "value": 0,
                    "source": "x",
                }
            ]
        }
        with pytest.raises(ValueError, match="positive"):
            rules.parse_sphere(raw)


class TestDarienAugust2023:
    """research/02 §4: 81,946 arrivals in 31 days, 2-day stay ≈ 5,300 on site,
    ≈ 80 m³ water a day, ≈ 265 toilets, ≈ 18,600 m² covered space."""

    def test_people_present_by_littles_law(self) -> None:
        per_day = rules.arrivals_per_day(81_946, 31)
        assert per_day == pytest.approx(2643.4, abs=0.1)
        assert rules.people_present(per_day, 2) == pytest.approx(5286.8, abs=0.1)

    def test_water_toilets_and_space_for_5300_people(self) -> None:
        water = rules.requirement(_param("water_l_per_person_day"), 5300, 1)
        toilets = rules.requirement(_param("people_per_toilet"), 5300, 30)
        space = rules.requirement(_param("covered_m2_per_person"), 5300, 30)
        assert water.quantity / 1000 == pytest.approx(79.5)  # m³ per day
        assert toilets.quantity == 265
        assert space.quantity == 18_550

    def test_food_and_health(self) -> None:
        food = rules.requirement(_param("kcal_per_person_day"), 100, 30)
        health = rules.requirement(_param("people_per_health_unit"), 10_001, 30)
        assert food.quantity == 100 * 2100 * 30
        assert health.quantity == 2  # a started unit of 10,000 needs a unit

    def test_site_population_for_a_transit_point_and_a_settlement(self) -> None:
        transit = rules.SiteTemplate("t", rules.SiteKind.TRANSIT, 0.5, 2)
        settle = rules.SiteTemplate("s", rules.SiteKind.SETTLEMENT, 1.0, 90)
        assert rules.site_population(transit, 62_000, 31) == 2000
        assert rules.site_population(settle, 1234.2) == 1235

    def test_soap_per_month(self) -> None:
        soap = rules.requirement(_param("soap_g_per_person_month"), 10, 30)
        assert soap.quantity == pytest.approx(
            10 * 250 * 30 / rules.DAYS_PER_MONTH, abs=0.01
        )


class TestPlanningFigure:
    def test_uses_the_highest_upper_bound(self) -> None:
        assert rules.planning_figure([100.0, 250.0, 180.0], observed=90) == 250

    def test_falls_back_to_the_observed_count(self) -> None:
        assert rules.planning_figure([], observed=90) == 90
        assert rules.planning_figure([math.nan], observed=None) is None


class TestGap:
    def test_gap_is_what_stock_and_pledges_do_not_cover(self) -> None:
        found = rules.gap(required=100, in_stock=30, pledged=20)
        assert (found.gap, found.available, found.covered_share) == (50, 50, 0.5)

    def test_no_negative_gap_when_oversupplied(self) -> None:
        found = rules.gap(required=100, in_stock=80, pledged=80)
        assert found.gap == 0
        assert found.covered_share == 1

    def test_nothing_required_is_fully_covered(self) -> None:
        assert rules.gap(0, 0, 0).covered_share == 1

    def test_refuses_negative_quantities(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            rules.gap(10, -1, 0)

    @given(
        st.floats(0, 1e9, allow_nan=False),
        st.floats(0, 1e9, allow_nan=False),
        st.floats(0, 1e9, allow_nan=False),
    )
    def test_gap_plus_available_covers_the_requirement(
        self, required: float, stock: float, pledged: float
    ) -> None:
        found = rules.gap(required, stock, pledged)
        assert found.gap >= 0
        assert 0 <= found.covered_share <= 1
        assert found.gap + found.available >= required - 1e-6


class TestTaskMoves:
    def test_open_tasks_start_or_finish(self) -> None:
        assert rules.can_move_task(rules.TaskStatus.OPEN, rules.TaskStatus.IN_PROGRESS)
        assert rules.can_move_task(rules.TaskStatus.OPEN, rules.TaskStatus.DONE)

    def test_done_tasks_only_reopen_to_in_progress(self) -> None:
        assert not rules.can_move_task(rules.TaskStatus.DONE, rules.TaskStatus.OPEN)
        assert rules.can_move_task(rules.TaskStatus.DONE, rules.TaskStatus.IN_PROGRESS)
