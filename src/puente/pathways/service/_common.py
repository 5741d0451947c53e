"""Helpers the pathways service files share: reading a row the actor may see, the
person seam (through `puente.people`'s public API), and an offer's checks with the
law the signed catalogue publishes for it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente import people
from puente.core.db import uow, utcnow
from puente.identity import Actor, Sensitivity, authorize, visible
from puente.pathways.errors import OfferNotFound, ScreeningNotFound
from puente.pathways.models import JobOffer as OfferRow
from puente.pathways.models import OfferAttestation, Recruiter, Screening
from puente.pathways.rules.catalogue import MinimumWage, Pathway
from puente.pathways.rules.fair_recruitment import OfferCheck, check_offer
from puente.pathways.rules.offers import Attestation, JobOffer
from puente.pathways.schemas import OfferCreate

SCREEN_PERMISSION = "pathway:screen"
UnitOfWork = Callable[[], AbstractContextManager[Session]]


@dataclass
class Jobs:
    """Where the after-commit subscribers (re-screening after a catalogue change)
    open their own unit of work: the node's database by default."""

    open: UnitOfWork = uow


JOBS = Jobs()


def today_utc() -> dt.date:
    return utcnow().date()


def check_person(session: Session, actor: Actor, person_id: uuid.UUID) -> None:
    """The person must exist and be within the actor's reach (`PersonNotFound`)."""
    people.get_person(session, actor=actor, person_id=person_id)


def visible_screening(
    session: Session, actor: Actor, screening_id: uuid.UUID
) -> Screening:
    """A stored screening the actor may read, or `ScreeningNotFound`."""
    stmt = visible(
        actor,
        select(Screening).where(Screening.id == screening_id),
        Screening,
        SCREEN_PERMISSION,
    )
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise ScreeningNotFound()
    authorize(
        actor,
        SCREEN_PERMISSION,
        tenant_code=row.tenant_code,
        sensitivity=Sensitivity.PERSONAL,
    )
    return row


def visible_offer(
    session: Session, actor: Actor, offer_id: uuid.UUID, permission: str
) -> OfferRow:
    """A stored job offer the actor may use with `permission`, or `OfferNotFound`."""
    stmt = visible(
        actor,
        select(OfferRow).where(OfferRow.id == offer_id),
        OfferRow,
        permission,
    )
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise OfferNotFound()
    authorize(actor, permission, tenant_code=row.tenant_code, owner_id=row.owner_id)
    return row


class LabourLaw(Protocol):
    """What the checks read from a catalogue: the pathways (for a programme's
    rules) and each state's legal minimum wage."""

    @property
    def minimum_wages(self) -> Mapping[str, MinimumWage]: ...

    def by_id(self) -> dict[str, Pathway]: ...


def run_checks(
    offer: JobOffer,
    *,
    law: LabourLaw,
    today: dt.date | None = None,
    attestations: Iterable[Attestation] = (),
    debarred: Iterable[str] = (),
) -> OfferCheck:
    """ER-01…ER-24 on an offer with the programme rules of its pathway and the
    minimum wage of its state, as the signed catalogue publishes them."""
    pathway = law.by_id().get(offer.pathway_id) if offer.pathway_id else None
    return check_offer(
        offer,
        programme=pathway.programme if pathway is not None else None,
        minimum_wage=law.minimum_wages.get(offer.state),
        attestations=attestations,
        today=today or today_utc(),
        debarred_recruiters=debarred,
    )


def stored_offer(row: OfferRow) -> JobOffer:
    """The offer a row keeps (its documented JSON), with the row's id."""
    offer = OfferCreate.model_validate(row.document).to_offer()
    return dataclasses.replace(offer, id=str(row.id))


def debarred_recruiters(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Recruiter.licence_number).where(Recruiter.is_debarred.is_(True))
        )
    )


def accepted_attestations(session: Session, offer_id: uuid.UUID) -> list[Attestation]:
    rows = session.scalars(
        select(OfferAttestation).where(
            OfferAttestation.offer_id == offer_id,
            OfferAttestation.review == "accepted",
        )
    )
    return [
        Attestation(
            check_id=row.check_id,
            attested_by=str(row.attested_by or "employer"),
            attested_on=row.attested_on,
            evidence=row.evidence,
        )
        for row in rows
    ]
