"""Queries and storage helpers of the people module: blocking keys, candidate
retrieval for search, blind indexes and field encryption.

Search reads `person_search_key` through its (tenant_code, key, birth_year) index
and then at most `MAX_CANDIDATES` persons; it never scans the person table.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Row, Select, delete, func, or_, select
from sqlalchemy.orm import Session

from puente.core.crypto import decrypt_field, encrypt_field, get_keyring
from puente.identity import Actor, visible
from puente.people.models import IdentityDocument, Person, PersonSearchKey
from puente.people.rules.matching import normalise_document_number
from puente.people.rules.names import canonical_token, name_tokens, phonetic_key

MAX_CANDIDATES = 300
# Below this many candidates from given|family keys, family-only keys are tried.
FEW_CANDIDATES = 25
KEY_LENGTH = 64


@lru_cache(maxsize=65536)
def canonical(token: str) -> str:
    """`names.canonical_token`, memoised: names repeat, regexes are not free."""
    return canonical_token(token)


@lru_cache(maxsize=65536)
def phonetic(token: str) -> str:
    return phonetic_key(token)


def canonical_tokens(name: str) -> tuple[str, ...]:
    return tuple(canonical(token) for token in name_tokens(name))


def blocking_keys(given_name: str, family_name: str) -> frozenset[str]:
    """Keys stored for a person: first given key with each family key, and each
    family key alone (as `names.NormalisedName.blocking_keys`, memoised)."""
    given = [phonetic(canonical(t)) for t in name_tokens(given_name)]
    family = [phonetic(canonical(t)) for t in name_tokens(family_name)]
    first = given[0] if given else ""
    keys = {f"{first}|{key}" for key in family if key}
    keys |= {f"|{key}" for key in family if key}
    return frozenset(key[:KEY_LENGTH] for key in keys)


@dataclass(frozen=True)
class ProbeKeys:
    """Keys a search asks for: given|family pairs (selective) and family alone."""

    pairs: frozenset[str]
    families: frozenset[str]


def probe_keys(splits: Iterable[tuple[str, str]]) -> ProbeKeys:
    """Keys for each (given, family) reading of the query, in both orders, so a
    registration with given and family names swapped is still found."""
    pairs: set[str] = set()
    families: set[str] = set()
    for given, family in splits:
        for first, second in ((given, family), (family, given)):
            for key in blocking_keys(first, second):
                (families if key.startswith("|") else pairs).add(key)
    return ProbeKeys(frozenset(pairs), frozenset(families))


def replace_search_keys(session: Session, person: Person) -> None:
    session.execute(
        delete(PersonSearchKey).where(PersonSearchKey.person_id == person.id)
    )
    add_search_keys(session, person)


def add_search_keys(session: Session, person: Person) -> None:
    for key in blocking_keys(person.given_name, person.family_name):
        session.add(
            PersonSearchKey(
                person_id=person.id,
                key=key,
                tenant_code=person.tenant_code,
                birth_year=person.birth_year,
            )
        )


def candidate_ids(
    session: Session,
    actor: Actor,
    keys: ProbeKeys,
    year: int | None,
) -> list[uuid.UUID]:
    """Person ids sharing a blocking key with the probe, nearest birth year first."""
    found: list[uuid.UUID] = []
    if keys.pairs:
        found = _ids_for(session, actor, keys.pairs, year, window=None)
    if len(found) < FEW_CANDIDATES and keys.families:
        # Family keys alone are common (García): bound them by the birth year.
        more = _ids_for(session, actor, keys.families, year, window=2)
        seen = set(found)
        found += [pid for pid in more if pid not in seen]
    return found[:MAX_CANDIDATES]


def _ids_for(
    session: Session,
    actor: Actor,
    keys: frozenset[str],
    year: int | None,
    *,
    window: int | None,
) -> list[uuid.UUID]:
    stmt = select(PersonSearchKey.person_id).where(
        PersonSearchKey.key.in_(sorted(keys))
    )
    stmt = visible(actor, stmt, PersonSearchKey, "person:read")
    if year is not None:
        distance = func.abs(func.coalesce(PersonSearchKey.birth_year, year) - year)
        if window is not None:
            stmt = stmt.where(
                or_(
                    PersonSearchKey.birth_year.is_(None),
                    PersonSearchKey.birth_year.between(year - window, year + window),
                )
            )
        stmt = stmt.order_by(distance)
    stmt = stmt.limit(MAX_CANDIDATES * 2)
    ids: list[uuid.UUID] = []
    seen: set[uuid.UUID] = set()
    for person_id in session.scalars(stmt):
        if person_id not in seen:
            seen.add(person_id)
            ids.append(person_id)
    return ids


SEARCH_COLUMNS = (
    Person.id,
    Person.given_name,
    Person.family_name,
    Person.given_norm,
    Person.family_norm,
    Person.sex,
    Person.birth_year,
    Person.birth_month,
    Person.birth_day,
    Person.nationality,
    Person.other_nationalities,
)


def fetch_candidates(
    session: Session,
    actor: Actor,
    ids: Sequence[uuid.UUID],
    *,
    only_tracing_consent: bool,
) -> list[Row[Any]]:
    if not ids:
        return []
    # visible() is typed for one-entity selects; this one has columns.
    stmt = cast("Select[Any]", select(*SEARCH_COLUMNS).where(Person.id.in_(list(ids))))
    stmt = visible(actor, stmt, Person, "person:read")
    if only_tracing_consent:
        stmt = stmt.where(Person.consent_to_tracing.is_(True))
    return list(session.execute(stmt).all())


def document_index(tenant_code: str, number: str) -> str:
    """HMAC blind index of a document number: exact search without plaintext.

    Keyed per tenant (derived from the tenant key) and truncated to 64 bits so
    equal numbers match while the index alone reveals little.
    """
    kek = get_keyring().key_for(tenant_code)
    index_key = hmac.new(kek, b"puente:blind-index:identity_document", "sha256")
    digest = hmac.new(
        index_key.digest(),
        normalise_document_number(number).encode("utf-8"),
        hashlib.sha256,
    )
    return digest.hexdigest()[:16]


def ids_with_document(session: Session, actor: Actor, number: str) -> list[uuid.UUID]:
    if not normalise_document_number(number):
        return []
    stmt = select(IdentityDocument.person_id).where(
        IdentityDocument.number_index == document_index(actor.tenant_code, number)
    )
    stmt = visible(actor, stmt, IdentityDocument, "person:read")
    return list(dict.fromkeys(session.scalars(stmt.limit(MAX_CANDIDATES))))


def seal(
    *, tenant: str, table: str, column: str, row_id: uuid.UUID, value: str
) -> bytes:
    return encrypt_field(
        get_keyring(),
        tenant=tenant,
        table=table,
        column=column,
        row_id=str(row_id),
        value=value,
    )


def unseal(
    *, tenant: str, table: str, column: str, row_id: uuid.UUID, blob: bytes
) -> str:
    return decrypt_field(
        get_keyring(),
        tenant=tenant,
        table=table,
        column=column,
        row_id=str(row_id),
        blob=blob,
    )
