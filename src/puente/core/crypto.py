"""Field encryption: AES-256-GCM with a fresh data key per record value, wrapped by the
tenant's key-encryption key, which lives outside the database (a key file under
`var/keys/` in embedded mode).

The ciphertext is bound to (tenant, table, column, row id) as associated data, so a
value copied to another row, column or tenant does not decrypt.

Layout (bytes): version(1) | wrap_nonce(12) | wrapped_key(48) | nonce(12) | ciphertext.

Values about one person use that person's data key instead (layout version 2:
version(1) | owner person id(16) | nonce(12) | ciphertext). Person keys are wrapped
by the tenant key and kept in a key store *outside* the database (`PersonKeyStore`),
so destroying one makes every copy of that person's ciphertexts, backups included,
unreadable (crypto-shredding, ADR 0010).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from puente.core.errors import DomainError

VERSION = 1
PERSON_VERSION = 2
_KEY_LEN = 32
_NONCE = 12
_TENANT_RE = re.compile(r"^[A-Z]{3}$")


class DecryptionFailed(DomainError):
    message = "A protected value could not be decrypted."


class KeyMissing(DomainError):
    message = "No key for tenant %(tenant)s."


class PersonKeyDestroyed(DecryptionFailed):
    message = "This person was erased: their protected values can no longer be read."


@dataclass
class KeyRing:
    """Tenant key-encryption keys, read from (and created in) `key_dir`."""

    key_dir: Path
    create_missing: bool = True
    _cache: dict[str, bytes] = field(default_factory=dict)

    def key_for(self, tenant: str) -> bytes:
        if not _TENANT_RE.match(tenant):
            raise KeyMissing(tenant=tenant)
        if tenant in self._cache:
            return self._cache[tenant]
        path = self.key_dir / f"{tenant}.key"
        if not path.exists():
            if not self.create_missing:
                raise KeyMissing(tenant=tenant)
            self.key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(AESGCM.generate_key(bit_length=256))
        key = path.read_bytes()
        if len(key) != _KEY_LEN:
            raise KeyMissing(tenant=tenant)
        self._cache[tenant] = key
        return key


def _aad(tenant: str, table: str, column: str, row_id: str) -> bytes:
    return f"puente:v{VERSION}|{tenant}|{table}|{column}|{row_id}".encode()


def encrypt_field(
    keys: KeyRing, *, tenant: str, table: str, column: str, row_id: str, value: str
) -> bytes:
    """Encrypt one value for one row's column."""
    aad = _aad(tenant, table, column, row_id)
    data_key = AESGCM.generate_key(bit_length=256)
    wrap_nonce = os.urandom(_NONCE)
    wrapped = AESGCM(keys.key_for(tenant)).encrypt(wrap_nonce, data_key, aad)
    nonce = os.urandom(_NONCE)
    ciphertext = AESGCM(data_key).encrypt(nonce, value.encode("utf-8"), aad)
    return bytes([VERSION]) + wrap_nonce + wrapped + nonce + ciphertext


def decrypt_field(
    keys: KeyRing, *, tenant: str, table: str, column: str, row_id: str, blob: bytes
) -> str:
    """Decrypt a value; raises DecryptionFailed when it is not bound to this place."""
    if not blob or blob[0] != VERSION:
        raise DecryptionFailed()
    aad = _aad(tenant, table, column, row_id)
    offset = 1
    wrap_nonce = blob[offset : offset + _NONCE]
    offset += _NONCE
    wrapped = blob[offset : offset + _KEY_LEN + 16]
    offset += _KEY_LEN + 16
    nonce = blob[offset : offset + _NONCE]
    offset += _NONCE
    try:
        data_key = AESGCM(keys.key_for(tenant)).decrypt(wrap_nonce, wrapped, aad)
        plain = AESGCM(data_key).decrypt(nonce, blob[offset:], aad)
    except InvalidTag as exc:
        raise DecryptionFailed() from exc
    return plain.decode("utf-8")


def _person_aad(tenant: str, person_id: str) -> bytes:
    return f"puente:person-key|{tenant}|{person_id}".encode()


_STORE_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS person_key ("
    " tenant TEXT NOT NULL, person_id TEXT NOT NULL,"
    " wrapped BLOB, destroyed_at TEXT,"
    " PRIMARY KEY (tenant, person_id))"
)


@dataclass
class PersonKeyStore:
    """Per-person data keys, wrapped by the tenant key, in a small SQLite file beside
    the tenant keys (never in the application database, so never in its backups).

    `destroy` overwrites the wrapped key and leaves a tombstone: the key cannot be
    created again for that person, and every ciphertext sealed with it, wherever a
    copy lies, is unreadable. Production swaps this for a KMS key-per-subject."""

    keys: KeyRing
    path: Path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute(_STORE_SCHEMA)
            yield conn
        finally:
            conn.close()

    def data_key(self, tenant: str, person_id: uuid.UUID, *, create: bool) -> bytes:
        """The person's data key; created on first use when `create` is true."""
        pid = str(person_id)
        kek = self.keys.key_for(tenant)
        aad = _person_aad(tenant, pid)
        with self._connect() as conn:
            row = conn.execute(
                "SELECT wrapped, destroyed_at FROM person_key"
                " WHERE tenant = ? AND person_id = ?",
                (tenant, pid),
            ).fetchone()
            if row is None and create:
                key = AESGCM.generate_key(bit_length=256)
                nonce = os.urandom(_NONCE)
                wrapped = nonce + AESGCM(kek).encrypt(nonce, key, aad)
                conn.execute(
                    "INSERT OR IGNORE INTO person_key (tenant, person_id, wrapped)"
                    " VALUES (?, ?, ?)",
                    (tenant, pid, wrapped),
                )
                row = conn.execute(
                    "SELECT wrapped, destroyed_at FROM person_key"
                    " WHERE tenant = ? AND person_id = ?",
                    (tenant, pid),
                ).fetchone()
        if row is None or row[1] is not None or row[0] is None:
            raise PersonKeyDestroyed()
        blob = bytes(row[0])
        try:
            return AESGCM(kek).decrypt(blob[:_NONCE], blob[_NONCE:], aad)
        except InvalidTag as exc:
            raise DecryptionFailed() from exc

    def destroy(self, tenant: str, person_id: uuid.UUID) -> None:
        """Destroy the person's key for good (idempotent); leaves a tombstone."""
        now = dt.datetime.now(dt.UTC).isoformat()
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO person_key (tenant, person_id, wrapped, destroyed_at)"
                " VALUES (?, ?, NULL, ?) ON CONFLICT (tenant, person_id)"
                " DO UPDATE SET wrapped = NULL,"
                " destroyed_at = COALESCE(destroyed_at, excluded.destroyed_at)",
                (tenant, str(person_id), now),
            )
            # secure_delete overwrote the old cell; push it out of the WAL too.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def destroyed(self) -> list[tuple[str, uuid.UUID]]:
        """Every (tenant, person id) whose key was destroyed: who was erased."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT tenant, person_id FROM person_key"
                " WHERE destroyed_at IS NOT NULL ORDER BY tenant, person_id"
            ).fetchall()
        return [(str(tenant), uuid.UUID(str(pid))) for tenant, pid in rows]

    def is_destroyed(self, tenant: str, person_id: uuid.UUID) -> bool:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT destroyed_at FROM person_key"
                " WHERE tenant = ? AND person_id = ?",
                (tenant, str(person_id)),
            ).fetchone()
        return row is not None and row[0] is not None


def encrypt_for_person(
    store: PersonKeyStore,
    *,
    tenant: str,
    person_id: uuid.UUID,
    table: str,
    column: str,
    row_id: str,
    value: str,
) -> bytes:
    """Encrypt one value of a person's row with the person's data key.

    The key owner's id travels in the blob, so a row moved to another person by a
    merge still opens with the key it was sealed with."""
    key = store.data_key(tenant, person_id, create=True)
    nonce = os.urandom(_NONCE)
    owner = person_id.bytes
    aad = _aad(tenant, table, column, row_id) + b"|" + owner
    ciphertext = AESGCM(key).encrypt(nonce, value.encode("utf-8"), aad)
    return bytes([PERSON_VERSION]) + owner + nonce + ciphertext


def key_owner(blob: bytes) -> uuid.UUID | None:
    """The person whose key sealed this blob (None for layout 1)."""
    if len(blob) < 17 or blob[0] != PERSON_VERSION:
        return None
    return uuid.UUID(bytes=blob[1:17])


def decrypt_for_person(
    store: PersonKeyStore,
    *,
    tenant: str,
    table: str,
    column: str,
    row_id: str,
    blob: bytes,
) -> str:
    """Decrypt a person's value (either layout); PersonKeyDestroyed once erased."""
    if blob and blob[0] == VERSION:
        return decrypt_field(
            store.keys,
            tenant=tenant,
            table=table,
            column=column,
            row_id=row_id,
            blob=blob,
        )
    owner = key_owner(blob)
    if owner is None:
        raise DecryptionFailed()
    key = store.data_key(tenant, owner, create=False)
    aad = _aad(tenant, table, column, row_id) + b"|" + owner.bytes
    body = blob[17:]
    try:
        plain = AESGCM(key).decrypt(body[:_NONCE], body[_NONCE:], aad)
    except InvalidTag as exc:
        raise DecryptionFailed() from exc
    return plain.decode("utf-8")


_keyrings: dict[Path, KeyRing] = {}
_person_stores: dict[Path, PersonKeyStore] = {}


def get_keyring() -> KeyRing:
    """The process key ring, from settings."""
    from puente.core.config import get_settings

    key_dir = get_settings().key_dir
    if key_dir not in _keyrings:
        _keyrings[key_dir] = KeyRing(key_dir)
    return _keyrings[key_dir]


def get_person_keys() -> PersonKeyStore:
    """The process person key store, beside the tenant keys."""
    keys = get_keyring()
    if keys.key_dir not in _person_stores:
        _person_stores[keys.key_dir] = PersonKeyStore(
            keys, keys.key_dir / "person-keys.sqlite"
        )
    return _person_stores[keys.key_dir]
