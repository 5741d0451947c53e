"""`puente people find-duplicates`: the registry-wide duplicate job."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from puente.core import db as core_db
from puente.core.errors import DomainError
from puente.identity import system_actor

people_app = typer.Typer(help="People: registry-wide jobs.", no_args_is_help=True)
COMMANDS = {"people": people_app}
err_console = Console(stderr=True)
EXIT_CODES = {404: 4, 403: 3, 401: 3, 409: 5, 422: 2}


@people_app.command("find-duplicates")
def find_duplicates_command(
    tenant: Annotated[str, typer.Option(help="Tenant code, e.g. COL")],
    retrain: Annotated[
        bool, typer.Option(help="Train the tenant's model again first")
    ] = False,
) -> None:
    """Look for duplicates among all persons of TENANT; queue likely pairs."""
    from puente.app import status_for
    from puente.people.duplicates.service import find_duplicates

    try:
        with core_db.uow(tenant.upper()) as session:
            result = find_duplicates(
                session, actor=system_actor(tenant.upper()), retrain=retrain
            )
    except DomainError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_CODES.get(status_for(exc), 1)) from exc
    print(
        f"{result.persons} persons, {result.pairs_compared} pairs compared, "
        f"{result.candidates_new} new possible duplicates"
        + (" (model trained)" if result.model_trained else "")
    )
