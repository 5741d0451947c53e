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
from puente.core.config import child_environment, get_settings
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
def show_node_command() -> None:
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
    sent = service.deliver_due_in_turns(
        lambda: core_db.uow(node), transport=service.HttpTransport()
    )
    print(sent)


@exchange_app.command("share-statistics")
def share_statistics_command(
    months: Annotated[int, typer.Option(help="Months to share, newest last")] = 12,
) -> None:
    """Queue this state's monthly counts by nationality (cells under five
    suppressed) toward each peer under a statistics agreement."""
    node = service.node_identity().state
    with core_db.uow(node) as session:
        rows = service.share_monthly_counts(
            session, actor=system_actor(node), months=months
        )
        print(
            json.dumps([{"recipient": r.recipient, "status": r.status} for r in rows])
        )


@exchange_app.command("configure-node", hidden=True)
def configure_node_command(spec: str) -> None:
    """Peers, and agreed terms with every party's signature and the shared
    secret (JSON), in one unit of work: for `puente federation up`."""
    data: dict[str, Any] = json.loads(spec)
    node = service.node_identity().state
    with core_db.uow(node) as session:
        for peer in data["peers"]:
            service.add_peer(
                session,
                actor=system_actor(node),
                state=peer["state"],
                base_url=peer["base_url"],
                public_key=peer["public_key"],
            )
        agreement = data.get("agreement")
        if not agreement or node not in agreement["terms"]["parties"]:
            return
        terms = agreement["terms"]
        service.install_agreement_secret(
            terms["agreement_id"], base64.b64decode(agreement["secret"])
        )
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
        for state, item in agreement["signatures"].items():
            session.add(
                AgreementSignature(
                    tenant_code=node,
                    agreement_id=row.id,
                    state=state,
                    public_key=item["public_key"],
                    signature=item["signature"],
                )
            )


# --- federation ---------------------------------------------------------------------


def node_env(root: Path, code: str, port: int | None = None) -> dict[str, str]:
    folder = root / code
    # A child node inherits PATH and the like; only PUENTE_* below differ.
    env = child_environment(
        {
            "PUENTE_DATABASE_URL": f"sqlite:///{folder / 'puente.db'}",
            "PUENTE_KEY_DIR": str(folder / "keys"),
            "PUENTE_VAR_DIR": str(folder),
            "PUENTE_NODE_STATE": code,
            "PUENTE_ENV": "dev",
        }
    )
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


def _run_all(jobs: dict[str, tuple[dict[str, str], list[str]]]) -> dict[str, str]:
    """Run one command per node at once; their last output lines by node."""
    running = {
        code: subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [*PUENTE, *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for code, (env, args) in jobs.items()
    }
    out: dict[str, str] = {}
    for code, process in running.items():
        stdout, stderr = process.communicate()
        if process.returncode != 0:
            err_console.print(f"{code}: {stderr[-2000:]}", markup=False)
            raise typer.Exit(1)
        out[code] = stdout.strip().splitlines()[-1] if stdout.strip() else ""
    return out


def _setup(
    root: Path, codes: list[str], base_port: int, *, with_agreement: bool
) -> None:
    pair = [c for c in ("COL", "PAN") if c in codes] if with_agreement else []
    terms = {
        "agreement_id": str(uuid.uuid4()),
        "parties": pair,
        "purpose": "tracing",
        "categories": [
            "consent_revocation",
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
    for code in codes:
        (root / code).mkdir(parents=True, exist_ok=True)
    made = _run_all(
        {
            code: (
                node_env(root, code),
                ["demo", "federation-node", "--terms", text if code in pair else ""],
            )
            for code in codes
        }
    )
    nodes = {code: json.loads(line) for code, line in made.items()}
    agreement = None
    if len(pair) == 2:
        agreement = {
            "terms": terms,
            "signatures": {
                code: {
                    "public_key": nodes[code]["public_key"],
                    "signature": nodes[code]["signature"],
                }
                for code in pair
            },
            "secret": base64.b64encode(os.urandom(32)).decode("ascii"),
        }
    specs = {
        code: json.dumps(
            {
                "peers": [
                    {
                        "state": other,
                        "base_url": f"http://127.0.0.1:{base_port + j}",
                        "public_key": nodes[other]["public_key"],
                    }
                    for j, other in enumerate(codes)
                    if other != code
                ],
                "agreement": agreement,
            }
        )
        for code in codes
    }
    _run_all(
        {
            code: (node_env(root, code), ["exchange", "configure-node", specs[code]])
            for code in codes
        }
    )
    (root / "nodes.json").write_text(
        json.dumps(
            {
                code: {
                    "port": base_port + i,
                    "public_key": nodes[code]["public_key"],
                    "agreement_id": terms["agreement_id"] if code in pair else None,
                }
                for i, code in enumerate(codes)
            }
        ),
        "utf-8",
    )


def node_command(port: int) -> list[str]:
    """The command that serves one loopback node."""
    return [
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
    ]


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
    agreement: Annotated[
        bool, typer.Option(help="Start with an active COL–PAN tracing agreement")
    ] = True,
) -> None:
    """Run nodes on loopback (own database, keys and demo users each, peers
    configured, an active COL–PAN tracing agreement unless --no-agreement)
    until stopped."""
    codes = [c.strip().upper() for c in nodes.split(",") if c.strip()]
    folder = root or get_settings().var_dir / "federation"
    if not (folder / "nodes.json").exists():
        _setup(folder, codes, base_port, with_agreement=agreement)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for i, code in enumerate(codes):
            port = base_port + i
            processes.append(
                subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                    node_command(port),
                    env=node_env(folder, code, port),
                )
            )
        for i, process in enumerate(processes):
            _wait_ready(base_port + i, process, 900)
        (folder / "pids.json").write_text(
            json.dumps({code: p.pid for code, p in zip(codes, processes, strict=True)}),
            "utf-8",
        )
        for i, code in enumerate(codes):
            print(f"{code} http://127.0.0.1:{base_port + i}", flush=True)
        print("ready", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        # One node may be stopped and started again (a peer that is down): run
        # until stopped, or until every node has gone.
        while any(p.poll() is None for p in processes):
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
        _run(node_env(folder, node.upper()), "users", "token", username).splitlines()[
            -1
        ]
    )
