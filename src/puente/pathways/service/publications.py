"""Signed publications: reading, building, signing and verifying catalogue files.

A state publishes one *publication* (state, version, pathways, and its legal minimum
wage). It signs a manifest holding the SHA-256 of each pathway's canonical JSON and
the minimum wage, so verification can name the pathway that was tampered with.
`verify_catalogue` checks every publication on load; a pathway that fails is never
screened.

The shipped catalogue is authored as one human-editable file per state in
`data/catalogue/` and built into the signed `data/catalogue.json` with the demo keys
(`puente pathways build-catalogue`); a test keeps the two equal. The same build
signs each state's visa and entry regimes (`regime_publications`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from puente.pathways.errors import CatalogueError, SignatureRejected
from puente.pathways.rules.catalogue import (
    CATALOGUE_FORMAT,
    LAD_STATES,
    MANIFEST_FORMAT,
    MinimumWage,
    Pathway,
    Rejection,
    VerifiedCatalogue,
    canonical_json,
    parse_minimum_wage,
    parse_pathway,
    pathway_digest,
)
from puente.pathways.service.regime_publications import (
    build_regimes,
    read_regime_sources,
    regimes_text,
)

DATA_DIR: Final = Path(__file__).resolve().parent.parent / "data"
SOURCE_DIR: Final = DATA_DIR / "catalogue"
CATALOGUE_PATH: Final = DATA_DIR / "catalogue.json"
PUBLIC_KEYS_PATH: Final = DATA_DIR / "demo_public_keys.json"
DEMO_KEYS_DIR: Final = DATA_DIR / "demo_keys"
PublicKeys = Mapping[str, Ed25519PublicKey]


# --- authoring: one file per state ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class StateSource:
    """One state's authored catalogue file, parsed and checked."""

    state: str
    version: str
    published_on: date
    pathways: tuple[Pathway, ...]
    minimum_wage: MinimumWage | None


_SOURCE_KEYS: Final = frozenset(
    {"state", "version", "published_on", "minimum_wage", "pathways"}
)


def read_state_source(path: Path) -> StateSource:
    """Parse `data/catalogue/<STATE>.json`; errors name the file and the place."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogueError(f"{path.name}: cannot read: {exc}") from None
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{path.name}: must be a JSON object")
    unknown = set(raw) - _SOURCE_KEYS
    if unknown:
        raise CatalogueError(f"{path.name}: unknown keys {sorted(unknown)}")
    state = raw.get("state")
    if not isinstance(state, str) or path.stem != state:
        raise CatalogueError(f"{path.name}: state must be {path.stem}")
    version, published = raw.get("version"), raw.get("published_on")
    if not isinstance(version, str) or not version:
        raise CatalogueError(f"{path.name}: version must be a non-empty string")
    try:
        published_on = date.fromisoformat(str(published))
    except ValueError:
        raise CatalogueError(f"{path.name}: published_on must be YYYY-MM-DD") from None
    items = raw.get("pathways")
    if not isinstance(items, list) or not items:
        raise CatalogueError(f"{path.name}: needs a list of pathways")
    pathways = []
    for item in items:
        if not isinstance(item, Mapping) or "state" in item:
            raise CatalogueError(
                f"{path.name}: a pathway is an object; its state is the file's"
            )
        try:
            pathways.append(parse_pathway({**item, "state": state}))
        except CatalogueError as exc:
            raise CatalogueError(f"{path.name}: {exc.problem}") from None
    return StateSource(
        state=state,
        version=version,
        published_on=published_on,
        pathways=tuple(pathways),
        minimum_wage=parse_minimum_wage(
            raw.get("minimum_wage"), f"{path.name} minimum_wage"
        ),
    )


def read_sources(directory: Path = SOURCE_DIR) -> list[StateSource]:
    sources = [read_state_source(p) for p in sorted(directory.glob("*.json"))]
    seen: set[str] = set()
    for source in sources:
        for pathway in source.pathways:
            if pathway.id in seen:
                raise CatalogueError(f"{source.state}: pathway {pathway.id} twice")
            seen.add(pathway.id)
    return sources


def build_catalogue(
    sources: Sequence[StateSource],
    private_keys: Mapping[str, Ed25519PrivateKey],
    key_ids: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """Sign each state's source with its key: the signed catalogue document."""
    publications = []
    for source in sorted(sources, key=lambda s: s.state):
        if source.state not in private_keys:
            raise CatalogueError(f"no signing key for {source.state}")
        publications.append(
            sign_publication(
                state=source.state,
                version=source.version,
                published_on=source.published_on,
                pathways=source.pathways,
                private_key=private_keys[source.state],
                key_id=(key_ids or {}).get(source.state, f"demo-{source.state}"),
                minimum_wage=source.minimum_wage,
            )
        )
    return {"format": CATALOGUE_FORMAT, "publications": publications}


def write_demo_catalogue(
    source_dir: Path = SOURCE_DIR, data_dir: Path = DATA_DIR
) -> dict[str, object]:
    """Build the shipped catalogue from the per-state files, signed with the demo
    keys, and write it with the demo public keys. Returns the document."""
    sources = read_sources(source_dir)
    regime_dir = data_dir / "entry_regimes"
    tables = read_regime_sources(regime_dir)
    states = {s.state for s in sources} | {t.state for t in tables}
    keys = generate_demo_keys(data_dir / "demo_keys", sorted(states))
    document = build_catalogue(sources, keys)
    (data_dir / "entry_regimes.json").write_text(
        regimes_text(build_regimes(tables, keys)), "utf-8"
    )
    public = {
        "format": "puente.pathways.public_keys/1",
        "note": "DEMO ONLY keys; production nodes load each state's published key.",
        "keys": {
            state: {
                "key_id": f"demo-{state}",
                "public_key": public_key_to_text(k.public_key()),
            }
            for state, k in sorted(keys.items())
        },
    }
    (data_dir / "catalogue.json").write_text(catalogue_text(document), "utf-8")
    (data_dir / "demo_public_keys.json").write_text(
        json.dumps(public, indent=1) + "\n", encoding="utf-8"
    )
    return document


def catalogue_text(document: Mapping[str, object]) -> str:
    """The signed catalogue as it is written to disk."""
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


# --- signing -------------------------------------------------------------------------


def _manifest(
    state: str,
    version: str,
    published_on: str,
    key_id: str,
    digests: Mapping[str, str],
    minimum_wage: Mapping[str, object] | None,
) -> dict[str, object]:
    manifest: dict[str, object] = {
        "format": MANIFEST_FORMAT,
        "state": state,
        "version": version,
        "published_on": published_on,
        "key_id": key_id,
        "pathways": dict(sorted(digests.items())),
    }
    if minimum_wage is not None:
        manifest["minimum_wage"] = dict(minimum_wage)
    return manifest


def sign_publication(
    *,
    state: str,
    version: str,
    published_on: date,
    pathways: Sequence[Pathway],
    private_key: Ed25519PrivateKey,
    key_id: str,
    minimum_wage: MinimumWage | None = None,
) -> dict[str, object]:
    """Sign one state's published catalogue version; return its JSON."""
    if any(p.state != state for p in pathways):
        raise CatalogueError(f"publication of {state} holds another state's pathway")
    pathway_json = [p.to_json() for p in pathways]
    digests = {str(p["id"]): pathway_digest(p) for p in pathway_json}
    wage = minimum_wage.to_json() if minimum_wage is not None else None
    manifest = _manifest(
        state, version, published_on.isoformat(), key_id, digests, wage
    )
    signature = private_key.sign(canonical_json(manifest))
    publication: dict[str, object] = {
        "state": state,
        "version": version,
        "published_on": published_on.isoformat(),
        "key_id": key_id,
        "manifest": manifest,
        "signature": base64.b64encode(signature).decode("ascii"),
        "pathways": pathway_json,
    }
    if wage is not None:
        publication["minimum_wage"] = wage
    return publication


def sign_catalogue(
    pathways: Iterable[Pathway],
    private_keys: Mapping[str, Ed25519PrivateKey],
    *,
    version: str,
    published_on: date,
    key_ids: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """Group pathways by state and sign one publication per state."""
    by_state: dict[str, list[Pathway]] = {}
    for pathway in pathways:
        by_state.setdefault(pathway.state, []).append(pathway)
    sources = [
        StateSource(state, version, published_on, tuple(items), None)
        for state, items in by_state.items()
    ]
    return build_catalogue(sources, private_keys, key_ids)


# --- verifying -----------------------------------------------------------------------


def verify_catalogue(
    document: Mapping[str, object], public_keys: PublicKeys, *, strict: bool = True
) -> VerifiedCatalogue:
    """Check each state's signature and each pathway's digest, then parse.

    strict: raise `SignatureRejected` on the first failure. Otherwise skip what fails
    (a whole publication when its signature fails, one pathway when only its digest
    does) and list it in `rejected`.
    """
    if document.get("format") != CATALOGUE_FORMAT:
        raise CatalogueError(f"format must be {CATALOGUE_FORMAT}")
    publications = document.get("publications")
    if not isinstance(publications, list):
        raise CatalogueError("publications must be a list")
    accepted: list[Pathway] = []
    versions: dict[str, str] = {}
    wages: dict[str, MinimumWage] = {}
    rejected: list[Rejection] = []
    seen_ids: set[str] = set()

    def reject(state: str, pathway_id: str | None, reason: str) -> None:
        if strict:
            raise SignatureRejected(state, pathway_id or "publication", reason)
        rejected.append(Rejection(state, pathway_id, reason))

    for publication in publications:
        if not isinstance(publication, Mapping):
            raise CatalogueError("a publication must be an object")
        state = str(publication.get("state"))
        manifest = publication.get("manifest")
        problem = _check_publication_signature(publication, manifest, public_keys)
        if problem or not isinstance(manifest, Mapping):
            reject(state, None, problem or "missing manifest")
            continue
        signed_digests = manifest.get("pathways")
        if not isinstance(signed_digests, Mapping):  # the signature step checked it
            reject(state, None, "manifest pathways must be an object")
            continue
        pathway_list = publication.get("pathways")
        if not isinstance(pathway_list, list):
            reject(state, None, "pathways must be a list")
            continue
        present: set[str] = set()
        for raw in pathway_list:
            pid = str(raw.get("id")) if isinstance(raw, Mapping) else "?"
            present.add(pid)
            if not isinstance(raw, Mapping) or signed_digests.get(
                pid
            ) != pathway_digest(raw):
                reject(state, pid, "pathway content does not match the signed digest")
                continue
            pathway = parse_pathway(raw)
            if pathway.state != state or pid in seen_ids:
                reject(state, pid, "pathway state or id does not fit its publication")
                continue
            seen_ids.add(pid)
            accepted.append(pathway)
        for pid in sorted(set(signed_digests) - present):
            reject(state, str(pid), "a signed pathway was removed")
        versions[state] = str(manifest.get("version"))
        wage = parse_minimum_wage(manifest.get("minimum_wage"), f"{state} minimum_wage")
        if wage is not None:
            wages[state] = wage
    return VerifiedCatalogue(
        tuple(accepted),
        MappingProxyType(versions),
        tuple(rejected),
        MappingProxyType(wages),
    )


def _check_publication_signature(
    publication: Mapping[str, object], manifest: object, public_keys: PublicKeys
) -> str | None:
    state = publication.get("state")
    if not isinstance(state, str) or not isinstance(manifest, Mapping):
        return "publication needs a state and a manifest"
    key = public_keys.get(state)
    if key is None:
        return f"no public key for {state}"
    if (
        manifest.get("format") != MANIFEST_FORMAT
        or manifest.get("state") != state
        or not isinstance(manifest.get("pathways"), Mapping)
        or manifest.get("version") != publication.get("version")
        or manifest.get("key_id") != publication.get("key_id")
        or manifest.get("minimum_wage") != publication.get("minimum_wage")
    ):
        return "manifest does not describe this publication"
    signature = publication.get("signature")
    try:
        key.verify(
            base64.b64decode(str(signature), validate=True), canonical_json(manifest)
        )
    except (InvalidSignature, ValueError):
        return "signature does not verify with the state's public key"
    return None


# --- keys and files ----------------------------------------------------------------


def public_key_to_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def public_key_from_text(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))


def load_public_keys(path: Path = PUBLIC_KEYS_PATH) -> dict[str, Ed25519PublicKey]:
    document = json.loads(path.read_text(encoding="utf-8"))
    keys = document.get("keys", {})
    return {
        state: public_key_from_text(entry["public_key"])
        for state, entry in keys.items()
    }


def load_catalogue(
    path: Path = CATALOGUE_PATH,
    public_keys: PublicKeys | None = None,
    *,
    strict: bool = True,
) -> VerifiedCatalogue:
    """Read and verify a catalogue file (by default the shipped, demo-signed one)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    keys = public_keys if public_keys is not None else load_public_keys()
    return verify_catalogue(document, keys, strict=strict)


@cache
def shipped_catalogue() -> VerifiedCatalogue:
    """The signed catalogue shipped with Puente (verified once per process)."""
    return load_catalogue()


@cache
def shipped_public_keys() -> dict[str, Ed25519PublicKey]:
    return load_public_keys()


def shipped_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))
    return document


def generate_demo_keys(
    directory: Path = DEMO_KEYS_DIR, states: Iterable[str] = LAD_STATES
) -> dict[str, Ed25519PrivateKey]:
    """DEMO ONLY: create (or read back) one unencrypted Ed25519 key per state.

    Real states keep their private keys in their own HSM; these exist so the shipped
    catalogue is signed by something and the signature path is always exercised.
    """
    directory.mkdir(parents=True, exist_ok=True)
    keys: dict[str, Ed25519PrivateKey] = {}
    for state in states:
        path = directory / f"{state}.DEMO_ONLY.pem"
        if path.exists():
            loaded = serialization.load_pem_private_key(
                path.read_bytes(), password=None
            )
            if not isinstance(loaded, Ed25519PrivateKey):
                raise CatalogueError(f"{path.name} is not an Ed25519 key")
            keys[state] = loaded
            continue
        key = Ed25519PrivateKey.generate()
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        keys[state] = key
    return keys
