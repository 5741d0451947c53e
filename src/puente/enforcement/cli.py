"""`puente enforcement …`: a network's analysis, a state's request log for its
auditors (run behind the database wall), and the administrator's SQL that makes
the wall (`grant-role`)."""

from __future__ import annotations

from typing import Annotated

import typer

from puente.core.errors import DomainError

enforcement_app = typer.Typer(help="Enforcement: the walled channel's tools.")


@enforcement_app.command("analyse")
def analyse(edges: list[str]) -> None:
    """Analyse a network given as A-B edges (components and betweenness)."""
    from puente.enforcement.rules import network

    pairs = [tuple(e.split("-", 1)) for e in edges if "-" in e]
    graph = network.adjacency({n for p in pairs for n in p}, [(a, b) for a, b in pairs])
    for part in network.components(graph):
        typer.echo(", ".join(part))
    for node, score in sorted(network.betweenness_centrality(graph).items()):
        typer.echo(f"{node}\t{score:.3f}")


@enforcement_app.command("request-log")
def request_log(
    username: Annotated[str, typer.Argument(help="An investigator or liaison")],
) -> None:
    """Every share, read and refusal of USERNAME's state (newest first), read as
    the enforcement database role."""
    from puente import identity
    from puente.core import db as core_db
    from puente.core.cli import fail
    from puente.core.i18n import gettext
    from puente.enforcement import service
    from puente.enforcement.service import wall
    from puente.reference import country_name

    try:
        with core_db.uow() as session:
            user = identity.get_user_by_username(session, username)
            actor = identity.actor_for(user)
            core_db.set_tenant_scope(session, identity.rls_scope(actor))
            wall.behind_wall(session)
            rows = service.request_log(session, actor=actor)
            lines = [
                "\t".join(
                    (
                        f"{row.at:%Y-%m-%d %H:%M}",
                        gettext(service.REQUEST_ACTIONS[row.action]),
                        country_name(row.other_state),
                        row.agreement_ref,
                    )
                )
                for row in rows
            ]
    except DomainError as exc:
        raise fail(exc) from exc
    for line in lines:
        typer.echo(line)


@enforcement_app.command("grant-role")
def grant_role(
    apply: Annotated[
        bool, typer.Option("--apply", help="Run the SQL instead of printing it")
    ] = False,
    database_url: Annotated[
        str | None,
        typer.Option(help="An administrator's URL to the same database"),
    ] = None,
    app_user: Annotated[
        str | None,
        typer.Option(help="The role the application connects as"),
    ] = None,
) -> None:
    """Print (or, with --apply, run) the SQL that makes the enforcement database
    role: created, taken by the application, granted the enforcement tables and
    the audit chain, refused every table of people, protection and pathways."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from puente.core import db as core_db
    from puente.core.config import get_settings
    from puente.enforcement.service import wall

    settings = get_settings()
    role = settings.enforcement_db_role
    url = database_url or settings.database_url
    user = app_user or make_url(settings.database_url).username
    engine = core_db.make_engine(url)
    try:
        if engine.dialect.name != "postgresql":
            typer.echo(
                "SQLite has no database roles: the wall is the import contract "
                "(lint-imports) and its test."
            )
            return
        with engine.begin() as connection:
            statements = wall.grant_statements(connection, role, user)
            if not apply:
                for statement in statements:
                    typer.echo(f"{statement};")
                return
            for statement in statements:
                connection.execute(text(statement))
        with engine.connect() as connection:
            found = wall.check(connection, role)
        problems = [p for p in found.problems if p != "not_a_member"]
        typer.echo(f"{role}: " + ("ready" if not problems else ", ".join(problems)))
        if problems:
            raise typer.Exit(1)
    finally:
        engine.dispose()
