"""Consular notification (VCCR art. 36) with the protection override.

The person is informed of the right; their wish is recorded; a notification task
with a due time is created only toward a consulate they asked for and are not
protected from. The consulate of a feared state is never notified and nothing
sent to any consulate mentions a claim (only `CONSULAR_NOTIFICATION_FIELDS`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.db import new_id, utcnow
from puente.core.errors import InvalidInput, NotFound
from puente.identity import Actor, authorize, visible
from puente.protection.models import ConsularNotification
from puente.protection.rules.disclosure import (
    CONSULAR_NOTIFICATION_FIELDS,
    Channel,
    ConsularAction,
    ConsularReason,
    ConsularWish,
    consular_notification_decision,
)
from puente.protection.schemas import ConsularView
from puente.protection.service._common import (
    guard_disclosure,
    protection_facts,
    record,
    visible_case,
)
from puente.protection.service._people import person_label

# "Without delay" (art. 36(1)(b)); Puente's task deadline after detention.
NOTIFICATION_DUE = dt.timedelta(hours=24)


class ConsularNotificationNotFound(NotFound):
    message = "No such consular notification."


def record_consular_wish(
    session: Session,
    *,
    actor: Actor,
    person_id: uuid.UUID,
    wish: str,
    detained_at: dt.datetime,
    rights_informed_at: dt.datetime | None = None,
    case_id: uuid.UUID | None = None,
) -> list[ConsularView]:
    """Record that the person was informed and their wish (`case:write`); one row
    per consulate considered. Tasks only where a notification is due."""
    authorize(actor, "case:write", tenant_code=actor.tenant_code)
    if case_id is not None:
        visible_case(session, actor, case_id, "case:write")
    try:
        person_wish = ConsularWish(wish)
    except ValueError:
        raise InvalidInput() from None
    if detained_at.tzinfo is None:
        raise InvalidInput()
    _person, facts = protection_facts(session, actor, person_id)
    decisions = consular_notification_decision(facts, actor.tenant_code, person_wish)
    informed = rights_informed_at or (
        None if person_wish is ConsularWish.NOT_YET_ASKED else utcnow()
    )
    rows = []
    for decision in decisions:
        notify = decision.action is ConsularAction.NOTIFY
        if notify:
            # Belt and braces: the decision already excludes feared states.
            guard_disclosure(
                session,
                actor,
                facts=facts,
                person_id=person_id,
                recipient_state=decision.consulate_state,
                channel=Channel.CONSULAR_NOTIFICATION,
            )
        row = ConsularNotification(
            id=new_id(),
            tenant_code=actor.tenant_code,
            person_id=person_id,
            case_id=case_id,
            detaining_state=actor.tenant_code,
            consulate_state=decision.consulate_state,
            detained_at=detained_at,
            rights_informed_at=informed,
            wish=person_wish.value,
            action=decision.action.value,
            reason=decision.reason.value,
            refer_to_protecting_authority=decision.refer_to_protecting_authority,
            status="task_open"
            if notify
            else (
                "withheld"
                if decision.reason is ConsularReason.PROTECTION_FROM_STATE
                else "none"
            ),
            due_at=detained_at + NOTIFICATION_DUE if notify else None,
            opposition_recorded_at=utcnow()
            if decision.reason is ConsularReason.PERSON_OPPOSES
            else None,
            recorded_by=actor.user_id,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    for row in rows:
        record(
            session,
            actor,
            "protection:consular:record",
            object_type="consular_notification",
            object_id=row.id,
            decision=row.action,
        )
    return [ConsularView.model_validate(row) for row in rows]


def list_consular(
    session: Session, *, actor: Actor, person_id: uuid.UUID | None = None
) -> list[ConsularView]:
    authorize(actor, "case:read", tenant_code=actor.tenant_code)
    stmt = select(ConsularNotification).order_by(
        ConsularNotification.recorded_at.desc()
    )
    if person_id is not None:
        stmt = stmt.where(ConsularNotification.person_id == person_id)
    return [
        ConsularView.model_validate(row)
        for row in list(
            session.scalars(visible(actor, stmt, ConsularNotification, "case:read"))
        )
    ]


def open_consular_tasks(session: Session, *, actor: Actor) -> list[ConsularView]:
    """Notifications due (the only rows that may ever reach a consulate)."""
    return [
        row for row in list_consular(session, actor=actor) if row.status == "task_open"
    ]


def _notification(
    session: Session, actor: Actor, notification_id: uuid.UUID
) -> ConsularNotification:
    row = session.scalars(
        visible(
            actor,
            select(ConsularNotification).where(
                ConsularNotification.id == notification_id
            ),
            ConsularNotification,
            "case:write",
        )
    ).one_or_none()
    if row is None:
        raise ConsularNotificationNotFound()
    return row


def consular_message(
    session: Session, *, actor: Actor, notification_id: uuid.UUID
) -> dict[str, Any]:
    """What may be sent to the consulate: identity and detention only, never a
    claim, status or flag; refused toward a feared state."""
    authorize(actor, "case:write", tenant_code=actor.tenant_code)
    row = _notification(session, actor, notification_id)
    if row.action != ConsularAction.NOTIFY.value:
        raise ConsularNotificationNotFound()
    _person, facts = protection_facts(session, actor, row.person_id)
    guard_disclosure(
        session,
        actor,
        facts=facts,
        person_id=row.person_id,
        recipient_state=row.consulate_state,
        channel=Channel.CONSULAR_NOTIFICATION,
        object_id=row.id,
    )
    label = person_label(session, actor, row.person_id)
    message = {
        "given_name": label.given_name,
        "family_name": label.family_name,
        "birth_date": label.birth_date,
        "nationality": row.consulate_state,
        "place_of_detention": row.detaining_state,
        "detained_at": row.detained_at.isoformat(),
    }
    assert set(message) == set(CONSULAR_NOTIFICATION_FIELDS)  # noqa: S101
    return message


def mark_consular_notified(
    session: Session, *, actor: Actor, notification_id: uuid.UUID
) -> ConsularView:
    """The consulate was notified (after `consular_message`)."""
    consular_message(session, actor=actor, notification_id=notification_id)
    row = _notification(session, actor, notification_id)
    row.status = "notified"
    row.notified_at = utcnow()
    session.flush()
    record(
        session,
        actor,
        "protection:consular:notified",
        object_type="consular_notification",
        object_id=row.id,
    )
    return ConsularView.model_validate(row)
