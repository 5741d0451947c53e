"""Reading alerts: one alert with its messages, the list, the level per country.
Needs `alert:read`; rows come through the visibility helper."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core import i18n
from puente.core.db import utcnow
from puente.early_warning.errors import AlertNotFound
from puente.early_warning.models.alerts import Alert, AlertMessage
from puente.early_warning.rules import cap
from puente.early_warning.service.alerts._common import (
    LEVELS,
    AlertDetail,
    AlertMessageRead,
    AlertPage,
    AlertRead,
    is_past,
    json_dict,
    title_in,
)
from puente.identity import Actor, authorize, visible


def get_alert_row(session: Session, actor: Actor, alert_id: uuid.UUID) -> Alert:
    authorize(actor, "alert:read")
    alert = session.scalars(
        visible(actor, select(Alert).where(Alert.id == alert_id), Alert, "alert:read")
    ).one_or_none()
    if alert is None:
        raise AlertNotFound()
    return alert


def _read(alert: Alert) -> AlertRead:
    titles = json_dict(alert.title)
    locale = i18n.get_locale()
    return AlertRead(
        id=alert.id,
        trigger_id=alert.trigger_id,
        trigger_version=alert.trigger_version,
        series_key=alert.series_key,
        period=alert.period,
        country=alert.country,
        status=alert.status,
        msg_type=alert.msg_type,
        severity=alert.severity,
        urgency=alert.urgency,
        certainty=alert.certainty,
        level=LEVELS.get(alert.severity, 0),
        title=title_in(titles, locale, alert.trigger_id),
        titles=titles,
        condition=alert.condition,
        values=json_dict(alert.values),
        plan_template=alert.plan_template,
        sequence=alert.sequence,
        is_current=alert.msg_type != cap.MsgType.CANCEL.value,
        is_expired=is_past(alert.period, alert.updated_at, utcnow()),
        created_at=alert.created_at,
        updated_at=alert.updated_at,
        cap_url=f"/api/v1/early-warning/alerts/{alert.id}.cap.xml",
    )


def list_alerts(
    session: Session, *, actor: Actor, current_only: bool = False
) -> list[AlertRead]:
    """Alerts the actor may read, newest period first. Needs `alert:read`."""
    authorize(actor, "alert:read")
    stmt = select(Alert).order_by(Alert.period.desc(), Alert.created_at.desc())
    if current_only:
        stmt = stmt.where(Alert.msg_type != cap.MsgType.CANCEL.value)
    return [
        _read(a) for a in session.scalars(visible(actor, stmt, Alert, "alert:read"))
    ]


def page_alerts(
    session: Session,
    *,
    actor: Actor,
    current_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> AlertPage:
    """One page of the alerts the actor may read, newest period first, counted
    and cut in the database (the API's list). Needs `alert:read`."""
    authorize(actor, "alert:read")
    stmt = select(Alert)
    if current_only:
        stmt = stmt.where(Alert.msg_type != cap.MsgType.CANCEL.value)
    stmt = visible(actor, stmt, Alert, "alert:read")
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Alert.period.desc(), Alert.created_at.desc(), Alert.id)
        .limit(limit)
        .offset(offset)
    )
    return AlertPage(
        items=[_read(a) for a in rows], total=total, limit=limit, offset=offset
    )


def alert_messages(session: Session, alert_id: uuid.UUID) -> list[AlertMessage]:
    return list(
        session.scalars(
            select(AlertMessage)
            .where(AlertMessage.alert_id == alert_id)
            .order_by(AlertMessage.sequence)
        )
    )


def get_alert(session: Session, *, actor: Actor, alert_id: uuid.UUID) -> AlertDetail:
    """One alert with its messages. Needs `alert:read`."""
    alert = get_alert_row(session, actor, alert_id)
    base = _read(alert)
    return AlertDetail(
        **base.model_dump(),
        messages=[
            AlertMessageRead(
                identifier=m.identifier,
                sequence=m.sequence,
                msg_type=m.msg_type,
                sent_at=m.sent_at,
                period=m.period,
                note=m.note,
            )
            for m in alert_messages(session, alert.id)
        ],
    )


def level_by_country(session: Session, *, actor: Actor) -> dict[str, int]:
    """The highest severity level (0–4) of each country's current alerts."""
    levels: dict[str, int] = {}
    for alert in list_alerts(session, actor=actor, current_only=True):
        if alert.country:
            levels[alert.country] = max(levels.get(alert.country, 0), alert.level)
    return levels
