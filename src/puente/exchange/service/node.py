"""This node's exchange identity (an Ed25519 key in the key directory, like the
audit checkpoint key) and its peers (state, base URL, public key)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.config import get_settings
from puente.exchange.errors import NodeKeyMissing, PeerNotFound
from puente.exchange.models import Peer
from puente.identity import Actor, authorize

NODE_KEY_FILE = "exchange-node.ed25519.pem"
AGREEMENT_SECRET_DIR = "exchange-agreements"  # noqa: S105 - a folder name


@dataclass(frozen=True)
class NodeIdentity:
    state: str
    signing_key: Ed25519PrivateKey

    @property
    def public_key_hex(self) -> str:
        return public_hex(self.signing_key.public_key())

    def sign(self, message: bytes) -> str:
        return self.signing_key.sign(message).hex()


def public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    ).hex()


def verify(public_key_hex: str, message: bytes, signature_hex: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), message)
    except (ValueError, InvalidSignature):
        return False
    return True


def _write_once(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # a concurrent creator's file wins
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def load_node_key(key_dir: Path, *, create: bool = True) -> Ed25519PrivateKey:
    path = key_dir / NODE_KEY_FILE
    if create and not path.exists():
        _write_once(
            path,
            Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise NodeKeyMissing() from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise NodeKeyMissing()
    return loaded


def node_identity() -> NodeIdentity:
    """This process's node: its state (`PUENTE_NODE_STATE`) and key."""
    settings = get_settings()
    return NodeIdentity(settings.node_state.upper(), load_node_key(settings.key_dir))


def agreement_secret(agreement_id: str, *, create: bool = False) -> bytes:
    """The linkage secret of an agreement, shared by its parties out of band and
    kept in the key directory (never in the database, never in an envelope)."""
    path = get_settings().key_dir / AGREEMENT_SECRET_DIR / f"{agreement_id}.key"
    if create and not path.exists():
        _write_once(path, os.urandom(32))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise NodeKeyMissing() from exc


def install_agreement_secret(agreement_id: str, secret: bytes) -> None:
    path = get_settings().key_dir / AGREEMENT_SECRET_DIR / f"{agreement_id}.key"
    _write_once(path, secret)


def add_peer(
    session: Session, *, actor: Actor, state: str, base_url: str, public_key: str
) -> Peer:
    """Register (or update) a peer node of this node's state (`agreement:sign`)."""
    authorize(actor, "agreement:sign", tenant_code=actor.tenant_code)
    node = get_settings().node_state.upper()
    code = state.strip().upper()
    row = session.scalars(
        select(Peer).where(Peer.tenant_code == node, Peer.state == code)
    ).one_or_none()
    if row is None:
        row = Peer(tenant_code=node, state=code, base_url="", public_key="")
        session.add(row)
    row.base_url = base_url.rstrip("/")
    row.public_key = bytes.fromhex(public_key).hex()
    session.flush()
    return row


def peer_of(session: Session, state: str) -> Peer:
    node = get_settings().node_state.upper()
    row = session.scalars(
        select(Peer).where(Peer.tenant_code == node, Peer.state == state.upper())
    ).one_or_none()
    if row is None:
        raise PeerNotFound()
    return row


def list_peers(session: Session, *, actor: Actor) -> list[Peer]:
    authorize(actor, "agreement:read", tenant_code=actor.tenant_code)
    node = get_settings().node_state.upper()
    return list(
        session.scalars(
            select(Peer).where(Peer.tenant_code == node).order_by(Peer.state)
        )
    )
