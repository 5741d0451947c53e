"""`puente protection`: export a caseworker's cases, decrypt an export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from puente.core import db as core_db
from puente.core.errors import DomainError

protection_app = typer.Typer(help="Protection cases.", no_args_is_help=True)
COMMANDS = {"protection": protection_app}
console = Console()


def _fail(error: DomainError) -> typer.Exit:
    from puente.core.cli import fail

    return fail(error)


@protection_app.command("export")
def export(
    username: Annotated[str, typer.Argument(help="Whose own cases to export")],
    out: Annotated[Path, typer.Option(help="Where to write the file")],
    fmt: Annotated[str, typer.Option("--format", help="csv | xlsx | htcds")] = "csv",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Export USERNAME's own cases, encrypted with a password (audited)."""
    from puente import identity
    from puente.identity import rls_scope
    from puente.protection import service

    try:
        with core_db.uow() as session:
            user = identity.get_user_by_username(session, username)
            actor = identity.actor_for(user)
            core_db.set_tenant_scope(session, rls_scope(actor))
            file = service.export_cases(
                session, actor=actor, fmt=fmt, password=password, encrypt=True
            )
    except DomainError as exc:
        raise _fail(exc) from exc
    out.write_bytes(file.content)
    console.print(f"{file.count} cases written to {out} (encrypted)")


@protection_app.command("decrypt-export")
def decrypt_export(
    file: Annotated[Path, typer.Argument(help="An encrypted export (.pnt)")],
    out: Annotated[Path, typer.Option(help="Where to write the plain file")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)] = "",
) -> None:
    """Decrypt an export made by Puente (PUENTE-EXPORT v1: scrypt + AES-256-GCM)."""
    from puente.protection.service.exports import decrypt_export as decrypt

    try:
        plain = decrypt(file.read_bytes(), password)
    except DomainError as exc:
        raise _fail(exc) from exc
    out.write_bytes(plain)
    console.print(f"decrypted to {out}")
