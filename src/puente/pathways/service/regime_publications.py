"""Signed entry regimes: each state's visa and entry regimes, authored as one file
per state in `data/entry_regimes/` and signed with the state's key into
`data/entry_regimes.json` (built with the catalogue by `puente pathways
build-catalogue`; a test keeps the two equal). The manifest holds the SHA-256 of the
regimes' canonical JSON, so a changed regime is a rejected publication.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from puente.pathways.errors import CatalogueError, SignatureRejected
from puente.pathways.rules.catalogue import canonical_json
from puente.pathways.rules.entry_regimes import (
    REGIMES_FORMAT,
    RegimeTable,
    parse_regime_table,
    regimes_digest,
)

DATA_DIR: Final = Path(__file__).resolve().parent.parent / "data"
REGIME_SOURCE_DIR: Final = DATA_DIR / "entry_regimes"
REGIMES_PATH: Final = DATA_DIR / "entry_regimes.json"
MANIFEST_FORMAT: Final = "puente.pathways.entry_regimes.publication/1"


def regime_states(directory: Path = REGIME_SOURCE_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.json"))


def read_regime_sources(directory: Path = REGIME_SOURCE_DIR) -> list[RegimeTable]:
    """Parse every `data/entry_regimes/<STATE>.json`; errors name the file."""
    tables = []
    for path in sorted(directory.glob("*.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CatalogueError(f"{path.name}: cannot read: {exc}") from None
        table = parse_regime_table(raw, path.name)
        if table.state != path.stem:
            raise CatalogueError(f"{path.name}: state must be {path.stem}")
        tables.append(table)
    return tables


def sign_regimes(
    table: RegimeTable, private_key: Ed25519PrivateKey, key_id: str
) -> dict[str, object]:
    manifest = {
        "format": MANIFEST_FORMAT,
        "state": table.state,
        "version": table.version,
        "published_on": table.published_on.isoformat(),
        "key_id": key_id,
        "regimes": regimes_digest(table),
    }
    signature = private_key.sign(canonical_json(manifest))
    return {
        "state": table.state,
        "version": table.version,
        "published_on": table.published_on.isoformat(),
        "key_id": key_id,
        "manifest": manifest,
        "signature": base64.b64encode(signature).decode("ascii"),
        "regimes": table.to_json(),
    }


def build_regimes(
    tables: Sequence[RegimeTable], private_keys: Mapping[str, Ed25519PrivateKey]
) -> dict[str, object]:
    publications = []
    for table in sorted(tables, key=lambda t: t.state):
        if table.state not in private_keys:
            raise CatalogueError(f"no signing key for {table.state}")
        publications.append(
            sign_regimes(table, private_keys[table.state], f"demo-{table.state}")
        )
    return {"format": REGIMES_FORMAT, "publications": publications}


def regimes_text(document: Mapping[str, object]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def verify_regime_publication(
    publication: Mapping[str, Any], public_keys: Mapping[str, Ed25519PublicKey]
) -> RegimeTable:
    """Check one state's signature and digest, then parse; raise
    `SignatureRejected` naming the state when anything does not fit."""
    state = str(publication.get("state", ""))
    manifest = publication.get("manifest")
    key = public_keys.get(state)
    if key is None or not isinstance(manifest, Mapping):
        raise SignatureRejected(state, "entry regimes", "no key or no manifest")
    if (
        manifest.get("format") != MANIFEST_FORMAT
        or manifest.get("state") != state
        or manifest.get("version") != publication.get("version")
        or manifest.get("key_id") != publication.get("key_id")
    ):
        raise SignatureRejected(state, "entry regimes", "manifest does not fit")
    try:
        key.verify(
            base64.b64decode(str(publication.get("signature")), validate=True),
            canonical_json(manifest),
        )
    except (InvalidSignature, ValueError):
        raise SignatureRejected(
            state, "entry regimes", "signature does not verify"
        ) from None
    table = parse_regime_table(publication.get("regimes"), f"{state} entry regimes")
    if table.state != state or manifest.get("regimes") != regimes_digest(table):
        raise SignatureRejected(
            state, "entry regimes", "regimes do not match the signed digest"
        )
    return table


def verify_regimes(
    document: Mapping[str, Any], public_keys: Mapping[str, Ed25519PublicKey]
) -> Mapping[str, RegimeTable]:
    if document.get("format") != REGIMES_FORMAT:
        raise CatalogueError(f"format must be {REGIMES_FORMAT}")
    publications = document.get("publications")
    if not isinstance(publications, list):
        raise CatalogueError("publications must be a list")
    tables = {}
    for publication in publications:
        if not isinstance(publication, Mapping):
            raise CatalogueError("a publication must be an object")
        table = verify_regime_publication(publication, public_keys)
        tables[table.state] = table
    return MappingProxyType(tables)


def shipped_regimes_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(REGIMES_PATH.read_text(encoding="utf-8"))
    return document
