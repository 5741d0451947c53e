"""`puente enforcement …`: the request log of a state, for its auditors."""

from __future__ import annotations

import typer

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
