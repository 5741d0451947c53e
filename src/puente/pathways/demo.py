"""Pathways demo data: the verified catalogue, a few thousand synthetic workers (no
real persons), the Canadian employer's offers (one compliant, one with a
worker-paid recruitment fee, which is blocked), recognition decisions and
regulated occupations. Idempotent and fast (bulk insert)."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from rich.progress import Progress
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from puente.core.db import utcnow
from puente.identity import Actor, Organisation, Role, User, system_actor
from puente.pathways import service
from puente.pathways.models import Worker
from puente.pathways.schemas import RecognitionCreate, RegulatedOccupationCreate
from puente.pathways.service.offers import offers_for_owner
from puente.pathways.service.workers import worker_pathway_outcomes

WORKERS = 3000
SEED = 20261128
ORIGINS = ("GTM", "HND", "SLV", "MEX", "COL", "VEN", "HTI", "JAM", "ECU", "PER")
ISCO = ("9211", "6111", "9212", "6112", "9214", "7112", "5120", "5322", "8332", "6121")
SKILLS = {
    "92": ("harvesting", "packing", "pruning", "weeding", "irrigation"),
    "61": ("harvesting", "pruning", "tractor", "greenhouse", "irrigation"),
    "71": ("masonry", "concrete", "carpentry"),
    "51": ("cooking", "food-safety", "kitchen"),
    "53": ("caregiving", "first-aid"),
    "83": ("driving", "forklift", "logistics"),
}
DESTINATIONS = ("CAN", "USA", "MEX", "BRA", "CHL")
LANGS = ("es", "en", "fr", "ht", "pt")
LEVELS = ("A1", "A2", "B1", "B2", "C1", "native")


def compliant_offer(employer: str, legal_id: str) -> dict[str, Any]:
    return {
        "id": "demo-can-sawp-1",
        "title": "Vegetable harvest worker (seasonal)",
        "isco": "9211",
        "state": "CAN",
        "subdivision": "CA-MB",
        "pathway_id": "can-sawp",
        "employer_name": employer,
        "employer_legal_id": legal_id,
        "worksite_address": "Road 12 North, Portage la Prairie, MB",
        "tasks": "Harvesting, grading and packing vegetables",
        "wage_hourly": 17.40,
        "wage_floor_hourly": 17.40,
        "currency": "CAD",
        "hours_week": 40,
        "guaranteed_hours_ratio": 0.75,
        "start_date": "2027-04-01",
        "end_date": "2027-10-31",
        "contract_language": "es",
        "contract_translations": ["en"],
        "recruitment_languages": ["es"],
        "contract_delivery_days_before_departure": 14,
        "pay_frequency": "biweekly",
        "pay_method": "worker_account",
        "housing_provided": True,
        "housing_cost_weekly": 0,
        "termination_terms": "Either party with 7 days' notice; return paid.",
        "grievance_contact": "Manitoba Employment Standards 1-800-821-4307 (free)",
        "labour_market_test": {
            "type": "LMIA",
            "reference": "LMIA-DEMO-7781",
            "valid_to": "2027-12-31",
        },
        "privacy_notice_url": "https://example.org/privacy",
        "recruiter_licence": None,
        "costs": [
            {
                "category": "travel",
                "amount": 900,
                "currency": "CAD",
                "paid_by": "employer",
            },
            {
                "category": "documents_visa",
                "amount": 155,
                "currency": "CAD",
                "paid_by": "employer",
            },
        ],
        "skills": ["harvesting", "packing"],
        "required_language": "es",
        "required_cefr": "B1",
        "positions": 12,
    }


def _employer_actor(session: Session) -> Actor | None:
    user = session.scalars(select(User).where(User.username == "employer.can")).first()
    if user is None:
        return None
    return Actor(
        user.id,
        user.username,
        user.tenant_code,
        user.organisation_id,
        frozenset({Role.EMPLOYER}),
    )


def _workers(today: dt.date) -> list[dict[str, Any]]:
    rng = random.Random(SEED)  # noqa: S311 - synthetic demo data
    rows = []
    for i in range(WORKERS):
        isco = rng.choice(ISCO)
        skills = SKILLS.get(isco[:2], ("general",))
        native = "ht" if (origin := rng.choice(ORIGINS)) == "HTI" else "es"
        if origin == "JAM":
            native = "en"
        languages = {native: "native"}
        other = rng.choice(LANGS)
        if other != native:
            languages[other] = rng.choice(LEVELS[:-1])
        rows.append(
            {
                "id": uuid.UUID(int=rng.getrandbits(128)),
                "tenant_code": origin
                if origin
                in ("GTM", "HND", "SLV", "MEX", "COL", "HTI", "JAM", "ECU", "PER")
                else "COL",
                "worker_ref": f"DEMO-W{i:05d}",
                "isco": isco,
                "skills": rng.sample(skills, k=min(len(skills), rng.randint(1, 3))),
                "years_experience": rng.randint(0, 20),
                "languages": languages,
                "credentials": [],
                "preferred_destinations": rng.sample(DESTINATIONS, k=rng.randint(0, 2)),
                "available_from": today + dt.timedelta(days=rng.randint(0, 240)),
                "birth_year": today.year - rng.randint(17, 55),
                "nationality": origin,
                "consents_to_matching": rng.random() < 0.9,
                "consent_at": utcnow(),
                "created_at": utcnow(),
            }
        )
    return rows


def load(session: Session, progress: Progress) -> str:
    system = system_actor()
    task = progress.add_task("pathways", total=4)
    added = service.load_shipped_catalogue(session, actor=system)
    service.sync_pathway_states(session, actor=system)
    progress.advance(task)

    workers = 0
    if (
        session.scalars(
            select(Worker.id).where(Worker.worker_ref == "DEMO-W00000")
        ).first()
        is None
    ):
        active = service.active_catalogue(session)
        rows = _workers(active.today)
        cache: dict[tuple[str, int, str], dict[str, str]] = {}
        for row in rows:
            age = active.today.year - row["birth_year"]
            key = (row["nationality"], min(age, 19), row["isco"])
            if key not in cache:
                cache[key] = worker_pathway_outcomes(
                    nationality=row["nationality"],
                    age=age,
                    isco=row["isco"],
                    active=active,
                )
            row["pathway_outcomes"] = cache[key]
        session.execute(insert(Worker), rows)
        workers = len(rows)
    progress.advance(task)

    offers = 0
    employer = _employer_actor(session)
    if (
        employer is not None
        and employer.user_id is not None
        and not offers_for_owner(session, employer.user_id)
    ):
        org = session.get(Organisation, employer.organisation_id)
        name = org.name if org else "Prairie Growers Co-operative"
        service.register_employer(
            session, actor=employer, name=name, legal_id="CRA BN 812345678", state="CAN"
        )
        good = compliant_offer(name, "CRA BN 812345678")
        service.create_offer(session, actor=employer, data=good)
        bad = dict(
            good, id="demo-can-sawp-fee", title="Greenhouse worker (recruitment fee)"
        )
        bad["costs"] = [
            *good["costs"],
            {
                "category": "recruitment_fee",
                "amount": 1200,
                "currency": "CAD",
                "paid_by": "worker",
            },
        ]
        service.create_offer(session, actor=employer, data=bad)
        offers = 2
    progress.advance(task)

    decisions = 0
    if not service.regulated_occupations(session, actor=system, state="CAN"):
        for state, isco, title, authority, url in (
            (
                "CAN",
                "2221",
                "Registered nurse",
                "Provincial nursing regulators (NNAS)",
                "https://www.nnas.ca/",
            ),
            (
                "CAN",
                "7411",
                "Electrician",
                "Provincial apprenticeship authorities",
                "https://www.red-seal.ca/",
            ),
            (
                "BRA",
                "2211",
                "Médico / Physician",
                "Revalida (INEP) and CRM",
                "https://www.gov.br/inep/pt-br/areas-de-atuacao/avaliacao-e-exames-educacionais/revalida",
            ),
            (
                "BRA",
                "2221",
                "Enfermeiro / Nurse",
                "COFEN / COREN",
                "https://www.cofen.gov.br/",
            ),
            (
                "COL",
                "2261",
                "Odontólogo / Dentist",
                "Ministerio de Educación (convalidación)",
                "https://www.mineducacion.gov.co/",
            ),
            ("CHL", "2211", "Médico / Physician", "EUNACOM", "https://www.eunacom.cl/"),
        ):
            actor = system_actor(state)
            service.add_regulated_occupation(
                session,
                actor=actor,
                occupation=RegulatedOccupationCreate(
                    isco=isco, title=title, authority=authority, source_url=url
                ),
            )
        for state, qualification, country, level, isco, outcome, conditions in (
            (
                "CAN",
                "Licenciatura en Enfermería",
                "VEN",
                6,
                "2221",
                "conditional",
                "Pass the NCLEX-RN and a bridging programme.",
            ),
            ("CAN", "Técnico Agropecuario", "GTM", 4, "6111", "full", ""),
            (
                "BRA",
                "Médico Cirujano",
                "VEN",
                7,
                "2211",
                "partial",
                "Revalida exam, second stage.",
            ),
            ("BRA", "Licenciatura en Enfermería", "VEN", 6, "2221", "full", ""),
            ("CHL", "Médico Cirujano", "HTI", 7, "2211", "not_recognised", ""),
        ):
            service.record_recognition(
                session,
                actor=system_actor(state),
                decision=RecognitionCreate(
                    qualification=qualification,
                    issuing_country=country,
                    isced_level=level,
                    isco=isco,
                    outcome=outcome,
                    conditions=conditions,
                    reason="Demo decision: synthetic, for illustration only.",
                ),
            )
            decisions += 1
    progress.advance(task)
    return (
        f"{added} catalogue publications, {workers} synthetic workers, "
        f"{offers} offers, {decisions} recognition decisions added"
    )
