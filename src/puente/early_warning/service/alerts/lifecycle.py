"""Alert lifecycle: trigger firings become CAP 1.2 alerts (Alert → Update →
Cancel); the after-import subscriber raises them.

One message per firing (idempotent: a firing already turned into a message is
skipped). A firing of a trigger and series that already has a live alert within
`UPDATE_WINDOW_MONTHS` updates that alert; a later one cancels it (superseded) and
opens a new alert. Permissions: `alert:write` to raise, update or cancel (the
system actor raises alerts after an import).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Final

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit, events
from puente.core.db import uow, utcnow
from puente.core.events import subscribe
from puente.core.i18n import N_
from puente.early_warning.errors import AlertClosed, UnknownTenant
from puente.early_warning.events import AlertMessageIssued, FlowsImported
from puente.early_warning.models.alerts import Alert, AlertMessage, AlertNotice
from puente.early_warning.models.flows import TriggerCatalogue
from puente.early_warning.rules import cap
from puente.early_warning.schemas import FiringRead
from puente.early_warning.service.alerts._common import (
    SUBSCRIBED_ROLES,
    FiringData,
    can_follow,
    cap_value,
    clean_text,
    months_between,
)
from puente.early_warning.service.alerts.reading import get_alert_row
from puente.early_warning.service.triggers import list_firings
from puente.identity import Actor, Tenant, authorize, system_actor

log = structlog.get_logger(__name__)

AUDIT_VERBS: Final = {"Alert": "raise", "Update": "update", "Cancel": "cancel"}
UPDATE_WINDOW_MONTHS: Final = 6  # a firing after the cooldown, same episode
# Where a firing names no country, the series' place (Darién → Panama).
SOURCE_COUNTRY: Final = {
    "darien": "PAN",
    "honduras": "HND",
    "mexico": "MEX",
    "guatemala": "GTM",
}


# --------------------------------------------------------------------------- firings


def _country_of(firing: FiringRead) -> str | None:
    if firing.country and len(firing.country) == 3:
        return firing.country.upper()
    series_key = firing.series_key
    for part in series_key.replace("|", ",").split(","):
        name, _sep, value = part.partition("=")
        if name.strip() in ("geo", "country", "state") and len(value.strip()) == 3:
            return value.strip().upper()
    source_name = series_key.split("|", 1)[0].lower()
    for prefix, code in SOURCE_COUNTRY.items():
        if source_name.startswith(prefix):
            return code
    return None


def firing_data(firing: FiringRead) -> FiringData:
    """The trigger service's firing as alerts need it. Data text goes into
    database rows and XML: what neither can hold (NUL) is dropped."""
    return FiringData(
        firing_id=str(firing.id),
        trigger_id=clean_text(firing.trigger_id),
        trigger_version=clean_text(firing.trigger_version),
        series_key=clean_text(firing.series_key),
        period=firing.period,
        severity=cap_value(cap.Severity, firing.severity),
        urgency=cap_value(cap.Urgency, firing.urgency),
        certainty=cap_value(cap.Certainty, firing.certainty),
        values=dict(firing.values),
        titles={clean_text(k): clean_text(v) for k, v in firing.title.items()},
        condition=firing.condition,
        plan_template=firing.plan_template,
        country=_country_of(firing),
        tenant_code=firing.tenant_code,
        vintage_id=firing.vintage_id,
        catalogue_version=firing.catalogue_version,
        is_open=firing.is_open,
    )


def _check_tenants(session: Session, data: list[FiringData]) -> None:
    """Every firing's tenant exists: an alert never lands in a default tenant."""
    codes = {f.tenant_code for f in data}
    if not codes:
        return
    known = set(session.scalars(select(Tenant.code).where(Tenant.code.in_(codes))))
    for code in sorted(codes - known):
        raise UnknownTenant(tenant=code)


# --------------------------------------------------------------------------- raising


def _conditions(session: Session, version: str) -> dict[str, str]:
    """trigger id -> CEL condition in a stored catalogue version."""
    content = session.scalars(
        select(TriggerCatalogue.content).where(TriggerCatalogue.version == version)
    ).first()
    if not content:
        return {}
    triggers = json.loads(content).get("triggers", [])
    return {
        str(t.get("id")): str(t.get("condition", ""))
        for t in triggers
        if isinstance(t, dict)
    }


def _with_conditions(session: Session, data: list[FiringData]) -> list[FiringData]:
    cache: dict[str, dict[str, str]] = {}
    out: list[FiringData] = []
    for firing in data:
        if firing.condition or not firing.catalogue_version:
            out.append(firing)
            continue
        if firing.catalogue_version not in cache:
            cache[firing.catalogue_version] = _conditions(
                session, firing.catalogue_version
            )
        condition = cache[firing.catalogue_version].get(firing.trigger_id, "")
        out.append(dataclasses.replace(firing, condition=condition))
    return out


def _identifier(alert: Alert, sequence: int) -> str:
    return f"puente.{alert.tenant_code.lower()}.{alert.id.hex}.{sequence}"


def _add_message(
    session: Session,
    actor: Actor,
    alert: Alert,
    msg_type: str,
    *,
    period: dt.date,
    firing_id: str | None = None,
    note: str | None = None,
    notify: bool = True,
) -> AlertMessage:
    alert.sequence += 1
    message = AlertMessage(
        alert_id=alert.id,
        tenant_code=alert.tenant_code,
        sequence=alert.sequence,
        identifier=_identifier(alert, alert.sequence),
        msg_type=msg_type,
        sent_at=utcnow().replace(microsecond=0),
        firing_id=firing_id,
        period=period,
        note=note,
        actor_id=actor.user_id,
    )
    alert.msg_type = msg_type
    alert.updated_at = message.sent_at
    session.add(message)
    session.flush()
    # Firings replayed from history (no longer open) are recorded without
    # notifying anyone: a notice is for something to act on now.
    for role in SUBSCRIBED_ROLES if notify else ():
        session.add(
            AlertNotice(
                alert_id=alert.id,
                message_id=message.id,
                role=role.value,
                tenant_code=alert.tenant_code,
            )
        )
    audit.record(
        session,
        actor,
        f"early_warning:alert:{AUDIT_VERBS[msg_type]}",
        tenant_code=alert.tenant_code,
        object_type="alert",
        object_id=alert.id,
        sequence=message.sequence,
        trigger_id=alert.trigger_id,
    )
    if notify:
        events.publish(
            session,
            AlertMessageIssued(
                alert_id=alert.id, message_id=message.id, tenant_code=alert.tenant_code
            ),
        )
    return message


def _new_alert(
    session: Session, actor: Actor, firing: FiringData, status: cap.Status
) -> Alert:
    alert = Alert(
        id=uuid.uuid4(),
        tenant_code=firing.tenant_code,
        trigger_id=firing.trigger_id,
        trigger_version=firing.trigger_version,
        series_key=firing.series_key,
        period=firing.period,
        country=firing.country,
        status=status.value,
        msg_type=cap.MsgType.ALERT.value,
        severity=firing.severity,
        urgency=firing.urgency,
        certainty=firing.certainty,
        condition=firing.condition,
        values=json.dumps(firing.values, sort_keys=True, default=str),
        title=json.dumps(firing.titles, sort_keys=True, ensure_ascii=False),
        plan_template=firing.plan_template,
        vintage_id=firing.vintage_id,
        sequence=0,
    )
    session.add(alert)
    session.flush()
    _add_message(
        session,
        actor,
        alert,
        cap.MsgType.ALERT.value,
        period=firing.period,
        firing_id=firing.firing_id,
        notify=firing.is_open,
    )
    return alert


def _was_notified(session: Session, alert: Alert) -> bool:
    return (
        session.scalars(
            select(AlertNotice.id).where(AlertNotice.alert_id == alert.id)
        ).first()
        is not None
    )


def _live_alert(session: Session, trigger_id: str, series_key: str) -> Alert | None:
    return session.scalars(
        select(Alert)
        .where(
            Alert.trigger_id == trigger_id,
            Alert.series_key == series_key,
            Alert.msg_type != cap.MsgType.CANCEL.value,
        )
        .order_by(Alert.period.desc())
    ).first()


def raise_alerts(
    session: Session,
    *,
    actor: Actor,
    firings: Iterable[FiringRead] | None = None,
    status: cap.Status = cap.Status.ACTUAL,
) -> list[Alert]:
    """Turn firings not seen before into alert messages; returns the alerts touched.

    Needs `alert:write`. Without `firings`, reads them from the trigger service.
    """
    authorize(actor, "alert:write")
    if status not in (cap.Status.ACTUAL, cap.Status.EXERCISE, cap.Status.TEST):
        raise ValueError("alerts are Actual, Exercise or Test")
    if firings is None:
        firings = list_firings(session, actor=actor, since=None)
    data = sorted(
        _with_conditions(session, [firing_data(f) for f in firings]),
        key=lambda f: (f.period, f.trigger_id, f.series_key, f.firing_id),
    )
    _check_tenants(session, data)
    seen = set(
        session.scalars(
            select(AlertMessage.firing_id).where(
                AlertMessage.firing_id.in_([f.firing_id for f in data])
            )
        )
    )
    touched: dict[uuid.UUID, Alert] = {}
    for firing in data:
        if firing.firing_id in seen:
            continue
        seen.add(firing.firing_id)
        live = _live_alert(session, firing.trigger_id, firing.series_key)
        if live is not None and (
            abs(months_between(live.period, firing.period)) <= UPDATE_WINDOW_MONTHS
        ):
            live.period = max(live.period, firing.period)
            live.values = json.dumps(firing.values, sort_keys=True, default=str)
            live.severity, live.urgency = firing.severity, firing.urgency
            live.certainty = firing.certainty
            _add_message(
                session,
                actor,
                live,
                cap.MsgType.UPDATE.value,
                period=firing.period,
                firing_id=firing.firing_id,
                notify=firing.is_open,
            )
            touched[live.id] = live
            continue
        if live is not None:
            _add_message(
                session,
                actor,
                live,
                cap.MsgType.CANCEL.value,
                period=firing.period,
                note=SUPERSEDED,
                notify=_was_notified(session, live),
            )
            touched[live.id] = live
        alert = _new_alert(session, actor, firing, status)
        touched[alert.id] = alert
    for alert in _stand_down(session, actor, data):
        touched[alert.id] = alert
    log.info("alerts_raised", count=len(touched))
    return list(touched.values())


STOOD_DOWN: Final = N_("Stood down: the trigger no longer holds for this series.")
SUPERSEDED: Final = N_("Superseded by a new alert for the same trigger and series.")


def _stand_down(session: Session, actor: Actor, data: list[FiringData]) -> list[Alert]:
    """Cancel live alerts whose trigger and series have no open firing left (the
    flow fell back: research/02 E9 expects a Cancel, not silence)."""
    keys = {(f.trigger_id, f.series_key) for f in data}
    still_open = {(f.trigger_id, f.series_key) for f in data if f.is_open}
    cancelled: list[Alert] = []
    for key in sorted(keys - still_open):
        live = _live_alert(session, *key)
        if live is None:
            continue
        _add_message(
            session,
            actor,
            live,
            cap.MsgType.CANCEL.value,
            period=live.period,
            note=STOOD_DOWN,
            notify=_was_notified(session, live),
        )
        cancelled.append(live)
    return cancelled


def update_alert(
    session: Session,
    *,
    actor: Actor,
    alert_id: uuid.UUID,
    note: str,
    severity: cap.Severity | None = None,
) -> Alert:
    """Send an Update (e.g. a changed severity). Needs `alert:write`."""
    alert = get_alert_row(session, actor, alert_id)
    authorize(actor, "alert:write", tenant_code=alert.tenant_code)
    if not can_follow(alert.msg_type, cap.MsgType.UPDATE.value):
        raise AlertClosed()
    if severity is not None:
        alert.severity = severity.value
    _add_message(
        session, actor, alert, cap.MsgType.UPDATE.value, period=alert.period, note=note
    )
    return alert


def cancel_alert(
    session: Session, *, actor: Actor, alert_id: uuid.UUID, note: str
) -> Alert:
    """Send a Cancel; the alert leaves the feed and the map. Needs `alert:write`."""
    alert = get_alert_row(session, actor, alert_id)
    authorize(actor, "alert:write", tenant_code=alert.tenant_code)
    if not can_follow(alert.msg_type, cap.MsgType.CANCEL.value):
        raise AlertClosed()
    _add_message(
        session, actor, alert, cap.MsgType.CANCEL.value, period=alert.period, note=note
    )
    return alert


# --------------------------------------------------------------------------- events


def handle_flows_imported(
    event: FlowsImported,
    *,
    open_uow: Callable[[], AbstractContextManager[Session]] = uow,
) -> int:
    """Raise alerts from the firings an import produced; returns alerts touched."""
    with open_uow() as session:
        touched = raise_alerts(session, actor=system_actor())
    log.info(
        "alerts_after_import", vintage_id=str(event.vintage_id), alerts=len(touched)
    )
    return len(touched)


@subscribe(FlowsImported)
def _on_flows_imported(event: FlowsImported) -> None:
    handle_flows_imported(event)
