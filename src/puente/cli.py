"""The `puente` command: Typer root. Each module mounts its own sub-app here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from puente.commitments.cli import commitments_app
from puente.coordination.cli import coordination_app
from puente.core import db as core_db
from puente.core.cli import fail
from puente.core.config import get_settings
from puente.core.errors import DomainError
from puente.early_warning import cli as early_warning_cli
from puente.enforcement.cli import enforcement_app
from puente.exchange import cli as exchange_cli
from puente.financing.cli import financing_app
from puente.pathways import cli as pathways_cli
from puente.people import cli as people_cli
from puente.protection import cli as protection_cli

app = typer.Typer(
    help="Puente: protection, pathways, early warning.", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True)

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
users_app = typer.Typer(help="Users and API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")


@app.callback()
def main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log progress")
    ] = False,
) -> None:
    """Puente: protection, pathways, early warning."""
    import logging

    from puente.core.logging import configure_logging

    configure_logging(
        json=get_settings().log_json, level=logging.INFO if verbose else logging.WARNING
    )


# Longer than any client keeps an idle connection (see `serve`).
KEEP_ALIVE_SECONDS = 75


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    reload: Annotated[bool, typer.Option(help="Reload on code change")] = False,
) -> None:
    """Serve the web app and the JSON API."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "puente.app:serving_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        reload=reload,
        proxy_headers=False,
        # Idle keep-alive connections stay open longer than clients keep them
        # (httpx and browsers: 5 s or more): when both sides time out together a
        # client can send on a connection the server is closing, and the request
        # fails without an answer (the load proof saw it as ReadError).
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        # Our own access log (app.py `_log_access`) masks query values; uvicorn's
        # would write names and document numbers from search URLs.
        access_log=False,
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = "heads") -> None:
    """Apply migrations up to REVISION (default: head)."""
    from puente.core.migrate import upgrade

    upgrade(revision)
    console.print(f"database at {revision}")
    if revision == "heads":
        # A restored backup may hold persons erased since it was taken: the key
        # store (outside the database) says who; erase them here again (ADR 0010).
        from puente.core import db as core_db
        from puente.people.service import replay_erasures

        with core_db.uow() as session:
            replayed = replay_erasures(session)
        if replayed:
            console.print(f"{replayed} erasures replayed from the key store")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION."""
    from puente.core.migrate import downgrade

    downgrade(revision)
    console.print(f"database at {revision}")


@db_app.command("check")
def db_check() -> None:
    """Fail when the models and the migrations disagree (alembic check)."""
    from puente.core.migrate import check

    check()
    console.print("models and migrations agree")


@demo_app.command("load")
def demo_load(
    identity_only: Annotated[
        bool, typer.Option(help="Only tenants, organisations and users (fast)")
    ] = False,
) -> None:
    """Load the demo tenants, organisations, users and module data (idempotent)."""
    from puente.demo import load_demo, load_identity

    if identity_only:
        with core_db.uow() as session:
            orgs, users = load_identity(session)
        console.print(f"identity: {orgs} organisations and {users} users added")
        return
    try:
        summary = load_demo(console)
    except DomainError as exc:
        raise fail(exc) from exc
    for line in summary:
        console.print(line)


@demo_app.command("federation-node", hidden=True)
def demo_federation_node(
    terms: Annotated[str, typer.Option(help="Agreement terms to sign (JSON)")] = "",
) -> None:
    """One loopback node of `puente federation up`: migrate, demo users, key;
    prints the public key and its signature over TERMS."""
    from puente.core.migrate import upgrade
    from puente.demo import load_federation_node
    from puente.exchange import service as exchange_service

    upgrade()
    with core_db.uow() as session:
        load_federation_node(session)
    node = exchange_service.node_identity()
    signature = node.sign(exchange_service.canonical_terms(terms)) if terms else ""
    print(json.dumps({"public_key": node.public_key_hex, "signature": signature}))


@users_app.command("create")
def users_create(
    username: str,
    tenant: Annotated[str, typer.Option(help="Tenant code, e.g. COL or HUB")],
    role: Annotated[list[str], typer.Option(help="Role (repeatable)")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ],
    organisation: Annotated[str | None, typer.Option(help="Organisation slug")] = None,
) -> None:
    """Create a user."""
    from sqlalchemy import select

    from puente.identity import Organisation, service, system_actor

    try:
        with core_db.uow() as session:
            org_id = None
            if organisation:
                org = session.scalars(
                    select(Organisation).where(
                        Organisation.tenant_code == tenant.upper(),
                        Organisation.slug == organisation,
                    )
                ).one_or_none()
                if org is None:
                    err_console.print(f"error: no organisation {organisation!r}")
                    raise typer.Exit(2)
                org_id = org.id
            user = service.create_user(
                session,
                actor=system_actor(),
                username=username,
                password=password,
                tenant_code=tenant.upper(),
                roles=role,
                organisation_id=org_id,
            )
            console.print(f"created user {user.username} ({user.id})")
    except DomainError as exc:
        raise fail(exc) from exc


@users_app.command("token")
def users_token(username: str) -> None:
    """Print a new bearer API token for USERNAME (shown once; only its hash is kept)."""
    from puente.identity import service, system_actor

    try:
        with core_db.uow() as session:
            token = service.issue_token(
                session, actor=system_actor(), username=username
            )
    except DomainError as exc:
        raise fail(exc) from exc
    print(token)


@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkpoint",
            help="An exported checkpoint file the chain must still reach (repeatable)",
        ),
    ] = None,
) -> None:
    """Check the keyed audit chain, its head and every signed checkpoint; exit 1
    naming the first bad event."""
    from puente.core import audit
    from puente.core.i18n import gettext

    try:
        anchors = [audit.read_checkpoint_file(path) for path in checkpoint or []]
        with core_db.uow() as session:
            report = audit.verify_chain(session, anchors=anchors)
    except DomainError as exc:
        raise fail(exc) from exc
    if report.ok:
        print(
            gettext(
                "audit chain ok: %(count)s events, %(checkpoints)s signed "
                "checkpoints verified (newest at event %(newest)s)",
                count=report.count,
                checkpoints=report.checkpoints_checked,
                newest=report.last_checkpoint_id or "-",
            )
        )
        return
    print(
        gettext(
            "audit chain broken at event %(event)s: %(reason)s",
            event=report.first_bad_id,
            reason=gettext(report.reason),
        )
    )
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    export: Annotated[
        Path | None,
        typer.Option("--export", help="Also write the signed checkpoint to FILE"),
    ] = None,
) -> None:
    """Sign a checkpoint at the newest audit event (Ed25519; key outside the DB)."""
    from puente.core import audit
    from puente.core.i18n import gettext

    try:
        with core_db.uow() as session:
            made = audit.checkpoint(session)
    except DomainError as exc:
        raise fail(exc) from exc
    if made is None:
        print(gettext("The audit log is empty: nothing to sign."))
        raise typer.Exit(1)
    if export is not None:
        document = audit.export_checkpoint(made, audit.get_audit_keys().public_key)
        export.write_text(document, encoding="utf-8")
    print(
        gettext(
            "audit checkpoint signed at event %(event)s (key %(key)s)",
            event=made.last_id,
            key=made.key_id,
        )
    )


# Each module's Typer sub-apps, imported by name so that mypy and import-linter see
# every edge. A new module with a `cli.py` adds its line here.
for commands in (
    people_cli.COMMANDS,
    protection_cli.COMMANDS,
    pathways_cli.COMMANDS,
    early_warning_cli.COMMANDS,
    {"financing": financing_app},
    {"coordination": coordination_app},
    {"enforcement": enforcement_app},
    {"commitments": commitments_app},
    exchange_cli.COMMANDS,
):
    for name, sub_app in commands.items():
        app.add_typer(sub_app, name=name)
