"""Demo protection data: a service directory for Colombia, Panama and Mexico, and
a few cases over the people module's demo persons. Idempotent."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from puente import identity, people
from puente.core.db import set_tenant_scope
from puente.core.errors import DomainError
from puente.identity import Actor
from puente.protection import service
from puente.protection.models import Case, ServiceDirectoryEntry

# slug, organisation (org slug of the tenant or None), state, type, place, langs,
# capacity, hours
DIRECTORY: dict[
    str, list[tuple[str, str, str | None, str, str, str, str, int | None, str]]
] = {
    "COL": [
        (
            "col-unhcr-legal",
            "ACNUR Colombia",
            "unhcr",
            "COL",
            "legal_aid",
            "Cúcuta",
            "es,en",
            40,
            "L-V 8:00-17:00",
        ),
        (
            "col-refugio-shelter",
            "Fundación Refugio",
            "ngo-refugio",
            "COL",
            "shelter",
            "Cúcuta",
            "es",
            120,
            "24 h",
        ),
        (
            "col-iom-health",
            "OIM Colombia",
            "iom",
            "COL",
            "health",
            "Villa del Rosario",
            "es,ht",
            60,
            "L-S 7:00-19:00",
        ),
        (
            "col-icbf-child",
            "ICBF Centro Zonal",
            None,
            "COL",
            "child_protection",
            "Cúcuta",
            "es",
            25,
            "L-V 8:00-17:00",
        ),
        (
            "col-unhcr-tracing",
            "ACNUR Colombia",
            "unhcr",
            "COL",
            "family_tracing",
            "Bogotá",
            "es,en,pt",
            None,
            "L-V 9:00-16:00",
        ),
        (
            "pan-shelter-darien",
            "Estación de Recepción Migratoria",
            None,
            "PAN",
            "shelter",
            "Lajas Blancas, Darién",
            "es,fr,ht",
            500,
            "24 h",
        ),
    ],
    "PAN": [
        (
            "pan-unhcr-legal",
            "ACNUR Panamá",
            "unhcr",
            "PAN",
            "legal_aid",
            "Ciudad de Panamá",
            "es,en",
            30,
            "L-V 8:00-16:00",
        ),
        (
            "pan-iom-health",
            "OIM Panamá",
            "iom",
            "PAN",
            "health",
            "San Vicente, Darién",
            "es,ht,fr",
            80,
            "24 h",
        ),
        (
            "pan-redcross-tracing",
            "Cruz Roja Panameña (Restablecimiento del contacto familiar)",
            None,
            "PAN",
            "family_tracing",
            "Ciudad de Panamá",
            "es,en",
            None,
            "L-V 8:00-16:00",
        ),
        (
            "pan-senniaf-child",
            "SENNIAF",
            None,
            "PAN",
            "child_protection",
            "Metetí",
            "es",
            20,
            "L-V 8:00-16:00",
        ),
    ],
    "MEX": [
        (
            "mex-comar-asylum",
            "COMAR",
            None,
            "MEX",
            "asylum_information",
            "Tapachula",
            "es,ht,fr,en",
            200,
            "L-V 8:00-15:00",
        ),
        (
            "mex-unhcr-legal",
            "ACNUR México",
            "unhcr",
            "MEX",
            "legal_aid",
            "Tapachula",
            "es,en,fr",
            50,
            "L-V 9:00-17:00",
        ),
        (
            "mex-iom-shelter",
            "OIM México",
            "iom",
            "MEX",
            "shelter",
            "Ciudad Juárez",
            "es,en",
            150,
            "24 h",
        ),
        (
            "mex-dif-child",
            "DIF Chiapas",
            None,
            "MEX",
            "child_protection",
            "Tapachula",
            "es",
            35,
            "L-V 8:00-16:00",
        ),
    ],
}


def _actor(session: Session, username: str) -> Actor | None:
    try:
        user = identity.get_user_by_username(session, username)
    except DomainError:  # a demo without this user skips its part
        return None
    return identity.actor_for(user)


def load(session: Session, progress: Any) -> str:
    """Load the directory and demo cases; a second run adds nothing."""
    task = progress.add_task("protection", total=2)
    added_services = load_directory(session)
    progress.advance(task)
    added_cases = _cases(session)
    progress.advance(task)
    set_tenant_scope(session, "*")
    return f"{added_services} services and {added_cases} cases added"


def load_directory(session: Session) -> int:
    """The service directory of every demo state whose caseworker exists;
    returns how many services were added."""
    added = 0
    for tenant, entries in DIRECTORY.items():
        actor = _actor(session, f"caseworker.{tenant.lower()}")
        if actor is None:
            continue
        set_tenant_scope(session, tenant)
        for (
            slug,
            org_name,
            org_slug,
            state,
            kind,
            place,
            langs,
            capacity,
            hours,
        ) in entries:
            exists = session.scalars(
                select(ServiceDirectoryEntry.id).where(
                    ServiceDirectoryEntry.slug == slug
                )
            ).first()
            if exists is not None:
                continue
            service.add_service(
                session,
                actor=actor,
                slug=slug,
                organisation_name=org_name,
                state=state,
                service_type=kind,
                place=place,
                languages=langs.split(","),
                capacity=capacity,
                hours=hours,
                organisation_id=_organisation(session, tenant, org_slug),
            )
            added += 1
    set_tenant_scope(session, "*")
    return added


def _organisation(session: Session, tenant: str, slug: str | None) -> Any:
    """The id of a demo organisation (read by slug; identity has no lookup)."""
    if slug is None:
        return None
    value = session.execute(
        text("SELECT id FROM organisation WHERE tenant_code = :t AND slug = :s"),
        {"t": tenant, "s": slug},
    ).scalar()
    return None if value is None else uuid.UUID(str(value))


def _cases(session: Session) -> int:
    actor = _actor(session, "caseworker.col")
    if actor is None:
        return 0
    set_tenant_scope(session, "COL")
    if session.scalars(select(Case.id).where(Case.tenant_code == "COL")).first():
        return 0
    page = people.list_people(
        session, actor=actor, filters=people.PersonFilter(limit=6)
    )
    added = 0
    for summary in page.items[:4]:
        answers: dict[str, Any] = {"vf_irregular_status": True}
        if summary.birth_date and summary.birth_date[:4] >= "2009":
            answers.update({"is_child": True, "is_separated": True})
        screening, _outcome = service.screen_person(
            session, actor=actor, person_id=summary.id, answers=answers
        )
        service.open_case(
            session, actor=actor, person_id=summary.id, screening_id=screening.id
        )
        added += 1
    return added
