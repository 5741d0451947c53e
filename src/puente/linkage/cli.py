"""`puente linkage evaluate`: deduplicate one file or link two, and score it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from puente.core.errors import DomainError
from puente.linkage.evaluate import Mode, evaluate_files

linkage_app = typer.Typer(
    help="Record linkage: evaluate on labelled files.", no_args_is_help=True
)
COMMANDS = {"linkage": linkage_app}
err_console = Console(stderr=True)


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
    from puente.people import linkage_name_rules

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
