"""Labour mobility: job offers behind the fair-recruitment gate, attestations and
their review, worker profiles, matching and the worker's rights card.

Employers hold `offer:*` at OWN scope: they see and match only their own offers.
Workers who consent to matching (ER-24) are matched region-wide, pseudonymously:
an employer sees a worker reference and the factors, never a name."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core import audit, events
from puente.core.db import utcnow
from puente.core.errors import PermissionDenied
from puente.identity import Actor, Scope, Sensitivity, authorize, visible
from puente.identity.permissions import widest_scope
from puente.pathways.errors import (
    AttestationNotFound,
    NotAttestable,
    OfferBlocked,
    OfferNotFound,
    SelfReview,
    WorkerNotFound,
)
from puente.pathways.events import OfferChecked
from puente.pathways.models import (
    Employer,
    OfferAttestation,
    Recruiter,
    Worker,
)
from puente.pathways.models import JobOffer as OfferRow
from puente.pathways.rules.catalogue import PathwayKind
from puente.pathways.rules.eligibility import Outcome, screener_for
from puente.pathways.rules.facts import parse_facts
from puente.pathways.rules.fair_recruitment import (
    CHECKS,
    Attestation,
    CheckKind,
    CheckOutcome,
    JobOffer,
    Message,
    OfferCheck,
    check_offer,
    parse_offer,
)
from puente.pathways.rules.matching import (
    WorkerProfile,
    encode_workers,
    explain,
    explain_messages,
    rank_offers_for_worker,
    rank_workers_for_offers,
)
from puente.pathways.rules.rights import rights_card as build_rights_card
from puente.pathways.schemas import (
    AttestationQueueItem,
    AttestationRead,
    CheckMessageRead,
    CheckRead,
    MatchRead,
    OfferRead,
    RightsCardRead,
    WorkerCreate,
    WorkerRead,
)
from puente.pathways.service.catalogue import (
    ActiveCatalogue,
    active_catalogue,
    today_utc,
)

log = structlog.get_logger(__name__)
ATTESTED_CHECKS = frozenset(c.id for c in CHECKS if c.kind is CheckKind.ATTESTED)


# --- offers ------------------------------------------------------------------------


def _debarred(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Recruiter.licence_number).where(Recruiter.is_debarred.is_(True))
        )
    )


def _accepted_attestations(session: Session, offer_id: uuid.UUID) -> list[Attestation]:
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


def run_checks(
    offer: JobOffer,
    *,
    today: dt.date | None = None,
    attestations: Iterable[Attestation] = (),
    debarred: Iterable[str] = (),
) -> OfferCheck:
    """ER-01…ER-24 on an offer (pure; the CLI and the service share it)."""
    return check_offer(
        offer,
        attestations=attestations,
        today=today or today_utc(),
        debarred_recruiters=debarred,
    )


def _check_reads(check: OfferCheck) -> list[CheckRead]:
    return [CheckRead.model_validate(c.to_json()) for c in check.checks]


def _messages(messages: list[Message]) -> list[CheckMessageRead]:
    return [CheckMessageRead.model_validate(m.to_json()) for m in messages]


def _offer_read(row: OfferRow) -> OfferRead:
    return OfferRead(
        id=row.id,
        external_id=row.external_id,
        title=row.title,
        isco=row.isco,
        state=row.state,
        pathway_id=row.pathway_id,
        wage_hourly=row.wage_hourly,
        currency=row.currency,
        hours_week=row.hours_week,
        status=row.status,
        blocked=row.blocked,
        checks=[CheckRead(**c) for c in row.checks],
        created_at=row.created_at,
        owner_id=row.owner_id,
    )


def _apply_check(row: OfferRow, check: OfferCheck, *, publish: bool) -> None:
    row.blocked = check.blocked
    row.checks = [
        {k: v for k, v in c.to_json().items() if k in CheckRead.model_fields}
        for c in check.checks
    ]
    if check.blocked:
        row.status = "blocked"
        row.published_at = None
    elif publish or row.status == "published":
        row.status = "published"
        row.published_at = row.published_at or utcnow()
    else:
        row.status = "draft"


def create_offer(
    session: Session,
    *,
    actor: Actor,
    data: Mapping[str, Any],
    publish: bool = True,
    today: dt.date | None = None,
) -> OfferRead:
    """Store a job offer (the documented JSON) with its fair-recruitment checks.

    Needs `offer:write`. An automatic check that fails blocks it: status
    `blocked`, never published, never matched. Publishes `OfferChecked`."""
    authorize(actor, "offer:write", tenant_code=actor.tenant_code)
    offer = parse_offer(data)
    check = run_checks(offer, today=today, debarred=_debarred(session))
    employer_id = session.scalars(
        select(Employer.id).where(Employer.organisation_id == actor.organisation_id)
    ).first()
    row = OfferRow(
        tenant_code=actor.tenant_code,
        organisation_id=actor.organisation_id,
        owner_id=actor.user_id,
        employer_id=employer_id if actor.organisation_id else None,
        external_id=offer.id,
        title=offer.title,
        isco=offer.isco,
        state=offer.state,
        pathway_id=offer.pathway_id,
        wage_hourly=offer.wage_hourly,
        currency=offer.currency,
        hours_week=offer.hours_week,
        contract_language=offer.contract_language,
        document=dict(data),
        checked_on=today or today_utc(),
        status="draft",
        blocked=True,
        checks=[],
    )
    _apply_check(row, check, publish=publish)
    session.add(row)
    session.flush()
    failed = ",".join(c.id for c in check.failed())
    audit.record(
        session,
        actor,
        "pathways:offer:blocked" if check.blocked else f"pathways:offer:{row.status}",
        object_type="pathway_job_offer",
        object_id=row.id,
        failed=failed or None,
    )
    events.publish(session, OfferChecked(row.id, row.blocked, row.status))
    log.info("offer_checked", offer_id=str(row.id), blocked=row.blocked)
    return _offer_read(row)


def _visible_offer(
    session: Session, actor: Actor, offer_id: uuid.UUID, permission: str
) -> OfferRow:
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


def list_offers(
    session: Session, *, actor: Actor, status: str | None = None, limit: int = 200
) -> list[OfferRead]:
    """Offers the actor may see: an employer their own, an officer region-wide."""
    authorize(actor, "offer:read")
    stmt = visible(actor, select(OfferRow), OfferRow, "offer:read")
    if status:
        stmt = stmt.where(OfferRow.status == status)
    rows = session.scalars(stmt.order_by(OfferRow.created_at.desc()).limit(limit))
    return [_offer_read(row) for row in rows]


def get_offer(session: Session, *, actor: Actor, offer_id: uuid.UUID) -> OfferRead:
    return _offer_read(_visible_offer(session, actor, offer_id, "offer:read"))


def publish_offer(session: Session, *, actor: Actor, offer_id: uuid.UUID) -> OfferRead:
    """Re-run the checks and publish a draft; a failing check keeps it blocked."""
    row = _visible_offer(session, actor, offer_id, "offer:write")
    _recheck(session, row, publish=True)
    audit.record(
        session,
        actor,
        "pathways:offer:blocked" if row.blocked else "pathways:offer:publish",
        object_type="pathway_job_offer",
        object_id=row.id,
    )
    return _offer_read(row)


def _current_check(session: Session, row: OfferRow) -> OfferCheck:
    """ER-01…ER-24 on the stored offer with its accepted attestations."""
    return run_checks(
        parse_offer(row.document),
        attestations=_accepted_attestations(session, row.id),
        debarred=_debarred(session),
    )


def _recheck(session: Session, row: OfferRow, *, publish: bool = False) -> OfferCheck:
    check = _current_check(session, row)
    _apply_check(row, check, publish=publish)
    session.flush()
    return check


# --- attestations ------------------------------------------------------------------


def _undecided_checks(session: Session, row: OfferRow) -> frozenset[str]:
    """Automatic checks the data cannot decide for this offer (ER-13 with a bare
    licence number): an accepted attestation decides them."""
    check = _current_check(session, row)
    return frozenset(
        c.id
        for c in check.checks
        if c.kind is CheckKind.AUTOMATIC and c.result is CheckOutcome.NEEDS_ATTESTATION
    )


def _attestation_read(row: OfferAttestation) -> AttestationRead:
    return AttestationRead(
        id=row.id,
        offer_id=row.offer_id,
        check_id=row.check_id,
        attested_on=row.attested_on,
        evidence=row.evidence,
        evidence_ref=row.evidence_ref,
        review=row.review,
        review_note=row.review_note,
        reviewed_at=row.reviewed_at,
    )


def record_attestation(
    session: Session,
    *,
    actor: Actor,
    offer_id: uuid.UUID,
    check_id: str,
    evidence: str,
    evidence_ref: str = "",
) -> AttestationRead:
    """The employer attests an attested check (ER-07, ER-09, ER-16): a statement and
    an optional reference to its evidence; it counts once a reviewer accepts it."""
    row = _visible_offer(session, actor, offer_id, "offer:write")
    if check_id not in ATTESTED_CHECKS and check_id not in _undecided_checks(
        session, row
    ):
        raise NotAttestable(check_id=check_id)
    attestation = OfferAttestation(
        tenant_code=row.tenant_code,
        offer_id=row.id,
        check_id=check_id,
        attested_by=actor.user_id,
        attested_on=today_utc(),
        evidence=evidence,
        evidence_ref=evidence_ref,
    )
    session.add(attestation)
    session.flush()
    audit.record(
        session,
        actor,
        "pathways:offer:attest",
        object_type="pathway_job_offer",
        object_id=row.id,
        check_id=check_id,
    )
    return _attestation_read(attestation)


def list_attestations(
    session: Session, *, actor: Actor, offer_id: uuid.UUID
) -> list[AttestationRead]:
    """An offer's attestations (`offer:read` on the offer), by day attested."""
    row = _visible_offer(session, actor, offer_id, "offer:read")
    return [
        _attestation_read(a)
        for a in session.scalars(
            select(OfferAttestation)
            .where(OfferAttestation.offer_id == row.id)
            .order_by(OfferAttestation.attested_on, OfferAttestation.id)
        )
    ]


def is_reviewer(actor: Actor) -> bool:
    """Reviewers read offers beyond their own (pathways officers); employers,
    whose `offer:read` covers only their own offers, never review."""
    scope = widest_scope(actor, "offer:read")
    return actor.is_system or (scope is not None and scope >= Scope.TENANT)


def attestation_queue(
    session: Session, *, actor: Actor, limit: int = 200
) -> list[AttestationQueueItem]:
    """Attestations waiting for a review, oldest first.

    A reviewer gets those of their own tenant's offers (a review is written there,
    and row-level security lets them write nowhere else); an employer gets their
    own, to follow. `can_review` is false on one's own attestations."""
    authorize(actor, "offer:read")
    reviewer = is_reviewer(actor)
    titles = {c.id: c.title for c in CHECKS}
    offers = visible(actor, select(OfferRow.id), OfferRow, "offer:read")
    stmt = (
        select(OfferAttestation, OfferRow)
        .join(OfferRow, OfferRow.id == OfferAttestation.offer_id)
        .where(
            OfferAttestation.review == "pending",
            OfferAttestation.offer_id.in_(offers.scalar_subquery()),
        )
    )
    if reviewer and not actor.is_system:
        stmt = stmt.where(OfferAttestation.tenant_code == actor.tenant_code)
    stmt = stmt.order_by(OfferAttestation.attested_on, OfferAttestation.id).limit(limit)
    return [
        AttestationQueueItem(
            attestation=_attestation_read(attestation),
            offer_title=offer.title,
            offer_state=offer.state,
            check_title=titles.get(attestation.check_id, attestation.check_id),
            can_review=reviewer
            and (
                attestation.attested_by is None
                or attestation.attested_by != actor.user_id
            ),
        )
        for attestation, offer in session.execute(stmt)
    ]


def review_attestation(
    session: Session,
    *,
    actor: Actor,
    attestation_id: uuid.UUID,
    accept: bool,
    note: str = "",
) -> OfferRead:
    """A reviewer (offer readers beyond their own offers: pathways officers) of the
    offer's tenant accepts or rejects an attestation; the offer's checks are re-run.

    The review and the re-check are written in the offer's tenant, where the second
    wall (row-level security) lets only that tenant write: a reviewer of another
    tenant is refused here too, so both walls agree on every backend."""
    if not is_reviewer(actor):
        raise PermissionDenied()
    attestation = session.get(OfferAttestation, attestation_id)
    if attestation is None:
        raise AttestationNotFound()
    if not actor.is_system and attestation.tenant_code != actor.tenant_code:
        raise PermissionDenied()
    row = _visible_offer(session, actor, attestation.offer_id, "offer:read")
    if attestation.attested_by is not None and attestation.attested_by == actor.user_id:
        raise SelfReview()
    attestation.review = "accepted" if accept else "rejected"
    attestation.reviewed_by = actor.user_id
    attestation.reviewed_at = utcnow()
    attestation.review_note = note
    _recheck(session, row)
    audit.record(
        session,
        actor,
        "pathways:offer:review",
        object_type="pathway_offer_attestation",
        object_id=attestation.id,
        accepted=accept,
    )
    return _offer_read(row)


# --- workers -----------------------------------------------------------------------


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


def _profile(row: Worker, today: dt.date) -> WorkerProfile:
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


def _offer_object(row: OfferRow) -> JobOffer:
    return dataclasses.replace(parse_offer(row.document), id=str(row.id))


def match_workers(
    session: Session, *, actor: Actor, offer_id: uuid.UUID, k: int = 20
) -> list[MatchRead]:
    """Top-k consenting workers for a published offer, each factor explained.

    Needs `match:read` on the offer (an employer: their own). A blocked offer
    raises `OfferBlocked`: it is never matched."""
    row = _visible_offer(session, actor, offer_id, "match:read")
    check = _recheck(session, row)
    if check.blocked or row.status != "published":
        raise OfferBlocked(checks=", ".join(c.id for c in check.failed()) or "draft")
    offer = _offer_object(row)
    today = today_utc()
    workers = session.scalars(
        select(Worker).where(
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
    offers = [_offer_object(r) for r in rows]
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


def rights_card(
    session: Session, *, actor: Actor, offer_id: uuid.UUID, language: str
) -> RightsCardRead:
    """The worker's plain-language rights card for an offer, in their language."""
    row = _visible_offer(session, actor, offer_id, "offer:read")
    card = build_rights_card(parse_offer(row.document), language, blocked=row.blocked)
    return RightsCardRead(
        offer_id=row.id,
        language=card.language,
        title=card.title,
        lines=list(card.lines),
        warning=card.warning,
    )


# --- employers and recruiters ------------------------------------------------------


def register_employer(
    session: Session, *, actor: Actor, name: str, legal_id: str, state: str
) -> uuid.UUID:
    """An employer's record, linked to the actor's organisation."""
    authorize(actor, "offer:write", tenant_code=actor.tenant_code)
    row = Employer(
        tenant_code=actor.tenant_code,
        organisation_id=actor.organisation_id,
        name=name,
        legal_id=legal_id,
        state=state,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "pathways:employer:create",
        object_type="pathway_employer",
        object_id=row.id,
    )
    return row.id


def register_recruiter(
    session: Session,
    *,
    actor: Actor,
    name: str,
    licence_number: str,
    authority: str,
    valid_to: dt.date,
    is_debarred: bool = False,
    iris_certified: bool = False,
) -> uuid.UUID:
    """A licensed recruiter; a debarred one fails ER-14 on every offer using it."""
    authorize(
        actor,
        "pathway:publish",
        tenant_code=actor.tenant_code,
        sensitivity=Sensitivity.PUBLIC,
    )
    row = Recruiter(
        tenant_code=actor.tenant_code,
        name=name,
        licence_number=licence_number,
        authority=authority,
        valid_to=valid_to,
        is_debarred=is_debarred,
        iris_certified=iris_certified,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "pathways:recruiter:create",
        object_type="pathway_recruiter",
        object_id=row.id,
        debarred=is_debarred,
    )
    return row.id


def my_employer(session: Session, *, actor: Actor) -> dict[str, str]:
    """The employer record of the actor's organisation (to pre-fill offers)."""
    authorize(actor, "offer:write", tenant_code=actor.tenant_code)
    row = session.scalars(
        select(Employer).where(Employer.organisation_id == actor.organisation_id)
    ).first()
    if row is None or actor.organisation_id is None:
        return {}
    return {"employer_name": row.name, "employer_legal_id": row.legal_id}


def offers_for_owner(session: Session, owner_id: uuid.UUID) -> Sequence[OfferRow]:
    """Internal (demo idempotency): offers recorded by one user."""
    return session.scalars(select(OfferRow).where(OfferRow.owner_id == owner_id)).all()
