"""Shared helpers for the pathways DB tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.identity import Actor, Organisation, User, system_actor
from puente.identity import service as identity_service
from puente.pathways.rules.fair_recruitment import OfferCheck, check_offer
from puente.pathways.rules.offers import JobOffer
from puente.pathways.service import load_catalogue


def actor(session: Session, username: str) -> Actor:
    user = session.scalars(select(User).where(User.username == username)).one()
    return identity_service.actor_for(user)


def second_employer(session: Session, username: str = "employer.b") -> Actor:
    """Another employer in Canada, in its own organisation."""
    existing = session.scalars(select(User).where(User.username == username)).first()
    if existing is None:
        org = Organisation(
            tenant_code="CAN",
            slug=f"{username}-org",
            name="Other Farm",
            kind="employer",
        )
        session.add(org)
        session.flush()
        identity_service.create_user(
            session,
            actor=system_actor(),
            username=username,
            password="a-long-test-password-2026",
            tenant_code="CAN",
            roles=["employer"],
            organisation_id=org.id,
        )
        session.flush()
    return actor(session, username)


def workers(session: Session) -> None:
    """A few workers for matching (registered by the Colombian pathways officer)."""
    from datetime import date

    from puente.pathways import service
    from puente.pathways.schemas import WorkerCreate

    officer = actor(session, "pathways.col")
    for i, (isco, consent) in enumerate(
        [("9211", True), ("9212", True), ("6111", True), ("9211", False)]
    ):
        service.register_worker(
            session,
            actor=officer,
            profile=WorkerCreate(
                worker_ref=f"T-W{i}-{isco}",
                isco=isco,
                skills=["harvesting", "packing"],
                languages={"es": "native", "en": "A2"},
                preferred_destinations=["CAN"],
                available_from=date(2027, 3, 1),
                birth_year=1995,
                nationality="MEX",
                consents_to_matching=consent,
            ),
        )


def officer_in(
    session: Session, tenant_code: str = "CAN", username: str = "pathways.can"
) -> Actor:
    """A pathways officer of `tenant_code` (made here when the test database has
    no such user; the demo's `pathways.can` reviews the employer's offers)."""
    existing = session.scalars(select(User).where(User.username == username)).first()
    if existing is None:
        identity_service.create_user(
            session,
            actor=system_actor(),
            username=username,
            password="a-long-test-password-2026",
            tenant_code=tenant_code,
            roles=["pathways_officer"],
        )
        session.flush()
    return actor(session, username)


def check_with_law(offer: JobOffer, **options: Any) -> OfferCheck:
    """ER-01…ER-24 with the programme rules and minimum wage the signed catalogue
    publishes for the offer (what the service and the CLI run)."""
    catalogue = load_catalogue()
    pathway = catalogue.by_id().get(offer.pathway_id)
    return check_offer(
        offer,
        programme=pathway.programme if pathway is not None else None,
        minimum_wage=catalogue.minimum_wages.get(offer.state),
        **options,
    )
