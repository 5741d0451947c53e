"""Early warning shared between states (exchange carries it; this module owns
what it means): the CAP 1.2 message of one of this node's alerts as it leaves,
CAP alerts received from peers, this node's monthly counts by nationality as
they are offered for sharing, and the peers' counts as received (small cells
already suppressed by the sender).

Exchange calls these through the package's public API; nothing here knows about
envelopes or agreements. A received alert is stored apart from this node's own
alerts, so it is never raised, updated or forwarded again (no loops)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl
import structlog
from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from puente.core import i18n
from puente.core.db import utcnow
from puente.core.errors import InvalidInput
from puente.core.i18n import N_
from puente.early_warning.models import (
    FlowSource,
    FlowSourceProfile,
    PeerAlert,
    PeerCount,
)
from puente.early_warning.models.alerts import Alert, AlertMessage
from puente.early_warning.rules import cap
from puente.early_warning.service import store
from puente.early_warning.service._common import current_vintage
from puente.early_warning.service.alerts._common import LEVELS, MESSAGE_VALIDITY
from puente.early_warning.service.alerts.cap_export import cap_message
from puente.identity import Actor, authorize, visible

log = structlog.get_logger(__name__)

NATIONALITY_DIMENSIONS: Final = ("nat", "nationality")
_NS: Final = f"{{{cap.CAP_NAMESPACE}}}"


class PeerAlertInvalid(InvalidInput):
    """A CAP message from a peer failed validation; nothing was stored."""

    message = N_("The alert received is not a valid CAP 1.2 message.")


class PeerAlertRead(BaseModel):
    id: uuid.UUID
    from_state: str
    identifier: str
    msg_type: str
    status: str
    severity: str
    level: int
    headline: str
    country: str | None
    sent_at: dt.datetime
    received_at: dt.datetime
    is_current: bool


class PeerSeriesRow(BaseModel):
    """One nationality's months (None: suppressed), or the total (`nationality`
    None)."""

    nationality: str | None
    cells: list[int | None]


class PeerSeriesRead(BaseModel):
    from_state: str
    months: list[dt.date]
    rows: list[PeerSeriesRow]
    received_at: dt.datetime


# --------------------------------------------------------------------------- alerts


def outgoing_cap(
    session: Session, *, tenant_code: str, alert_id: uuid.UUID, message_id: uuid.UUID
) -> bytes | None:
    """The CAP 1.2 XML of one message of this node's alert, validated against
    the XSD; None when the alert is not this tenant's or the message does not
    validate (it is then not shared)."""
    alert = session.get(Alert, alert_id)
    message = session.get(AlertMessage, message_id)
    if (
        alert is None
        or message is None
        or alert.tenant_code != tenant_code
        or message.alert_id != alert.id
    ):
        return None
    xml = cap.render_cap(cap_message(session, alert, message))
    problems = cap.validate_cap(xml)
    if problems:
        log.warning("cap_not_shared", alert_id=str(alert_id), problems=len(problems))
        return None
    return xml


def cap_problems(xml: bytes) -> list[str]:
    """What is wrong with a CAP 1.2 message (XSD and the specification's rules);
    empty when valid."""
    return cap.validate_cap(xml)


@dataclass(frozen=True)
class _Parsed:
    identifier: str
    sent: dt.datetime
    status: str
    msg_type: str
    severity: str
    urgency: str
    certainty: str
    country: str | None
    expires: dt.datetime | None
    headlines: dict[str, str]


def _parse_when(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def _parse(xml: bytes) -> _Parsed:
    root = ET.fromstring(xml)  # noqa: S314 - validated (defused) by cap.validate_cap

    def text(element: ET.Element, tag: str) -> str:
        return (element.findtext(f"{_NS}{tag}") or "").strip()

    infos = root.findall(f"{_NS}info")
    headlines = {
        (text(info, "language") or "en")[:2].lower(): text(info, "headline")
        or text(info, "event")
        for info in infos
    }
    first = infos[0] if infos else root
    country = None
    for info in infos[:1]:
        for area in info.findall(f"{_NS}area"):
            for geocode in area.findall(f"{_NS}geocode"):
                if text(geocode, "valueName") == "ISO3166-1-alpha-3":
                    value = text(geocode, "value").upper()
                    country = value if len(value) == 3 and value.isalpha() else None
    sent = _parse_when(text(root, "sent")) or utcnow()
    return _Parsed(
        identifier=text(root, "identifier")[:200],
        sent=sent,
        status=text(root, "status"),
        msg_type=text(root, "msgType"),
        severity=text(first, "severity") or "Unknown",
        urgency=text(first, "urgency") or "Unknown",
        certainty=text(first, "certainty") or "Unknown",
        country=country,
        expires=_parse_when(text(first, "expires")),
        headlines={k: v[:500] for k, v in headlines.items() if v},
    )


def receive_peer_alert(
    session: Session,
    *,
    tenant_code: str,
    from_state: str,
    envelope_id: uuid.UUID,
    cap_xml: bytes,
) -> uuid.UUID:
    """Store a CAP alert received from a peer (validated here again: the XSD and
    the specification's rules); raises `PeerAlertInvalid`. Idempotent by
    envelope id. Never forwarded: it is not one of this node's alerts."""
    if cap.validate_cap(cap_xml):
        raise PeerAlertInvalid()
    existing = session.scalars(
        select(PeerAlert.id).where(
            PeerAlert.tenant_code == tenant_code, PeerAlert.envelope_id == envelope_id
        )
    ).first()
    if existing is not None:
        return existing
    parsed = _parse(cap_xml)
    row = PeerAlert(
        tenant_code=tenant_code,
        from_state=from_state.upper(),
        envelope_id=envelope_id,
        identifier=parsed.identifier,
        msg_type=parsed.msg_type,
        status=parsed.status,
        severity=parsed.severity,
        urgency=parsed.urgency,
        certainty=parsed.certainty,
        country=parsed.country,
        sent_at=parsed.sent,
        expires_at=parsed.expires,
        headlines=json.dumps(parsed.headlines, sort_keys=True, ensure_ascii=False),
        cap_xml=cap_xml.decode("utf-8"),
    )
    session.add(row)
    session.flush()
    log.info("peer_alert_received", alert_id=str(row.id), from_state=row.from_state)
    return row.id


def _is_current(row: PeerAlert, now: dt.datetime) -> bool:
    if row.msg_type == cap.MsgType.CANCEL.value:
        return False
    until = row.expires_at or (row.sent_at + MESSAGE_VALIDITY)
    if until.tzinfo is None:
        until = until.replace(tzinfo=dt.UTC)
    return until >= now


def list_peer_alerts(
    session: Session, *, actor: Actor, current_only: bool = False
) -> list[PeerAlertRead]:
    """Alerts received from peer states, newest first. Needs `alert:read`."""
    authorize(actor, "alert:read")
    stmt = visible(
        actor,
        select(PeerAlert).order_by(PeerAlert.received_at.desc()),
        PeerAlert,
        "alert:read",
    )
    now = utcnow()
    locale = i18n.get_locale()
    out: list[PeerAlertRead] = []
    for row in session.scalars(stmt):
        current = _is_current(row, now)
        if current_only and not current:
            continue
        headlines: dict[str, str] = json.loads(row.headlines or "{}")
        out.append(
            PeerAlertRead(
                id=row.id,
                from_state=row.from_state,
                identifier=row.identifier,
                msg_type=row.msg_type,
                status=row.status,
                severity=row.severity,
                level=LEVELS.get(row.severity, 0),
                headline=headlines.get(locale)
                or headlines.get("en")
                or next(iter(headlines.values()), row.identifier),
                country=row.country,
                sent_at=row.sent_at,
                received_at=row.received_at,
                is_current=current,
            )
        )
    return out


# --------------------------------------------------------------------------- counts


def _nationality_column(profile: FlowSourceProfile) -> str | None:
    dimensions = [str(d) for d in json.loads(profile.dimension_columns or "[]")]
    for name in dimensions:
        if name.lower() in NATIONALITY_DIMENSIONS:
            return name
    return None


def monthly_counts_by_nationality(
    session: Session, *, tenant_code: str, months: int = 12
) -> dict[tuple[dt.date, str], int]:
    """Arrivals by month and nationality from this state's own monthly flow
    sources (those it reports), over the last `months` months they cover:
    (month, nationality ISO3) -> count. Exact counts: disclosure control is the
    sharer's job before anything leaves."""
    totals: dict[tuple[dt.date, str], float] = {}
    sources = session.scalars(
        select(FlowSource).where(
            FlowSource.tenant_code == tenant_code,
            FlowSource.reporting_state == tenant_code,
        )
    )
    for source in sources:
        vintage = current_vintage(session, source)
        if vintage is None:
            continue
        profile = session.get(FlowSourceProfile, vintage.profile_id)
        if profile is None or profile.frequency != "month":
            continue
        column = _nationality_column(profile)
        if column is None:
            continue
        frame = store.read_counts(vintage.store_path)
        grouped = (
            frame.filter(pl.col("count").is_not_null())
            .group_by("period", column)
            .agg(pl.col("count").sum())
        )
        for period, nationality, count in grouped.iter_rows():
            code = str(nationality).strip().upper()
            if len(code) != 3 or not code.isalpha():
                continue
            month = period.replace(day=1) if isinstance(period, dt.date) else None
            if month is None:
                continue
            totals[(month, code)] = totals.get((month, code), 0.0) + float(count)
    kept = sorted({month for month, _code in totals})[-months:] if months > 0 else []
    return {key: round(value) for key, value in totals.items() if key[0] in set(kept)}


@dataclass(frozen=True)
class PeerCell:
    month: dt.date
    nationality: str | None
    count: int | None  # None: suppressed


def receive_peer_counts(
    session: Session,
    *,
    tenant_code: str,
    from_state: str,
    envelope_id: uuid.UUID,
    cells: Iterable[PeerCell],
) -> int:
    """Replace the peer's shared counts with the ones received; returns the
    number of cells stored."""
    rows = list(cells)
    session.execute(
        delete(PeerCount).where(
            PeerCount.tenant_code == tenant_code,
            PeerCount.from_state == from_state.upper(),
        )
    )
    for cell in rows:
        session.add(
            PeerCount(
                tenant_code=tenant_code,
                from_state=from_state.upper(),
                envelope_id=envelope_id,
                month=cell.month,
                nationality=cell.nationality,
                count=cell.count,
                suppressed=cell.count is None,
            )
        )
    session.flush()
    return len(rows)


def list_peer_series(session: Session, *, actor: Actor) -> list[PeerSeriesRead]:
    """Each peer's shared monthly counts as a table: nationalities by month,
    the total last. Needs `flows:read`."""
    authorize(actor, "flows:read")
    stmt = visible(
        actor,
        select(PeerCount).order_by(PeerCount.from_state, PeerCount.month),
        PeerCount,
        "flows:read",
    )
    by_state: dict[str, list[PeerCount]] = {}
    for row in session.scalars(stmt):
        by_state.setdefault(row.from_state, []).append(row)
    out: list[PeerSeriesRead] = []
    for state, rows in sorted(by_state.items()):
        months = sorted({r.month for r in rows})
        position = {m: i for i, m in enumerate(months)}
        table: dict[str | None, list[int | None]] = {}
        for r in rows:
            cells = table.setdefault(r.nationality, [None] * len(months))
            cells[position[r.month]] = None if r.suppressed else r.count
        ordered: Sequence[str | None] = [
            *sorted(k for k in table if k is not None),
            *([None] if None in table else []),
        ]
        out.append(
            PeerSeriesRead(
                from_state=state,
                months=months,
                rows=[PeerSeriesRow(nationality=k, cells=table[k]) for k in ordered],
                received_at=max(r.received_at for r in rows),
            )
        )
    return out
