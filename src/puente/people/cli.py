"""`puente people find-duplicates`: the registry-wide duplicate job."""

from __future__ import annotations

from typing import Annotated

import typer

from puente.core import db as core_db
from puente.core.cli import fail
from puente.core.errors import DomainError
from puente.identity import system_actor

people_app = typer.Typer(help="People: registry-wide jobs.", no_args_is_help=True)
COMMANDS = {"people": people_app}


@people_app.command("find-duplicates")
def find_duplicates_command(
    tenant: Annotated[str, typer.Option(help="Tenant code, e.g. COL")],
    retrain: Annotated[
        bool, typer.Option(help="Train the tenant's model again first")
    ] = False,
) -> None:
    """Look for duplicates among all persons of TENANT; queue likely pairs."""
    from puente.people.duplicates.service import find_duplicates

    try:
        with core_db.uow(tenant.upper()) as session:
            result = find_duplicates(
                session, actor=system_actor(tenant.upper()), retrain=retrain
            )
    except DomainError as exc:
        raise fail(exc) from exc
    print(
        f"{result.persons} persons, {result.pairs_compared} pairs compared, "
        f"{result.candidates_new} new possible duplicates"
        + (" (model trained)" if result.model_trained else "")
    )
