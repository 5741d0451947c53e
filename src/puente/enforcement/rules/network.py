"""Network analysis on the links investigators enter: connected components,
degree and betweenness centrality (Brandes' algorithm, unweighted, undirected)
and a circular layout for the server-rendered graph. Own code: networkx is not a
dependency of Puente."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Edge = tuple[str, str]


def adjacency(nodes: Iterable[str], edges: Iterable[Edge]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {n: set() for n in nodes}
    for a, b in edges:
        if a == b:
            continue
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set()).add(a)
    return graph


def components(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Connected components, largest first (each sorted)."""
    seen: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in seen:
            continue
        queue, part = deque([start]), []
        seen.add(start)
        while queue:
            node = queue.popleft()
            part.append(node)
            for nxt in graph[node]:
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        found.append(sorted(part))
    return sorted(found, key=lambda p: (-len(p), p))


def degree_centrality(graph: Mapping[str, set[str]]) -> dict[str, float]:
    n = len(graph)
    if n <= 1:
        return dict.fromkeys(graph, 0.0)
    return {node: len(nbrs) / (n - 1) for node, nbrs in graph.items()}


def betweenness_centrality(graph: Mapping[str, set[str]]) -> dict[str, float]:
    """Normalised betweenness (Brandes 2001), as networkx computes it for an
    undirected graph: pairs counted once, divided by (n-1)(n-2)/2."""
    score = dict.fromkeys(graph, 0.0)
    for source in graph:
        stack: list[str] = []
        preds: dict[str, list[str]] = {v: [] for v in graph}
        sigma = dict.fromkeys(graph, 0.0)
        sigma[source] = 1.0
        dist = dict.fromkeys(graph, -1)
        dist[source] = 0
        queue = deque([source])
        while queue:
            v = queue.popleft()
            stack.append(v)
            for w in graph[v]:
                if dist[w] < 0:
                    dist[w] = dist[v] + 1
                    queue.append(w)
                if dist[w] == dist[v] + 1:
                    sigma[w] += sigma[v]
                    preds[w].append(v)
        delta = dict.fromkeys(graph, 0.0)
        while stack:
            w = stack.pop()
            for v in preds[w]:
                delta[v] += sigma[v] / sigma[w] * (1 + delta[w])
            if w != source:
                score[w] += delta[w]
    n = len(graph)
    scale = 1.0 / ((n - 1) * (n - 2)) if n > 2 else 0.0
    return {v: s * scale for v, s in score.items()}


@dataclass(frozen=True, slots=True)
class PlacedNode:
    id: str
    x: float
    y: float
    r: float


def circle_layout(
    nodes: Sequence[str], weight: Mapping[str, float], size: int = 480
) -> list[PlacedNode]:
    """Nodes on a circle (sorted, so the picture is stable); the radius grows
    with the node's betweenness."""
    centre, ring = size / 2, size / 2 - 40
    count = max(len(nodes), 1)
    placed = []
    for k, node in enumerate(sorted(nodes)):
        angle = 2 * math.pi * k / count - math.pi / 2
        placed.append(
            PlacedNode(
                node,
                round(centre + ring * math.cos(angle), 1),
                round(centre + ring * math.sin(angle), 1),
                round(8 + 16 * weight.get(node, 0.0), 1),
            )
        )
    return placed
