"""Fuzzy person search at scale on PostgreSQL: indexed blocking keys against the
pg_trgm peer (a trigram GIN index with `similarity()`, run under row-level security
as a deployment meets it and without it as the index was designed) and two full
scans, on the same data and queries in the same run.

    .venv/bin/python benchmarks/people_search.py --json            # 1,000,000 people
    .venv/bin/python benchmarks/people_search.py --people 100000   # quicker
    .venv/bin/python benchmarks/people_search.py --backend sqlite  # embedded path

The peer takes seconds a query at 1,000,000 people, so it answers the first
`--peer-queries` queries; ours answers all of them and is reported on that same
subset too (`side_by_side`), so both figures come from identical queries. The
script exits 1 if the two were not given the same queries. The load average at
the start and end is printed: the machine may be shared. Method: docs/search.md.

Creates the scratch database `puente_bench_people` as the `postgres` superuser,
migrates it, bulk-loads synthetic people with COPY (as the superuser: PostgreSQL
refuses COPY FROM into a table under row-level security), then searches as the
unprivileged app role through `puente.people.search_people`, so row-level
security and the application filter both apply. Queries are corrupted copies of
stored persons (accents stripped, typos, a surname dropped, spelling variants,
year-only or shifted birth dates); recall@10 says how often the true person came
back. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import structlog
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from puente.core.db import make_engine, set_tenant_scope
from puente.core.migrate import upgrade
from puente.identity import Actor, Role
from puente.people import SearchQuery, search_people
from puente.people import repository as repo
from puente.people.rules.matching import jaro_winkler

DB_NAME = "puente_bench_people"
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/"
APP_ROLE = "puente_app"
TENANT = "COL"

GIVEN_F = (
    "María", "Ana", "Carmen", "Rosa", "Luisa", "Daniela", "Andreína", "Yusmary",
    "Mariangel", "Yelitza", "Gabriela", "Valentina", "Camila", "Paola", "Diana",
    "Leidy", "Yesenia", "Luz", "Marina", "Sofía", "Isabel", "Patricia", "Carolina",
    "Alejandra", "Fernanda", "Mayra", "Jessica", "Nancy", "Verónica", "Karla",
    "Marie", "Nadège", "Roseline", "Fabienne", "Mirlande", "Guerline", "Jeanne",
    "Wislande", "Esther", "Judith", "Josefina", "Yolanda", "Beatriz", "Lucía",
    "Adriana", "Milagros", "Dayana", "Yuleisy", "Génesis", "Nathaly",
)  # fmt: skip
GIVEN_M = (
    "José", "Luis", "Jesús", "Carlos", "Juan", "Pedro", "Miguel", "Ángel",
    "Yorman", "Wilmer", "Andrés", "David", "Jhon", "Fabián", "Édgar", "Byron",
    "Darwin", "Segundo", "Wilson", "Kléver", "Jean", "Pierre", "Wilner", "Frantz",
    "Baptiste", "Ricardo", "Emmanuel", "Jacques", "Louis", "Joseph", "Manuel",
    "Francisco", "Antonio", "Alejandro", "Daniel", "Diego", "Javier", "Rafael",
    "Eduardo", "Fernando", "Ramón", "Orlando", "Richard", "Kevin", "Brayan",
    "Yeferson", "Anderson", "Jorge", "Víctor", "Héctor",
)  # fmt: skip
FAMILY = (
    "González", "Rodríguez", "Pérez", "Hernández", "García", "Rojas", "Martínez",
    "Díaz", "Zambrano", "Mendoza", "Gómez", "López", "Muñoz", "Castro", "Ortiz",
    "Cárdenas", "Valencia", "Quispe", "Chávez", "Guamán", "Vera", "Cedeño",
    "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Morales", "Jiménez",
    "Romero", "Álvarez", "Ruiz", "Vargas", "Castillo", "Suárez", "Medina",
    "Guzmán", "Salazar", "Herrera", "Aguilar", "Moreno", "Gutiérrez", "Ríos",
    "Contreras", "Navarro", "Paredes", "Peña", "Carrillo", "Figueroa", "Molina",
    "Delgado", "Campos", "Vásquez", "Reyes", "Cruz", "Blanco", "Marcano",
    "Briceño", "Parra", "Villegas", "Acosta", "Montilla", "Barrios", "Colmenares",
    "Escalona", "Guerrero", "Linares", "Mora", "Núñez", "Ochoa", "Pacheco",
    "Quintero", "Rondón", "Salas", "Tovar", "Uzcátegui", "Yépez", "Zerpa",
    "Joseph", "Jean-Louis", "Pierre", "Charles", "Louis", "Saint-Fleur",
    "Baptiste", "Désir", "Dorvil", "Étienne", "Augustin", "Célestin", "Philogène",
    "Toussaint", "Fils-Aimé", "Jean-Baptiste", "Michel", "François", "Laguerre",
    "Noël", "Alexis", "Exantus", "Brutus", "Petit-Frère", "Valcourt", "Delva",
    "de la Cruz", "del Valle", "de los Santos", "Da Silva", "Dos Santos",
    "Bermúdez", "Cabrera", "Calderón", "Córdoba", "Espinoza", "Fuentes",
    "Galindo", "Ibarra", "Lara", "León", "Luna", "Maldonado", "Mejía", "Miranda",
    "Montoya", "Osorio", "Palacios", "Pineda", "Ponce", "Quiroz", "Rosales",
    "Sandoval", "Serrano", "Solís", "Soto", "Valdez", "Velásquez", "Vega",
    "Villalobos", "Zapata", "Arias", "Benítez", "Bravo", "Cortés", "Durán",
)  # fmt: skip
NATIONALITIES = ("VEN", "VEN", "VEN", "VEN", "VEN", "HTI", "HTI", "ECU", "COL", "PER")
SPELLING = (("y", "i"), ("v", "b"), ("z", "s"), ("ll", "y"), ("j", "g"), ("k", "c"),
            ("h", ""), ("s", "z"), ("i", "y"), ("c", "s"))  # fmt: skip


def _zipf(count: int, exponent: float = 1.05) -> list[float]:
    return [1 / (rank**exponent) for rank in range(1, count + 1)]


@dataclass(frozen=True)
class Generated:
    given: str
    family: str
    sex: str
    year: int
    month: int | None
    day: int | None
    nationality: str


class Population:
    """Seeded synthetic persons (Zipf-weighted names, partial birth dates)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.given_weights = {"F": _zipf(len(GIVEN_F)), "M": _zipf(len(GIVEN_M))}
        self.family_weights = _zipf(len(FAMILY))

    def person(self) -> Generated:
        rng = self.rng
        sex = "F" if rng.random() < 0.5 else "M"
        pool = GIVEN_F if sex == "F" else GIVEN_M
        given = rng.choices(pool, self.given_weights[sex], k=2)
        family = rng.choices(FAMILY, self.family_weights, k=2)
        nationality = rng.choice(NATIONALITIES)
        year = rng.randint(1945, 2024)
        precision = rng.random()
        month = rng.randint(1, 12) if precision > 0.1 else None
        day = rng.randint(1, 28) if precision > 0.2 and month else None
        return Generated(
            given=given[0] if rng.random() < 0.55 else f"{given[0]} {given[1]}",
            family=family[0]
            if nationality == "HTI" or rng.random() < 0.1
            else f"{family[0]} {family[1]}",
            sex=sex,
            year=year,
            month=month,
            day=day,
            nationality=nationality,
        )


def _strip_accents(text_value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text_value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    position = rng.randint(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.4:  # substitution
        return word[:position] + rng.choice("aeiourlnst") + word[position + 1 :]
    if kind < 0.7:  # transposition
        return (
            word[:position] + word[position + 1] + word[position] + word[position + 2 :]
        )
    return word[:position] + word[position + 1 :]  # deletion


def corrupt(rng: random.Random, person: Generated) -> dict[str, Any]:
    given, family = person.given, person.family
    if rng.random() < 0.35:
        given, family = _strip_accents(given), _strip_accents(family)
    if rng.random() < 0.25 and " " in given:
        given = given.split(" ")[0]
    if rng.random() < 0.25 and " " in family and not family.startswith("de"):
        family = family.rsplit(" ", 1)[0]
    if rng.random() < 0.2:
        given = _typo(rng, given)
    if rng.random() < 0.2:
        family = _typo(rng, family)
    if rng.random() < 0.1:
        old, new = rng.choice(SPELLING)
        family = family.replace(old, new, 1)
    birth: str | None
    roll = rng.random()
    if roll < 0.1:
        birth = None
    elif roll < 0.4 or person.month is None:
        birth = str(person.year + (rng.choice((-1, 1)) if rng.random() < 0.1 else 0))
    elif person.day is None:
        birth = f"{person.year}-{person.month:02d}"
    else:
        birth = f"{person.year}-{person.month:02d}-{person.day:02d}"
    return {"given_name": given, "family_name": family, "birth_date": birth}


# --- database ----------------------------------------------------------------------


def create_database() -> str:
    with psycopg.connect(ADMIN_DSN + "postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)
        ).fetchone()
        if not exists:
            conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}" OWNER {APP_ROLE}')
    return database_url()


def database_url() -> str:
    return f"postgresql+psycopg://{APP_ROLE}@127.0.0.1:5432/{DB_NAME}"


def database_exists() -> bool:
    with psycopg.connect(ADMIN_DSN + "postgres", autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)
        ).fetchone()
    return found is not None


def drop_database() -> None:
    with psycopg.connect(ADMIN_DSN + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


PERSON_COLUMNS = (
    "id", "tenant_code", "organisation_id", "owner_id", "given_name", "family_name",
    "given_norm", "family_norm", "sex", "birth_year", "birth_month", "birth_day",
    "birth_precision", "nationality", "other_nationalities", "languages",
    "consent_to_tracing", "has_protection_flag", "version", "created_at", "updated_at",
)  # fmt: skip


def _rows(
    population: Population, count: int, organisation: uuid.UUID, keep: set[int]
) -> Iterator[tuple[tuple[Any, ...], frozenset[str], Generated | None]]:
    now = "2026-11-28 00:00:00+00"
    for index in range(count):
        person = population.person()
        keys = repo.blocking_keys(person.given, person.family)
        precision = "day" if person.day else "month" if person.month else "year"
        row = (
            uuid.UUID(int=population.rng.getrandbits(128), version=4),
            TENANT, organisation, None, person.given, person.family,
            " ".join(repo.canonical_tokens(person.given)),
            " ".join(repo.canonical_tokens(person.family)),
            person.sex, person.year, person.month, person.day, precision,
            person.nationality, "", "es", False, False, 1, now, now,
        )  # fmt: skip
        yield row, keys, person if index in keep else None


def replay(
    count: int, keep: set[int], seed: int
) -> dict[int, tuple[uuid.UUID, Generated]]:
    """The kept samples of a database loaded earlier with the same seed and size
    (`--reuse`): the generator is replayed without writing anything."""
    population = Population(seed)
    kept: dict[int, tuple[uuid.UUID, Generated]] = {}
    for index in range(count):
        person = population.person()
        person_id = uuid.UUID(int=population.rng.getrandbits(128), version=4)
        if index in keep:
            kept[index] = (person_id, person)
    return kept


def loaded_people() -> tuple[int, int]:
    """People and search keys in the kept database."""
    with psycopg.connect(ADMIN_DSN + DB_NAME) as conn:
        people = conn.execute("SELECT count(*) FROM person").fetchone()
        keys = conn.execute("SELECT count(*) FROM person_search_key").fetchone()
    return (people[0] if people else 0), (keys[0] if keys else 0)


def load(
    count: int, organisation: uuid.UUID, keep: set[int], seed: int
) -> tuple[dict[int, tuple[uuid.UUID, Generated]], int]:
    """COPY `count` people and their search keys; returns the kept samples."""
    kept: dict[int, tuple[uuid.UUID, Generated]] = {}
    keys_written = 0
    population = Population(seed)
    with psycopg.connect(ADMIN_DSN + DB_NAME) as conn:
        definitions = [
            row[0]
            for row in conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename IN "
                "('person', 'person_search_key') AND indexname NOT LIKE 'pk_%%'"
            )
        ]
        names = [
            row[0]
            for row in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename IN "
                "('person', 'person_search_key') AND indexname NOT LIKE 'pk_%%'"
            )
        ]
        for name in names:
            conn.execute(f'DROP INDEX "{name}"')
        key_buffer = io.StringIO()
        with conn.cursor() as cursor:
            columns = ", ".join(PERSON_COLUMNS)
            with cursor.copy(f"COPY person ({columns}) FROM STDIN") as copy:
                for index, (row, keys, sample) in enumerate(
                    _rows(population, count, organisation, keep)
                ):
                    copy.write_row(row)
                    person_id = row[0]
                    month = "\\N" if row[10] is None else row[10]
                    day = "\\N" if row[11] is None else row[11]
                    for key in keys:
                        key_buffer.write(
                            f"{person_id}\t{key}\t{TENANT}\t{row[9]}\t{month}\t{day}\n"
                        )
                        keys_written += 1
                    if sample is not None:
                        kept[index] = (person_id, sample)
            key_buffer.seek(0)
            with cursor.copy(
                "COPY person_search_key (person_id, key, tenant_code, birth_year, "
                "birth_month, birth_day) FROM STDIN"
            ) as copy:
                while chunk := key_buffer.read(1 << 20):
                    copy.write(chunk)
        for definition in definitions:
            conn.execute(definition)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE person")
        conn.execute("VACUUM ANALYZE person_search_key")
    return kept, keys_written


# --- measurements ------------------------------------------------------------------


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = min(round(share * (len(ordered) - 1)), len(ordered) - 1)
    return ordered[position]


def _summary(times: list[float], hits: list[bool]) -> dict[str, Any]:
    return {
        "queries": len(times),
        "p50_ms": round(_percentile(times, 0.50) * 1000, 1),
        "p95_ms": round(_percentile(times, 0.95) * 1000, 1),
        "p99_ms": round(_percentile(times, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(times) * 1000, 1) if times else 0.0,
        "max_ms": round(max(times) * 1000, 1) if times else 0.0,
        "recall_at_10": round(sum(hits) / len(hits), 3) if hits else 0.0,
        "_times": times,
        "_hits": hits,
    }


def _public(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if not k.startswith("_")}


def _digest(queries: list[tuple[uuid.UUID, dict[str, Any]]]) -> str:
    text_value = json.dumps([(str(t), q) for t, q in queries], sort_keys=True)
    return hashlib.sha256(text_value.encode()).hexdigest()[:16]


def _timed(run: Callable[[], list[uuid.UUID]], target: uuid.UUID) -> tuple[float, bool]:
    start = time.perf_counter()
    ids = run()
    return time.perf_counter() - start, target in ids[:10]


def bench_indexed(
    engine: Engine, actor: Actor, queries: list[tuple[uuid.UUID, dict[str, Any]]]
) -> dict[str, Any]:
    times: list[float] = []
    hits: list[bool] = []
    with Session(engine) as session:
        set_tenant_scope(session, TENANT)

        def run(query: dict[str, Any]) -> list[uuid.UUID]:
            found = search_people(session, actor=actor, query=SearchQuery(**query))
            return [c.person_id for c in found]

        for _target, query in queries[:5]:  # warm caches and the connection
            run(query)
        for target, query in queries:
            elapsed, hit = _timed(lambda q=query: run(q), target)  # type: ignore[misc]
            times.append(elapsed)
            hits.append(hit)
    return _summary(times, hits)


def bench_ilike(
    engine: Engine, queries: list[tuple[uuid.UUID, dict[str, Any]]]
) -> dict[str, Any]:
    """The naive way: a substring ILIKE on the names as given (a full scan)."""
    times: list[float] = []
    hits: list[bool] = []
    sql = text(
        "SELECT id FROM person WHERE given_name ILIKE :given "
        "AND family_name ILIKE :family LIMIT 10"
    )
    with engine.connect() as conn:
        conn.execute(
            text("SELECT set_config('app.tenant_ids', :t, false)"), {"t": TENANT}
        )
        for target, query in queries:
            given = query["given_name"].split(" ")[0]
            family = query["family_name"].split(" ")[0]
            params = {"given": f"%{given}%", "family": f"%{family}%"}
            elapsed, hit = _timed(
                lambda p=params: list(conn.execute(sql, p).scalars()),  # type: ignore[misc]
                target,
            )
            times.append(elapsed)
            hits.append(hit)
    return _summary(times, hits)


def bench_python_scan(
    engine: Engine, queries: list[tuple[uuid.UUID, dict[str, Any]]]
) -> dict[str, Any]:
    """Fuzzy without an index: Jaro-Winkler against every stored name."""
    with engine.connect() as conn:
        conn.execute(
            text("SELECT set_config('app.tenant_ids', :t, false)"), {"t": TENANT}
        )
        rows = conn.execute(
            text("SELECT id, given_norm, family_norm FROM person")
        ).all()
    times: list[float] = []
    hits: list[bool] = []
    for target, query in queries:
        probe = " ".join(
            repo.canonical_tokens(query["given_name"])
            + repo.canonical_tokens(query["family_name"])
        )

        def run(probe: str = probe) -> list[uuid.UUID]:
            scored = sorted(
                ((jaro_winkler(probe, f"{g} {f}"), pid) for pid, g, f in rows),
                reverse=True,
            )
            return [pid for _score, pid in scored[:10]]

        elapsed, hit = _timed(run, target)
        times.append(elapsed)
        hits.append(hit)
    return _summary(times, hits)


TRGM_NAME = "lower(bench_unaccent(given_name || ' ' || family_name))"
TRGM_SQL = (
    f"SELECT id FROM person WHERE {TRGM_NAME} %% lower(bench_unaccent(%(q)s)) "  # noqa: S608
    f"ORDER BY similarity({TRGM_NAME}, lower(bench_unaccent(%(q)s))) "
    "+ CASE WHEN birth_year = %(y)s THEN 0.1 ELSE 0 END DESC LIMIT 10"
)


def prepare_trgm() -> None:
    """The peer an expert would build in PostgreSQL: a trigram GIN index over the
    lower-cased, unaccented full name, ranked by `similarity()` with the birth year
    as a second key (unaccent wrapped as IMMUTABLE so it can be indexed)."""
    with psycopg.connect(ADMIN_DSN + DB_NAME, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        conn.execute(
            "CREATE OR REPLACE FUNCTION bench_unaccent(text) RETURNS text "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
            "$$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$"
        )
        conn.execute(
            "CREATE INDEX IF NOT EXISTS person_name_trgm ON person "
            f"USING gin ({TRGM_NAME} gin_trgm_ops)"
        )
        conn.execute("ANALYZE person")


def bench_trgm(
    queries: list[tuple[uuid.UUID, dict[str, Any]]], *, under_rls: bool
) -> dict[str, Any]:
    """The pg_trgm peer, as the unprivileged app role under row-level security (what
    a deployment meets: `%` is not leakproof, so the planner may not use the index
    before the policy) or as the table's superuser (the index as designed)."""
    dsn = (
        f"postgresql://{APP_ROLE}@127.0.0.1:5432/{DB_NAME}"
        if under_rls
        else ADMIN_DSN + DB_NAME
    )
    times: list[float] = []
    hits: list[bool] = []
    with psycopg.connect(dsn) as conn:
        conn.execute("SELECT set_config('app.tenant_ids', %s, false)", (TENANT,))

        def params(query: dict[str, Any]) -> dict[str, Any]:
            birth = query.get("birth_date") or ""
            return {
                "q": f"{query['given_name']} {query['family_name']}",
                "y": int(birth[:4]) if birth else None,
            }

        plan = conn.execute(
            "EXPLAIN (FORMAT JSON) " + TRGM_SQL, params(queries[0][1])
        ).fetchone()
        uses_index = "person_name_trgm" in json.dumps(plan)
        for _target, query in queries[:5]:
            conn.execute(TRGM_SQL, params(query)).fetchall()
        for target, query in queries:
            elapsed, hit = _timed(
                lambda p=params(query): [  # type: ignore[misc]
                    row[0] for row in conn.execute(TRGM_SQL, p).fetchall()
                ],
                target,
            )
            times.append(elapsed)
            hits.append(hit)
    return {
        **_summary(times, hits),
        "uses_trigram_index": uses_index,
        "queries_digest": _digest(queries),
    }


def load_sqlite(
    path: Path, count: int, organisation: uuid.UUID, keep: set[int], seed: int
) -> tuple[dict[int, tuple[uuid.UUID, Generated]], int]:
    """Bulk-insert the same people and keys into the embedded SQLite file."""
    kept: dict[int, tuple[uuid.UUID, Generated]] = {}
    keys_written = 0
    population = Population(seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('person', 'person_search_key')"
        )
    ]
    definitions = [
        row[0]
        for row in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('person', 'person_search_key')"
        )
    ]
    for name in names:
        conn.execute(f'DROP INDEX "{name}"')
    columns = ", ".join(PERSON_COLUMNS)
    marks = ", ".join("?" for _ in PERSON_COLUMNS)
    person_sql = f"INSERT INTO person ({columns}) VALUES ({marks})"  # noqa: S608
    key_sql = (
        "INSERT INTO person_search_key (person_id, key, tenant_code, birth_year, "
        "birth_month, birth_day) VALUES (?, ?, ?, ?, ?, ?)"
    )
    people: list[tuple[Any, ...]] = []
    keys: list[tuple[Any, ...]] = []

    def flush() -> None:
        conn.executemany(person_sql, people)
        conn.executemany(key_sql, keys)
        people.clear()
        keys.clear()

    for index, (row, person_keys, sample) in enumerate(
        _rows(population, count, organisation, keep)
    ):
        person_id: uuid.UUID = row[0]
        hex_id = person_id.hex
        people.append((hex_id, row[1], organisation.hex, *row[3:]))
        for key in person_keys:
            keys.append((hex_id, key, TENANT, row[9], row[10], row[11]))
            keys_written += 1
        if sample is not None:
            kept[index] = (person_id, sample)
        if len(people) >= 20_000:
            flush()
    flush()
    for definition in definitions:
        conn.execute(definition)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return kept, keys_written


def _side_by_side(
    ours: dict[str, Any], peers: dict[str, dict[str, Any]], count: int
) -> dict[str, Any]:
    """Every engine on the first `count` queries, figures side by side."""
    rows = {"ours": _summary(ours["_times"][:count], ours["_hits"][:count])}
    rows |= peers
    both = sum(
        a and b
        for a, b in zip(
            ours["_hits"][:count],
            peers[next(iter(peers))]["_hits"] if peers else [],
            strict=False,
        )
    )
    return {
        "queries": count,
        **{
            name: {k: _public(row)[k] for k in ("recall_at_10", "p50_ms", "p95_ms")}
            for name, row in rows.items()
        },
        "found_by_both": both,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--peer-queries", type=int, default=60)
    parser.add_argument("--ilike-queries", type=int, default=20)
    parser.add_argument("--python-scan-queries", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument(
        "--sqlite-path", type=Path, help="keep the SQLite file here (for profiling)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument(
        "--keep",
        action="store_true",
        help=f"keep the PostgreSQL database {DB_NAME} at the end",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="search a database kept by --keep (same --people and --seed) "
        "instead of loading one; implies --keep",
    )
    args = parser.parse_args(argv)
    backend = args.backend or "postgresql"
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING)
    )

    def say(message: str) -> None:
        if not args.json:
            print(message, file=sys.stderr)

    load_before = os.getloadavg()
    rng = random.Random(args.seed + 1)
    keep = set(rng.sample(range(args.people), min(args.queries, args.people)))
    organisation = uuid.uuid4()
    scratch = tempfile.TemporaryDirectory(prefix="puente-people-")
    sqlite_path = args.sqlite_path or Path(scratch.name) / "people.db"
    reuse = args.reuse and backend == "postgresql"
    keep_database = args.keep or reuse
    if reuse and not database_exists():
        print(f"people_search: no database {DB_NAME} to reuse (run with --keep)")
        return 1
    if reuse:
        url = database_url()
    elif backend == "postgresql":
        url = create_database()
    else:
        url = f"sqlite:///{sqlite_path}"
    engine: Engine | None = None
    try:
        load_seconds: float | None = None
        if reuse:
            say(f"reusing {DB_NAME}; replaying the generator for the queries")
            upgrade("heads", url)
            stored, keys = loaded_people()
            if stored != args.people:
                print(
                    f"people_search: {DB_NAME} holds {stored:,} people, "
                    f"not {args.people:,}"
                )
                return 1
            kept = replay(args.people, keep, args.seed)
            # The organisation of the stored persons, so that `visible` admits them.
            with psycopg.connect(ADMIN_DSN + DB_NAME) as admin:
                row = admin.execute(
                    "SELECT organisation_id FROM person LIMIT 1"
                ).fetchone()
            organisation = row[0] if row else organisation
        else:
            say(f"migrating the {backend} database")
            upgrade("heads", url)
            say(f"loading {args.people:,} people")
            started = time.perf_counter()
            kept, keys = (
                load(args.people, organisation, keep, args.seed)
                if backend == "postgresql"
                else load_sqlite(
                    sqlite_path, args.people, organisation, keep, args.seed
                )
            )
            load_seconds = round(time.perf_counter() - started, 1)
        queries = [
            (person_id, corrupt(rng, person))
            for _index, (person_id, person) in sorted(kept.items())
        ]
        engine = make_engine(url)
        actor = Actor(
            uuid.uuid4(), "bench", TENANT, organisation, frozenset({Role.SUPERVISOR})
        )
        say("indexed search (blocking keys + Jaro-Winkler scoring)")
        indexed = bench_indexed(engine, actor, queries)
        result: dict[str, Any] = {
            "benchmark": "people_search",
            "backend": backend,
            "people": args.people,
            "search_keys": keys,
            "load_seconds": load_seconds,
            "goal_p95_ms": 100,
            "queries_digest": _digest(queries),
            "indexed_blocking": _public(indexed),
        }
        if backend == "postgresql" and args.peer_queries > 0:
            peer_queries = queries[: args.peer_queries]
            say(f"pg_trgm peer on the first {len(peer_queries)} of the same queries")
            prepare_trgm()
            peers = {
                "pg_trgm_under_rls": bench_trgm(peer_queries, under_rls=True),
                "pg_trgm_without_rls": bench_trgm(peer_queries, under_rls=False),
            }
            if any(
                p["queries_digest"] != _digest(peer_queries) for p in peers.values()
            ):
                print("people_search: engines were given different queries")
                return 1
            side = _side_by_side(indexed, peers, len(peer_queries))
            say("naive ILIKE full scan")
            ilike = bench_ilike(engine, queries[: args.ilike_queries])
            say("naive Python Jaro-Winkler full scan")
            python_scan = bench_python_scan(engine, queries[: args.python_scan_queries])
            with engine.connect() as conn:
                size = conn.execute(
                    text(
                        "SELECT pg_size_pretty("
                        "pg_total_relation_size('person_search_key'))"
                    )
                ).scalar_one()
            result |= {
                "search_key_table_size": size,
                "side_by_side": side,
                "recall_at_least_peer": side["ours"]["recall_at_10"]
                >= max(p["recall_at_10"] for p in peers.values()),
                **{f"{name}_peer": _public(p) for name, p in peers.items()},
                "ilike_full_scan": _public(ilike),
                "python_jaro_winkler_full_scan": _public(python_scan),
            }
        result["load_average"] = {
            "start": [round(x, 1) for x in load_before],
            "end": [round(x, 1) for x in os.getloadavg()],
        }
        print(json.dumps(result, indent=None if args.json else 2))
    finally:
        if engine is not None:
            engine.dispose()
        if backend == "postgresql" and not keep_database:
            drop_database()
        scratch.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
