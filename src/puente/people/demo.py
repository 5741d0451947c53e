"""Demo people: synthetic persons and families in Colombia, Panama and Mexico.

Names are drawn from short lists of common Venezuelan, Haitian, Colombian and
Ecuadorian given names and surnames; no real person is described. Seeded, so a
fresh load always gives the same people. Idempotent: a tenant that already has
people is left alone.
"""

from __future__ import annotations

import random
from typing import Any

from rich.progress import Progress
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.identity import actor_for, get_user_by_username
from puente.people import service
from puente.people.models import Person
from puente.people.schemas import (
    HouseholdRegistration,
    NewMember,
    PersonCreate,
    RegistrationCreate,
)

TENANTS = {
    "COL": ("caseworker.col", ("Cúcuta", "Necoclí", "Ipiales", "Bogotá")),
    "PAN": ("caseworker.pan", ("Lajas Blancas", "San Vicente", "Ciudad de Panamá")),
    "MEX": ("caseworker.mex", ("Tapachula", "Ciudad Juárez", "Tijuana")),
}
PER_TENANT = 100

ORIGINS: dict[str, dict[str, tuple[str, ...]]] = {
    "VEN": {
        "F": ("María", "Andreína", "Yusmary", "Daniela", "Mariangel", "Yelitza"),
        "M": ("José", "Luis", "Jesús", "Carlos", "Yorman", "Wilmer"),
        "family": (
            "González",
            "Rodríguez",
            "Pérez",
            "Hernández",
            "García",
            "Rojas",
            "Martínez",
            "Díaz",
            "Zambrano",
            "Mendoza",
        ),
    },
    "HTI": {
        "F": ("Marie", "Nadège", "Roseline", "Fabienne", "Mirlande", "Guerline"),
        "M": ("Jean", "Pierre", "Wilner", "Frantz", "Jean Baptiste", "Ricardo"),
        "family": (
            "Joseph",
            "Jean-Louis",
            "Pierre",
            "Charles",
            "Louis",
            "Saint-Fleur",
            "Baptiste",
            "Désir",
        ),
    },
    "COL": {
        "F": ("Luz Marina", "Yesenia", "Paola", "Diana", "Leidy"),
        "M": ("Andrés", "Juan David", "Jhon", "Fabián", "Édgar"),
        "family": (
            "Gómez",
            "López",
            "Muñoz",
            "Castro",
            "Ortiz",
            "Cárdenas",
            "Valencia",
        ),
    },
    "ECU": {
        "F": ("Mayra", "Jessica", "Gabriela", "Nancy", "Verónica"),
        "M": ("Byron", "Darwin", "Segundo", "Wilson", "Kléver"),
        "family": ("Quispe", "Chávez", "Guamán", "Zambrano", "Vera", "Cedeño"),
    },
}
NATIONALITY_WEIGHTS = (("VEN", 6), ("HTI", 2), ("COL", 1), ("ECU", 1))
LANGUAGES = {"VEN": ["es"], "HTI": ["ht", "fr"], "COL": ["es"], "ECU": ["es"]}
POINTS = ("border_post", "shelter", "office", "outreach")


def _pick_nationality(rng: random.Random, exclude: str) -> str:
    choices = [(code, w) for code, w in NATIONALITY_WEIGHTS if code != exclude]
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def _birth(rng: random.Random, low: int, high: int) -> str:
    year = rng.randint(low, high)
    precision = rng.random()
    if precision < 0.15:
        return f"{year}"
    if precision < 0.25:
        return f"{year}-{rng.randint(1, 12):02d}"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _person(
    rng: random.Random, nationality: str, family: str, *, adult: bool, sex: str
) -> dict[str, Any]:
    names = ORIGINS[nationality]
    given = rng.choice(names[sex])
    if nationality != "HTI" and rng.random() < 0.5:
        family = f"{family} {rng.choice(names['family'])}"
    return {
        "given_name": given,
        "family_name": family,
        "sex": sex,
        "birth_date": _birth(rng, 1960, 2003) if adult else _birth(rng, 2009, 2024),
        "nationality": nationality,
        "languages": LANGUAGES[nationality],
        "consent_to_tracing": rng.random() < 0.4,
    }


def load(session: Session, progress: Progress) -> str:
    """Seed a few hundred synthetic people and families (skip tenants that have
    people already)."""
    rng = random.Random(20261128)  # noqa: S311 - synthetic demo data
    people = households = 0
    task = progress.add_task("people", total=len(TENANTS) * PER_TENANT)
    for tenant, (username, places) in TENANTS.items():
        existing = session.scalar(
            select(func.count()).select_from(Person).where(Person.tenant_code == tenant)
        )
        if existing:
            progress.advance(task, PER_TENANT)
            continue
        actor = actor_for(get_user_by_username(session, username))
        added = 0
        while added < PER_TENANT:
            nationality = _pick_nationality(rng, tenant)
            place = RegistrationCreate(
                point_kind=rng.choice(POINTS), place=rng.choice(places)
            )
            family = rng.choice(ORIGINS[nationality]["family"])
            if rng.random() < 0.35:
                size = rng.randint(2, 5)
                members = [
                    NewMember(
                        person=PersonCreate.model_validate(
                            _person(rng, nationality, family, adult=True, sex="F")
                        ),
                        relationship="head",
                        is_caregiver=True,
                    )
                ]
                for _index in range(size - 1):
                    members.append(
                        NewMember(
                            person=PersonCreate.model_validate(
                                _person(
                                    rng, nationality, family, adult=False,
                                    sex=rng.choice("FM"),
                                )
                            ),
                            relationship="child",
                        )
                    )  # fmt: skip
                service.register_household(
                    session,
                    actor=actor,
                    data=HouseholdRegistration(registration=place, members=members),
                )
                households += 1
                added += size
                progress.advance(task, size)
            else:
                data = _person(
                    rng, nationality, family, adult=True, sex=rng.choice("FM")
                )
                data["registration"] = place
                service.register_person(
                    session, actor=actor, data=PersonCreate.model_validate(data)
                )
                added += 1
                progress.advance(task, 1)
        people += added
    return f"{people} people in {households} households added"
