"""`puente pathways …`: screen facts and check job offers (no database needed: they
read the signed shipped catalogue and verify it), plus catalogue jobs on the node."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from puente.core.errors import DomainError
from puente.pathways.rules.catalogue import load_catalogue
from puente.pathways.rules.eligibility import Outcome
from puente.pathways.rules.facts import LANGUAGES, parse_facts
from puente.pathways.rules.fair_recruitment import parse_offer

pathways_app = typer.Typer(
    help="Regular pathways: screening, job-offer checks, catalogue.",
    no_args_is_help=True,
)
COMMANDS = {"pathways": pathways_app}
console = Console()
err_console = Console(stderr=True)


def _fail(error: DomainError) -> typer.Exit:
    err_console.print(f"error: {error}", markup=False, highlight=False)
    return typer.Exit(2)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        err_console.print(f"error: cannot read {path}: {exc}", markup=False)
        raise typer.Exit(2) from exc


def _today(on: str | None) -> dt.date:
    if on:
        return dt.date.fromisoformat(on)
    return dt.datetime.now(dt.UTC).date()


LanguageOption = Annotated[
    str, typer.Option("--language", "-l", help="en, es, pt, fr or ht")
]


@pathways_app.command("screen")
def screen_command(
    facts: Annotated[Path, typer.Option("--facts", help="FACTS.json")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    language: LanguageOption = "en",
    on: Annotated[str | None, typer.Option(help="Screening date YYYY-MM-DD")] = None,
) -> None:
    """Screen a person's facts against every open pathway of the signed catalogue."""
    from puente.pathways.service.screening import evaluate

    if language not in LANGUAGES:
        err_console.print(f"error: unknown language {language!r}", markup=False)
        raise typer.Exit(2)
    try:
        parsed = parse_facts(_read_json(facts))
        catalogue = load_catalogue()
    except DomainError as exc:
        raise _fail(exc) from exc
    results, questions = evaluate(parsed, catalogue.pathways, _today(on), language)
    if as_json:
        payload = {
            "results": [
                {
                    "pathway_id": r.pathway_id,
                    "state": r.state,
                    "kind": r.kind.value,
                    "title": r.title,
                    "version": r.version,
                    "outcome": r.outcome.value,
                    "reasons": list(r.reasons),
                    "missing": list(r.missing),
                }
                for r in results
            ],
            "questions": questions,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=1))
        return
    table = Table("pathway", "state", "kind", "outcome", "why")
    colours = {
        Outcome.ELIGIBLE: "green",
        Outcome.UNDETERMINED: "yellow",
        Outcome.NOT_ELIGIBLE: "red",
    }
    for r in results:
        table.add_row(
            r.pathway_id,
            r.state,
            r.kind.value,
            f"[{colours[r.outcome]}]{r.outcome.value}[/]",
            " ".join(r.reasons),
        )
    console.print(table)
    if questions:
        console.print("Questions that could change an answer: " + ", ".join(questions))


@pathways_app.command("check-offer")
def check_offer_command(
    offer: Annotated[Path, typer.Argument(help="OFFER.json")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    language: LanguageOption = "en",
    on: Annotated[str | None, typer.Option(help="Check date YYYY-MM-DD")] = None,
) -> None:
    """Run the fair-recruitment checks ER-01…ER-24 on a job offer."""
    from puente.pathways.rules.rights import rights_card
    from puente.pathways.service.labour import run_checks

    try:
        parsed = parse_offer(_read_json(offer))
    except DomainError as exc:
        raise _fail(exc) from exc
    check = run_checks(parsed, today=_today(on))
    if as_json:
        payload = {
            "blocked": check.blocked,
            "checks": [
                {
                    "id": c.id,
                    "title": c.title,
                    "kind": c.kind.value,
                    "result": c.result.value,
                    "reason": c.reason,
                }
                for c in check.checks
            ],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        table = Table("check", "kind", "result", "reason")
        for c in check.checks:
            table.add_row(c.id, c.kind.value, c.result.value, c.reason)
        console.print(table)
        card = rights_card(parsed, language, blocked=check.blocked)
        console.print(f"[bold]{card.title}[/]")
        for line in card.lines:
            console.print(f"• {line}", markup=False)
        if card.warning:
            console.print(card.warning, style="bold red", markup=False)
        console.print("BLOCKED" if check.blocked else "not blocked")


@pathways_app.command("sync")
def sync_command() -> None:
    """Load the shipped catalogue if missing and re-screen pathways that opened,
    closed or changed since the last run (run daily: dates open and close)."""
    from puente.core.db import uow
    from puente.identity import system_actor
    from puente.pathways.service import load_shipped_catalogue, sync_pathway_states

    try:
        with uow() as session:
            added = load_shipped_catalogue(session, actor=system_actor())
            reports = sync_pathway_states(session, actor=system_actor())
    except DomainError as exc:
        raise _fail(exc) from exc
    console.print(f"{added} publications loaded; {len(reports)} pathways changed")
    for report in reports:
        console.print(
            f"{report.pathway_id}: {report.change}, {report.applications} "
            f"applications, {report.stranded} without an alternative",
            markup=False,
        )
