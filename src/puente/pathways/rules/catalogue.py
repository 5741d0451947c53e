"""The pathway catalogue as data: pathways published per state, their clauses (CEL
with plain-language reasons in five languages), the rules a labour programme adds to
the fair-recruitment checks and a state's legal minimum wage.

Pure: parsing and validating what a state publishes, and the canonical digest of a
pathway that its state signs. Reading, signing and verifying publication files is
the service's job (`service/publications.py`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from puente.core.i18n import N_
from puente.pathways.errors import CatalogueError
from puente.pathways.rules.cel import lint_expression
from puente.pathways.rules.facts import LANGUAGES
from puente.reference import ENDORSING_STATES

CATALOGUE_FORMAT: Final = "puente.pathways.catalogue/1"
MANIFEST_FORMAT: Final = "puente.pathways.publication/1"

LAD_STATES: tuple[str, ...] = ENDORSING_STATES
"""The 20 endorsers of the Los Angeles Declaration (June 2022)."""


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


DOCUMENT_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "passport": N_("Valid passport"),
        "national_id": N_("National identity document"),
        "identity_document": N_("Passport or national identity document"),
        "proof_of_entry": N_("Proof of date of entry (stamp or record)"),
        "proof_of_residence": N_("Proof of where you live"),
        "criminal_record_certificate": N_("Criminal record certificate"),
        "job_offer_contract": N_("Signed job offer or contract"),
        "labour_market_approval": N_(
            "Employer's labour-market approval (e.g. LMIA, labour certification)"
        ),
        "family_relationship_proof": N_(
            "Proof of family relationship (birth or marriage certificate)"
        ),
        "sponsor_status_proof": N_("Proof of your family member's status"),
        "approval_notice": N_("Approval notice of the family petition"),
        "refugee_document": N_("Refugee or asylum document (UNHCR or national)"),
        "vaccination_card": N_("Vaccination card"),
        "education_certificate": N_("Diploma or education certificate"),
        "language_certificate": N_("Language test certificate"),
        "photo": N_("Recent photograph"),
    }
)
"""The documents a pathway may ask for: a code each, and its label (translated where
shown)."""


@dataclass(frozen=True, slots=True)
class ProgrammeRules:
    """Obligations a labour programme adds to the fair-recruitment checks (ER-11,
    ER-18, ER-19, ER-20, ER-23), published with its pathway."""

    pay_times_per_month: int = 1
    hours_guarantee_ratio: Decimal | None = None
    free_housing: bool = False
    labour_market_test: bool = False
    inbound_travel_employer: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "pay_times_per_month": self.pay_times_per_month,
            "hours_guarantee_ratio": None
            if self.hours_guarantee_ratio is None
            else str(self.hours_guarantee_ratio),
            "free_housing": self.free_housing,
            "labour_market_test": self.labour_market_test,
            "inbound_travel_employer": self.inbound_travel_employer,
        }


@dataclass(frozen=True, slots=True)
class MinimumWage:
    """A state's statutory hourly minimum wage (ER-08's legal floor), published
    with the state's catalogue; an offer may state a higher floor of its own."""

    hourly: Decimal
    currency: str
    source_url: str = ""
    note: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "hourly": str(self.hourly),
            "currency": self.currency,
            "source_url": self.source_url,
            "note": self.note,
        }


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
    programme: ProgrammeRules | None = None

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today and (
            self.closes_on is None or today <= self.closes_on
        )

    def clauses_in_force(self, today: date) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.effective_from <= today)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
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
        if self.programme is not None:
            data["programme"] = self.programme.to_json()
        return data


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
        "programme",
    }
)
_PROGRAMME_KEYS = frozenset(ProgrammeRules.__dataclass_fields__)
_MINIMUM_WAGE_KEYS = frozenset({"hourly", "currency", "source_url", "note"})
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
    if not isinstance(documents, list) or not all(
        d in DOCUMENT_LABELS for d in documents
    ):
        raise CatalogueError(f"{where}: documents must be codes of DOCUMENT_LABELS")
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
        programme=_parse_programme(raw.get("programme"), f"{where} programme"),
    )


def _parse_programme(raw: object, where: str) -> ProgrammeRules | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{where}: must be an object")
    unknown = set(raw) - _PROGRAMME_KEYS
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {sorted(unknown)}")
    times = raw.get("pay_times_per_month", 1)
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= 31:
        raise CatalogueError(f"{where}: pay_times_per_month must be 1 to 31")
    ratio = raw.get("hours_guarantee_ratio")
    flags = {}
    for name in ("free_housing", "labour_market_test", "inbound_travel_employer"):
        value = raw.get(name, False)
        if not isinstance(value, bool):
            raise CatalogueError(f"{where}: {name} must be true or false")
        flags[name] = value
    return ProgrammeRules(
        pay_times_per_month=times,
        hours_guarantee_ratio=None
        if ratio is None
        else _decimal(ratio, f"{where} hours_guarantee_ratio", maximum=Decimal(1)),
        **flags,
    )


def parse_minimum_wage(raw: object, where: str) -> MinimumWage | None:
    """A publication's `minimum_wage` (absent: none on record)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{where}: must be an object")
    unknown = set(raw) - _MINIMUM_WAGE_KEYS
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {sorted(unknown)}")
    currency = _str(raw, "currency", where)
    if len(currency) != 3 or not currency.isascii() or not currency.isupper():
        raise CatalogueError(f"{where}: currency must be an ISO 4217 code")
    return MinimumWage(
        hourly=_decimal(raw.get("hourly"), f"{where} hourly"),
        currency=currency,
        source_url=str(raw.get("source_url") or ""),
        note=str(raw.get("note") or ""),
    )


def _parse_clause(raw: object, where: str) -> Clause:
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{where}: a clause must be an object")
    cid = _str(raw, "id", where)
    here = f"{where} clause {cid}"
    unknown = set(raw) - _CLAUSE_KEYS
    if unknown:
        raise CatalogueError(f"{here}: unknown keys {sorted(unknown)}")
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


def _decimal(value: object, where: str, maximum: Decimal | None = None) -> Decimal:
    if not isinstance(value, str):
        raise CatalogueError(f"{where}: expected a decimal number as a string")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CatalogueError(f"{where}: expected a decimal number") from None
    if (
        not number.is_finite()
        or number < 0
        or (maximum is not None and number > maximum)
    ):
        raise CatalogueError(f"{where}: out of range")
    return number


def _date(value: object, where: str) -> date:
    if not isinstance(value, str):
        raise CatalogueError(f"{where}: expected YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CatalogueError(f"{where}: expected YYYY-MM-DD") from None


def canonical_json(value: object) -> bytes:
    """Deterministic bytes for hashing and signing (sorted keys, no whitespace)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def pathway_digest(pathway_json: Mapping[str, object]) -> str:
    return hashlib.sha256(canonical_json(pathway_json)).hexdigest()


@dataclass(frozen=True, slots=True)
class Rejection:
    state: str
    pathway_id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class VerifiedCatalogue:
    """Pathways whose signatures checked out, plus what was rejected and why.
    `minimum_wages` holds each state's published legal floor."""

    pathways: tuple[Pathway, ...]
    versions: Mapping[str, str] = field(default_factory=dict)
    rejected: tuple[Rejection, ...] = ()
    minimum_wages: Mapping[str, MinimumWage] = field(default_factory=dict)

    def by_id(self) -> dict[str, Pathway]:
        return {p.id: p for p in self.pathways}
