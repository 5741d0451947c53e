"""Worker profiles, matching behind the fair-recruitment gate, and the worker's
rights card.

Workers who consent to matching (ER-24) are matched region-wide, pseudonymously: an
employer sees a worker reference and the factors, never a name."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.db import utcnow
from puente.core.i18n import use_locale
from puente.identity import Actor, Sensitivity, authorize, visible
from puente.pathways.errors import OfferBlocked, WorkerNotFound
from puente.pathways.models import JobOffer as OfferRow
from puente.pathways.models import Worker
from puente.pathways.rules.catalogue import PathwayKind
from puente.pathways.rules.eligibility import Outcome, screener_for
from puente.pathways.rules.facts import LANGUAGES, parse_facts
from puente.pathways.rules.fair_recruitment import OfferCheck
from puente.pathways.rules.match_explanations import explain, explain_messages
from puente.pathways.rules.matching import (
    WorkerProfile,
    encode_workers,
    rank_offers_for_worker,
    rank_workers_for_offers,
)
from puente.pathways.rules.messages import Message
from puente.pathways.rules.offers import JobOffer
from puente.pathways.rules.rights import rights_card as build_rights_card
from puente.pathways.schemas import (
    CheckMessageRead,
    MatchRead,
    RightsCardRead,
    WorkerCreate,
    WorkerRead,
)
from puente.pathways.service._common import stored_offer, today_utc, visible_offer
from puente.pathways.service.catalogue import ActiveCatalogue, active_catalogue
from puente.pathways.service.offers import recheck
from puente.pathways.service.text import render_message


def _messages(messages: list[Message]) -> list[CheckMessageRead]:
    return [CheckMessageRead.model_validate(m.to_json()) for m in messages]


def worker_pathway_outcomes(
    *, nationality: str, age: int, isco: str, active: ActiveCatalogue
) -> dict[str, str]:
    """Eligibility for each open labour pathway, as if the worker held a job offer
    in that pathway's state for their occupation (what a match would give them)."""
    labour = [
        p for p in active.pathways if p.kind is PathwayKind.LABOUR and active.is_open(p)
    ]
    screener = screener_for(active.pathways, active.today)
    outcomes: dict[str, str] = {}
    for state in sorted({p.state for p in labour}):
        facts = parse_facts(
            {
                "age": age,
                "nationality": nationality,
                "has_job_offer": True,
                "job_offer_isco": isco,
                "job_offer_state": state,
            }
        )
        for result in screener.screen(facts):
            if result.state == state and result.kind is PathwayKind.LABOUR:
                outcomes[result.pathway_id] = result.outcome.value
    return outcomes


def _worker_read(row: Worker) -> WorkerRead:
    return WorkerRead(
        id=row.id,
        worker_ref=row.worker_ref,
        isco=row.isco,
        skills=list(row.skills),
        years_experience=row.years_experience,
        languages=dict(row.languages),
        preferred_destinations=list(row.preferred_destinations),
        available_from=row.available_from,
        nationality=row.nationality,
        consents_to_matching=row.consents_to_matching,
        pathway_outcomes=dict(row.pathway_outcomes),
    )


def register_worker(
    session: Session, *, actor: Actor, profile: WorkerCreate
) -> WorkerRead:
    """Register a worker profile (needs `application:write`, personal data)."""
    authorize(
        actor,
        "application:write",
        tenant_code=actor.tenant_code,
        sensitivity=Sensitivity.PERSONAL,
    )
    active = active_catalogue(session)
    age = active.today.year - profile.birth_year
    row = Worker(
        tenant_code=actor.tenant_code,
        organisation_id=actor.organisation_id,
        owner_id=actor.user_id,
        person_id=profile.person_id,
        worker_ref=profile.worker_ref,
        isco=profile.isco,
        skills=list(profile.skills),
        years_experience=profile.years_experience,
        languages=dict(profile.languages),
        credentials=[c.model_dump() for c in profile.credentials],
        preferred_destinations=list(profile.preferred_destinations),
        available_from=profile.available_from,
        birth_year=profile.birth_year,
        nationality=profile.nationality,
        consents_to_matching=profile.consents_to_matching,
        consent_at=utcnow() if profile.consents_to_matching else None,
        pathway_outcomes=worker_pathway_outcomes(
            nationality=profile.nationality,
            age=age,
            isco=profile.isco,
            active=active,
        ),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "pathways:worker:create",
        object_type="pathway_worker",
        object_id=row.id,
    )
    return _worker_read(row)


def list_workers(
    session: Session, *, actor: Actor, isco: str | None = None, limit: int = 100
) -> list[WorkerRead]:
    authorize(actor, "worker:read", sensitivity=Sensitivity.PERSONAL)
    stmt = visible(actor, select(Worker), Worker, "worker:read")
    if isco:
        stmt = stmt.where(Worker.isco == isco)
    return [_worker_read(r) for r in session.scalars(stmt.limit(limit))]


def count_workers(session: Session) -> int:
    return int(session.scalar(select(func.count(Worker.id))) or 0)


# What matching reads of a worker: columns, not whole rows (no credentials to
# decode, no ORM identity to build for hundreds of candidates per offer).
_MATCH_COLUMNS = (
    Worker.id,
    Worker.worker_ref,
    Worker.isco,
    Worker.skills,
    Worker.languages,
    Worker.preferred_destinations,
    Worker.available_from,
    Worker.birth_year,
    Worker.pathway_outcomes,
    Worker.consents_to_matching,
)


def _profile(row: Any, today: dt.date) -> WorkerProfile:
    """A worker (a row, or the `_MATCH_COLUMNS` of one) as matching reads it."""
    return WorkerProfile(
        id=str(row.id),
        isco=row.isco,
        skills=tuple(row.skills),
        languages=dict(row.languages),
        preferred_destinations=tuple(row.preferred_destinations),
        available_from=row.available_from,
        age=today.year - row.birth_year,
        pathway_outcomes={k: Outcome(v) for k, v in row.pathway_outcomes.items()},
        consents_to_matching=row.consents_to_matching,
    )


def match_workers(
    session: Session, *, actor: Actor, offer_id: uuid.UUID, k: int = 20
) -> list[MatchRead]:
    """Top-k consenting workers for a published offer, each factor explained.

    Needs `match:read` on the offer (an employer: their own). A blocked offer
    raises `OfferBlocked`: it is never matched."""
    row = visible_offer(session, actor, offer_id, "match:read")
    check = recheck(session, row)
    if check.blocked or row.status != "published":
        raise OfferBlocked(checks=", ".join(c.id for c in check.failed()) or "draft")
    offer = stored_offer(row)
    today = today_utc()
    workers = session.execute(
        select(*_MATCH_COLUMNS).where(
            Worker.consents_to_matching.is_(True),
            Worker.isco.like(f"{offer.isco[:2]}%"),
        )
    ).all()
    profiles = [_profile(w, today) for w in workers]
    pathway_ids = [offer.pathway_id] if offer.pathway_id else []
    arrays, _ids = encode_workers(profiles, pathway_ids)
    ranked = rank_workers_for_offers(arrays, [offer], k=k, checks=[check])
    audit.record(
        session,
        actor,
        "pathways:offer:match",
        object_type="pathway_job_offer",
        object_id=row.id,
    )
    return [
        MatchRead(
            worker_id=workers[m.worker_row].id,
            worker_ref=workers[m.worker_row].worker_ref,
            offer_id=row.id,
            offer_title=row.title,
            score=m.score,
            factors=dict(m.factors),
            explanation=explain(m, profiles[m.worker_row], offer),
            explanation_messages=_messages(
                explain_messages(m, profiles[m.worker_row], offer)
            ),
        )
        for m in ranked.get(offer.id, [])
    ]


def visible_worker(session: Session, actor: Actor, worker_id: uuid.UUID) -> Worker:
    """A worker the actor may read (`worker:read`, personal data), or WorkerNotFound."""
    stmt = visible(
        actor, select(Worker).where(Worker.id == worker_id), Worker, "worker:read"
    )
    worker = session.scalars(stmt).one_or_none()
    if worker is None:
        raise WorkerNotFound()
    authorize(
        actor,
        "worker:read",
        tenant_code=worker.tenant_code,
        sensitivity=Sensitivity.PERSONAL,
    )
    return worker


def find_worker(session: Session, *, actor: Actor, worker_ref: str) -> WorkerRead:
    """The worker with this pseudonymous reference, if the actor may read it."""
    authorize(actor, "worker:read", sensitivity=Sensitivity.PERSONAL)
    stmt = visible(
        actor,
        select(Worker.id).where(Worker.worker_ref == worker_ref.strip()),
        Worker,
        "worker:read",
    )
    worker_id = session.scalars(stmt).one_or_none()
    if worker_id is None:
        raise WorkerNotFound()
    return _worker_read(visible_worker(session, actor, worker_id))


def match_offers(
    session: Session, *, actor: Actor, worker_id: uuid.UUID, k: int = 20
) -> list[MatchRead]:
    """Top-k published offers for a worker (needs `worker:read` on the worker)."""
    worker = visible_worker(session, actor, worker_id)
    rows = session.scalars(
        select(OfferRow).where(
            OfferRow.status == "published",
            OfferRow.blocked.is_(False),
            OfferRow.isco.like(f"{worker.isco[:2]}%"),
        )
    ).all()
    if not rows:
        return []
    today = today_utc()
    profile = _profile(worker, today)
    offers = [stored_offer(r) for r in rows]
    pathway_ids = sorted({o.pathway_id for o in offers if o.pathway_id})
    arrays, _ids = encode_workers([profile], pathway_ids)
    passed = [OfferCheck(blocked=False, checks=()) for _ in offers]
    by_id = {str(r.id): (r, o) for r, o in zip(rows, offers, strict=True)}
    out = []
    for m in rank_offers_for_worker(arrays, 0, offers, k=k, checks=passed):
        row, offer = by_id[m.offer_id]
        out.append(
            MatchRead(
                worker_id=worker.id,
                worker_ref=worker.worker_ref,
                offer_id=row.id,
                offer_title=row.title,
                score=m.score,
                factors=dict(m.factors),
                explanation=explain(m, profile, offer),
                explanation_messages=_messages(explain_messages(m, profile, offer)),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class RightsCardText:
    """A rights card worded in one language."""

    language: str
    title: str
    lines: tuple[str, ...]
    warning: str


def rights_card_for(offer: JobOffer, language: str, *, blocked: bool) -> RightsCardText:
    """The worker's rights card for an offer, worded in `language` (English when it
    is not one of the five)."""
    lang = language if language in LANGUAGES else "en"
    card = build_rights_card(offer, blocked=blocked)
    with use_locale(lang):
        return RightsCardText(
            language=lang,
            title=render_message(card.title),
            lines=tuple(render_message(line) for line in card.lines),
            warning=render_message(card.warning) if card.warning else "",
        )


def rights_card(
    session: Session, *, actor: Actor, offer_id: uuid.UUID, language: str
) -> RightsCardRead:
    """The worker's plain-language rights card for an offer, in their language."""
    row = visible_offer(session, actor, offer_id, "offer:read")
    card = rights_card_for(stored_offer(row), language, blocked=row.blocked)
    return RightsCardRead(
        offer_id=row.id,
        language=card.language,
        title=card.title,
        lines=list(card.lines),
        warning=card.warning,
    )
