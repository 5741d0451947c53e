"""Field encryption: AES-256-GCM with a fresh data key per record value, wrapped by the
tenant's key-encryption key, which lives outside the database (a key file under
`var/keys/` in embedded mode).

The ciphertext is bound to (tenant, table, column, row id) as associated data, so a
value copied to another row, column or tenant does not decrypt.

Layout (bytes): version(1) | wrap_nonce(12) | wrapped_key(48) | nonce(12) | ciphertext.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from puente.core.errors import DomainError

VERSION = 1
_KEY_LEN = 32
_NONCE = 12
_TENANT_RE = re.compile(r"^[A-Z]{3}$")


class DecryptionFailed(DomainError):
    message = "A protected value could not be decrypted."


class KeyMissing(DomainError):
    message = "No key for tenant %(tenant)s."


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


_keyrings: dict[Path, KeyRing] = {}


def get_keyring() -> KeyRing:
    """The process key ring, from settings."""
    from puente.core.config import get_settings

    key_dir = get_settings().key_dir
    if key_dir not in _keyrings:
        _keyrings[key_dir] = KeyRing(key_dir)
    return _keyrings[key_dir]
