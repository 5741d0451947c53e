"""What every command line shares: a domain error becomes one line on stderr and
the exit code of its family (`core.errors.FAMILIES`)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from puente.core.errors import DomainError, exit_code_for

err_console = Console(stderr=True)


def fail(error: DomainError, console: Console | None = None) -> typer.Exit:
    """Print `error`; return the `typer.Exit` to raise: `raise fail(exc) from exc`."""
    (console or err_console).print(f"[red]error:[/red] {escape(str(error))}")
    return typer.Exit(exit_code_for(error))
