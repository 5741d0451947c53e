"""CAP 1.2 for alerts: one message per alert message, one info block per
language, rendered as XML for the API and written to files by the CLI."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import i18n
from puente.early_warning.models.alerts import Alert, AlertMessage
from puente.early_warning.rules import cap
from puente.early_warning.service.alerts._common import (
    clean_text,
    country_name,
    json_dict,
    title_in,
)
from puente.early_warning.service.alerts.reading import alert_messages, get_alert_row
from puente.identity import Actor, authorize, visible

LANGUAGES: Final = ("en", "es", "pt", "fr", "ht")
EXPIRES_AFTER: Final = dt.timedelta(days=30)
RESTRICTION: Final = (
    "Inter-state operational channel of the Los Angeles Declaration on Migration "
    "and Protection; not for public release."
)


def _sender(tenant_code: str) -> str:
    return f"puente-{tenant_code.lower()}@puente.int"


def _response_types(urgency: str, msg_type: str) -> tuple[cap.ResponseType, ...]:
    if msg_type == cap.MsgType.CANCEL.value:
        return (cap.ResponseType.ALL_CLEAR,)
    if urgency in ("Immediate", "Expected"):
        return (cap.ResponseType.EXECUTE,)
    return (cap.ResponseType.PREPARE, cap.ResponseType.MONITOR)


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def _info(alert: Alert, message: AlertMessage, language: str) -> cap.CapInfo:
    titles = json_dict(alert.title)
    values = json_dict(alert.values)
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
        area = country_name(alert.country) if alert.country else _("The Americas")
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
        event=clean_text(event),
        urgency=cap.Urgency(alert.urgency),
        severity=cap.Severity(alert.severity),
        certainty=cap.Certainty(alert.certainty),
        language=language,
        response_types=_response_types(alert.urgency, message.msg_type),
        audience=_audience(language),
        event_codes=(
            ("puente:trigger", clean_text(alert.trigger_id)),
            ("puente:trigger-version", clean_text(alert.trigger_version)),
        ),
        effective=message.sent_at,
        expires=message.sent_at + EXPIRES_AFTER,
        sender_name=clean_text(sender_name),
        headline=clean_text(headline),
        description=clean_text(description),
        instruction=clean_text(instruction),
        parameters=tuple(
            (clean_text(name), clean_text(value)) for name, value in parameters
        ),
        areas=(cap.CapArea(area_desc=clean_text(area), geocodes=geocodes),),
    )


def _audience(language: str) -> str:
    with i18n.use_locale(language):
        return i18n.gettext("Migration authorities and response partners")


def cap_message(session: Session, alert: Alert, message: AlertMessage) -> cap.CapAlert:
    """The CAP 1.2 message for one of an alert's messages (one info per language)."""
    earlier = [
        m for m in alert_messages(session, alert.id) if m.sequence < message.sequence
    ]
    return cap.CapAlert(
        identifier=message.identifier,
        sender=_sender(alert.tenant_code),
        sent=message.sent_at,
        status=cap.Status(alert.status),
        msg_type=cap.MsgType(message.msg_type),
        scope=cap.Scope.RESTRICTED,
        source=clean_text(
            f"puente trigger {alert.trigger_id} v{alert.trigger_version}"
        ),
        restriction=RESTRICTION,
        note=clean_text(message.note) if message.note else None,
        references=tuple(
            cap.CapReference(_sender(alert.tenant_code), m.identifier, m.sent_at)
            for m in earlier
        ),
        incidents=(f"puente.{alert.id.hex}",),
        infos=tuple(_info(alert, message, language) for language in LANGUAGES),
    )


def alert_cap_xml(session: Session, *, actor: Actor, alert_id: uuid.UUID) -> bytes:
    """The alert's latest CAP message as XML. Needs `alert:read`."""
    alert = get_alert_row(session, actor, alert_id)
    return render_alert(session, alert)


def render_alert(session: Session, alert: Alert) -> bytes:
    messages = alert_messages(session, alert.id)
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
