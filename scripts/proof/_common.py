"""Shared helpers of the proof scripts: a fresh database and key directory, the
`puente` CLI against them, and a server that can be started and killed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_ROLE = "puente_app"


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(1)


def emit(result: dict[str, Any]) -> None:
    print(json.dumps(result, indent=2, sort_keys=True))


def pg_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def fresh_database(backend: str, work: Path, label: str) -> str:
    """A new empty database; returns its URL."""
    if backend == "sqlite":
        path = work / f"{label}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    name = f"puente_proof_{label}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": PG_ROLE}
        ).first():
            conn.execute(text(f"CREATE ROLE {PG_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER {PG_ROLE}'))
    admin.dispose()
    return f"postgresql+psycopg://{PG_ROLE}@127.0.0.1:5432/{name}"


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        name = url.rsplit("/", 1)[1]
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def environment(url: str, work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PUENTE_DATABASE_URL=url,
        PUENTE_KEY_DIR=str(work / "keys"),
        PUENTE_VAR_DIR=str(work / "var"),
        PUENTE_ENV="dev",
    )
    return env


def puente(env: dict[str, str], *args: str, check: bool = True) -> str:
    done = subprocess.run(
        [str(BIN / "puente"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and done.returncode != 0:
        fail(f"puente {' '.join(args)}: {done.stderr.strip()[-500:]}")
    return done.stdout


def prepared_database(backend: str, work: Path, label: str) -> dict[str, str]:
    """A database migrated and loaded with the demo, with its keys, from a template
    built once per backend under var/proof/template-<backend> (the demo load is
    slow); returns the environment to run Puente against it."""
    template = ROOT / "var" / "proof" / f"template-{backend}"
    ready = template / "ready"
    if not ready.exists():
        template.mkdir(parents=True, exist_ok=True)
        url = fresh_database(backend, template, "template")
        env = environment(url, template)
        puente(env, "db", "upgrade")
        puente(env, "demo", "load")
        ready.write_text(url)
    for folder in ("keys", "var"):
        shutil.rmtree(work / folder, ignore_errors=True)
        if (template / folder).exists():
            shutil.copytree(template / folder, work / folder)
    if backend == "sqlite":
        url = fresh_database(backend, work, label)
        with (
            sqlite3.connect(template / "template.db") as src,
            sqlite3.connect(url.removeprefix("sqlite:///")) as dst,
        ):
            src.backup(dst)
        return environment(url, work)
    name = f"puente_proof_{label}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(
            text(
                f'CREATE DATABASE "{name}" TEMPLATE "puente_proof_template"'
                f" OWNER {PG_ROLE}"
            )
        )
    admin.dispose()
    return environment(f"postgresql+psycopg://{PG_ROLE}@127.0.0.1:5432/{name}", work)


def token(env: dict[str, str], username: str) -> str:
    out = puente(env, "users", "token", username).strip().splitlines()
    return out[-1].strip().split()[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`puente serve` in its own process group, killable with SIGKILL."""

    def __init__(self, env: dict[str, str], work: Path) -> None:
        self.env = env
        self.port = free_port()
        self.log = (work / "server.log").open("ab")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        self.process = subprocess.Popen(
            [str(BIN / "puente"), "serve", "--port", str(self.port)],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/login", timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                fail("the server exited at start; see server.log")
            time.sleep(0.1)
        fail("the server did not start in time")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


def person_payload(marker: str) -> dict[str, Any]:
    return {
        "given_name": f"Prueba {marker}",
        "family_name": "Carga Segura",
        "sex": "F",
        "birth_date": "1991-03-04",
        "nationality": "VEN",
    }


def new_marker() -> str:
    return uuid.uuid4().hex[:10]
