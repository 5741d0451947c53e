"""`puente pathways …`: screen facts and check job offers (no database needed: they
read the signed shipped catalogue and verify it), build the signed catalogue from
its per-state files, plus catalogue jobs on the node."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from puente.core.errors import DomainError
from puente.pathways import service
from puente.pathways.rules.eligibility import Outcome
from puente.pathways.rules.facts import LANGUAGES, parse_facts

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


MAX_JSON_BYTES = 1024 * 1024


def _read_json(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise ValueError(f"larger than {MAX_JSON_BYTES // 1024} KB")
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # bad UTF-8, JSON, nesting
        err_console.print(f"error: cannot read {path}: {exc}", markup=False)
        raise typer.Exit(2) from exc


def _today(on: str | None) -> dt.date:
    if not on:
        return dt.datetime.now(dt.UTC).date()
    try:
        if len(on) != 10:
            raise ValueError(on)
        return dt.date.fromisoformat(on)
    except ValueError:
        err_console.print("error: --on must be a date as YYYY-MM-DD", markup=False)
        raise typer.Exit(2) from None


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
    if language not in LANGUAGES:
        err_console.print(f"error: unknown language {language!r}", markup=False)
        raise typer.Exit(2)
    day = _today(on)
    try:
        parsed = parse_facts(_read_json(facts))
        catalogue = service.load_catalogue()
    except DomainError as exc:
        raise _fail(exc) from exc
    found, questions = service.evaluate(parsed, catalogue.pathways, day)
    results = [service.result_read(r, language) for r in found]
    if as_json:
        payload = {
            "results": [r.model_dump(exclude={"label"}) for r in results],
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
            r.kind,
            f"[{colours[Outcome(r.outcome)]}]{r.outcome}[/]",
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
    """Run the fair-recruitment checks ER-01…ER-24 on a job offer (with the
    programme rules and minimum wages of the signed catalogue)."""
    day = _today(on)
    try:
        parsed = service.parse_offer(_read_json(offer))
        law = service.load_catalogue()
    except DomainError as exc:
        raise _fail(exc) from exc
    check = service.run_checks(parsed, law=law, today=day)
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
        card = service.rights_card_for(parsed, language, blocked=check.blocked)
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

    try:
        with uow() as session:
            added = service.load_shipped_catalogue(session, actor=system_actor())
            reports = service.sync_pathway_states(session, actor=system_actor())
    except DomainError as exc:
        raise _fail(exc) from exc
    # The re-screening ran once the unit of work committed (PathwayChanged).
    console.print(f"{added} publications loaded; {len(reports)} pathways changed")
    for report in reports:
        console.print(
            f"{report.pathway_id}: {report.change}; re-screened "
            f"{report.applications} applications",
            markup=False,
        )


@pathways_app.command("build-catalogue")
def build_catalogue_command(
    check: Annotated[
        bool, typer.Option("--check", help="Only check the shipped file is current")
    ] = False,
) -> None:
    """Build the signed catalogue (data/catalogue.json) from the per-state files in
    data/catalogue/, signed with the DEMO keys; --check only compares."""
    from puente.pathways.service import publications, regime_publications

    try:
        if check:
            sources = publications.read_sources()
            tables = regime_publications.read_regime_sources()
            states = {s.state for s in sources} | {t.state for t in tables}
            keys = publications.generate_demo_keys(
                publications.DEMO_KEYS_DIR, sorted(states)
            )
            fresh = publications.build_catalogue(sources, keys)
            shipped = publications.CATALOGUE_PATH.read_text(encoding="utf-8")
            regimes = regime_publications.build_regimes(tables, keys)
            shipped_regimes = regime_publications.REGIMES_PATH.read_text("utf-8")
            if (
                publications.catalogue_text(fresh) != shipped
                or regime_publications.regimes_text(regimes) != shipped_regimes
            ):
                err_console.print(
                    "error: data/catalogue.json is stale: run "
                    "`puente pathways build-catalogue`",
                    markup=False,
                )
                raise typer.Exit(1)
            console.print(f"catalogue.json is current ({len(sources)} states)")
            return
        document = service.write_demo_catalogue()
    except DomainError as exc:
        raise _fail(exc) from exc
    count = len(document["publications"])  # type: ignore[arg-type]
    console.print(f"catalogue.json written: {count} signed publications (DEMO keys)")
