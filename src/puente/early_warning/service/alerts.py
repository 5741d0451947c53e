"""Alerts: trigger firings become CAP 1.2 alerts with a lifecycle (Alert → Update →
Cancel), an Atom feed and in-app notices for the subscribed roles.

One message per firing (idempotent: a firing already turned into a message is
skipped). A firing of a trigger and series that already has a live alert within
`UPDATE_WINDOW_MONTHS` updates that alert; a later one cancels it (superseded) and
opens a new alert. Permissions: `alert:read` to read, `alert:write` to raise,
update or cancel (the system actor raises alerts after an import).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import structlog
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit, i18n
from puente.core.db import uow, utcnow
from puente.core.errors import Conflict, NotFound
from puente.core.events import subscribe
from puente.core.i18n import N_
from puente.early_warning import cap
from puente.early_warning.models.alerts import (
    Alert,
    AlertMessage,
    AlertNotice,
    AlertNoticeRead,
)
from puente.early_warning.models.flows import TriggerAdoption, TriggerCatalogue
from puente.identity import (
    Actor,
    Role,
    Sensitivity,
    authorize,
    system_actor,
    visible,
)

log = structlog.get_logger(__name__)

LANGUAGES: Final = ("en", "es", "pt", "fr", "ht")
SUBSCRIBED_ROLES: Final = (Role.ANALYST, Role.COORDINATOR, Role.FOCAL_POINT)
AUDIT_VERBS: Final = {"Alert": "raise", "Update": "update", "Cancel": "cancel"}
UPDATE_WINDOW_MONTHS: Final = 6  # a firing after the cooldown, same episode
EXPIRES_AFTER: Final = dt.timedelta(days=30)
RESTRICTION: Final = (
    "Inter-state operational channel of the Los Angeles Declaration on Migration "
    "and Protection; not for public release."
)
LEVELS: Final = {"Unknown": 0, "Minor": 1, "Moderate": 2, "Severe": 3, "Extreme": 4}
LEVEL_NAMES: Final = {
    0: N_("No alert"),
    1: N_("Minor"),
    2: N_("Moderate"),
    3: N_("Severe"),
    4: N_("Extreme"),
}
CAP_LABELS: Final = {
    "Actual": N_("Actual"),
    "Exercise": N_("Exercise"),
    "Test": N_("Test"),
    "Alert": N_("Alert"),
    "Update": N_("Update"),
    "Cancel": N_("Cancel"),
    "Immediate": N_("Immediate"),
    "Expected": N_("Expected"),
    "Future": N_("Future"),
    "Past": N_("Past"),
    "Observed": N_("Observed"),
    "Likely": N_("Likely"),
    "Possible": N_("Possible"),
    "Unlikely": N_("Unlikely"),
    "Unknown": N_("Unknown"),
    "Minor": N_("Minor"),
    "Moderate": N_("Moderate"),
    "Severe": N_("Severe"),
    "Extreme": N_("Extreme"),
}
# Where a source names no reporting state, the series' place (Darién → Panama).
SOURCE_COUNTRY: Final = {
    "darien": "PAN",
    "honduras": "HND",
    "mexico": "MEX",
    "guatemala": "GTM",
}


class AlertNotFound(NotFound):
    message = N_("This alert does not exist.")


class AlertClosed(Conflict):
    message = N_("This alert was cancelled; it can no longer change.")


class NoticeNotFound(NotFound):
    message = N_("This notice does not exist.")


# --------------------------------------------------------------------------- shapes


@dataclass(frozen=True)
class FiringData:
    """A trigger firing as alerts need it (normalised from the trigger service)."""

    firing_id: str
    trigger_id: str
    trigger_version: str
    series_key: str
    period: dt.date
    severity: str
    urgency: str
    certainty: str
    values: dict[str, Any] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    condition: str = ""
    plan_template: str | None = None
    country: str | None = None
    tenant_code: str = "HUB"
    vintage_id: uuid.UUID | None = None
    catalogue_version: str | None = None
    is_open: bool = True


class AlertRead(BaseModel):
    id: uuid.UUID
    trigger_id: str
    trigger_version: str
    series_key: str
    period: dt.date
    country: str | None
    status: str
    msg_type: str
    severity: str
    urgency: str
    certainty: str
    level: int
    title: str
    titles: dict[str, str]
    condition: str
    values: dict[str, Any]
    plan_template: str | None
    sequence: int
    is_current: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    cap_url: str


class AlertMessageRead(BaseModel):
    identifier: str
    sequence: int
    msg_type: str
    sent_at: dt.datetime
    period: dt.date
    note: str | None


class AlertDetail(AlertRead):
    messages: list[AlertMessageRead]


class NoticeRead(BaseModel):
    id: uuid.UUID
    alert_id: uuid.UUID
    msg_type: str
    title: str
    country: str | None
    series_key: str
    period: dt.date
    severity: str
    created_at: dt.datetime


# --------------------------------------------------------------------------- rules


MSG_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    "Alert": frozenset({"Update", "Cancel"}),
    "Update": frozenset({"Update", "Cancel"}),
    "Cancel": frozenset(),
}


def can_follow(current: str, following: str) -> bool:
    """Whether a message of type `following` may follow the alert's last one."""
    return following in MSG_TRANSITIONS.get(current, frozenset())


def months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _json_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, str) and value:
        loaded = json.loads(value)
        return dict(loaded) if isinstance(loaded, dict) else {}
    return {}


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


def _cap_value(
    enum_type: type[cap.Severity] | type[cap.Urgency] | type[cap.Certainty],
    value: object,
) -> str:
    """The CAP value, case-insensitively; anything else is `Unknown`."""
    text = str(getattr(value, "value", value) or "").strip().lower()
    for member in enum_type:
        if member.value.lower() == text:
            return member.value
    return "Unknown"


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
LAD_STATES: Final = (
    "ARG", "BRB", "BLZ", "BRA", "CAN", "CHL", "COL", "CRI", "ECU", "SLV",
    "GTM", "HTI", "HND", "JAM", "MEX", "PAN", "PRY", "PER", "USA", "URY",
)  # fmt: skip


class TriggerDefinition(BaseModel):
    id: str
    title: str
    condition: str
    severity: str
    urgency: str
    certainty: str
    plan_template: str | None
    persistence: str
    cooldown: int | None


def catalogue_triggers(
    session: Session, *, actor: Actor, version: str
) -> list[TriggerDefinition]:
    """The triggers of a stored catalogue version, titles in the current locale.
    Needs `trigger:read`."""
    authorize(actor, "trigger:read", sensitivity=Sensitivity.PUBLIC)
    content = session.scalars(
        select(TriggerCatalogue.content).where(TriggerCatalogue.version == version)
    ).first()
    if not content:
        return []
    locale = i18n.get_locale()
    out: list[TriggerDefinition] = []
    for item in json.loads(content).get("triggers", []):
        if not isinstance(item, dict):
            continue
        mapping = item.get("cap") or {}
        persistence = item.get("persistence") or {}
        titles = {str(k): str(v) for k, v in (item.get("title") or {}).items()}
        out.append(
            TriggerDefinition(
                id=str(item.get("id", "")),
                title=title_in(titles, locale, str(item.get("id", ""))),
                condition=str(item.get("condition", "")),
                severity=_cap_value(cap.Severity, mapping.get("severity")),
                urgency=_cap_value(cap.Urgency, mapping.get("urgency")),
                certainty=_cap_value(cap.Certainty, mapping.get("certainty")),
                plan_template=item.get("plan_template"),
                persistence=(
                    f"{persistence.get('k')}/{persistence.get('n')}"
                    if persistence
                    else ""
                ),
                cooldown=item.get("cooldown"),
            )
        )
    return out


class CatalogueOverview(BaseModel):
    version: str
    proposed_at: dt.datetime
    adopted_by: list[str]
    triggers: list[TriggerDefinition]


def catalogue_overview(session: Session, *, actor: Actor) -> list[CatalogueOverview]:
    """Every proposed catalogue version, newest first, with the states that adopted
    it and its triggers. Needs `trigger:read` (public data)."""
    authorize(actor, "trigger:read", sensitivity=Sensitivity.PUBLIC)
    rows = session.scalars(
        select(TriggerCatalogue).order_by(TriggerCatalogue.proposed_at.desc())
    ).all()
    out: list[CatalogueOverview] = []
    for row in rows:
        adopted = session.scalars(
            select(TriggerAdoption.tenant_code)
            .where(TriggerAdoption.catalogue_id == row.id)
            .order_by(TriggerAdoption.tenant_code)
        ).all()
        out.append(
            CatalogueOverview(
                version=row.version,
                proposed_at=row.proposed_at,
                adopted_by=list(adopted),
                triggers=catalogue_triggers(session, actor=actor, version=row.version),
            )
        )
    return out


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


def _get_alert(session: Session, actor: Actor, alert_id: uuid.UUID) -> Alert:
    authorize(actor, "alert:read")
    alert = session.scalars(
        visible(actor, select(Alert).where(Alert.id == alert_id), Alert, "alert:read")
    ).one_or_none()
    if alert is None:
        raise AlertNotFound()
    return alert


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


# --------------------------------------------------------------------------- reading


def title_in(titles: dict[str, str], locale: str, fallback: str) -> str:
    return titles.get(locale) or titles.get("en") or fallback


def _read(alert: Alert) -> AlertRead:
    titles = _json_dict(alert.title)
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
        values=_json_dict(alert.values),
        plan_template=alert.plan_template,
        sequence=alert.sequence,
        is_current=alert.msg_type != cap.MsgType.CANCEL.value,
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


def _messages(session: Session, alert_id: uuid.UUID) -> list[AlertMessage]:
    return list(
        session.scalars(
            select(AlertMessage)
            .where(AlertMessage.alert_id == alert_id)
            .order_by(AlertMessage.sequence)
        )
    )


def get_alert(session: Session, *, actor: Actor, alert_id: uuid.UUID) -> AlertDetail:
    """One alert with its messages. Needs `alert:read`."""
    alert = _get_alert(session, actor, alert_id)
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
            for m in _messages(session, alert.id)
        ],
    )


def level_by_country(session: Session, *, actor: Actor) -> dict[str, int]:
    """The highest severity level (0–4) of each country's current alerts."""
    levels: dict[str, int] = {}
    for alert in list_alerts(session, actor=actor, current_only=True):
        if alert.country:
            levels[alert.country] = max(levels.get(alert.country, 0), alert.level)
    return levels


# --------------------------------------------------------------------------- CAP


def _sender(tenant_code: str) -> str:
    return f"puente-{tenant_code.lower()}@puente.int"


def _response_types(urgency: str, msg_type: str) -> tuple[cap.ResponseType, ...]:
    if msg_type == cap.MsgType.CANCEL.value:
        return (cap.ResponseType.ALL_CLEAR,)
    if urgency in ("Immediate", "Expected"):
        return (cap.ResponseType.EXECUTE,)
    return (cap.ResponseType.PREPARE, cap.ResponseType.MONITOR)


_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    """Text as XML 1.0 can carry it (titles and values come from data)."""
    return _NOT_XML.sub("", text)


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def _info(alert: Alert, message: AlertMessage, language: str) -> cap.CapInfo:
    titles = _json_dict(alert.title)
    values = _json_dict(alert.values)
    period = f"{message.period:%Y-%m}"
    with i18n.use_locale(language):
        _ = i18n.gettext
        headline = title_in(titles, language, alert.trigger_id)
        if message.msg_type == cap.MsgType.CANCEL.value:
            headline = _("Cancelled: %(title)s", title=headline)
        facts = "; ".join(
            f"{k} = {_format_value(v)}" for k, v in sorted(values.items())
        )
        description = _(
            "Common trigger %(trigger)s (version %(version)s) held for series "
            "%(series)s in %(period)s.",
            trigger=alert.trigger_id,
            version=alert.trigger_version,
            series=alert.series_key,
            period=period,
        )
        if alert.condition:
            description += " " + _(
                "Condition: %(condition)s.", condition=alert.condition
            )
        if facts:
            description += " " + _("Values: %(values)s.", values=facts)
        if message.note:
            description += " " + _("Note: %(note)s", note=message.note)
        instruction = (
            _("Stand down the response activated by this alert.")
            if message.msg_type == cap.MsgType.CANCEL.value
            else _(
                "Review the response plan for this alert and prepare resources "
                "for the planning figure."
            )
        )
        event = _("Mass arrival of refugees and migrants")
        area = _country_name(alert.country) if alert.country else _("The Americas")
        sender_name = _(
            "Puente regional early warning (%(tenant)s)", tenant=alert.tenant_code
        )
    parameters: list[tuple[str, str]] = [
        ("puente:series", alert.series_key),
        ("puente:period", period),
    ]
    if alert.plan_template:
        parameters.append(("puente:plan-template", alert.plan_template))
    if alert.vintage_id:
        parameters.append(("puente:vintage", str(alert.vintage_id)))
    parameters += [
        (f"puente:value:{k}", _format_value(v)) for k, v in sorted(values.items())
    ]
    geocodes = (("ISO3166-1-alpha-3", alert.country),) if alert.country else ()
    return cap.CapInfo(
        categories=(cap.Category.SAFETY,),
        event=_clean(event),
        urgency=cap.Urgency(alert.urgency),
        severity=cap.Severity(alert.severity),
        certainty=cap.Certainty(alert.certainty),
        language=language,
        response_types=_response_types(alert.urgency, message.msg_type),
        audience=_audience(language),
        event_codes=(
            ("puente:trigger", _clean(alert.trigger_id)),
            ("puente:trigger-version", _clean(alert.trigger_version)),
        ),
        effective=message.sent_at,
        expires=message.sent_at + EXPIRES_AFTER,
        sender_name=_clean(sender_name),
        headline=_clean(headline),
        description=_clean(description),
        instruction=_clean(instruction),
        parameters=tuple((_clean(name), _clean(value)) for name, value in parameters),
        areas=(cap.CapArea(area_desc=_clean(area), geocodes=geocodes),),
    )


def _audience(language: str) -> str:
    with i18n.use_locale(language):
        return i18n.gettext("Migration authorities and response partners")


def cap_message(session: Session, alert: Alert, message: AlertMessage) -> cap.CapAlert:
    """The CAP 1.2 message for one of an alert's messages (one info per language)."""
    earlier = [m for m in _messages(session, alert.id) if m.sequence < message.sequence]
    return cap.CapAlert(
        identifier=message.identifier,
        sender=_sender(alert.tenant_code),
        sent=message.sent_at,
        status=cap.Status(alert.status),
        msg_type=cap.MsgType(message.msg_type),
        scope=cap.Scope.RESTRICTED,
        source=_clean(f"puente trigger {alert.trigger_id} v{alert.trigger_version}"),
        restriction=RESTRICTION,
        note=_clean(message.note) if message.note else None,
        references=tuple(
            cap.CapReference(_sender(alert.tenant_code), m.identifier, m.sent_at)
            for m in earlier
        ),
        incidents=(f"puente.{alert.id.hex}",),
        infos=tuple(_info(alert, message, language) for language in LANGUAGES),
    )


def alert_cap_xml(session: Session, *, actor: Actor, alert_id: uuid.UUID) -> bytes:
    """The alert's latest CAP message as XML. Needs `alert:read`."""
    alert = _get_alert(session, actor, alert_id)
    return render_alert(session, alert)


def render_alert(session: Session, alert: Alert) -> bytes:
    messages = _messages(session, alert.id)
    return cap.render_cap(cap_message(session, alert, messages[-1]))


def export_cap_files(session: Session, *, actor: Actor, out_dir: Path) -> list[Path]:
    """Write one CAP 1.2 `.xml` per alert (its latest message). Needs `alert:read`."""
    authorize(actor, "alert:read")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    stmt = visible(actor, select(Alert).order_by(Alert.created_at), Alert, "alert:read")
    for alert in session.scalars(stmt):
        path = out_dir / f"alert-{alert.id}.xml"
        path.write_bytes(render_alert(session, alert))
        written.append(path)
    return written


# --------------------------------------------------------------------------- Atom

ATOM: Final = "http://www.w3.org/2005/Atom"


def _atom(
    parent: ET.Element, tag: str, text: str | None = None, **attrs: str
) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _rfc3339(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(session: Session, *, actor: Actor, base_url: str) -> bytes:
    """Atom 1.0 feed of current alerts, each entry linking its CAP XML, in the
    current locale. Needs `alert:read`."""
    alerts = list_alerts(session, actor=actor, current_only=True)
    base = base_url.rstrip("/")
    _ = i18n.gettext
    # Plain tags under a default xmlns: ElementTree cannot mix a default namespace
    # with the unqualified attributes Atom uses.
    feed = ET.Element("feed", xmlns=ATOM)
    _atom(feed, "id", f"{base}/api/v1/early-warning/alerts.atom")
    _atom(feed, "title", _("Puente: current early-warning alerts"))
    updated = max((a.updated_at for a in alerts), default=utcnow())
    _atom(feed, "updated", _rfc3339(updated))
    author = _atom(feed, "author")
    _atom(author, "name", "Puente")
    _atom(feed, "link", rel="self", href=f"{base}/api/v1/early-warning/alerts.atom")
    for alert in alerts:
        entry = _atom(feed, "entry")
        _atom(entry, "id", f"urn:uuid:{alert.id}")
        _atom(entry, "title", alert.title)
        _atom(entry, "updated", _rfc3339(alert.updated_at))
        _atom(
            entry,
            "summary",
            _(
                "%(severity)s alert for %(series)s in %(period)s",
                severity=_(CAP_LABELS.get(alert.severity, alert.severity)),
                series=alert.series_key,
                period=f"{alert.period:%Y-%m}",
            ),
        )
        _atom(
            entry,
            "link",
            rel="alternate",
            type="application/cap+xml",
            href=f"{base}{alert.cap_url}",
        )
        _atom(
            entry,
            "link",
            rel="related",
            type="text/html",
            href=f"{base}/early-warning/alerts/{alert.id}",
        )
        _atom(entry, "category", term=alert.severity)
    xml: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return xml


# --------------------------------------------------------------------------- notices


def unread_notices(
    session: Session, *, actor: Actor, limit: int = 20
) -> list[NoticeRead]:
    """Notices for the actor's roles that the actor has not read, newest first."""
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
                title=title_in(_json_dict(alert.title), locale, alert.trigger_id),
                country=alert.country,
                series_key=alert.series_key,
                period=alert.period,
                severity=alert.severity,
                created_at=notice.created_at,
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

COUNTRY_NAMES: Final = {
    "ARG": N_("Argentina"),
    "BHS": N_("The Bahamas"),
    "BLZ": N_("Belize"),
    "BOL": N_("Bolivia"),
    "BRA": N_("Brazil"),
    "BRB": N_("Barbados"),
    "CAN": N_("Canada"),
    "CHL": N_("Chile"),
    "COL": N_("Colombia"),
    "CRI": N_("Costa Rica"),
    "CUB": N_("Cuba"),
    "DOM": N_("Dominican Republic"),
    "ECU": N_("Ecuador"),
    "GTM": N_("Guatemala"),
    "GUY": N_("Guyana"),
    "HND": N_("Honduras"),
    "HTI": N_("Haiti"),
    "JAM": N_("Jamaica"),
    "MEX": N_("Mexico"),
    "NIC": N_("Nicaragua"),
    "PAN": N_("Panama"),
    "PER": N_("Peru"),
    "PRY": N_("Paraguay"),
    "SLV": N_("El Salvador"),
    "SUR": N_("Suriname"),
    "TTO": N_("Trinidad and Tobago"),
    "URY": N_("Uruguay"),
    "USA": N_("United States"),
    "VEN": N_("Venezuela"),
}


def _country_name(code: str) -> str:
    name = COUNTRY_NAMES.get(code)
    return i18n.gettext(name) if name else code


country_name = _country_name
