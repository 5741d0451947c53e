"""Qualification recognition: decisions linking a credential to a destination
occupation (full, partial, conditional, not recognised), reused for every worker
holding the same credential, and the regulated occupations of each state."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.db import utcnow
from puente.identity import Actor, Sensitivity, authorize
from puente.pathways.models import RecognitionDecision, RegulatedOccupation
from puente.pathways.schemas import (
    RecognitionCreate,
    RecognitionRead,
    RegulatedOccupationCreate,
    RegulatedOccupationRead,
)


def credential_key(issuing_country: str, qualification: str, isced_level: int) -> str:
    """A stable key for "the same credential": country, ISCED level and the
    qualification's name without accents, case or punctuation."""
    plain = unicodedata.normalize("NFKD", qualification)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    return f"{issuing_country}:{isced_level}:{slug}"


def _regulated(session: Session, state: str, isco: str) -> bool:
    return (
        session.scalars(
            select(RegulatedOccupation.id).where(
                RegulatedOccupation.tenant_code == state,
                RegulatedOccupation.isco == isco,
            )
        ).first()
        is not None
    )


def _read(session: Session, row: RecognitionDecision) -> RecognitionRead:
    return RecognitionRead(
        id=row.id,
        state=row.tenant_code,
        credential_key=row.credential_key,
        qualification=row.qualification,
        issuing_country=row.issuing_country,
        isced_level=row.isced_level,
        isco=row.isco,
        outcome=row.outcome,
        conditions=row.conditions,
        reason=row.reason,
        decided_on=row.decided_on,
        is_regulated=_regulated(session, row.tenant_code, row.isco),
    )


def record_recognition(
    session: Session, *, actor: Actor, decision: RecognitionCreate
) -> RecognitionRead:
    """Record (or revise) the actor's state's decision on a credential for an
    occupation; needs `application:write`. Audited."""
    authorize(actor, "application:write", tenant_code=actor.tenant_code)
    key = credential_key(
        decision.issuing_country, decision.qualification, decision.isced_level
    )
    row = session.scalars(
        select(RecognitionDecision).where(
            RecognitionDecision.tenant_code == actor.tenant_code,
            RecognitionDecision.credential_key == key,
            RecognitionDecision.isco == decision.isco,
        )
    ).one_or_none()
    if row is None:
        row = RecognitionDecision(
            tenant_code=actor.tenant_code, credential_key=key, isco=decision.isco
        )
        session.add(row)
    row.qualification = decision.qualification
    row.issuing_country = decision.issuing_country
    row.isced_level = decision.isced_level
    row.outcome = decision.outcome
    row.conditions = decision.conditions
    row.reason = decision.reason
    row.decided_by = actor.user_id
    row.decided_on = utcnow().date()
    session.flush()
    audit.record(
        session,
        actor,
        "pathways:recognition:decide",
        object_type="pathway_recognition_decision",
        object_id=row.id,
        outcome=decision.outcome,
    )
    return _read(session, row)


def find_recognitions(
    session: Session,
    *,
    actor: Actor,
    state: str | None = None,
    isco: str | None = None,
    qualification: str | None = None,
    issuing_country: str | None = None,
    isced_level: int | None = None,
) -> list[RecognitionRead]:
    """Earlier decisions to reuse (public to `pathway:read`: no personal data)."""
    authorize(actor, "pathway:read", sensitivity=Sensitivity.PUBLIC)
    stmt = select(RecognitionDecision)
    if state:
        stmt = stmt.where(RecognitionDecision.tenant_code == state)
    if isco:
        stmt = stmt.where(RecognitionDecision.isco == isco)
    if qualification and issuing_country and isced_level is not None:
        key = credential_key(issuing_country, qualification, isced_level)
        stmt = stmt.where(RecognitionDecision.credential_key == key)
    rows = session.scalars(
        stmt.order_by(RecognitionDecision.tenant_code, RecognitionDecision.isco)
    )
    return [_read(session, r) for r in rows]


def add_regulated_occupation(
    session: Session, *, actor: Actor, occupation: RegulatedOccupationCreate
) -> RegulatedOccupationRead:
    """A state lists an occupation that needs recognition (`pathway:publish`)."""
    authorize(
        actor,
        "pathway:publish",
        tenant_code=actor.tenant_code,
        sensitivity=Sensitivity.PUBLIC,
    )
    row = RegulatedOccupation(
        tenant_code=actor.tenant_code,
        isco=occupation.isco,
        title=occupation.title,
        authority=occupation.authority,
        source_url=occupation.source_url,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "pathways:regulated:create",
        object_type="pathway_regulated_occupation",
        object_id=row.id,
    )
    return _regulated_read(row)


def _regulated_read(row: RegulatedOccupation) -> RegulatedOccupationRead:
    return RegulatedOccupationRead(
        state=row.tenant_code,
        isco=row.isco,
        title=row.title,
        authority=row.authority,
        source_url=row.source_url,
    )


def regulated_occupations(
    session: Session,
    *,
    actor: Actor,
    state: str | None = None,
    isco: str | None = None,
) -> list[RegulatedOccupationRead]:
    """Which occupations a state regulates (look-up for recognition)."""
    authorize(actor, "pathway:read", sensitivity=Sensitivity.PUBLIC)
    stmt = select(RegulatedOccupation)
    if state:
        stmt = stmt.where(RegulatedOccupation.tenant_code == state)
    if isco:
        stmt = stmt.where(RegulatedOccupation.isco == isco)
    rows = session.scalars(
        stmt.order_by(RegulatedOccupation.tenant_code, RegulatedOccupation.isco)
    )
    return [_regulated_read(r) for r in rows]
