"""The audit log: append-only, written in the same transaction as the change, each row
carrying the SHA-256 of the previous one.

`audit_head` keeps the last id and hash so that removing the newest rows is detected
too. On PostgreSQL a trigger refuses UPDATE and DELETE on `audit_event`. Details carry
ids and codes only, never names or case facts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import BigInteger, Integer, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from puente.core.db import Base, utcnow

GENESIS = "0" * 64
DetailValue = str | int | bool | None


class AuditActor(Protocol):
    @property
    def user_id(self) -> uuid.UUID | None: ...

    @property
    def tenant_code(self) -> str: ...


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
    )
    occurred_at: Mapped[dt.datetime]
    tenant_code: Mapped[str] = mapped_column(String(3), index=True)
    actor_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row: the newest event's id and hash (detects removal of the tail)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    last_hash: Mapped[str] = mapped_column(String(64))


def _nullable(value: str | None) -> str:
    # NULL and '' must hash differently, or a NULL could be blanked unnoticed.
    return "\x00" if value is None else "=" + value


def _digest(event: AuditEvent) -> str:
    parts = [
        event.prev_hash,
        str(event.id),
        event.occurred_at.astimezone(dt.UTC).isoformat(),
        event.tenant_code,
        _nullable(event.actor_id),
        event.action,
        _nullable(event.object_type),
        _nullable(event.object_id),
        event.details,
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def record(
    session: Session,
    actor: AuditActor | None,
    action: str,
    *,
    tenant_code: str | None = None,
    object_type: str | None = None,
    object_id: object | None = None,
    **details: DetailValue,
) -> AuditEvent:
    """Append one event (`area:thing:verb`) in the caller's transaction."""
    head = _lock_head(session)
    tenant = tenant_code or (actor.tenant_code if actor else "HUB")
    event = AuditEvent(
        id=head.last_id + 1,
        occurred_at=utcnow(),
        tenant_code=tenant,
        actor_id=str(actor.user_id) if actor and actor.user_id else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        details=json.dumps(details, sort_keys=True, separators=(",", ":")),
        prev_hash=head.last_hash,
        hash="",
    )
    event.hash = _digest(event)
    session.add(event)
    head.last_id = event.id
    head.last_hash = event.hash
    session.flush()
    return event


def _lock_head(session: Session) -> AuditHead:
    stmt = select(AuditHead).where(AuditHead.id == 1)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    head = session.scalars(stmt).one_or_none()
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        session.add(head)
        session.flush()
    return head


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    first_bad_id: int | None = None
    reason: str = ""


_COLUMNS = (
    "id",
    "occurred_at",
    "tenant_code",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "details",
    "prev_hash",
    "hash",
)


def _raw_rows(session: Session, batch: int = 5000) -> Iterator[dict[str, object]]:
    """Rows as the database holds them (no type conversion that could hide or
    choke on a tampered value)."""
    last = 0
    columns = ", ".join(_COLUMNS)
    while True:
        rows = session.execute(
            text(
                f"SELECT {columns} FROM audit_event WHERE id > :last "  # noqa: S608
                "ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": batch},
        ).all()
        if not rows:
            return
        for row in rows:
            yield dict(zip(_COLUMNS, row, strict=True))
        last = int(rows[-1][0])


def _as_event(row: dict[str, object]) -> AuditEvent | None:
    """Rebuild an event from raw values; None when a value is not even well-formed."""
    raw_at = row["occurred_at"]
    try:
        if isinstance(raw_at, dt.datetime):
            occurred_at = raw_at
        else:
            occurred_at = dt.datetime.fromisoformat(str(raw_at))
    except ValueError:
        return None
    if occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=dt.UTC)
    values = {k: (None if row[k] is None else str(row[k])) for k in _COLUMNS[2:]}
    return AuditEvent(id=int(str(row["id"])), occurred_at=occurred_at, **values)


def verify_chain(session: Session) -> ChainReport:
    """Walk the whole chain; report the first event that was altered or removed."""
    prev_hash = GENESIS
    expected_id = 1
    count = 0
    for row in _raw_rows(session):
        event = _as_event(row)
        if event is None:
            return ChainReport(False, count, int(str(row["id"])), "content altered")
        if event.id != expected_id:
            return ChainReport(False, count, expected_id, "event missing")
        if event.prev_hash != prev_hash:
            return ChainReport(False, count, event.id, "link broken")
        if _digest(event) != event.hash:
            return ChainReport(False, count, event.id, "content altered")
        prev_hash = event.hash
        expected_id += 1
        count += 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_id != count or head.last_hash != prev_hash):
        return ChainReport(
            False,
            count,
            count + 1 if head.last_id > count else head.last_id,
            "newest events removed",
        )
    return ChainReport(True, count)
