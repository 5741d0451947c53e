"""Agreement terms: purposes, data categories, canonical JSON and the status an
agreement has from its signatures, revocation and expiry."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Purpose(StrEnum):
    TRACING = "tracing"
    DUPLICATE_CHECK = "duplicate_check"
    STATISTICS = "statistics"
    ALERTS = "alerts"
    REFERRALS = "referrals"
    RETURNS = "returns"


class Category(StrEnum):
    """What an envelope's body may hold. None is a name, a birth date or a
    document number: those never cross."""

    LINKAGE_ENCODINGS = "linkage_encodings"
    MATCH_CANDIDATES = "match_candidates"
    MATCH_CONFIRMATION = "match_confirmation"
    AGGREGATES = "aggregates"
    ALERTS = "alerts"
    CONSENT_REVOCATION = "consent_revocation"
    # Reception and reintegration fields of a return case under an opaque
    # reference: never a name, a claim or a screening.
    RETURN_CASE = "return_case"


# Sensitive categories never leave a node, whatever an agreement says (DESIGN.md).
SENSITIVE_CATEGORIES = frozenset(
    {
        "sexual_orientation_gender_identity",
        "gender_based_violence",
        "trafficking",
        "health",
        "asylum_claim",
    }
)


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


# Each purpose's categories: an agreement may name only these.
PURPOSE_CATEGORIES: dict[Purpose, frozenset[Category]] = {
    Purpose.TRACING: frozenset(
        {
            Category.LINKAGE_ENCODINGS,
            Category.MATCH_CANDIDATES,
            Category.MATCH_CONFIRMATION,
            Category.CONSENT_REVOCATION,
        }
    ),
    Purpose.DUPLICATE_CHECK: frozenset(
        {
            Category.LINKAGE_ENCODINGS,
            Category.MATCH_CANDIDATES,
            Category.CONSENT_REVOCATION,
        }
    ),
    Purpose.STATISTICS: frozenset({Category.AGGREGATES}),
    Purpose.ALERTS: frozenset({Category.ALERTS}),
    Purpose.REFERRALS: frozenset(
        {Category.MATCH_CONFIRMATION, Category.CONSENT_REVOCATION}
    ),
    Purpose.RETURNS: frozenset({Category.RETURN_CASE}),
}


class TermsInvalid(ValueError):
    """The terms cannot form an agreement (the message names the field)."""


@dataclass(frozen=True)
class Terms:
    """What every party signs: the same bytes on every node."""

    agreement_id: str
    parties: tuple[str, ...]
    purpose: Purpose
    categories: tuple[Category, ...]
    legal_basis: str
    dpia_reference: str
    retention_days: int
    expires_on: dt.date

    def as_dict(self) -> dict[str, Any]:
        return {
            "agreement_id": self.agreement_id,
            "parties": sorted(self.parties),
            "purpose": self.purpose.value,
            "categories": sorted(c.value for c in self.categories),
            "legal_basis": self.legal_basis,
            "dpia_reference": self.dpia_reference,
            "retention_days": self.retention_days,
            "expires_on": self.expires_on.isoformat(),
        }


def canonical_json(value: Mapping[str, Any] | list[Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes every signature covers."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def make_terms(
    *,
    agreement_id: str,
    parties: Iterable[str],
    purpose: str,
    categories: Iterable[str],
    legal_basis: str,
    dpia_reference: str,
    retention_days: int,
    expires_on: dt.date,
    today: dt.date,
) -> Terms:
    """Validate draft terms; raises `TermsInvalid` naming the field."""
    states = tuple(sorted({p.strip().upper() for p in parties if p.strip()}))
    if len(states) < 2 or any(len(s) != 3 or not s.isalpha() for s in states):
        raise TermsInvalid("parties")
    try:
        chosen = Purpose(purpose)
    except ValueError as exc:
        raise TermsInvalid("purpose") from exc
    names = {c.strip() for c in categories if c.strip()}
    if not names or names & SENSITIVE_CATEGORIES:
        raise TermsInvalid("categories")
    try:
        kinds = tuple(sorted(Category(n) for n in names))
    except ValueError as exc:
        raise TermsInvalid("categories") from exc
    if not set(kinds) <= PURPOSE_CATEGORIES[chosen]:
        raise TermsInvalid("categories")
    if not legal_basis.strip():
        raise TermsInvalid("legal_basis")
    if not dpia_reference.strip():
        raise TermsInvalid("dpia_reference")
    if not 1 <= retention_days <= 3650:
        raise TermsInvalid("retention_days")
    if expires_on <= today:
        raise TermsInvalid("expires_on")
    return Terms(
        agreement_id=agreement_id,
        parties=states,
        purpose=chosen,
        categories=kinds,
        legal_basis=legal_basis.strip(),
        dpia_reference=dpia_reference.strip(),
        retention_days=retention_days,
        expires_on=expires_on,
    )


def agreement_status(
    *,
    parties: Iterable[str],
    signed_by: Iterable[str],
    is_revoked: bool,
    expires_on: dt.date,
    today: dt.date,
) -> AgreementStatus:
    """Revoked beats expired beats active; active only once every party signed."""
    if is_revoked:
        return AgreementStatus.REVOKED
    if today >= expires_on:
        return AgreementStatus.EXPIRED
    if set(parties) <= set(signed_by):
        return AgreementStatus.ACTIVE
    return AgreementStatus.DRAFT
