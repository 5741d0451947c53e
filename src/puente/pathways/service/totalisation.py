"""Social-security totalisation calculator (indicative, not a decision), and the
computations an officer chooses to keep for a person or a worker."""

from __future__ import annotations

import uuid
from decimal import Decimal

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.identity import Actor, Sensitivity, authorize, visible
from puente.pathways.errors import TotalisationNotFound, TotalisationTooLarge
from puente.pathways.models import SavedTotalisation, Worker
from puente.pathways.rules.totalisation import (
    RULES_VERSION,
    Agreement,
    PensionFormula,
    totalise,
)
from puente.pathways.schemas import (
    CheckMessageRead,
    SavedTotalisationRead,
    StateBenefitRead,
    TotalisationRead,
    TotalisationRequest,
)
from puente.pathways.service._common import check_person
from puente.pathways.service.workers import visible_worker

log = structlog.get_logger(__name__)
TABLE = "pathway_totalisation"
# Saved computations hold a person's insurance history and wages: personal data,
# kept by the officers who screen people (never by employers or focal points).
PERMISSION = "pathway:screen"
# What the totals' columns hold (NUMERIC(14, 2) and NUMERIC(8, 2)).
MAX_PAYABLE = Decimal("1e12")
MAX_YEARS = Decimal("1e6")


def calculate_totalisation(
    session: Session | None,  # noqa: ARG001 - the service shape; stores nothing
    *,
    actor: Actor,
    request: TotalisationRequest,
) -> TotalisationRead:
    """Each state's pension under totalisation and pro-rata, step by step.

    Needs `pathway:read`; stores nothing (`save_totalisation` keeps one)."""
    authorize(actor, "pathway:read", sensitivity=Sensitivity.PUBLIC)
    periods = {p.state: p.years for p in request.periods}
    schemes = {
        p.state: PensionFormula(
            minimum_years=p.scheme.minimum_years,
            reference_wage=p.scheme.reference_wage,
            base_rate=p.scheme.base_rate,
            base_years=p.scheme.base_years,
            rate_per_year=p.scheme.rate_per_year,
            max_rate=p.scheme.max_rate,
        )
        for p in request.periods
    }
    result = totalise(
        periods,
        schemes,
        agreement=Agreement(request.agreement) if request.agreement else None,
        on=request.on,
    )
    return TotalisationRead(
        agreement=result.agreement.value if result.agreement else None,
        total_years=result.total_years,
        states=[
            StateBenefitRead(
                state=b.state,
                years=b.years,
                autonomous=b.autonomous,
                theoretical=b.theoretical,
                pro_rata=b.pro_rata,
                payable=b.payable,
                basis=b.basis.value,
                explanation=list(b.explanation),
            )
            for b in result.states
        ],
        total_payable=result.total_payable,
        explanation=list(result.explanation),
        explanation_messages=[
            CheckMessageRead.model_validate(m.to_json())
            for m in result.explanation_messages
        ],
    )


def _authorize(actor: Actor, tenant_code: str) -> None:
    authorize(
        actor,
        PERMISSION,
        tenant_code=tenant_code,
        sensitivity=Sensitivity.PERSONAL,
    )


def _read(row: SavedTotalisation, worker_ref: str = "") -> SavedTotalisationRead:
    return SavedTotalisationRead(
        id=row.id,
        person_id=row.person_id,
        worker_id=row.worker_id,
        worker_ref=worker_ref,
        agreement=row.agreement,
        rule_version=row.rule_version,
        saved_by=row.owner_id,
        saved_at=row.saved_at,
        request=TotalisationRequest.model_validate(row.inputs),
        result=TotalisationRead.model_validate(row.result),
    )


def _worker_refs(
    session: Session, rows: list[SavedTotalisation]
) -> dict[uuid.UUID, str]:
    ids = {r.worker_id for r in rows if r.worker_id is not None}
    if not ids:
        return {}
    found = session.execute(
        select(Worker.id, Worker.worker_ref).where(Worker.id.in_(ids))
    )
    return dict(found.all())


def save_totalisation(
    session: Session,
    *,
    actor: Actor,
    request: TotalisationRequest,
    person_id: uuid.UUID | None = None,
    worker_id: uuid.UUID | None = None,
) -> SavedTotalisationRead:
    """Compute a totalisation and keep it: who, when, the inputs, the result, the
    agreement and the rule version (the result is computed here, never taken from
    the caller).

    Needs `pathway:screen` (personal data); the person (by id, through
    `puente.people`) and the worker must be visible to the actor. A total too
    large for the record is refused (`TotalisationTooLarge`). Audited."""
    _authorize(actor, actor.tenant_code)
    result = calculate_totalisation(session, actor=actor, request=request)
    if result.total_payable >= MAX_PAYABLE or result.total_years >= MAX_YEARS:
        raise TotalisationTooLarge()
    if person_id is not None:
        check_person(session, actor, person_id)
    worker_ref = ""
    if worker_id is not None:
        worker_ref = visible_worker(session, actor, worker_id).worker_ref
    row = SavedTotalisation(
        tenant_code=actor.tenant_code,
        organisation_id=actor.organisation_id,
        owner_id=actor.user_id,
        person_id=person_id,
        worker_id=worker_id,
        agreement=request.agreement,
        rule_version=RULES_VERSION,
        total_years=result.total_years,
        total_payable=result.total_payable,
        inputs=request.model_dump(mode="json"),
        result=result.model_dump(mode="json"),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "pathways:totalisation:create",
        object_type=TABLE,
        object_id=row.id,
        person_id=str(person_id) if person_id else None,
        worker_id=str(worker_id) if worker_id else None,
        rule_version=RULES_VERSION,
    )
    log.info("totalisation_saved", totalisation_id=str(row.id))
    return _read(row, worker_ref)


def list_totalisations(
    session: Session,
    *,
    actor: Actor,
    person_id: uuid.UUID | None = None,
    worker_id: uuid.UUID | None = None,
    limit: int = 100,
) -> list[SavedTotalisationRead]:
    """Saved totalisations the actor may see, newest first; for one person or one
    worker when given. Needs `pathway:screen`; the read is audited."""
    _authorize(actor, actor.tenant_code)
    stmt = visible(actor, select(SavedTotalisation), SavedTotalisation, PERMISSION)
    if person_id is not None:
        stmt = stmt.where(SavedTotalisation.person_id == person_id)
    if worker_id is not None:
        stmt = stmt.where(SavedTotalisation.worker_id == worker_id)
    stmt = stmt.order_by(SavedTotalisation.saved_at.desc(), SavedTotalisation.id).limit(
        limit
    )
    rows = list(session.scalars(stmt))
    audit.record(
        session,
        actor,
        "pathways:totalisation:list",
        object_type=TABLE,
        person_id=str(person_id) if person_id else None,
        worker_id=str(worker_id) if worker_id else None,
        count=len(rows),
    )
    refs = _worker_refs(session, rows)
    return [_read(r, refs.get(r.worker_id, "") if r.worker_id else "") for r in rows]


def get_totalisation(
    session: Session, *, actor: Actor, totalisation_id: uuid.UUID
) -> SavedTotalisationRead:
    """One saved totalisation (`pathway:screen`, tenant-walled); the read is audited."""
    _authorize(actor, actor.tenant_code)
    stmt = visible(
        actor,
        select(SavedTotalisation).where(SavedTotalisation.id == totalisation_id),
        SavedTotalisation,
        PERMISSION,
    )
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise TotalisationNotFound()
    _authorize(actor, row.tenant_code)
    audit.record(
        session,
        actor,
        "pathways:totalisation:read",
        tenant_code=row.tenant_code,
        object_type=TABLE,
        object_id=row.id,
    )
    return _read(
        row,
        _worker_refs(session, [row]).get(row.worker_id, "") if row.worker_id else "",
    )
