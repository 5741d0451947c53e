"""`puente flows ...` and `puente alerts export` (Typer sub-apps)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from puente.core import db as core_db
from puente.core.cli import fail
from puente.core.errors import DomainError, exit_code_for
from puente.early_warning.errors import FlowFileRejected
from puente.identity import system_actor

flows_app = typer.Typer(help="Flow counts: import, backtest.", no_args_is_help=True)
alerts_app = typer.Typer(help="Alerts: export.", no_args_is_help=True)
COMMANDS = {"flows": flows_app, "alerts": alerts_app}

console = Console()
err_console = Console(stderr=True)


def _fail(error: DomainError) -> typer.Exit:
    """A rejected file names each problem (file, row, column) on its own line."""
    if not isinstance(error, FlowFileRejected):
        return fail(error, err_console)
    for problem in error.problems:
        err_console.print(
            f"error: {problem}", markup=False, highlight=False, soft_wrap=True
        )
    return typer.Exit(exit_code_for(error))


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


@flows_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    source: Annotated[str, typer.Option(help="Source name, e.g. darien_nat")],
    date_column: Annotated[str, typer.Option(help="Column (or HXL tag) of dates")],
    count_column: Annotated[str, typer.Option(help="Column (or HXL tag) of counts")],
    dimension: Annotated[
        list[str] | None, typer.Option(help="Dimension column (repeatable)")
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Refuse blank dimension cells (default: not stated)"
        ),
    ] = False,
) -> None:
    """Import a CSV, XLSX or HXL-tagged CSV of counts as a vintage of SOURCE."""
    from puente.early_warning import service
    from puente.early_warning.demo import profiles

    profile = profiles().get(source)
    try:
        with _progress() as progress:
            progress.add_task(f"importing {path.name}", total=None)
            with core_db.uow() as session:
                summary = service.import_flows(
                    session,
                    actor=system_actor(),
                    path=path,
                    source=source,
                    date_column=date_column,
                    count_column=count_column,
                    dimensions=dimension or [],
                    profile=profile,
                    strict=strict,
                )
    except DomainError as exc:
        raise _fail(exc) from exc
    state = "new vintage" if summary.is_new_vintage else "unchanged (same content)"
    console.print(
        f"{summary.source}: {state} {summary.vintage_id}; {summary.row_count} rows, "
        f"{summary.series_count} series, {summary.first_period} to "
        f"{summary.last_period}, {summary.missing_periods} missing periods, "
        f"{summary.firing_count} new trigger firings, "
        f"{summary.not_stated} blank dimension cells imported as not stated"
    )


def _where_key(source: str, where: list[str]) -> str:
    from puente.early_warning.rules.analytics.series import series_key

    dims = dict(item.split("=", 1) for item in where)
    return series_key(source, dims)


@flows_app.command("backtest")
def backtest_command(
    source: Annotated[str, typer.Option(help="Source name")],
    events: Annotated[Path, typer.Option(exists=True, help="EVENTS.csv")],
    where: Annotated[
        list[str] | None, typer.Option(help="DIM=VALUE selecting one series")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object")
    ] = False,
    catalogue: Annotated[
        Path | None, typer.Option(exists=True, help="Trigger catalogue JSON")
    ] = None,
    html: Annotated[Path | None, typer.Option(help="Write an HTML report")] = None,
) -> None:
    """Replay SOURCE month by month with a trigger catalogue (no look-ahead)."""
    from puente.early_warning.rules.analytics.backtest import parse_events, run_backtest
    from puente.early_warning.service._common import population
    from puente.early_warning.service.backtest import source_series
    from puente.early_warning.service.triggers import (
        default_catalogue_document,
        load_catalogue,
    )

    try:
        document = (
            json.loads(catalogue.read_text("utf-8"))
            if catalogue
            else default_catalogue_document()
        )
        parsed = load_catalogue(document)
        with events.open(newline="", encoding="utf-8") as handle:
            labelled = parse_events(list(csv.DictReader(handle)), source)
        with _progress() as progress:
            progress.add_task(f"backtest {source}", total=None)
            with core_db.uow() as session:
                series = source_series(session, actor=system_actor(), source=source)
            keys = (
                [_where_key(source, where)]
                if where
                else sorted({event.series_key for event in labelled})
            )
            # Forecasts are scored over the whole scope: the source, or the
            # one series --where names (see rules/analytics/backtest.py).
            result = run_backtest(
                series,
                parsed,
                labelled,
                keys,
                forecast_scope=keys if where else None,
                population=population(),
            )
    except DomainError as exc:
        raise _fail(exc) from exc
    if html is not None:
        from puente.early_warning.service.backtest import render_html

        html.write_text(render_html(result, keys), encoding="utf-8")
    if as_json:
        print(json.dumps(result.report))
        return
    _print_report(result.report)


def _print_report(report: dict[str, Any]) -> None:
    for event in report["events"]:
        console.print(
            f"{event['event_id']}: detected={event['detected']} "
            f"first_alert={event['first_alert']} lead={event['lead_months']}"
        )
    for name in ("false_alarms_per_series_year", "mase_h1", "mase_h3", "coverage_80"):
        console.print(f"{name}: {report[name]}")


@alerts_app.command("export")
def export_command(
    out: Annotated[Path, typer.Option(help="Directory for the .xml files")],
    format: Annotated[str, typer.Option(help="Only 'cap'")] = "cap",
) -> None:
    """Write one CAP 1.2 XML file per alert into OUT."""
    if format != "cap":
        err_console.print("error: only --format cap is supported")
        raise typer.Exit(2)
    from puente.early_warning.service.alerts import export_cap_files

    out.mkdir(parents=True, exist_ok=True)
    try:
        with core_db.uow() as session:
            paths = export_cap_files(session, actor=system_actor(), out_dir=out)
    except DomainError as exc:
        raise _fail(exc) from exc
    console.print(f"{len(paths)} CAP files written to {out}")
