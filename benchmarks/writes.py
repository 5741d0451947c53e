"""Write throughput over real HTTP: the embedded SQLite node beside PostgreSQL, the
same app, the same clients, in the same run.

    .venv/bin/python benchmarks/writes.py --json                 # 50 clients, 10 s each
    .venv/bin/python benchmarks/writes.py --clients 20 --seconds 5

Each backend gets a fresh database (a SQLite file; the scratch PostgreSQL database
`puente_bench_writes`, owned by the unprivileged app role, dropped at the end), the
demo identity, one case per client and one shared case. uvicorn serves the app on
loopback in this process. Two phases per backend:

- `own`: every client PATCHes its own case as fast as it can (no conflicts): the
  write throughput the node sustains, with latency percentiles.
- `shared`: every client edits the one shared case with `expected_version`,
  re-reading on 409: conflicting writers; no update may be lost.

Answers are checked, not assumed: per backend, successful PATCHes must equal both
the version increments and the `protection:case:update` audit rows, the audit chain
must verify, and no response may be a 5xx. The script exits 1 when any check fails
or the two backends disagree on a check.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import structlog
import uvicorn
from sqlalchemy import func, select

DB_NAME = "puente_bench_writes"
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/"
APP_ROLE = "puente_app"


@dataclass
class Phase:
    ok: int = 0
    conflicts: int = 0
    busy: int = 0
    server_errors: int = 0
    other: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies) or [0.0]

        def pct(p: float) -> float:
            return round(1000 * lat[min(len(lat) - 1, int(p * len(lat)))], 1)

        return {
            "writes_ok": self.ok,
            "writes_per_second": round(self.ok / self.seconds, 1)
            if self.seconds
            else 0,
            "conflicts_409": self.conflicts,
            "busy_503": self.busy,
            "server_errors_5xx": self.server_errors,
            "other": self.other,
            "latency_ms": {
                "p50": pct(0.5),
                "p95": pct(0.95),
                "p99": pct(0.99),
                "mean": round(1000 * statistics.fmean(lat), 1),
            },
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _create_pg() -> str:
    with psycopg.connect(ADMIN_DSN + "postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)
        ).fetchone()
        if not exists:
            conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}" OWNER {APP_ROLE}')
    return f"postgresql+psycopg://{APP_ROLE}@127.0.0.1:5432/{DB_NAME}"


def _drop_pg() -> None:
    with psycopg.connect(ADMIN_DSN + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


@contextmanager
def _node(url: str, root: Path, clients: int) -> Iterator[tuple[str, str, list[str]]]:
    """Serve a fresh node; yields (base URL, bearer token, case ids: one per
    client, then the shared one)."""
    from puente.app import create_app
    from puente.core import db as core_db
    from puente.core.config import get_settings
    from puente.core.migrate import upgrade
    from puente.demo import load_identity
    from puente.identity import service as identity_service
    from puente.identity import system_actor
    from puente.identity.models import User
    from puente.people import PersonCreate, register_person
    from puente.protection import service as protection_service

    os.environ["PUENTE_DATABASE_URL"] = url  # noqa: TID251 - the benchmark's node
    os.environ["PUENTE_VAR_DIR"] = str(root / "var")  # noqa: TID251
    os.environ["PUENTE_KEY_DIR"] = str(root / "keys")  # noqa: TID251
    get_settings.cache_clear()
    core_db.dispose_engines()
    upgrade("heads", url)
    with core_db.uow() as session:
        load_identity(session)
    cases: list[str] = []
    with core_db.uow() as session:
        user = session.scalars(
            select(User).where(User.username == "caseworker.col")
        ).one()
        actor = identity_service.actor_for(user)
        for i in range(clients + 1):
            data = PersonCreate.model_validate(
                {
                    "given_name": "Bench",
                    "family_name": f"Writer {i}",
                    "sex": "F",
                    "birth_date": "1990-04-02",
                    "nationality": "VEN",
                }
            )
            person = register_person(session, actor=actor, data=data)
            case = protection_service.open_case(
                session, actor=actor, person_id=person.id
            )
            cases.append(str(case.id))
        token = identity_service.issue_token(
            session, actor=system_actor(), username="caseworker.col"
        )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", token, cases
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        core_db.dispose_engines()


def _run(
    base: str, token: str, case_for: list[str], seconds: float, *, shared: bool
) -> Phase:
    phase = Phase()
    lock = threading.Lock()
    barrier = threading.Barrier(len(case_for) + 1)
    stop = threading.Event()

    def client(case_id: str) -> None:
        try:
            _client(case_id)
        except Exception:
            barrier.abort()
            raise

    def _read(http: httpx.Client, url: str) -> int:
        for _attempt in range(100):
            response = http.get(url)
            if response.status_code == 200:
                return int(response.json()["version"])
            with lock:
                if response.status_code >= 500 and response.status_code != 503:
                    phase.server_errors += 1
            time.sleep(float(response.headers.get("Retry-After", "1")))
        raise RuntimeError(f"no answer for {url}")

    def _client(case_id: str) -> None:
        url = f"{base}/api/v1/protection/cases/{case_id}"
        with httpx.Client(
            headers={"Authorization": f"Bearer {token}"}, timeout=120
        ) as http:
            version = _read(http, url)
            barrier.wait()
            while not stop.is_set():
                started = time.perf_counter()
                response = http.patch(
                    url, json={"expected_version": version, "summary": "bench"}
                )
                elapsed = time.perf_counter() - started
                status = response.status_code
                with lock:
                    phase.latencies.append(elapsed)
                    if status == 200:
                        phase.ok += 1
                    elif status == 409:
                        phase.conflicts += 1
                    elif status == 503:
                        phase.busy += 1
                    elif status >= 500:
                        phase.server_errors += 1
                    else:
                        phase.other += 1
                if status == 200:
                    version = int(response.json()["version"])
                elif status == 409 or shared:
                    version = _read(http, url)
                if status == 503:
                    time.sleep(float(response.headers.get("Retry-After", "1")))

    threads = [threading.Thread(target=client, args=(c,)) for c in case_for]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    return phase


def _check(url: str, cases: list[str], own: Phase, shared: Phase) -> dict[str, Any]:
    from puente.core import audit
    from puente.core import db as core_db
    from puente.protection.models import Case

    engine = core_db.make_engine(url)
    with core_db.uow(engine=engine) as session:
        versions = {
            str(c.id): c.version
            for c in session.scalars(
                select(Case).where(Case.id.in_([uuid.UUID(c) for c in cases]))
            )
        }
        audited = session.scalar(
            select(func.count(audit.AuditEvent.id)).where(
                audit.AuditEvent.action == "protection:case:update"
            )
        )
        chain_ok = audit.verify_chain(session).ok
    engine.dispose()
    increments = sum(v - 1 for v in versions.values())
    successes = own.ok + shared.ok
    return {
        "successes_equal_version_increments": successes == increments,
        "successes_equal_audit_rows": successes == audited,
        "audit_chain_ok": chain_ok,
        "no_5xx": own.server_errors == 0 and shared.server_errors == 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL)
    )
    result: dict[str, Any] = {
        "clients": args.clients,
        "seconds_per_phase": args.seconds,
        "backends": {},
    }
    backends = ["sqlite"] + ([] if args.no_postgres else ["postgresql"])
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            root = Path(tmp) / backend
            url = (
                f"sqlite:///{root / 'node.db'}" if backend == "sqlite" else _create_pg()
            )
            try:
                with _node(url, root, args.clients) as (base, token, cases):
                    own = _run(base, token, cases[:-1], args.seconds, shared=False)
                    shared = _run(
                        base,
                        token,
                        [cases[-1]] * args.clients,
                        args.seconds,
                        shared=True,
                    )
                checks = _check(url, cases, own, shared)
            finally:
                if backend == "postgresql":
                    _drop_pg()
            result["backends"][backend] = {
                "own_case": own.summary(),
                "shared_case": shared.summary(),
                "checks": checks,
            }
    print(json.dumps(result, indent=None if args.json else 2))
    failed = [
        f"{backend}: {name}"
        for backend, data in result["backends"].items()
        for name, ok in data["checks"].items()
        if not ok
    ]
    if failed:
        print("CHECKS FAILED: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
