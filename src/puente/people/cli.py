"""`puente people find-duplicates` (the registry-wide duplicate job) and
`puente linkage evaluate` (the linkage engine scored on labelled files with
people's name rules)."""

from __future__ import annotations

import json
import uuid
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


@people_app.command("erase")
def erase_command(
    person_id: Annotated[str, typer.Argument(help="The person's id")],
    reason: Annotated[
        str,
        typer.Option(
            help="Why (the erasure request's reference; no names): kept in the audit"
        ),
    ],
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask for confirmation")
    ] = False,
) -> None:
    """Erase a person by destroying their keys (crypto-shredding, ADR 0010): their
    documents, contacts and sensitive facts become unreadable everywhere, backups
    included. Runs as the system (operators only); audited with the reason."""
    from puente.people.service import erase_person

    try:
        parsed = uuid.UUID(person_id)
    except ValueError as exc:
        err_console.print("PERSON_ID is not a person's id.")
        raise typer.Exit(2) from exc
    clean = " ".join(reason.split())
    if not 3 <= len(clean) <= 200:
        err_console.print("--reason needs 3 to 200 characters.")
        raise typer.Exit(2)
    if not yes and not typer.confirm(
        f"Erase person {parsed}? Their sealed data cannot be recovered."
    ):
        err_console.print("Nothing was erased.")
        raise typer.Exit(1)
    try:
        with core_db.uow() as session:
            erase_person(session, actor=system_actor(), person_id=parsed, reason=clean)
    except DomainError as exc:
        raise fail(exc) from exc
    print(f"Person {parsed} erased.")


@people_app.command("replay-erasures")
def replay_erasures_command() -> None:
    """Erase again, in this database, every person the key store says was erased
    (run after restoring a backup taken before an erasure; `puente db upgrade`
    runs it too). Runs as the system; each replay is audited."""
    from puente.people.service import replay_erasures

    with core_db.uow() as session:
        count = replay_erasures(session)
    print(f"{count} erasures replayed from the key store")


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
