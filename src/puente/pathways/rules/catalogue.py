"""The pathway catalogue: pathways as data, published per state and signed (Ed25519).

A state publishes one *publication* (state, version, pathways). It signs a manifest
holding the SHA-256 of each pathway's canonical JSON, so verification can name the
pathway that was tampered with. `verify_catalogue` checks every publication on load;
a pathway that fails is never screened.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from puente.core.errors import InvalidInput
from puente.pathways.rules.facts import LANGUAGES

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CATALOGUE_PATH = DATA_DIR / "catalogue.json"
PUBLIC_KEYS_PATH = DATA_DIR / "demo_public_keys.json"
DEMO_KEYS_DIR = DATA_DIR / "demo_keys"
CATALOGUE_FORMAT = "puente.pathways.catalogue/1"
MANIFEST_FORMAT = "puente.pathways.publication/1"

LAD_STATES: tuple[str, ...] = (
    "ARG",
    "BRB",
    "BLZ",
    "BRA",
    "CAN",
    "CHL",
    "COL",
    "CRI",
    "ECU",
    "SLV",
    "GTM",
    "HTI",
    "HND",
    "JAM",
    "MEX",
    "PAN",
    "PRY",
    "PER",
    "USA",
    "URY",
)
"""The 20 endorsers of the Los Angeles Declaration (June 2022)."""


class CatalogueError(InvalidInput):
    """A catalogue document is malformed or a rule fails the lint."""

    message = "Invalid catalogue: %(problem)s"

    def __init__(self, problem: str) -> None:
        super().__init__(problem=problem)
        self.problem = problem


class SignatureRejected(InvalidInput):
    """A publication or one of its pathways does not match its state's signature."""

    message = "Rejected %(state)s %(what)s: %(problem)s"

    def __init__(self, state: str, what: str, problem: str) -> None:
        super().__init__(state=state, what=what, problem=problem)
        self.state = state
        self.what = what
        self.problem = problem


class PathwayKind(StrEnum):
    LABOUR = "labour"
    FAMILY = "family"
    HUMANITARIAN = "humanitarian"
    RESETTLEMENT = "resettlement"
    REGULARISATION = "regularisation"
    STUDY = "study"


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A text in the five working languages (en, es, pt, fr, ht)."""

    en: str
    es: str
    pt: str
    fr: str
    ht: str

    def get(self, language: str) -> str:
        if language == "es":
            return self.es
        if language == "pt":
            return self.pt
        if language == "fr":
            return self.fr
        if language == "ht":
            return self.ht
        return self.en

    def to_json(self) -> dict[str, str]:
        return {
            "en": self.en,
            "es": self.es,
            "pt": self.pt,
            "fr": self.fr,
            "ht": self.ht,
        }

    @classmethod
    def from_json(cls, raw: object, where: str) -> LocalizedText:
        if not isinstance(raw, Mapping) or set(raw) != set(LANGUAGES):
            raise CatalogueError(f"{where}: needs exactly {', '.join(LANGUAGES)}")
        if not all(isinstance(raw[k], str) and raw[k] for k in LANGUAGES):
            raise CatalogueError(f"{where}: every language needs a non-empty string")
        return cls(**{k: str(raw[k]) for k in LANGUAGES})


def _text(en: str, es: str, pt: str, fr: str, ht: str) -> LocalizedText:
    return LocalizedText(en=en, es=es, pt=pt, fr=fr, ht=ht)


DOCUMENTS: Mapping[str, LocalizedText] = MappingProxyType(
    {
        "passport": _text(
            "Valid passport",
            "Pasaporte vigente",
            "Passaporte válido",
            "Passeport valide",
            "Paspò ki valab",
        ),
        "national_id": _text(
            "National identity document",
            "Documento nacional de identidad",
            "Documento de identidade nacional",
            "Pièce d'identité nationale",
            "Kat idantite nasyonal",
        ),
        "identity_document": _text(
            "Passport or national identity document",
            "Pasaporte o documento de identidad",
            "Passaporte ou documento de identidade",
            "Passeport ou pièce d'identité",
            "Paspò oswa kat idantite",
        ),
        "proof_of_entry": _text(
            "Proof of date of entry (stamp or record)",
            "Prueba de la fecha de entrada (sello o registro)",
            "Comprovante da data de entrada (carimbo ou registro)",
            "Preuve de la date d'entrée (tampon ou registre)",
            "Prèv dat ou te antre (so oswa dosye)",
        ),
        "proof_of_residence": _text(
            "Proof of where you live",
            "Prueba de su lugar de residencia",
            "Comprovante de residência",
            "Justificatif de domicile",
            "Prèv kote ou rete",
        ),
        "criminal_record_certificate": _text(
            "Criminal record certificate",
            "Certificado de antecedentes penales",
            "Certidão de antecedentes criminais",
            "Extrait de casier judiciaire",
            "Sètifika dosye kriminèl",
        ),
        "job_offer_contract": _text(
            "Signed job offer or contract",
            "Oferta o contrato de trabajo firmado",
            "Oferta ou contrato de trabalho assinado",
            "Offre ou contrat de travail signé",
            "Òf oswa kontra travay ki siyen",
        ),
        "labour_market_approval": _text(
            "Employer's labour-market approval (e.g. LMIA, labour certification)",
            "Aprobación laboral del empleador (p. ej. LMIA, certificación laboral)",
            "Aprovação laboral do empregador (ex.: LMIA, certificação laboral)",
            "Autorisation du marché du travail de l'employeur (p. ex. EIMT)",
            "Apwobasyon travay patwon an (egzanp LMIA)",
        ),
        "family_relationship_proof": _text(
            "Proof of family relationship (birth or marriage certificate)",
            "Prueba del parentesco (acta de nacimiento o de matrimonio)",
            "Prova de parentesco (certidão de nascimento ou casamento)",
            "Preuve du lien familial (acte de naissance ou de mariage)",
            "Prèv relasyon fanmi (batistè oswa papye maryaj)",
        ),
        "sponsor_status_proof": _text(
            "Proof of your family member's status",
            "Prueba de la situación migratoria de su familiar",
            "Prova da situação migratória do seu familiar",
            "Preuve du statut de votre proche",
            "Prèv estati fanmi ou",
        ),
        "approval_notice": _text(
            "Approval notice of the family petition",
            "Aviso de aprobación de la petición familiar",
            "Aviso de aprovação da petição familiar",
            "Avis d'approbation de la demande familiale",
            "Avi apwobasyon petisyon fanmi an",
        ),
        "refugee_document": _text(
            "Refugee or asylum document (UNHCR or national)",
            "Documento de refugiado o solicitante de asilo (ACNUR o nacional)",
            "Documento de refugiado ou solicitante (ACNUR ou nacional)",
            "Document de réfugié ou de demandeur d'asile (HCR ou national)",
            "Dokiman refijye oswa demandè azil (HCR oswa nasyonal)",
        ),
        "vaccination_card": _text(
            "Vaccination card",
            "Carné de vacunación",
            "Cartão de vacinação",
            "Carnet de vaccination",
            "Kat vaksinasyon",
        ),
        "education_certificate": _text(
            "Diploma or education certificate",
            "Diploma o certificado de estudios",
            "Diploma ou certificado escolar",
            "Diplôme ou certificat d'études",
            "Diplòm oswa sètifika lekòl",
        ),
        "language_certificate": _text(
            "Language test certificate",
            "Certificado de examen de idioma",
            "Certificado de exame de idioma",
            "Certificat de test de langue",
            "Sètifika egzamen lang",
        ),
        "photo": _text(
            "Recent photograph",
            "Fotografía reciente",
            "Foto recente",
            "Photo récente",
            "Foto resan",
        ),
    }
)


@dataclass(frozen=True, slots=True)
class Clause:
    """One named eligibility condition: a CEL expression with plain-language reasons."""

    id: str
    cel: str
    reason_pass: LocalizedText
    reason_fail: LocalizedText
    effective_from: date

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "cel": self.cel,
            "pass": self.reason_pass.to_json(),
            "fail": self.reason_fail.to_json(),
            "effective_from": self.effective_from.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Pathway:
    """A regular pathway published by a state. All clauses must pass to be eligible."""

    id: str
    state: str
    kind: PathwayKind
    title: LocalizedText
    summary: LocalizedText
    opens_on: date
    closes_on: date | None
    quota: int | None
    quota_unit: str | None
    documents: tuple[str, ...]
    source_url: str
    version: str
    notes: str
    clauses: tuple[Clause, ...]
    destinations: tuple[str, ...] = ()

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today and (
            self.closes_on is None or today <= self.closes_on
        )

    def clauses_in_force(self, today: date) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.effective_from <= today)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "state": self.state,
            "kind": self.kind.value,
            "title": self.title.to_json(),
            "summary": self.summary.to_json(),
            "opens_on": self.opens_on.isoformat(),
            "closes_on": self.closes_on.isoformat() if self.closes_on else None,
            "quota": self.quota,
            "quota_unit": self.quota_unit,
            "documents": list(self.documents),
            "source_url": self.source_url,
            "version": self.version,
            "notes": self.notes,
            "destinations": list(self.destinations),
            "clauses": [c.to_json() for c in self.clauses],
        }


_PATHWAY_KEYS = frozenset(
    {
        "id",
        "state",
        "kind",
        "title",
        "summary",
        "opens_on",
        "closes_on",
        "quota",
        "quota_unit",
        "documents",
        "source_url",
        "version",
        "notes",
        "destinations",
        "clauses",
    }
)
_CLAUSE_KEYS = frozenset({"id", "cel", "pass", "fail", "effective_from"})


def parse_pathway(raw: object) -> Pathway:
    """Parse one pathway from JSON; raise `CatalogueError` naming what is wrong."""
    if not isinstance(raw, Mapping):
        raise CatalogueError("a pathway must be an object")
    pid = _str(raw, "id", "pathway")
    where = f"pathway {pid}"
    unknown = set(raw) - _PATHWAY_KEYS
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {sorted(unknown)}")
    try:
        kind = PathwayKind(_str(raw, "kind", where))
    except ValueError:
        raise CatalogueError(f"{where}: unknown kind {raw['kind']!r}") from None
    documents = raw.get("documents", [])
    if not isinstance(documents, list) or not all(d in DOCUMENTS for d in documents):
        raise CatalogueError(f"{where}: documents must be codes from DOCUMENTS")
    clauses_raw = raw.get("clauses")
    if not isinstance(clauses_raw, list) or not clauses_raw:
        raise CatalogueError(f"{where}: needs at least one clause")
    clauses = tuple(_parse_clause(c, where) for c in clauses_raw)
    if len({c.id for c in clauses}) != len(clauses):
        raise CatalogueError(f"{where}: clause ids must be unique")
    quota = raw.get("quota")
    if quota is not None and (isinstance(quota, bool) or not isinstance(quota, int)):
        raise CatalogueError(f"{where}: quota must be a whole number or null")
    closes = raw.get("closes_on")
    destinations = raw.get("destinations", [])
    if not isinstance(destinations, list) or not all(
        isinstance(d, str) for d in destinations
    ):
        raise CatalogueError(f"{where}: destinations must be a list of ISO3 codes")
    quota_unit = raw.get("quota_unit")
    return Pathway(
        id=pid,
        state=_str(raw, "state", where),
        kind=kind,
        title=LocalizedText.from_json(raw.get("title"), f"{where} title"),
        summary=LocalizedText.from_json(raw.get("summary"), f"{where} summary"),
        opens_on=_date(raw.get("opens_on"), f"{where} opens_on"),
        closes_on=None if closes is None else _date(closes, f"{where} closes_on"),
        quota=quota,
        quota_unit=quota_unit if isinstance(quota_unit, str) else None,
        documents=tuple(str(d) for d in documents),
        source_url=_str(raw, "source_url", where),
        version=_str(raw, "version", where),
        notes=str(raw.get("notes", "")),
        clauses=clauses,
        destinations=tuple(destinations),
    )


def _parse_clause(raw: object, where: str) -> Clause:
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{where}: a clause must be an object")
    cid = _str(raw, "id", where)
    here = f"{where} clause {cid}"
    unknown = set(raw) - _CLAUSE_KEYS
    if unknown:
        raise CatalogueError(f"{here}: unknown keys {sorted(unknown)}")
    # Local import: eligibility imports this module for the Pathway types.
    from puente.pathways.rules.eligibility import lint_expression

    expression = _str(raw, "cel", here)
    problems = lint_expression(expression)
    if problems:
        raise CatalogueError(f"{here}: {'; '.join(problems)}")
    return Clause(
        id=cid,
        cel=expression,
        reason_pass=LocalizedText.from_json(raw.get("pass"), f"{here} pass"),
        reason_fail=LocalizedText.from_json(raw.get("fail"), f"{here} fail"),
        effective_from=_date(raw.get("effective_from"), f"{here} effective_from"),
    )


def _str(raw: Mapping[str, object], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise CatalogueError(f"{where}: {key} must be a non-empty string")
    return value


def _date(value: object, where: str) -> date:
    if not isinstance(value, str):
        raise CatalogueError(f"{where}: expected YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CatalogueError(f"{where}: expected YYYY-MM-DD") from None


# --- signing -----------------------------------------------------------------------


def canonical_json(value: object) -> bytes:
    """Deterministic bytes for hashing and signing (sorted keys, no whitespace)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def pathway_digest(pathway_json: Mapping[str, object]) -> str:
    return hashlib.sha256(canonical_json(pathway_json)).hexdigest()


def _manifest(
    state: str,
    version: str,
    published_on: str,
    key_id: str,
    digests: Mapping[str, str],
) -> dict[str, object]:
    return {
        "format": MANIFEST_FORMAT,
        "state": state,
        "version": version,
        "published_on": published_on,
        "key_id": key_id,
        "pathways": dict(sorted(digests.items())),
    }


def sign_publication(
    *,
    state: str,
    version: str,
    published_on: date,
    pathways: Sequence[Pathway],
    private_key: Ed25519PrivateKey,
    key_id: str,
) -> dict[str, object]:
    """Sign one state's published catalogue version; return its JSON."""
    if any(p.state != state for p in pathways):
        raise CatalogueError(f"publication of {state} holds another state's pathway")
    pathway_json = [p.to_json() for p in pathways]
    digests = {str(p["id"]): pathway_digest(p) for p in pathway_json}
    manifest = _manifest(state, version, published_on.isoformat(), key_id, digests)
    signature = private_key.sign(canonical_json(manifest))
    return {
        "state": state,
        "version": version,
        "published_on": published_on.isoformat(),
        "key_id": key_id,
        "manifest": manifest,
        "signature": base64.b64encode(signature).decode("ascii"),
        "pathways": pathway_json,
    }


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
    publications = []
    for state in sorted(by_state):
        if state not in private_keys:
            raise CatalogueError(f"no signing key for {state}")
        publications.append(
            sign_publication(
                state=state,
                version=version,
                published_on=published_on,
                pathways=by_state[state],
                private_key=private_keys[state],
                key_id=(key_ids or {}).get(state, f"demo-{state}"),
            )
        )
    return {"format": CATALOGUE_FORMAT, "publications": publications}


@dataclass(frozen=True, slots=True)
class Rejection:
    state: str
    pathway_id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class VerifiedCatalogue:
    """Pathways whose signatures checked out, plus what was rejected and why."""

    pathways: tuple[Pathway, ...]
    versions: Mapping[str, str] = field(default_factory=dict)
    rejected: tuple[Rejection, ...] = ()

    def by_id(self) -> dict[str, Pathway]:
        return {p.id: p for p in self.pathways}


PublicKeys = Mapping[str, Ed25519PublicKey]


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
    return VerifiedCatalogue(
        tuple(accepted), MappingProxyType(versions), tuple(rejected)
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


def write_demo_catalogue(
    pathways: Sequence[Pathway],
    *,
    version: str,
    published_on: date,
    data_dir: Path = DATA_DIR,
) -> None:
    """Sign `pathways` with the demo keys and write catalogue + public keys files."""
    states = sorted({p.state for p in pathways})
    keys = generate_demo_keys(data_dir / "demo_keys", states)
    document = sign_catalogue(
        pathways, keys, version=version, published_on=published_on
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
    (data_dir / "catalogue.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    (data_dir / "demo_public_keys.json").write_text(
        json.dumps(public, indent=1) + "\n", encoding="utf-8"
    )
