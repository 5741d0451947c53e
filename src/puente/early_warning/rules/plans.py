"""Response-plan arithmetic: planning figure → people present → Sphere needs → gaps.

Pure: dataclasses in, dataclasses out. The Sphere parameters and plan templates are
editable data (`early_warning/data/sphere.json`, `plan_templates.json`); the loaders
here only parse them. Little's law gives the people present at a transit point:
arrivals per day × average stay in days (research/02 §4).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Final

DATA_DIR: Final = Path(__file__).resolve().parent.parent / "data"
SECTORS: Final = ("shelter", "wash", "food", "health", "protection")
DAYS_PER_MONTH: Final = 30.4375  # the mean Gregorian month


class Kind(StrEnum):
    """How a Sphere figure turns people into a requirement."""

    PER_PERSON_PER_DAY = "per_person_per_day"  # consumable, × days
    PER_PERSON_PER_MONTH = "per_person_per_month"  # consumable, × months
    PER_PERSON = "per_person"  # capacity held at once (m²)
    PEOPLE_PER_UNIT = "people_per_unit"  # facilities: ceil(people / ratio)


class SiteKind(StrEnum):
    TRANSIT = "transit"
    SETTLEMENT = "settlement"


class TaskStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


TASK_TRANSITIONS: Final[dict[TaskStatus, frozenset[TaskStatus]]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.DONE}),
    TaskStatus.IN_PROGRESS: frozenset({TaskStatus.OPEN, TaskStatus.DONE}),
    TaskStatus.DONE: frozenset({TaskStatus.IN_PROGRESS}),
}


def can_move_task(current: TaskStatus, target: TaskStatus) -> bool:
    return target in TASK_TRANSITIONS[current]


@dataclass(frozen=True, slots=True)
class SphereParameter:
    id: str
    sector: str
    item: str
    unit: str
    kind: Kind
    value: float
    source: str


@dataclass(frozen=True, slots=True)
class SiteTemplate:
    name: str
    kind: SiteKind
    share: float
    average_stay_days: float


@dataclass(frozen=True, slots=True)
class TaskTemplate:
    sector: str
    description: str


@dataclass(frozen=True, slots=True)
class PlanTemplate:
    id: str
    title: str
    duration_days: int
    sectors: tuple[str, ...]
    parameters: tuple[str, ...]
    sites: tuple[SiteTemplate, ...]
    sites_by_country: dict[str, tuple[SiteTemplate, ...]] = field(default_factory=dict)
    tasks: tuple[TaskTemplate, ...] = ()

    def sites_for(self, country: str | None) -> tuple[SiteTemplate, ...]:
        if country and self.sites_by_country.get(country):
            return self.sites_by_country[country]
        return self.sites


@dataclass(frozen=True, slots=True)
class Requirement:
    """One line of a site's needs: what, how much, and the Sphere figure used."""

    sector: str
    parameter_id: str
    item: str
    unit: str
    quantity: float
    basis: str  # e.g. "5,300 people × 15 L × 30 days"


@dataclass(frozen=True, slots=True)
class Gap:
    required: float
    available: float
    gap: float
    covered_share: float  # 0..1


# --------------------------------------------------------------------------- data


def parse_sphere(raw: dict[str, Any]) -> dict[str, SphereParameter]:
    parameters: dict[str, SphereParameter] = {}
    for item in raw["parameters"]:
        value = float(item["value"])
        if value <= 0:
            raise ValueError(f"Sphere parameter {item['id']} must be positive")
        if item["sector"] not in SECTORS:
            raise ValueError(f"Sphere parameter {item['id']} has an unknown sector")
        parameters[item["id"]] = SphereParameter(
            id=item["id"],
            sector=item["sector"],
            item=item["item"],
            unit=item["unit"],
            kind=Kind(item["kind"]),
            value=value,
            source=item["source"],
        )
    return parameters


def _sites(raw: list[dict[str, Any]]) -> tuple[SiteTemplate, ...]:
    return tuple(
        SiteTemplate(
            name=site["name"],
            kind=SiteKind(site["kind"]),
            share=float(site["share"]),
            average_stay_days=float(site["average_stay_days"]),
        )
        for site in raw
    )


def parse_templates(
    raw: dict[str, Any], parameters: dict[str, SphereParameter]
) -> dict[str, PlanTemplate]:
    templates: dict[str, PlanTemplate] = {}
    for item in raw["templates"]:
        unknown = [p for p in item["parameters"] if p not in parameters]
        if unknown:
            raise ValueError(
                f"template {item['id']} names unknown parameters {unknown}"
            )
        templates[item["id"]] = PlanTemplate(
            id=item["id"],
            title=item["title"],
            duration_days=int(item["duration_days"]),
            sectors=tuple(item["sectors"]),
            parameters=tuple(item["parameters"]),
            sites=_sites(item["sites"]),
            sites_by_country={
                code: _sites(sites)
                for code, sites in item.get("sites_by_country", {}).items()
            },
            tasks=tuple(
                TaskTemplate(task["sector"], task["description"])
                for task in item.get("tasks", ())
            ),
        )
    return templates


@cache
def sphere_parameters() -> dict[str, SphereParameter]:
    raw = json.loads((DATA_DIR / "sphere.json").read_text(encoding="utf-8"))
    return parse_sphere(raw)


@cache
def plan_templates() -> tuple[str, dict[str, PlanTemplate]]:
    """(default template id, templates by id)."""
    raw = json.loads((DATA_DIR / "plan_templates.json").read_text(encoding="utf-8"))
    return str(raw["default"]), parse_templates(raw, sphere_parameters())


def template_for(template_id: str | None) -> PlanTemplate:
    """The named template, or the default when the trigger names none we know."""
    default, templates = plan_templates()
    return templates.get(template_id or "", templates[default])


# --------------------------------------------------------------------------- maths


def planning_figure(
    upper_bounds: list[float], observed: float | None = None
) -> float | None:
    """Monthly arrivals to plan for: the highest forecast upper bound over the
    horizon; the observed count only when there is no forecast."""
    finite = [value for value in upper_bounds if math.isfinite(value) and value >= 0]
    if finite:
        return max(finite)
    return observed if observed is not None and observed >= 0 else None


def arrivals_per_day(monthly_arrivals: float, days_in_month: float) -> float:
    if days_in_month <= 0:
        raise ValueError("a month has a positive number of days")
    return monthly_arrivals / days_in_month


def people_present(arrivals_per_day: float, average_stay_days: float) -> float:
    """Little's law: L = λ × W (people on site at once)."""
    if arrivals_per_day < 0 or average_stay_days < 0:
        raise ValueError("arrivals and stay must not be negative")
    return arrivals_per_day * average_stay_days


def site_population(
    site: SiteTemplate, monthly_arrivals: float, days_in_month: float = DAYS_PER_MONTH
) -> int:
    """People to plan for at one site: occupancy for a transit point, the month's
    arrivals for a settlement (people stay)."""
    arrivals = monthly_arrivals * site.share
    if site.kind is SiteKind.TRANSIT:
        people = people_present(
            arrivals_per_day(arrivals, days_in_month), site.average_stay_days
        )
    else:
        people = arrivals
    return math.ceil(people)


def requirement(
    parameter: SphereParameter, people: int, duration_days: int
) -> Requirement:
    """What `people` need under one Sphere figure over `duration_days`."""
    if people < 0 or duration_days <= 0:
        raise ValueError("people must not be negative and the duration positive")
    value = parameter.value
    shown = f"{value:g}"
    if parameter.kind is Kind.PER_PERSON_PER_DAY:
        quantity = people * value * duration_days
        basis = f"{people} × {shown} {parameter.unit} × {duration_days} d"
    elif parameter.kind is Kind.PER_PERSON_PER_MONTH:
        quantity = people * value * duration_days / DAYS_PER_MONTH
        basis = f"{people} × {shown} {parameter.unit}/month × {duration_days} d"
    elif parameter.kind is Kind.PER_PERSON:
        quantity = people * value
        basis = f"{people} × {shown} {parameter.unit}"
    else:
        quantity = float(math.ceil(people / value))
        basis = f"⌈{people} ÷ {shown}⌉"
    return Requirement(
        sector=parameter.sector,
        parameter_id=parameter.id,
        item=parameter.item,
        unit=parameter.unit,
        quantity=round(quantity, 2),
        basis=basis,
    )


def requirements(
    template: PlanTemplate,
    people: int,
    parameters: dict[str, SphereParameter] | None = None,
) -> list[Requirement]:
    params = parameters if parameters is not None else sphere_parameters()
    return [
        requirement(params[pid], people, template.duration_days)
        for pid in template.parameters
    ]


def gap(required: float, in_stock: float, pledged: float) -> Gap:
    """What is still missing once stock and pledges are counted (never negative)."""
    if required < 0 or in_stock < 0 or pledged < 0:
        raise ValueError("quantities must not be negative")
    available = in_stock + pledged
    missing = max(0.0, required - available)
    covered = 1.0 if required == 0 else min(1.0, available / required)
    return Gap(
        required=required, available=available, gap=missing, covered_share=covered
    )
