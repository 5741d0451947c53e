"""Job offers behind the fair-recruitment gate, attestations and their review,
employers and licensed recruiters.

Employers hold `offer:*` at OWN scope: they see only their own offers. The checks
read each offer's programme rules and its state's legal minimum wage from the signed
catalogue (`run_checks`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.db import utcnow
from puente.core.errors import PermissionDenied
from puente.identity import Actor, Scope, Sensitivity, authorize, visible, widest_scope
from puente.pathways.errors import (
    AttestationNotFound,
    NotAttestable,
    OfferError,
    SelfReview,
)
from puente.pathways.models import Employer, OfferAttestation, Recruiter
from puente.pathways.models import JobOffer as OfferRow
from puente.pathways.rules.fair_recruitment import (
    CHECKS,
    CheckKind,
    CheckOutcome,
    OfferCheck,
)
from puente.pathways.rules.offers import JobOffer
from puente.pathways.schemas import (
    AttestationQueueItem,
    AttestationRead,
    CheckRead,
    OfferCreate,
    OfferRead,
)
from puente.pathways.service._common import (
    accepted_attestations,
    debarred_recruiters,
    run_checks,
    stored_offer,
    today_utc,
    visible_offer,
)
from puente.pathways.service.catalogue import active_catalogue

log = structlog.get_logger(__name__)
ATTESTED_CHECKS = frozenset(c.id for c in CHECKS if c.kind is CheckKind.ATTESTED)


def parse_offer(data: object) -> JobOffer:
    """The documented offer JSON (`docs/pathways-offers.md`) as the checks read it;
    `OfferError` names the first field that is wrong (`costs[0].paid_by`)."""
    if not isinstance(data, Mapping):
        raise OfferError("(document)", "an offer must be a JSON object")
    try:
        return OfferCreate.model_validate(data).to_offer()
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = _field_path(first["loc"])
        if first["type"] == "extra_forbidden":
            raise OfferError(
                field, "unknown field; see docs/pathways-offers.md"
            ) from None
        if first["type"] == "missing":
            raise OfferError(field, "is required (use null for no recruiter)") from None
        raise OfferError(field, str(first["msg"])) from None


def _field_path(loc: Sequence[int | str]) -> str:
    """`("costs", 0, "paid_by")` → `costs[0].paid_by`; the tags of the licence's two
    forms (an object or a bare number) are not fields and are left out."""
    path = ""
    previous: int | str = ""
    for part in loc:
        if previous == "recruiter_licence" and part in ("licence", "number"):
            previous = part
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
        previous = part
    return path or "(document)"


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
    `blocked`, never published, never matched."""
    authorize(actor, "offer:write", tenant_code=actor.tenant_code)
    offer = parse_offer(data)
    check = run_checks(
        offer,
        law=active_catalogue(session),
        today=today,
        debarred=debarred_recruiters(session),
    )
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
    log.info("offer_checked", offer_id=str(row.id), blocked=row.blocked)
    return _offer_read(row)


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
    return _offer_read(visible_offer(session, actor, offer_id, "offer:read"))


def publish_offer(session: Session, *, actor: Actor, offer_id: uuid.UUID) -> OfferRead:
    """Re-run the checks and publish a draft; a failing check keeps it blocked."""
    row = visible_offer(session, actor, offer_id, "offer:write")
    recheck(session, row, publish=True)
    audit.record(
        session,
        actor,
        "pathways:offer:blocked" if row.blocked else "pathways:offer:publish",
        object_type="pathway_job_offer",
        object_id=row.id,
    )
    return _offer_read(row)


def current_check(session: Session, row: OfferRow) -> OfferCheck:
    """ER-01…ER-24 on the stored offer with its accepted attestations."""
    return run_checks(
        stored_offer(row),
        law=active_catalogue(session),
        attestations=accepted_attestations(session, row.id),
        debarred=debarred_recruiters(session),
    )


def recheck(session: Session, row: OfferRow, *, publish: bool = False) -> OfferCheck:
    check = current_check(session, row)
    _apply_check(row, check, publish=publish)
    session.flush()
    return check


# --- attestations ------------------------------------------------------------------


def _undecided_checks(session: Session, row: OfferRow) -> frozenset[str]:
    """Automatic checks the data cannot decide for this offer (ER-13 with a bare
    licence number): an accepted attestation decides them."""
    check = current_check(session, row)
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
    row = visible_offer(session, actor, offer_id, "offer:write")
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
    row = visible_offer(session, actor, offer_id, "offer:read")
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
    row = visible_offer(session, actor, attestation.offer_id, "offer:read")
    if attestation.attested_by is not None and attestation.attested_by == actor.user_id:
        raise SelfReview()
    attestation.review = "accepted" if accept else "rejected"
    attestation.reviewed_by = actor.user_id
    attestation.reviewed_at = utcnow()
    attestation.review_note = note
    recheck(session, row)
    audit.record(
        session,
        actor,
        "pathways:offer:review",
        object_type="pathway_offer_attestation",
        object_id=attestation.id,
        accepted=accept,
    )
    return _offer_read(row)


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
