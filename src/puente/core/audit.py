"""The audit log: append-only, written in the same transaction as the change, each row
carrying an HMAC-SHA256 of the previous row's tag and of its own values (ADR 0009).

The HMAC key lives outside the database (`<key_dir>/audit-chain.key`, like the field
encryption keys), so whoever can write the database cannot re-chain rows after
rewriting one. `audit_head` keeps the newest id and tag with its own HMAC. Every
`audit_checkpoint_every` events, and on `puente audit checkpoint`, an Ed25519-signed
checkpoint (id, tag, time) is stored; exported to a file or published, it proves that
the chain once reached that id, so cutting the tail below it is detected. PostgreSQL
and SQLite triggers refuse UPDATE and DELETE on `audit_event` and `audit_checkpoint`.
Details carry ids and codes only, never names or case facts.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import BigInteger, Integer, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from puente.core.db import Base, utcnow
from puente.core.errors import DomainError, InvalidInput
from puente.core.i18n import N_

GENESIS = "0" * 64
DetailValue = str | int | bool | None
MAC_KEY_FILE = "audit-chain.key"
SIGNING_KEY_FILE = "audit-checkpoint.ed25519.pem"
CHECKPOINT_FORMAT = "puente-audit-checkpoint/1"
_MAC_LEN = 32


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
    """One row: the newest event's id and tag, and an HMAC over both (detects
    removal of the tail by anyone without the key)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    last_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """An Ed25519 signature over (last_id, last_hash, created_at). Append-only."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime]
    last_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), index=True
    )
    last_hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(128))


# --- keys -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditKeys:
    """The chain's HMAC key and the checkpoint signing key (both outside the DB)."""

    mac_key: bytes
    signing_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)


def key_id_of(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return hashlib.sha256(raw).hexdigest()[:16]


class AuditKeyMissing(DomainError):
    """The audit keys are not in the key directory (or are not keys)."""

    message = N_("The audit keys are missing or unreadable in %(key_dir)s.")


def _create_exclusive(path: Path, data: bytes) -> None:
    """Write `path` atomically, once: a concurrent creator's file wins, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def load_audit_keys(key_dir: Path, *, create: bool = True) -> AuditKeys:
    """Read (or, when `create`, make once) the audit keys under `key_dir`."""
    mac_path = key_dir / MAC_KEY_FILE
    signing_path = key_dir / SIGNING_KEY_FILE
    if create:
        if not mac_path.exists():
            _create_exclusive(mac_path, os.urandom(_MAC_LEN))
        if not signing_path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            _create_exclusive(signing_path, pem)
    try:
        mac_key = mac_path.read_bytes()
        loaded = serialization.load_pem_private_key(
            signing_path.read_bytes(), password=None
        )
    except (OSError, ValueError) as exc:
        raise AuditKeyMissing(key_dir=str(key_dir)) from exc
    if len(mac_key) != _MAC_LEN or not isinstance(loaded, Ed25519PrivateKey):
        raise AuditKeyMissing(key_dir=str(key_dir))
    return AuditKeys(mac_key, loaded)


_keys: dict[Path, AuditKeys] = {}


def get_audit_keys() -> AuditKeys:
    """The process's audit keys, from `settings.key_dir` (created on first use)."""
    from puente.core.config import get_settings

    key_dir = get_settings().key_dir
    if key_dir not in _keys:
        _keys[key_dir] = load_audit_keys(key_dir)
    return _keys[key_dir]


# --- digests ----------------------------------------------------------------------


def _nullable(value: str | None) -> str:
    # NULL and '' must hash differently, or a NULL could be blanked unnoticed.
    return "\x00" if value is None else "=" + value


def _message(event: AuditEvent) -> bytes:
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
    return "\x1f".join(parts).encode("utf-8")


def keyed_digest(event: AuditEvent, mac_key: bytes) -> str:
    """The row's tag: HMAC-SHA256 under the chain key."""
    return hmac.new(mac_key, _message(event), hashlib.sha256).hexdigest()


def unkeyed_digest(event: AuditEvent) -> str:
    """The SHA-256 of ADR 0004 (before 0009): anyone can compute it. Kept to
    re-key old chains on upgrade and to name a re-forged chain in `verify`."""
    return hashlib.sha256(_message(event)).hexdigest()


def head_mac(mac_key: bytes, last_id: int, last_hash: str) -> str:
    message = f"puente-audit-head:v1|{last_id}|{last_hash}".encode()
    return hmac.new(mac_key, message, hashlib.sha256).hexdigest()


def _statement(last_id: int, last_hash: str, created_at: dt.datetime) -> bytes:
    stamp = created_at.astimezone(dt.UTC).isoformat()
    return f"{CHECKPOINT_FORMAT}|{last_id}|{last_hash}|{stamp}".encode()


# --- writing ----------------------------------------------------------------------


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
    keys = get_audit_keys()
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
    event.hash = keyed_digest(event, keys.mac_key)
    session.add(event)
    head.last_id = event.id
    head.last_hash = event.hash
    head.mac = head_mac(keys.mac_key, event.id, event.hash)
    if event.id % _checkpoint_every() == 0:
        session.add(sign_checkpoint(keys, event.id, event.hash))
    session.flush()
    return event


def _checkpoint_every() -> int:
    from puente.core.config import get_settings

    return get_settings().audit_checkpoint_every


def sign_checkpoint(keys: AuditKeys, last_id: int, last_hash: str) -> AuditCheckpoint:
    created_at = utcnow()
    signature = keys.signing_key.sign(_statement(last_id, last_hash, created_at))
    return AuditCheckpoint(
        created_at=created_at,
        last_id=last_id,
        last_hash=last_hash,
        key_id=keys.key_id,
        signature=signature.hex(),
    )


def checkpoint(session: Session) -> AuditCheckpoint | None:
    """Sign a checkpoint at the current head (None while the log is empty); reuse
    the newest one when it already covers the head."""
    head = _lock_head(session)
    if head.last_id == 0:
        return None
    newest = session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    ).first()
    if newest is not None and newest.last_id == head.last_id:
        return newest
    made = sign_checkpoint(get_audit_keys(), head.last_id, head.last_hash)
    session.add(made)
    session.flush()
    return made


def export_checkpoint(made: AuditCheckpoint, public_key: Ed25519PublicKey) -> str:
    """A checkpoint as a JSON document to publish or keep apart from the database."""
    raw = public_key.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    document = {
        "format": CHECKPOINT_FORMAT,
        "last_id": made.last_id,
        "last_hash": made.last_hash,
        "created_at": made.created_at.astimezone(dt.UTC).isoformat(),
        "key_id": made.key_id,
        "public_key": base64.b64encode(raw).decode("ascii"),
        "signature": made.signature,
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


class CheckpointFileInvalid(InvalidInput):
    message = N_("%(file)s is not a readable Puente audit checkpoint.")


def read_checkpoint_file(path: Path) -> AuditCheckpoint:
    """Parse an exported checkpoint (its signature is checked by `verify_chain`)."""
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
        if document["format"] != CHECKPOINT_FORMAT:
            raise CheckpointFileInvalid(file=path.name)
        return AuditCheckpoint(
            created_at=dt.datetime.fromisoformat(str(document["created_at"])),
            last_id=int(document["last_id"]),
            last_hash=str(document["last_hash"]),
            key_id=str(document["key_id"]),
            signature=str(document["signature"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointFileInvalid(file=path.name) from exc


def _lock_head(session: Session) -> AuditHead:
    stmt = select(AuditHead).where(AuditHead.id == 1)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    head = session.scalars(stmt).one_or_none()
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS, mac=None)
        session.add(head)
        session.flush()
    return head


# --- verifying --------------------------------------------------------------------


ALTERED = N_("content altered")
MISSING = N_("event missing")
LINK_BROKEN = N_("link broken")
REFORGED = N_("re-chained without the audit key")
NOT_AS_SIGNED = N_("differs from a signed checkpoint")
CUT_BELOW_CHECKPOINT = N_("newest events removed below a signed checkpoint")
TAIL_REMOVED = N_("newest events removed")
HEAD_FORGED = N_("head moved without the audit key")
BAD_SIGNATURE = N_("checkpoint signature not valid")
CHECKPOINT_ALTERED = N_("a checkpoint row was altered")
REASONS = (
    ALTERED,
    MISSING,
    LINK_BROKEN,
    REFORGED,
    NOT_AS_SIGNED,
    CUT_BELOW_CHECKPOINT,
    TAIL_REMOVED,
    HEAD_FORGED,
    BAD_SIGNATURE,
    CHECKPOINT_ALTERED,
)


@dataclass(frozen=True)
class ChainReport:
    """What `verify_chain` found. `first_bad_id` is the first event that was altered,
    re-forged or removed; `reason` is an English msgid (one of `REASONS`, show it
    with `gettext`); `last_checkpoint_*` describe the newest checkpoint that verified
    (signature good and its event present with that tag)."""

    ok: bool
    count: int
    first_bad_id: int | None = None
    reason: str = ""
    checkpoints_checked: int = 0
    last_checkpoint_id: int | None = None
    last_checkpoint_at: dt.datetime | None = None


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


def iter_events(session: Session) -> Iterator[AuditEvent | tuple[int, None]]:
    """Every stored event in id order, as stored (a malformed row as `(id, None)`)."""
    for row in _raw_rows(session):
        event = _as_event(row)
        yield event if event is not None else (int(str(row["id"])), None)


def _signature_ok(made: AuditCheckpoint, public_key: Ed25519PublicKey) -> bool:
    try:
        public_key.verify(
            bytes.fromhex(made.signature),
            _statement(made.last_id, made.last_hash, made.created_at),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def _stored_checkpoints(session: Session) -> list[AuditCheckpoint]:
    rows = session.execute(
        text(
            "SELECT created_at, last_id, last_hash, key_id, signature "
            "FROM audit_checkpoint ORDER BY id"
        )
    ).all()
    found = []
    for created_at, last_id, last_hash, kid, signature in rows:
        at = (
            created_at
            if isinstance(created_at, dt.datetime)
            else dt.datetime.fromisoformat(str(created_at))
        )
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        found.append(
            AuditCheckpoint(
                created_at=at,
                last_id=int(last_id),
                last_hash=str(last_hash),
                key_id=str(kid),
                signature=str(signature),
            )
        )
    return found


def verify_chain(
    session: Session,
    *,
    keys: AuditKeys | None = None,
    anchors: Iterable[AuditCheckpoint] = (),
) -> ChainReport:
    """Walk the whole chain with the key; check the head and every checkpoint (the
    stored ones and `anchors`, e.g. exported files). Never raises on tampering:
    the report names the first bad event and why."""
    keys = keys or get_audit_keys()
    try:
        stored = _stored_checkpoints(session)
    except ValueError:
        return ChainReport(False, 0, None, CHECKPOINT_ALTERED)
    checkpoints = [*stored, *anchors]
    for made in checkpoints:
        if made.key_id != keys.key_id or not _signature_ok(made, keys.public_key):
            return ChainReport(False, 0, made.last_id, BAD_SIGNATURE)
    expected: dict[int, list[AuditCheckpoint]] = {}
    for made in checkpoints:
        expected.setdefault(made.last_id, []).append(made)
    prev_hash = GENESIS
    expected_id = 1
    count = 0
    verified: list[AuditCheckpoint] = []
    for item in iter_events(session):
        if isinstance(item, tuple):
            return ChainReport(False, count, item[0], ALTERED)
        event = item
        if event.id != expected_id:
            return ChainReport(False, count, expected_id, MISSING)
        if event.prev_hash != prev_hash:
            return ChainReport(False, count, event.id, LINK_BROKEN)
        if keyed_digest(event, keys.mac_key) != event.hash:
            reason = REFORGED if unkeyed_digest(event) == event.hash else ALTERED
            return ChainReport(False, count, event.id, reason)
        for made in expected.pop(event.id, []):
            if made.last_hash != event.hash:
                return ChainReport(False, count, event.id, NOT_AS_SIGNED)
            verified.append(made)
        prev_hash = event.hash
        expected_id += 1
        count += 1
    if expected:
        return ChainReport(False, count, count + 1, CUT_BELOW_CHECKPOINT)
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_id != count or head.last_hash != prev_hash):
        return ChainReport(
            False,
            count,
            count + 1 if head.last_id > count else head.last_id,
            TAIL_REMOVED,
        )
    if count and (
        head is None
        or head.mac is None
        or not hmac.compare_digest(head.mac, head_mac(keys.mac_key, count, prev_hash))
    ):
        return ChainReport(False, count, count + 1, HEAD_FORGED)
    newest = max(verified, key=lambda c: (c.last_id, c.created_at), default=None)
    return ChainReport(
        True,
        count,
        checkpoints_checked=len(verified),
        last_checkpoint_id=newest.last_id if newest else None,
        last_checkpoint_at=newest.created_at if newest else None,
    )
