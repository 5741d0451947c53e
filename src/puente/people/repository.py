"""Queries and storage helpers of the people module: blocking keys, candidate
retrieval for search, blind indexes and field encryption.

Search reads `person_search_key` through its covering probe index in bounded
ranges (`plan_probes`), ranks the hits in the database and joins at most
`MAX_CANDIDATES` persons, in one round trip; it never scans the person table.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from itertools import combinations
from typing import Any, cast

from sqlalchemy import Float, Row, Select, Uuid, column, delete, select, text
from sqlalchemy.orm import Session

from puente.core.crypto import (
    decrypt_for_person,
    encrypt_for_person,
    get_keyring,
    get_person_keys,
)
from puente.identity import Actor, visible
from puente.people.models import IdentityDocument, Person, PersonSearchKey
from puente.people.rules.birth_dates import PartialDate
from puente.people.rules.matching import normalise_document_number
from puente.people.rules.names import canonical_token, name_tokens, phonetic_key

# Persons scored in full per search, chosen by the pre-rank (shared key weight
# plus birth-date agreement) that the database computes from the probe index.
# At 1,000,000 people the true person was among the best 60 pre-ranked in 189
# of the 191 searches where it was among the best 150, and scoring fewer
# look-alikes ranked it in the first ten as often (docs/search.md).
MAX_CANDIDATES = 60
KEY_LENGTH = 64
# Rows read per probe, so that a common key (González, María) costs a bounded
# number of index entries: per birth year, per exact date, or in all when the
# query has no birth date.
YEAR_CAP = 500
# Years further from the query's are read less deeply: most true matches share
# the year, and the long tail of a common key is what costs milliseconds.
YEAR_CAP_BY_OFFSET = {0: YEAR_CAP, 1: 300, 2: 100}
# A weak key (one surname, one given name, an initial with a surname) is read
# in the query's own birth year only, and not deeply: for a common name its
# range is thousands of people a year, of which a capped read keeps an arbitrary
# slice (index order is by birth month), so reading more costs time and finds
# no more true matches; for a rare name it is short and read whole.
WEAK_YEAR_CAP = 100
DATE_CAP = 200
UNDATED_CAP = 1000
UNDATED_WEAK_CAP = 300
# Years around the query's birth year that are probed: a year-only or month-only
# date is often estimated ("about 2010"), a full date rarely off by more than one.
PARTIAL_YEAR_WINDOW = 2
FULL_YEAR_WINDOW = 1

# Evidence one shared key gives in the pre-rank, by kind. A phonetic key holds
# letters and digits only, so ":" and "|" cannot collide between kinds; the two
# kinds of 0004 ("given|family" and "|family") keep their format.
PAIR_WEIGHT = 4.0  # first given name with one surname
SURNAMES_WEIGHT = 3.0  # "ff:" two surnames, sorted
INITIAL_WEIGHT = 1.5  # "i:" initial of the first given name with one surname
FAMILY_WEIGHT = 1.0  # "|" one surname
GIVEN_WEIGHT = 1.0  # "g:" one of the first two given names
INITIALS_WEIGHT = 0.5  # "in:" both initials, probed on the exact date only
_INITIALS = "in:"


@lru_cache(maxsize=65536)
def canonical(token: str) -> str:
    """`names.canonical_token`, memoised: names repeat, regexes are not free."""
    return canonical_token(token)


@lru_cache(maxsize=65536)
def phonetic(token: str) -> str:
    return phonetic_key(token)


def canonical_tokens(name: str) -> tuple[str, ...]:
    return tuple(canonical(token) for token in name_tokens(name))


@lru_cache(maxsize=65536)
def weighted_keys(given_name: str, family_name: str) -> dict[str, float]:
    """Blocking keys of a name with the pre-rank weight of each.

    Several kinds, so that one typo or one dropped name leaves the true person
    reachable: given|family pairs (as `names.NormalisedName.blocking_keys`), the
    two surnames together, the first initial with each surname (typos rarely hit
    the first letter), each surname and each of the first two given names alone
    (probed only near the birth year), and both initials (exact date only).
    """
    given = [
        key for key in (phonetic(canonical(t)) for t in name_tokens(given_name)) if key
    ]
    family = [
        key for key in (phonetic(canonical(t)) for t in name_tokens(family_name)) if key
    ]
    keys: dict[str, float] = {}

    def put(key: str, weight: float) -> None:
        key = key[:KEY_LENGTH]
        keys[key] = max(weight, keys.get(key, 0.0))

    first = given[0] if given else ""
    for key in family:
        put(f"{first}|{key}", PAIR_WEIGHT if first else FAMILY_WEIGHT)
        put(f"|{key}", FAMILY_WEIGHT)
        if first:
            put(f"i:{first[0]}|{key}", INITIAL_WEIGHT)
            put(f"{_INITIALS}{first[0]}{key[0]}", INITIALS_WEIGHT)
    for one, two in combinations(sorted(set(family)), 2):
        put(f"ff:{one}|{two}", SURNAMES_WEIGHT)
    for key in given[:2]:
        put(f"g:{key}", GIVEN_WEIGHT)
    return keys


def blocking_keys(given_name: str, family_name: str) -> frozenset[str]:
    """Keys stored for a person (see `weighted_keys`)."""
    return frozenset(weighted_keys(given_name, family_name))


class ProbeKind(StrEnum):
    YEAR = "year"  # stored birth year equal to the probe's
    DATE = "date"  # same year and month, and day when the query has one
    ANY = "any"  # the query has no birth date
    UNKNOWN_YEAR = "unknown"  # stored without a birth year


@dataclass(frozen=True, slots=True)
class Probe:
    """One bounded index range read by search."""

    kind: ProbeKind
    key: str
    weight: float
    cap: int
    year: int | None = None
    month: int | None = None
    day: int | None = None


def probe_weights(splits: Iterable[tuple[str, str]]) -> dict[str, float]:
    """Keys for each (given, family) reading of the query, in both orders, so a
    registration with given and family names swapped is still found."""
    weights: dict[str, float] = {}
    for given, family in splits:
        for first, second in ((given, family), (family, given)):
            for key, weight in weighted_keys(first, second).items():
                weights[key] = max(weight, weights.get(key, 0.0))
    return weights


def plan_probes(
    splits: Iterable[tuple[str, str]], birth: PartialDate | None
) -> list[Probe]:
    """The index reads of one search, most selective kinds first."""
    probes: list[Probe] = []
    weights = sorted(probe_weights(splits).items(), key=lambda item: -item[1])
    for key, weight in weights:
        strong = weight >= SURNAMES_WEIGHT
        initials = key.startswith(_INITIALS)
        if birth is None:
            if not initials:
                cap = UNDATED_CAP if strong else UNDATED_WEAK_CAP
                probes.append(Probe(ProbeKind.ANY, key, weight, cap))
            continue
        if birth.month is not None:
            probes.append(
                Probe(
                    ProbeKind.DATE,
                    key,
                    weight,
                    DATE_CAP,
                    birth.year,
                    birth.month,
                    birth.day,
                )
            )
        if initials:
            continue
        if not strong:
            probes.append(Probe(ProbeKind.YEAR, key, weight, WEAK_YEAR_CAP, birth.year))
            continue
        window = PARTIAL_YEAR_WINDOW if birth.day is None else FULL_YEAR_WINDOW
        for offset in sorted(range(-window, window + 1), key=abs):
            probes.append(
                Probe(
                    ProbeKind.YEAR,
                    key,
                    weight,
                    YEAR_CAP_BY_OFFSET.get(abs(offset), YEAR_CAP),
                    birth.year + offset,
                )
            )
        probes.append(Probe(ProbeKind.UNKNOWN_YEAR, key, weight, DATE_CAP))
    return probes


def date_agreement(
    query: PartialDate | None,
    year: int | None,
    month: int | None,
    day: int | None,
) -> float:
    """Pre-rank points for a stored birth date against the query's.

    Mirrors `_DATE_AGREEMENT_SQL`; a cheap stand-in for `compare_birth_dates`,
    used only to choose which candidates are scored in full.
    """
    if query is None or year is None:
        return 0.0
    distance = abs(year - query.year)
    if distance:
        return {1: 0.5, 2: 0.0}.get(distance, -5.0)
    points = 2.0
    if query.month is not None and month is not None:
        if month != query.month:
            return points - 1.0
        points += 1.0
        if query.day is not None and day is not None:
            points += 1.0 if day == query.day else -1.0
    return points


_DATE_AGREEMENT_SQL = """
CASE
  WHEN CAST(:year AS integer) IS NULL OR y IS NULL THEN 0.0
  WHEN y = :year THEN 2.0
    + CASE WHEN CAST(:month AS integer) IS NULL OR m IS NULL THEN 0.0
           WHEN m = :month THEN 1.0 ELSE -1.0 END
    + CASE WHEN CAST(:day AS integer) IS NULL OR d IS NULL OR m <> :month
                OR CAST(:month AS integer) IS NULL THEN 0.0
           WHEN d = :day THEN 1.0 ELSE -1.0 END
  WHEN abs(y - :year) = 1 THEN 0.5
  WHEN abs(y - :year) = 2 THEN 0.0
  ELSE -5.0
END"""


def _lateral(kind: ProbeKind, condition: str) -> str:
    # Built once at import from constants below; every value is a bound parameter.
    return f"""
  SELECT p.key, p.weight, k.person_id, k.birth_year, k.birth_month, k.birth_day
  FROM probe AS p CROSS JOIN LATERAL (
    SELECT k.person_id, k.birth_year, k.birth_month, k.birth_day
    FROM person_search_key AS k
    WHERE k.tenant_code = :tenant AND k.key = p.key {condition}
    ORDER BY k.birth_year, k.birth_month, k.birth_day, k.person_id
    LIMIT p.cap
  ) AS k
  WHERE p.kind = '{kind.value}'"""  # noqa: S608


# One round trip: every probe is a bounded read of the covering index (an
# index-only scan), hits are summed per person with the date agreement, and only
# the best MAX_CANDIDATES person ids leave this subquery to be joined to `person`.
_HITS_SQL = f"""
WITH probe AS (
  SELECT * FROM unnest(
    CAST(:kinds AS text[]), CAST(:keys AS text[]), CAST(:weights AS float8[]),
    CAST(:caps AS integer[]), CAST(:years AS integer[]),
    CAST(:months AS integer[]), CAST(:days AS integer[])
  ) AS p(kind, key, weight, cap, year, month, day)
), hit AS ({
    " UNION ALL ".join(
        _lateral(kind, condition)
        for kind, condition in (
            (ProbeKind.YEAR, "AND k.birth_year = p.year"),
            (
                ProbeKind.DATE,
                "AND k.birth_year = p.year AND k.birth_month = p.month "
                "AND (p.day IS NULL OR k.birth_day = p.day)",
            ),
            (ProbeKind.ANY, ""),
            (ProbeKind.UNKNOWN_YEAR, "AND k.birth_year IS NULL"),
        )
    )
}
), per_key AS (
  SELECT person_id, max(weight) AS weight, max(birth_year) AS y,
         max(birth_month) AS m, max(birth_day) AS d
  FROM hit GROUP BY person_id, key
), per_person AS (
  SELECT person_id, sum(weight) AS weight, max(y) AS y, max(m) AS m, max(d) AS d
  FROM per_key GROUP BY person_id
)
SELECT person_id, weight + {_DATE_AGREEMENT_SQL} AS prerank
FROM per_person ORDER BY prerank DESC, person_id LIMIT :limit
"""  # noqa: S608 (constants only; every value is a bound parameter)


def search_candidates(
    session: Session,
    actor: Actor,
    probes: Sequence[Probe],
    birth: PartialDate | None,
    *,
    only_tracing_consent: bool,
) -> list[Row[Any]]:
    """The visible persons most worth scoring, best pre-rank first, with the
    columns scoring needs (`SEARCH_COLUMNS` plus `prerank`)."""
    if not probes:
        return []
    if session.get_bind().dialect.name != "postgresql":
        return _search_candidates_portable(
            session, actor, probes, birth, only_tracing_consent=only_tracing_consent
        )
    hits = (
        text(_HITS_SQL)
        .bindparams(
            tenant=actor.tenant_code,
            kinds=[p.kind.value for p in probes],
            keys=[p.key for p in probes],
            weights=[p.weight for p in probes],
            caps=[p.cap for p in probes],
            years=[p.year for p in probes],
            months=[p.month for p in probes],
            days=[p.day for p in probes],
            year=birth.year if birth else None,
            month=birth.month if birth else None,
            day=birth.day if birth else None,
            limit=MAX_CANDIDATES,
        )
        .columns(column("person_id", Uuid), column("prerank", Float))
        .subquery("hits")
    )
    stmt = cast(
        "Select[Any]",
        select(*SEARCH_COLUMNS, hits.c.prerank).join(
            hits, hits.c.person_id == Person.id
        ),
    )
    stmt = visible(actor, stmt, Person, "person:read")
    if only_tracing_consent:
        stmt = stmt.where(Person.consent_to_tracing.is_(True))
    return list(session.execute(stmt.order_by(hits.c.prerank.desc(), Person.id)))


# One probe of `_search_candidates_portable`; `{n}` numbers its bound parameters.
_PORTABLE_PROBE = """SELECT * FROM (
  SELECT {n} AS n, person_id, birth_year, birth_month, birth_day
  FROM person_search_key
  WHERE tenant_code = :tenant AND key = :k{n} {condition}
  ORDER BY birth_year, birth_month, birth_day, person_id LIMIT :c{n}) AS p{n}"""
# Probes per statement, below SQLite's limit of 500 terms in a compound SELECT.
_PORTABLE_CHUNK = 400
_PORTABLE_CONDITIONS = {
    ProbeKind.YEAR: "AND birth_year = :y{n}",
    ProbeKind.DATE: "AND birth_year = :y{n} AND birth_month = :m{n}",
    ProbeKind.ANY: "",
    ProbeKind.UNKNOWN_YEAR: "AND birth_year IS NULL",
}


def _search_candidates_portable(
    session: Session,
    actor: Actor,
    probes: Sequence[Probe],
    birth: PartialDate | None,
    *,
    only_tracing_consent: bool,
) -> list[Row[Any]]:
    """The same selection for SQLite: every probe a bounded read of the probe
    index, all in one statement (a UNION ALL of limited subqueries, since SQLite
    has no LATERAL join), summed and pre-ranked here."""
    # Person ids stay the stored hex text until the best are chosen: ordering by
    # hex is ordering by `str(uuid)`, and parsing every hit would cost more.
    per_key: dict[tuple[str, str], float] = {}
    dates: dict[str, tuple[int | None, int | None, int | None]] = {}
    parts: list[str] = []
    params: dict[str, Any] = {"tenant": actor.tenant_code}
    for n, probe in enumerate(probes):
        params |= {f"k{n}": probe.key, f"c{n}": probe.cap}
        condition = _PORTABLE_CONDITIONS[probe.kind]
        if probe.kind is ProbeKind.DATE and probe.day is not None:
            condition += " AND birth_day = :d{n}"
        params |= {f"y{n}": probe.year, f"m{n}": probe.month, f"d{n}": probe.day}
        parts.append(_PORTABLE_PROBE.format(n=n, condition=condition.format(n=n)))
    for start in range(0, len(parts), _PORTABLE_CHUNK):
        statement = text(" UNION ALL ".join(parts[start : start + _PORTABLE_CHUNK]))
        for n, person_id, year, month, day in session.execute(statement, params):
            probe = probes[n]
            # SQLite returns the stored hex text, PostgreSQL a UUID.
            slot = (str(person_id).replace("-", "").lower(), probe.key)
            per_key[slot] = max(probe.weight, per_key.get(slot, 0.0))
            dates[slot[0]] = (year, month, day)
    totals: dict[str, float] = {}
    for (person_id, _key), weight in per_key.items():
        totals[person_id] = totals.get(person_id, 0.0) + weight
    prerank = {
        person_id: total + date_agreement(birth, *dates[person_id])
        for person_id, total in totals.items()
    }
    best = sorted(prerank, key=lambda pid: (-prerank[pid], pid))[:MAX_CANDIDATES]
    rows = fetch_candidates(
        session,
        actor,
        [uuid.UUID(hex=pid) for pid in best],
        only_tracing_consent=only_tracing_consent,
    )
    return sorted(rows, key=lambda row: (-prerank[row.id.hex], row.id.hex))


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
                birth_month=person.birth_month,
                birth_day=person.birth_day,
            )
        )


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
    *,
    tenant: str,
    table: str,
    column: str,
    row_id: uuid.UUID,
    person_id: uuid.UUID,
    value: str,
) -> bytes:
    """Encrypt a value of a person's row with that person's data key (ADR 0010)."""
    return encrypt_for_person(
        get_person_keys(),
        tenant=tenant,
        person_id=person_id,
        table=table,
        column=column,
        row_id=str(row_id),
        value=value,
    )


def unseal(
    *,
    tenant: str,
    table: str,
    column: str,
    row_id: uuid.UUID,
    blob: bytes,
) -> str:
    """Decrypt; raises PersonKeyDestroyed once the person was erased."""
    return decrypt_for_person(
        get_person_keys(),
        tenant=tenant,
        table=table,
        column=column,
        row_id=str(row_id),
        blob=blob,
    )
