"""In-app notices: one per alert message and subscribed role, read per user."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import i18n
from puente.core.db import utcnow
from puente.early_warning.errors import NoticeNotFound
from puente.early_warning.models.alerts import (
    Alert,
    AlertMessage,
    AlertNotice,
    AlertNoticeRead,
)
from puente.early_warning.service.alerts._common import (
    MESSAGE_VALIDITY,
    SUBSCRIBED_ROLES,
    NoticeRead,
    is_past,
    json_dict,
    oldest_current_period,
    title_in,
)
from puente.identity import Actor, authorize, visible


def unread_notices(
    session: Session, *, actor: Actor, limit: int = 20, include_past: bool = True
) -> list[NoticeRead]:
    """Notices for the actor's roles that the actor has not read, newest first;
    without `include_past`, only those of alerts still within their validity
    (a past alert is history, not news)."""
    if actor.user_id is None or not actor.roles & set(SUBSCRIBED_ROLES):
        return []
    authorize(actor, "alert:read")
    read_ids = select(AlertNoticeRead.notice_id).where(
        AlertNoticeRead.user_id == actor.user_id
    )
    stmt = (
        select(AlertNotice, Alert, AlertMessage)
        .join(Alert, Alert.id == AlertNotice.alert_id)
        .join(AlertMessage, AlertMessage.id == AlertNotice.message_id)
        .where(
            AlertNotice.role.in_([role.value for role in actor.roles]),
            AlertNotice.id.not_in(read_ids),
        )
        .order_by(AlertNotice.created_at.desc(), AlertMessage.sequence.desc())
        .limit(limit)
    )
    stmt = stmt.where(
        Alert.id.in_(visible(actor, select(Alert.id), Alert, "alert:read"))
    )
    now = utcnow()
    if not include_past:
        stmt = stmt.where(
            Alert.period >= oldest_current_period(now.date()),
            Alert.updated_at >= now - MESSAGE_VALIDITY,
        )
    locale = i18n.get_locale()
    notices: list[NoticeRead] = []
    seen: set[uuid.UUID] = set()
    for notice, alert, message in session.execute(stmt):
        if notice.message_id in seen:  # one notice per message for multi-role users
            continue
        seen.add(notice.message_id)
        notices.append(
            NoticeRead(
                id=notice.id,
                alert_id=alert.id,
                msg_type=message.msg_type,
                title=title_in(json_dict(alert.title), locale, alert.trigger_id),
                country=alert.country,
                series_key=alert.series_key,
                period=alert.period,
                severity=alert.severity,
                created_at=notice.created_at,
                is_expired=is_past(alert.period, alert.updated_at, now),
            )
        )
    return notices


def mark_notice_read(session: Session, *, actor: Actor, notice_id: uuid.UUID) -> None:
    """Record that the actor read a notice (idempotent)."""
    authorize(actor, "alert:read")
    notice = session.get(AlertNotice, notice_id)
    if notice is None or actor.user_id is None:
        raise NoticeNotFound()
    if notice.role not in {role.value for role in actor.roles}:
        raise NoticeNotFound()
    exists = session.scalars(
        select(AlertNoticeRead.id).where(
            AlertNoticeRead.notice_id == notice_id,
            AlertNoticeRead.user_id == actor.user_id,
        )
    ).first()
    if exists is None:
        session.add(
            AlertNoticeRead(
                notice_id=notice_id,
                user_id=actor.user_id,
                tenant_code=notice.tenant_code,
            )
        )
        session.flush()
