"""`puente exchange ...` (this node: key, peers, queue) and `puente federation
...` (three loopback nodes for a demo or a test: `up`, `token`)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from puente.core import db as core_db
from puente.core.config import get_settings
from puente.core.errors import DomainError
from puente.exchange import service
from puente.exchange.models import Agreement, AgreementSignature
from puente.exchange.rules.terms import canonical_json
from puente.identity import system_actor

exchange_app = typer.Typer(help="Federation: this node's key, peers and queue.")
federation_app = typer.Typer(help="Several nodes on loopback (demo and tests).")
COMMANDS = {"exchange": exchange_app, "federation": federation_app}
console = Console()
err_console = Console(stderr=True)
PUENTE = [sys.executable, "-c", "from puente.cli import app; app()"]


@exchange_app.command("node")
def node_command() -> None:
    """Print this node's state and public key (created once)."""
    identity = service.node_identity()
    print(json.dumps({"state": identity.state, "public_key": identity.public_key_hex}))


@exchange_app.command("add-peer")
def add_peer_command(state: str, base_url: str, public_key: str) -> None:
    """Add (or update) a peer node: its state, base URL and public key."""
    node = service.node_identity().state
    try:
        with core_db.uow(node) as session:
            service.add_peer(
                session,
                actor=system_actor(node),
                state=state,
                base_url=base_url,
                public_key=public_key,
            )
    except (DomainError, ValueError) as exc:
        err_console.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from exc


@exchange_app.command("send")
def send_command() -> None:
    """Run the outbound queue once."""
    node = service.node_identity().state
    with core_db.uow(node) as session:
        sent = service.deliver_due(session, transport=service.HttpTransport())
    print(sent)


@exchange_app.command("install-agreement", hidden=True)
def install_agreement_command(spec: str) -> None:
    """Store agreed terms, every party's signature and the shared secret (JSON)."""
    data: dict[str, Any] = json.loads(spec)
    terms = data["terms"]
    node = service.node_identity().state
    service.install_agreement_secret(
        terms["agreement_id"], base64.b64decode(data["secret"])
    )
    with core_db.uow(node) as session:
        row = Agreement(
            id=uuid.UUID(terms["agreement_id"]),
            tenant_code=node,
            parties=",".join(terms["parties"]),
            purpose=terms["purpose"],
            categories=";".join(terms["categories"]),
            legal_basis=terms["legal_basis"],
            dpia_reference=terms["dpia_reference"],
            retention_days=terms["retention_days"],
            expires_on=dt.date.fromisoformat(terms["expires_on"]),
            terms=canonical_json(terms).decode("utf-8"),
            status="active",
        )
        session.add(row)
        session.flush()
        for state, item in data["signatures"].items():
            session.add(
                AgreementSignature(
                    tenant_code=node,
                    agreement_id=row.id,
                    state=state,
                    public_key=item["public_key"],
                    signature=item["signature"],
                )
            )


@exchange_app.command("sign-terms", hidden=True)
def sign_terms_command(terms: str) -> None:
    """Print this node's signature over canonical terms (JSON)."""
    identity = service.node_identity()
    print(identity.sign(canonical_json(json.loads(terms))))


# --- federation ---------------------------------------------------------------------


def _node_env(root: Path, code: str, port: int | None = None) -> dict[str, str]:
    folder = root / code
    # A child node inherits PATH and the like; only PUENTE_* below differ.
    env = dict(os.environ)  # noqa: TID251 - passed on, not read
    env |= {
        "PUENTE_DATABASE_URL": f"sqlite:///{folder / 'puente.db'}",
        "PUENTE_KEY_DIR": str(folder / "keys"),
        "PUENTE_VAR_DIR": str(folder),
        "PUENTE_NODE_STATE": code,
        "PUENTE_ENV": "dev",
    }
    if port is not None:
        env |= {
            "PUENTE_PORT": str(port),
            "PUENTE_EXCHANGE_SEND_INTERVAL_SECONDS": "0.5",
        }
    return env


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [*PUENTE, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        err_console.print(done.stderr[-2000:], markup=False)
        raise typer.Exit(1)
    return done.stdout.strip()


def _setup(root: Path, codes: list[str], base_port: int) -> None:
    keys: dict[str, str] = {}
    for code in codes:
        (root / code).mkdir(parents=True, exist_ok=True)
        env = _node_env(root, code)
        _run(env, "db", "upgrade")
        _run(env, "demo", "load", "--identity-only")
        keys[code] = json.loads(_run(env, "exchange", "node").splitlines()[-1])[
            "public_key"
        ]
    for i, code in enumerate(codes):
        env = _node_env(root, code)
        for j, other in enumerate(codes):
            if other != code:
                _run(
                    env,
                    "exchange",
                    "add-peer",
                    other,
                    f"http://127.0.0.1:{base_port + j}",
                    keys[other],
                )
        del i
    pair = [c for c in ("COL", "PAN") if c in codes]
    if len(pair) == 2:
        terms = {
            "agreement_id": str(uuid.uuid4()),
            "parties": pair,
            "purpose": "tracing",
            "categories": [
                "linkage_encodings",
                "match_candidates",
                "match_confirmation",
            ],
            "legal_basis": "Bilateral memorandum on family reunification (demo)",
            "dpia_reference": "DPIA-DEMO-TRACING",
            "retention_days": 180,
            "expires_on": (
                dt.datetime.now(dt.UTC).date() + dt.timedelta(days=365)
            ).isoformat(),
        }
        text = canonical_json(terms).decode("utf-8")
        signatures = {
            code: {
                "public_key": keys[code],
                "signature": _run(
                    _node_env(root, code), "exchange", "sign-terms", text
                ).splitlines()[-1],
            }
            for code in pair
        }
        secret = base64.b64encode(os.urandom(32)).decode("ascii")
        spec = json.dumps({"terms": terms, "signatures": signatures, "secret": secret})
        for code in pair:
            _run(_node_env(root, code), "exchange", "install-agreement", spec)
    (root / "nodes.json").write_text(
        json.dumps(
            {
                c: {"port": base_port + i, "public_key": keys[c]}
                for i, c in enumerate(codes)
            }
        ),
        "utf-8",
    )


def _wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise typer.Exit(1)
        try:
            if (
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code
                == 200
            ):
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise typer.Exit(1)


@federation_app.command("up")
def up_command(
    nodes: Annotated[
        str, typer.Option(help="Comma list of node states")
    ] = "COL,PAN,HUB",
    base_port: Annotated[int, typer.Option(help="First node's port")] = 8101,
    root: Annotated[Path | None, typer.Option(help="Folder of the nodes")] = None,
) -> None:
    """Run nodes on loopback (own database, keys and demo users each, peers
    configured, an active COL–PAN tracing agreement) until stopped."""
    codes = [c.strip().upper() for c in nodes.split(",") if c.strip()]
    folder = root or get_settings().var_dir / "federation"
    if not (folder / "nodes.json").exists():
        _setup(folder, codes, base_port)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for i, code in enumerate(codes):
            port = base_port + i
            processes.append(
                subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "puente.app:create_app",
                        "--factory",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--no-access-log",
                    ],
                    env=_node_env(folder, code, port),
                )
            )
        for i, process in enumerate(processes):
            _wait_ready(base_port + i, process, 120)
        for i, code in enumerate(codes):
            print(f"{code} http://127.0.0.1:{base_port + i}", flush=True)
        print("ready", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


@federation_app.command("token")
def token_command(
    node: str,
    username: str,
    root: Annotated[Path | None, typer.Option(help="Folder of the nodes")] = None,
) -> None:
    """Print a bearer token for USERNAME on NODE."""
    folder = root or get_settings().var_dir / "federation"
    print(
        _run(_node_env(folder, node.upper()), "users", "token", username).splitlines()[
            -1
        ]
    )
