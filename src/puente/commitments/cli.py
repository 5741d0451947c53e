"""`puente commitments ...`: a state's commitments with status and target."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from puente.commitments import service
from puente.core import db as core_db
from puente.core.errors import DomainError, InvalidInput
from puente.identity import system_actor

commitments_app = typer.Typer(
    help="The Declaration's commitments tracker.", no_args_is_help=True
)
COMMANDS = {"commitments": commitments_app}
console = Console()
err_console = Console(stderr=True)


@commitments_app.command("list")
def list_command(
    state: Annotated[str, typer.Option(help="ISO 3166 alpha-3 code, e.g. COL")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """A state's commitments (deliverables) with status and target."""
    try:
        code = service.check_state(state)
        with core_db.uow() as session:
            rows = service.list_commitments(
                session,
                actor=system_actor(),
                where=service.CommitmentFilter(state=code),
            )
    except DomainError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(2 if isinstance(exc, InvalidInput) else 1) from exc
    if as_json:
        body = [
            {
                "id": row.key,
                "state": row.state,
                "text": row.text,
                "section": row.section,
                "action_package": row.action_package,
                "status": row.status,
                "target": {
                    "quantity": float(row.target.quantity)
                    if row.target.quantity is not None
                    else None,
                    "quantity_max": float(row.target.quantity_max)
                    if row.target.quantity_max is not None
                    else None,
                    "unit": row.target.unit or None,
                    "deadline": row.target.deadline.isoformat()
                    if row.target.deadline
                    else None,
                },
                "source_url": row.source_url,
            }
            for row in rows
        ]
        print(json.dumps(body, ensure_ascii=False))
        return
    table = Table("id", "commitment", "status", "target", "deadline")
    for row in rows:
        target = (
            f"{row.target.quantity:,.0f} {row.target.unit}"
            if row.target.quantity is not None
            else ""
        )
        table.add_row(
            row.key, row.text, row.status_label, target, row.target.deadline_text
        )
    console.print(table)
