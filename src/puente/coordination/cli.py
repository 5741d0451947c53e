"""`puente coordination ...`: import and export 5W rows, print totals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from puente.coordination import service
from puente.core import db as core_db
from puente.core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from puente.core.tabular import read_file
from puente.identity import system_actor

coordination_app = typer.Typer(
    help="Who does what where (5W): import, export, totals.", no_args_is_help=True
)
COMMANDS = {"coordination": coordination_app}
console = Console()
err_console = Console(stderr=True)
EXIT_CODES = ((NotFound, 4), (PermissionDenied, 3), (Conflict, 5), (InvalidInput, 2))


def _fail(error: DomainError) -> typer.Exit:
    problems = error.detail if isinstance(error.detail, list) else [str(error)]
    for problem in problems:
        err_console.print(f"error: {problem}", markup=False, highlight=False)
    for family, code in EXIT_CODES:
        if isinstance(error, family):
            return typer.Exit(code)
    return typer.Exit(1)


@coordination_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    add_organisations: Annotated[
        bool, typer.Option(help="Add organisations not yet in the directory")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Validate only; write nothing")] = False,
) -> None:
    """Import 5W rows from a CSV, XLSX or HXL-tagged CSV (all rows or none)."""
    try:
        with core_db.uow() as session:
            summary = service.import_reports(
                session,
                actor=system_actor(),
                data=read_file(path),
                file_name=path.name,
                add_organisations=add_organisations,
                dry_run=dry_run,
            )
    except DomainError as exc:
        raise _fail(exc) from exc
    console.print(
        f"{summary.file}: {summary.rows} rows, {summary.created} added, "
        f"{summary.unchanged} unchanged"
        + (" (dry run: nothing written)" if dry_run else "")
    )


@coordination_app.command("export-hxl")
def export_command(
    out: Annotated[Path, typer.Option(help="File to write (HXL-tagged CSV)")],
) -> None:
    """Write every 5W row as HXL-tagged CSV (the import format)."""
    with core_db.uow() as session:
        text = service.reports_hxl(session, actor=system_actor())
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {out}")


@coordination_app.command("totals")
def totals_command(
    country: Annotated[str | None, typer.Option(help="ISO3 country code")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """People reached: individuals apart from assistance events in transit."""
    with core_db.uow() as session:
        found = service.totals(
            session, actor=system_actor(), where=service.ReportFilter(country=country)
        )
    if as_json:
        print(json.dumps(found.model_dump(mode="json"), ensure_ascii=False))
        return
    console.print(
        f"{found.individuals:,} people reached, {found.transit_events:,} "
        f"assistance events for people in transit ({found.rows} rows). {found.note}"
    )
