"""Crash safety: kill -9 the server during acknowledged writes, N cycles.

Each cycle starts `puente serve`, lets writers register people over the JSON API,
kills the server's process group with SIGKILL at a random moment, and goes again.
Afterwards every write that was acknowledged (201 with an id) must be in the
database, the database must pass its integrity check (SQLite `PRAGMA
integrity_check`; PostgreSQL `amcheck` over every B-tree index and heap) and
`puente audit verify` must pass. Prints JSON; exits 1 on any loss or damage.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

import httpx
from _common import (
    BIN,
    PG_ADMIN_URL,
    ROOT,
    Server,
    drop_database,
    emit,
    new_marker,
    person_payload,
    pg_available,
    prepared_database,
    token,
)
from sqlalchemy import Uuid, bindparam, create_engine, text

WRITERS = 4


def _writer(
    base: str, bearer: str, stop: threading.Event, acked: list[str], errors: list[int]
) -> None:
    headers = {"Authorization": f"Bearer {bearer}"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        while not stop.is_set():
            try:
                response = client.post(
                    "/api/v1/people", json=person_payload(new_marker())
                )
            except httpx.HTTPError:
                continue  # the server is down: not acknowledged
            if response.status_code == 201:
                acked.append(response.json()["id"])
            else:
                errors.append(response.status_code)


def _missing(url: str, acked: list[str]) -> int:
    engine = create_engine(url)
    found: set[str] = set()
    with engine.begin() as conn:
        if url.startswith("postgresql"):
            conn.execute(text("SELECT set_config('app.tenant_ids', '*', true)"))
        for start in range(0, len(acked), 500):
            chunk = [uuid.UUID(item) for item in acked[start : start + 500]]
            stmt = text("SELECT id FROM person WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True, type_=Uuid())
            )
            for (pid,) in conn.execute(stmt, {"ids": chunk}):
                found.add(str(uuid.UUID(str(pid))))
    engine.dispose()
    return len(set(acked) - found)


def _integrity(url: str) -> tuple[str, int]:
    if url.startswith("sqlite"):
        engine = create_engine(url)
        with engine.connect() as conn:
            rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
        engine.dispose()
        return "PRAGMA integrity_check", 0 if rows == ["ok"] else len(rows)
    name = url.rsplit("/", 1)[1]
    engine = create_engine(
        PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", isolation_level="AUTOCOMMIT"
    )
    problems = 0
    with engine.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
        indexes = conn.execute(
            text(
                "SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n"
                " ON n.oid = c.relnamespace WHERE a.amname = 'btree'"
                " AND n.nspname = 'public'"
            )
        ).all()
        for (oid,) in indexes:
            conn.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
        tables = conn.execute(
            text(
                "SELECT c.oid FROM pg_class c JOIN pg_namespace n"
                " ON n.oid = c.relnamespace WHERE c.relkind = 'r'"
                " AND n.nspname = 'public'"
            )
        ).all()
        for (oid,) in tables:
            problems += len(
                conn.execute(
                    text("SELECT * FROM verify_heapam(:oid)"), {"oid": oid}
                ).all()
            )
    engine.dispose()
    return "amcheck bt_index_check + verify_heapam", problems


def run(backend: str, cycles: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    work = ROOT / "var" / "proof" / f"crash-{backend}"
    work.mkdir(parents=True, exist_ok=True)
    print(f"{backend}: database with the demo", file=sys.stderr, flush=True)
    env = prepared_database(backend, work, "crash")
    url = env["PUENTE_DATABASE_URL"]
    bearer = token(env, "caseworker.col")
    server = Server(env, work)
    acked: list[str] = []
    errors: list[int] = []
    started = time.monotonic()
    for cycle in range(cycles):
        print(f"{backend} cycle {cycle + 1}/{cycles}", file=sys.stderr, flush=True)
        server.start()
        stop = threading.Event()
        threads = [
            threading.Thread(
                target=_writer, args=(server.base, bearer, stop, acked, errors)
            )
            for _ in range(WRITERS)
        ]
        before = len(acked)
        for thread in threads:
            thread.start()
        # Kill while writes are being acknowledged: wait for the first of this
        # cycle (at most 20 s), then a random moment later.
        waited = time.monotonic() + 20
        while len(acked) == before and time.monotonic() < waited:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.05, 1.0))
        server.kill()
        stop.set()
        for thread in threads:
            thread.join()
    elapsed = time.monotonic() - started
    missing = _missing(url, acked)
    check, problems = _integrity(url)
    verify = subprocess.run(
        [str(BIN / "puente"), "audit", "verify"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    code = verify.returncode
    drop_database(url)
    return {
        "backend": backend,
        "cycles": cycles,
        "acknowledged_writes": len(acked),
        "lost_acknowledged_writes": missing,
        "non_201_responses": len(errors),
        "integrity_check": check,
        "integrity_problems": problems,
        "audit_verify_exit": code,
        "audit_verify_ok": code == 0,
        "audit_verify_says": (verify.stdout + verify.stderr).strip()[-200:],
        "seconds": round(elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=50)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    backends = (
        [args.backend]
        if args.backend and args.backend != "both"
        else ["sqlite", "postgresql"]
    )
    results = []
    for backend in backends:
        if backend == "postgresql" and not pg_available():
            results.append({"backend": backend, "skipped": "no PostgreSQL"})
            continue
        results.append(run(backend, args.cycles, args.seed))
    emit({"crash": results})
    bad = [
        r
        for r in results
        if "skipped" not in r
        and (
            r["lost_acknowledged_writes"]
            or r["integrity_problems"]
            or not r["audit_verify_ok"]
        )
    ]
    if bad:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
