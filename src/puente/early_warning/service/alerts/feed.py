"""The Atom 1.0 feed of current alerts, each entry linking its CAP XML."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Final

from sqlalchemy.orm import Session

from puente.core import i18n
from puente.core.db import utcnow
from puente.early_warning.service.alerts._common import CAP_LABELS
from puente.early_warning.service.alerts.reading import list_alerts
from puente.identity import Actor

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
