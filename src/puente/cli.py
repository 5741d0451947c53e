"""The `puente` command: Typer root. Each module mounts its own sub-app here."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer
from rich.console import Console

from puente.core import db as core_db
from puente.core.config import get_settings
from puente.core.errors import DomainError

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

EXIT_CODES = {404: 4, 403: 3, 401: 3, 409: 5, 422: 2}


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


def fail(error: DomainError) -> typer.Exit:
    from puente.app import status_for

    err_console.print(f"[red]error:[/red] {error}")
    return typer.Exit(EXIT_CODES.get(status_for(error), 1))


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
        "puente.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        reload=reload,
        proxy_headers=False,
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = "heads") -> None:
    """Apply migrations up to REVISION (default: head)."""
    from puente.core.migrate import upgrade

    upgrade(revision)
    console.print(f"database at {revision}")


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
def demo_load() -> None:
    """Load the demo tenants, organisations, users and module data (idempotent)."""
    from puente.demo import load_demo

    try:
        summary = load_demo(console)
    except DomainError as exc:
        raise fail(exc) from exc
    for line in summary:
        console.print(line)


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
def audit_verify() -> None:
    """Check the whole audit hash chain; exit 1 naming the first bad event."""
    from puente.core.audit import verify_chain

    with core_db.uow() as session:
        report = verify_chain(session)
    if report.ok:
        print(f"audit chain ok: {report.count} events")
        return
    print(f"audit chain broken at event {report.first_bad_id}: {report.reason}")
    raise typer.Exit(1)


def _mount_modules() -> None:
    for module in (
        "people",
        "protection",
        "pathways",
        "early_warning",
        "exchange",
    ):
        try:
            mod = importlib.import_module(f"puente.{module}.cli")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"puente.{module}", f"puente.{module}.cli"):
                raise
            continue
        for name, sub in getattr(mod, "COMMANDS", {}).items():
            app.add_typer(sub, name=name)


_mount_modules()


def _mount_sharing() -> None:
    from puente.commitments.cli import commitments_app
    from puente.coordination.cli import coordination_app
    from puente.financing.cli import financing_app

    app.add_typer(financing_app, name="financing")
    app.add_typer(coordination_app, name="coordination")
    app.add_typer(commitments_app, name="commitments")


_mount_sharing()
