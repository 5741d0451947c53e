"""`puente people find-duplicates` (the registry-wide duplicate job) and
`puente linkage evaluate` (the linkage engine scored on labelled files with
people's name rules)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from puente.core import db as core_db
from puente.core.cli import fail
from puente.core.errors import DomainError
from puente.identity import system_actor
from puente.linkage import Mode, evaluate_files
from puente.people.rules.linkage import linkage_name_rules

people_app = typer.Typer(help="People: registry-wide jobs.", no_args_is_help=True)
linkage_app = typer.Typer(
    help="Record linkage: evaluate on labelled files.", no_args_is_help=True
)
COMMANDS = {"people": people_app, "linkage": linkage_app}
err_console = Console(stderr=True)


@people_app.command("find-duplicates")
def find_duplicates_command(
    tenant: Annotated[str, typer.Option(help="Tenant code, e.g. COL")],
    retrain: Annotated[
        bool, typer.Option(help="Train the tenant's model again first")
    ] = False,
) -> None:
    """Look for duplicates among all persons of TENANT; queue likely pairs."""
    from puente.people.service.duplicates import find_duplicates

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


@linkage_app.command("evaluate")
def evaluate_command(
    left: Annotated[Path, typer.Option("--left", help="CSV or Parquet file")],
    id_column: Annotated[str, typer.Option("--id-column", help="Record id column")],
    truth_column: Annotated[
        str, typer.Option("--truth-column", help="Same value = same person")
    ],
    right: Annotated[
        Path | None, typer.Option("--right", help="Second file: link the two")
    ] = None,
    mode: Annotated[
        Mode, typer.Option("--mode", help="plaintext or pprl")
    ] = Mode.PLAINTEXT,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Deduplicate LEFT (or link LEFT and RIGHT) and score against the truth.

    Columns used when present: given_name, surname (or surname1/surname2), sex,
    birth_date (or dob), birth_country, address, postcode; others are ignored.
    """
    try:
        result = evaluate_files(
            left,
            right,
            id_column=id_column,
            truth_column=truth_column,
            mode=mode,
            rules=linkage_name_rules(),
        )
    except DomainError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    if as_json:
        print(json.dumps(result.as_dict()))
        return
    for key, value in result.as_dict().items():
        print(f"{key}: {value}")
