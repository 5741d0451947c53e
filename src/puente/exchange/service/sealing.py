"""Handing an agreement's linkage secret to the other parties inside the signed
agreement exchange (ADR 0012, amended): sealed to the recipient node's key, so
the secret never appears in clear on the wire, in a log or at the hub.

Sealing is ECIES over X25519: the recipient's X25519 key is its Ed25519 node key
mapped to the Montgomery curve (as libsodium's `crypto_sign_ed25519_pk_to_curve25519`
does), so no new key has to be exchanged; an ephemeral X25519 key of the sender,
HKDF-SHA256 bound to the agreement and both states, and AES-256-GCM. The sender
is authenticated by the Ed25519 signature of the envelope that carries the seal."""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEAL_FORMAT = "puente-sealed-secret/1"
_P = 2**255 - 19


class SealBroken(ValueError):
    """A sealed secret that does not open with this node's key."""


def x25519_public(ed25519_public_hex: str) -> bytes:
    """The Montgomery u-coordinate of an Ed25519 public key: u = (1 + y) / (1 - y)."""
    raw = bytes.fromhex(ed25519_public_hex)
    if len(raw) != 32:
        raise SealBroken("public key")
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    if y >= _P or y == 1:
        raise SealBroken("public key")
    u = (1 + y) * pow(1 - y, _P - 2, _P) % _P
    return u.to_bytes(32, "little")


def x25519_private(key: Ed25519PrivateKey) -> X25519PrivateKey:
    """The X25519 scalar of an Ed25519 key: the first half of SHA-512(seed)
    (clamped by X25519 itself)."""
    seed = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return X25519PrivateKey.from_private_bytes(hashlib.sha512(seed).digest()[:32])


def _key(shared: bytes, ephemeral: bytes, recipient: bytes, context: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=SEAL_FORMAT.encode("ascii") + ephemeral + recipient + context,
    ).derive(shared)


def _context(agreement_id: str, sender: str, recipient: str) -> bytes:
    return f"{agreement_id}|{sender}|{recipient}".encode("ascii")


def seal_secret(
    secret: bytes,
    *,
    recipient_public_hex: str,
    agreement_id: str,
    sender: str,
    recipient: str,
) -> dict[str, str]:
    """The secret sealed to one recipient node (hex fields, JSON-safe)."""
    recipient_x = x25519_public(recipient_public_hex)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    context = _context(agreement_id, sender, recipient)
    try:
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_x))
    except ValueError as exc:  # a low-order point
        raise SealBroken("public key") from exc
    nonce = os.urandom(12)
    sealed = AESGCM(_key(shared, ephemeral_public, recipient_x, context)).encrypt(
        nonce, secret, context
    )
    return {
        "format": SEAL_FORMAT,
        "ephemeral": ephemeral_public.hex(),
        "nonce": nonce.hex(),
        "sealed": sealed.hex(),
    }


def open_secret(
    seal: object,
    *,
    own_key: Ed25519PrivateKey,
    agreement_id: str,
    sender: str,
    recipient: str,
) -> bytes:
    """Open a seal addressed to this node; `SealBroken` if it is not one."""
    if not isinstance(seal, dict) or seal.get("format") != SEAL_FORMAT:
        raise SealBroken("format")
    own = x25519_private(own_key)
    own_public = own.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    context = _context(agreement_id, sender, recipient)
    try:
        ephemeral = bytes.fromhex(str(seal["ephemeral"]))
        shared = own.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        key = _key(shared, ephemeral, own_public, context)
        nonce = bytes.fromhex(str(seal["nonce"]))
        return AESGCM(key).decrypt(nonce, bytes.fromhex(str(seal["sealed"])), context)
    except (KeyError, ValueError, InvalidTag) as exc:
        raise SealBroken("seal") from exc
