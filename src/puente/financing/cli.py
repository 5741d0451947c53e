"""`puente financing ...`: plans, gaps, flow imports and the IATI and HXL exports.

Commands run as the system (a node's operator); every write is audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from puente.core import db as core_db
from puente.core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from puente.core.tabular import read_file
from puente.financing import service
from puente.identity import system_actor

financing_app = typer.Typer(
    help="Financing: plans, gaps, flows, IATI and HXL.", no_args_is_help=True
)
COMMANDS = {"financing": financing_app}
console = Console()
err_console = Console(stderr=True)


def _fail(error: DomainError) -> typer.Exit:
    problems = error.detail if isinstance(error.detail, list) else [str(error)]
    for problem in problems:
        err_console.print(f"error: {problem}", markup=False, highlight=False)
    for family, code in (
        (NotFound, 4),
        (PermissionDenied, 3),
        (Conflict, 5),
        (InvalidInput, 2),
    ):
        if isinstance(error, family):
            return typer.Exit(code)
    return typer.Exit(1)


def _usd(value: Any) -> float:
    return round(float(value), 2)


@financing_app.command("plans")
def plans_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """List the response plans (id, title, years)."""
    try:
        with core_db.uow() as session:
            plans = service.list_plans(session, actor=system_actor())
    except DomainError as exc:
        raise _fail(exc) from exc
    if as_json:
        print(
            json.dumps(
                [{"id": p.code, "title": p.title, "years": p.years} for p in plans],
                ensure_ascii=False,
            )
        )
        return
    table = Table("id", "title", "years", "requirement (USD)", "gap (USD)")
    for plan in plans:
        table.add_row(
            plan.code,
            plan.title,
            ", ".join(str(y) for y in plan.years),
            f"{plan.requirement_usd:,.0f}",
            f"{plan.gap_usd:,.0f}",
        )
    console.print(table)


@financing_app.command("gap")
def gap_command(
    plan: Annotated[str, typer.Option(help="Plan id (code, e.g. RMRP-2023)")],
    year: Annotated[int | None, typer.Option(help="Usage year")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Requirement, funding and gap of a plan, by country and by sector."""
    try:
        with core_db.uow() as session:
            gap = service.plan_gap(session, actor=system_actor(), plan=plan, year=year)
    except DomainError as exc:
        raise _fail(exc) from exc
    body = {
        "plan": gap.plan,
        "year": gap.year,
        "requirement_usd": _usd(gap.requirement_usd),
        "funding_usd": _usd(gap.funding_usd),
        "gap_usd": _usd(gap.gap_usd),
        "by_country": [
            {
                "country": line.key or None,
                "name": line.label,
                "requirement_usd": _usd(line.requirement_usd),
                "funding_usd": _usd(line.funding_usd),
                "gap_usd": _usd(line.gap_usd),
            }
            for line in gap.by_country
        ],
        "by_sector": [
            {
                "sector": line.key or None,
                "name": line.label,
                "requirement_usd": _usd(line.requirement_usd),
                "funding_usd": _usd(line.funding_usd),
                "gap_usd": _usd(line.gap_usd),
            }
            for line in gap.by_sector
        ],
    }
    if as_json:
        print(json.dumps(body, ensure_ascii=False))
        return
    console.print(
        f"{gap.plan} {gap.year or ''}: requirement {gap.requirement_usd:,.0f} USD, "
        f"funding {gap.funding_usd:,.0f} USD, gap {gap.gap_usd:,.0f} USD "
        f"(pledges {gap.pledged_usd:,.0f}; {gap.internal_flows} internal transfers "
        f"of {gap.internal_usd:,.0f} not counted)"
    )


@financing_app.command("export-iati")
def export_iati_command(
    out: Annotated[Path, typer.Option(help="File to write (IATI 2.03 XML)")],
) -> None:
    """Write every plan as IATI 2.03 activity XML (validated against the schema)."""
    try:
        with core_db.uow() as session:
            document = service.export_iati(session, actor=system_actor())
    except DomainError as exc:
        raise _fail(exc) from exc
    out.write_bytes(document)
    console.print(f"wrote {out} ({len(document):,} bytes, valid IATI 2.03)")


@financing_app.command("export-hxl")
def export_hxl_command(
    out: Annotated[Path, typer.Option(help="File to write (HXL-tagged CSV)")],
) -> None:
    """Write every flow as HXL-tagged CSV (the import format)."""
    try:
        with core_db.uow() as session:
            text = service.flows_hxl(session, actor=system_actor())
    except DomainError as exc:
        raise _fail(exc) from exc
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {out}")


@financing_app.command("import-flows")
def import_flows_command(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    add_organisations: Annotated[
        bool, typer.Option(help="Add organisations not yet in the directory")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Validate only; write nothing")] = False,
) -> None:
    """Import flows from a CSV, XLSX or HXL-tagged CSV (all rows or none)."""
    try:
        with core_db.uow() as session:
            summary = service.import_flows(
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
        f"{summary.file}: {summary.rows} rows, {summary.created} flows added, "
        f"{summary.unchanged} unchanged, {summary.organisations_added} organisations "
        f"added" + (" (dry run: nothing written)" if dry_run else "")
    )


@financing_app.command("burden")
def burden_command(
    year: Annotated[
        int | None, typer.Option(help="Year (default: latest complete)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Host burden of the endorsing states: people hosted per 1,000 inhabitants
    and per USD of GDP per person (UNHCR stocks, OIP included)."""
    try:
        with core_db.uow() as session:
            rows = service.host_burden_table(session, actor=system_actor(), year=year)
    except DomainError as exc:
        raise _fail(exc) from exc
    if as_json:
        print(
            json.dumps(
                [row.model_dump(mode="json") for row in rows], ensure_ascii=False
            )
        )
        return
    table = Table("state", "year", "hosted", "per 1,000", "per USD GDP/person")
    for row in rows:
        table.add_row(
            row.state_name,
            str(row.year),
            f"{row.hosted:,}",
            f"{row.per_1000:.1f}" if row.per_1000 is not None else "—",
            f"{row.per_usd_gdp_per_capita:.0f}"
            if row.per_usd_gdp_per_capita is not None
            else "—",
        )
    console.print(table)
