"""Alerts: trigger firings become CAP 1.2 alerts with a lifecycle (Alert → Update →
Cancel), an Atom feed and in-app notices for the subscribed roles.

One message per firing (idempotent: a firing already turned into a message is
skipped). A firing of a trigger and series that already has a live alert within
`UPDATE_WINDOW_MONTHS` updates that alert; a later one cancels it (superseded) and
opens a new alert. Permissions: `alert:read` to read, `alert:write` to raise,
update or cancel (the system actor raises alerts after an import).

This module holds the lifecycle (raise, update, cancel, stand down) and the
after-import subscriber, and re-exports the rest, which lives beside it:
`alerts_common` (shapes, errors, labels), `alerts_reading`, `alerts_cap`,
`alerts_feed`, `alerts_notices` and `alerts_catalogue`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import json
import uuid
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any, Final

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.db import uow, utcnow
from puente.core.events import subscribe
from puente.core.i18n import N_
from puente.early_warning import cap
from puente.early_warning.models.alerts import Alert, AlertMessage, AlertNotice
from puente.early_warning.models.flows import TriggerCatalogue
from puente.early_warning.service.alerts_cap import (
    EXPIRES_AFTER,
    LANGUAGES,
    RESTRICTION,
    alert_cap_xml,
    cap_message,
    export_cap_files,
    render_alert,
)
from puente.early_warning.service.alerts_catalogue import (
    LAD_STATES,
    CatalogueOverview,
    TriggerDefinition,
    catalogue_overview,
    catalogue_triggers,
)
from puente.early_warning.service.alerts_common import (
    CAP_LABELS,
    COUNTRY_NAMES,
    LEVEL_NAMES,
    LEVELS,
    MSG_TRANSITIONS,
    SUBSCRIBED_ROLES,
    AlertClosed,
    AlertDetail,
    AlertMessageRead,
    AlertNotFound,
    AlertRead,
    FiringData,
    NoticeNotFound,
    NoticeRead,
    can_follow,
    country_name,
    months_between,
    title_in,
)

# Private helpers other early-warning services use (`service.plans`).
from puente.early_warning.service.alerts_common import _cap_value as _cap_value
from puente.early_warning.service.alerts_common import _clean as _clean
from puente.early_warning.service.alerts_common import _country_name as _country_name
from puente.early_warning.service.alerts_common import _json_dict as _json_dict
from puente.early_warning.service.alerts_feed import ATOM, atom_feed
from puente.early_warning.service.alerts_notices import (
    mark_notice_read,
    unread_notices,
)
from puente.early_warning.service.alerts_reading import _get_alert as _get_alert
from puente.early_warning.service.alerts_reading import _messages as _messages
from puente.early_warning.service.alerts_reading import (
    get_alert,
    level_by_country,
    list_alerts,
)
from puente.identity import Actor, authorize, system_actor

__all__ = [
    "ATOM",
    "AUDIT_VERBS",
    "CAP_LABELS",
    "COUNTRY_NAMES",
    "EXPIRES_AFTER",
    "LAD_STATES",
    "LANGUAGES",
    "LEVELS",
    "LEVEL_NAMES",
    "MSG_TRANSITIONS",
    "RESTRICTION",
    "SOURCE_COUNTRY",
    "STOOD_DOWN",
    "SUBSCRIBED_ROLES",
    "SUPERSEDED",
    "UPDATE_WINDOW_MONTHS",
    "AlertClosed",
    "AlertDetail",
    "AlertMessageRead",
    "AlertNotFound",
    "AlertRead",
    "CatalogueOverview",
    "FiringData",
    "NoticeNotFound",
    "NoticeRead",
    "TriggerDefinition",
    "alert_cap_xml",
    "atom_feed",
    "can_follow",
    "cancel_alert",
    "cap_message",
    "catalogue_overview",
    "catalogue_triggers",
    "country_name",
    "export_cap_files",
    "firing_data",
    "get_alert",
    "handle_flows_imported",
    "level_by_country",
    "list_alerts",
    "mark_notice_read",
    "months_between",
    "raise_alerts",
    "render_alert",
    "title_in",
    "unread_notices",
    "update_alert",
]

log = structlog.get_logger(__name__)

AUDIT_VERBS: Final = {"Alert": "raise", "Update": "update", "Cancel": "cancel"}
UPDATE_WINDOW_MONTHS: Final = 6  # a firing after the cooldown, same episode
# Where a source names no reporting state, the series' place (Darién → Panama).
SOURCE_COUNTRY: Final = {
    "darien": "PAN",
    "honduras": "HND",
    "mexico": "MEX",
    "guatemala": "GTM",
}


# --------------------------------------------------------------------------- firings


def _first(source: object, *names: str, default: Any = None) -> Any:
    for name in names:
        value = (
            source.get(name)
            if isinstance(source, dict)
            else getattr(source, name, None)
        )
        if value is not None:
            return value
    return default


def _country_of(source: object, series_key: str) -> str | None:
    found = _first(source, "country", "reporting_state", "iso3", "geo")
    if isinstance(found, str) and len(found) == 3:
        return found.upper()
    for part in series_key.replace("|", ",").split(","):
        name, _sep, value = part.partition("=")
        if name.strip() in ("geo", "country", "state") and len(value.strip()) == 3:
            return value.strip().upper()
    source_name = series_key.split("|", 1)[0].lower()
    for prefix, code in SOURCE_COUNTRY.items():
        if source_name.startswith(prefix):
            return code
    return None


def firing_data(firing: object) -> FiringData:
    """Normalise a firing (the trigger service's read schema, a row or a dict)."""
    period = _first(firing, "period")
    if isinstance(period, str):
        period = dt.date.fromisoformat(
            period[:10] if len(period) > 7 else period + "-01"
        )
    if isinstance(period, dt.datetime):
        period = period.date()
    # Data text goes into database rows and XML: drop what neither can hold (NUL).
    series_key = _clean(str(_first(firing, "series_key", default="")))
    vintage = _first(firing, "vintage_id")
    titles = _json_dict(_first(firing, "titles", "title", default={}))
    return FiringData(
        firing_id=str(_first(firing, "id", "firing_id")),
        trigger_id=_clean(str(_first(firing, "trigger_id"))),
        trigger_version=str(_first(firing, "trigger_version", "version", default="1")),
        series_key=series_key,
        period=period,
        severity=_cap_value(cap.Severity, _first(firing, "severity")),
        urgency=_cap_value(cap.Urgency, _first(firing, "urgency")),
        certainty=_cap_value(cap.Certainty, _first(firing, "certainty")),
        values=_json_dict(_first(firing, "values", default={})),
        titles={_clean(str(k)): _clean(str(v)) for k, v in titles.items()},
        condition=str(_first(firing, "condition", "when", default="")),
        plan_template=_first(firing, "plan_template", "plan_template_id"),
        country=_country_of(firing, series_key),
        tenant_code=str(_first(firing, "tenant_code", default="HUB")),
        vintage_id=uuid.UUID(str(vintage)) if vintage else None,
        catalogue_version=_first(firing, "catalogue_version"),
        is_open=bool(_first(firing, "is_open", default=True)),
    )


# --------------------------------------------------------------------------- raising


def _trigger_service_list_firings() -> Callable[..., list[Any]] | None:
    for name in ("triggers", "firings", "evaluation", "flows"):
        try:
            module = importlib.import_module(f"puente.early_warning.service.{name}")
        except ModuleNotFoundError:
            continue
        found = getattr(module, "list_firings", None)
        if callable(found):
            return found  # type: ignore[no-any-return]
    return None


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


# The 20 states that endorsed the Los Angeles Declaration (June 2022).
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
    firings: Iterable[object] | None = None,
    status: cap.Status = cap.Status.ACTUAL,
) -> list[Alert]:
    """Turn firings not seen before into alert messages; returns the alerts touched.

    Needs `alert:write`. Without `firings`, reads them from the trigger service.
    """
    authorize(actor, "alert:write")
    if status not in (cap.Status.ACTUAL, cap.Status.EXERCISE, cap.Status.TEST):
        raise ValueError("alerts are Actual, Exercise or Test")
    if firings is None:
        lister = _trigger_service_list_firings()
        firings = lister(session, actor=actor, since=None) if lister else []
    data = sorted(
        _with_conditions(session, [firing_data(f) for f in firings]),
        key=lambda f: (f.period, f.trigger_id, f.series_key, f.firing_id),
    )
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
    alert = _get_alert(session, actor, alert_id)
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
    alert = _get_alert(session, actor, alert_id)
    authorize(actor, "alert:write", tenant_code=alert.tenant_code)
    if not can_follow(alert.msg_type, cap.MsgType.CANCEL.value):
        raise AlertClosed()
    _add_message(
        session, actor, alert, cap.MsgType.CANCEL.value, period=alert.period, note=note
    )
    return alert


# --------------------------------------------------------------------------- events


def handle_flows_imported(
    event: object,
    *,
    open_uow: Callable[[], AbstractContextManager[Session]] = uow,
) -> int:
    """Raise alerts from the firings an import produced; returns alerts touched."""
    with open_uow() as session:
        touched = raise_alerts(session, actor=system_actor())
    log.info(
        "alerts_after_import",
        vintage_id=str(getattr(event, "vintage_id", "")),
        alerts=len(touched),
    )
    return len(touched)


def _on_flows_imported(event: object) -> None:
    handle_flows_imported(event)


def _register() -> None:
    try:
        events = importlib.import_module("puente.early_warning.events")
    except ModuleNotFoundError:
        return
    flows_imported = getattr(events, "FlowsImported", None)
    if isinstance(flows_imported, type):
        subscribe(flows_imported)(_on_flows_imported)


_register()
