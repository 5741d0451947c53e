"""Screening a person with the versioned form, and the person's protection profile
(the facts the feared-state bar needs)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.db import new_id, utcnow
from puente.identity import Actor, Sensitivity, authorize, ceiling, visible
from puente.protection.errors import ScreeningNotFound
from puente.protection.models import Screening
from puente.protection.rules import screening as rules
from puente.protection.schemas import ScreeningRecord
from puente.protection.service._common import record, seal, unseal
from puente.protection.service._people import flag_for_protection, person_facts


@dataclass(frozen=True)
class ScreeningView:
    """A stored screening as the actor may see it (sensitive parts by ceiling)."""

    id: uuid.UUID
    person_id: uuid.UUID
    form: str
    form_version: int
    priority: str
    recommended_action: str
    flags: tuple[str, ...]
    suggested_specific_needs: tuple[str, ...]
    answers: dict[str, Any]
    can_see_sensitive: bool


def screen_person(
    session: Session,
    *,
    actor: Actor,
    person_id: uuid.UUID,
    answers: dict[str, Any],
    form_version: int = rules.CURRENT_VERSION,
) -> tuple[ScreeningRecord, rules.ScreeningOutcome]:
    """Screen a person (needs `case:write`); sensitive answers and sensitive flags
    are stored encrypted. Audits `protection:screening:create`."""
    authorize(actor, "case:write", tenant_code=actor.tenant_code)
    person_facts(session, actor, person_id)  # the person exists and is visible
    form = rules.load_form(form_version)
    outcome = rules.screen(answers, form)
    sensitive_ids = {q.id for q in form.questions if q.is_sensitive}
    clear = {k: v for k, v in answers.items() if k not in sensitive_ids}
    hidden = {k: v for k, v in answers.items() if k in sensitive_ids}
    public_flags = [f.id for f in outcome.flags if not f.is_sensitive]
    hidden_flags = [f.id for f in outcome.flags if f.is_sensitive]
    row = Screening(
        id=new_id(),
        tenant_code=actor.tenant_code,
        person_id=person_id,
        organisation_id=actor.organisation_id,
        form=form.form,
        form_version=form.version,
        answers=json.dumps(clear, sort_keys=True),
        flags=",".join(public_flags),
        priority=outcome.priority.value,
        recommended_action=outcome.recommended_action,
        suggested_specific_needs=",".join(outcome.suggested_specific_needs),
        screened_by=actor.user_id,
        screened_at=utcnow(),
    )
    if hidden or hidden_flags:
        row.sensitive_sealed = seal(
            actor.tenant_code,
            "protection_screening",
            "sensitive",
            row.id,
            {"answers": hidden, "flags": hidden_flags},
        )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "protection:screening:create",
        object_type="screening",
        object_id=row.id,
        person_id=str(person_id),
    )
    if outcome.flag("international_protection_need") is not None:
        # Publishes ProtectionFactRecorded: open items it forbids are withdrawn
        # in this transaction (see `_people._on_protection_fact`).
        flag_for_protection(session, actor, person_id)
    return ScreeningRecord.model_validate(row), outcome


def get_screening(
    session: Session, *, actor: Actor, screening_id: uuid.UUID
) -> ScreeningView:
    """A screening; sensitive answers only for roles whose ceiling allows them
    (each such read is audited)."""
    authorize(actor, "case:read", tenant_code=actor.tenant_code)
    row = session.scalars(
        visible(
            actor,
            select(Screening).where(Screening.id == screening_id),
            Screening,
            "case:read",
        )
    ).one_or_none()
    if row is None:
        raise ScreeningNotFound()
    answers: dict[str, Any] = json.loads(row.answers)
    flags = [f for f in row.flags.split(",") if f]
    can_see = ceiling(actor, "case:read") >= Sensitivity.SENSITIVE
    if can_see and row.sensitive_sealed:
        hidden = unseal(
            row.tenant_code,
            "protection_screening",
            "sensitive",
            row.id,
            row.sensitive_sealed,
        )
        answers.update(hidden["answers"])
        flags += hidden["flags"]
        record(
            session,
            actor,
            "protection:screening:read_sensitive",
            object_type="screening",
            object_id=row.id,
        )
    return ScreeningView(
        id=row.id,
        person_id=row.person_id,
        form=row.form,
        form_version=row.form_version,
        priority=row.priority,
        recommended_action=row.recommended_action,
        flags=tuple(flags),
        suggested_specific_needs=tuple(
            c for c in row.suggested_specific_needs.split(",") if c
        ),
        answers=answers,
        can_see_sensitive=can_see,
    )


def sensitive_answers_for_export(
    session: Session, actor: Actor, screening_id: uuid.UUID
) -> dict[str, Any]:
    """All answers of a screening (for an audited export); ceiling-checked."""
    view = get_screening(session, actor=actor, screening_id=screening_id)
    return view.answers


def list_screenings(
    session: Session, *, actor: Actor, person_id: uuid.UUID
) -> list[ScreeningRecord]:
    authorize(actor, "case:read", tenant_code=actor.tenant_code)
    stmt = (
        select(Screening)
        .where(Screening.person_id == person_id)
        .order_by(Screening.screened_at.desc())
    )
    return [
        ScreeningRecord.model_validate(row)
        for row in list(session.scalars(visible(actor, stmt, Screening, "case:read")))
    ]
