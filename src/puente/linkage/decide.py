"""From scored pairs to decisions: clusters (one registry) or one-to-one links
(two registries, each person at most once on each side)."""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def clusters(records: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Cluster label of each record: connected components of the matched pairs."""
    graph = coo_matrix(
        (np.ones(len(i), dtype=np.int8), (i, j)), shape=(records, records)
    )
    _count, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


def clusters_kept_apart(
    records: int,
    i: np.ndarray,
    j: np.ndarray,
    score: np.ndarray,
    *,
    threshold: float,
    apart: float,
) -> np.ndarray:
    """Cluster label of each record: matched pairs joined, best first, unless
    the join would put together two records scored as different people.

    Connected components join everything a chain of matches reaches: A–B and
    B–C make A and C one person even when A and C were compared and scored
    well below even odds (a shared given name and birth date on B bridging
    two families). Here the pairs at or above `threshold` are joined in
    order of score, and a join is refused when any two records it would
    bring together were scored below `apart`.
    """
    matched = score >= threshold
    order = np.argsort(-score[matched], kind="stable")
    a_all, b_all = i[matched][order], j[matched][order]
    involved = np.zeros(records, dtype=bool)
    involved[a_all] = True
    involved[b_all] = True
    low = (score < apart) & involved[i] & involved[j]
    kept_apart: dict[int, set[int]] = {}
    for x, y in zip(i[low].tolist(), j[low].tolist(), strict=True):
        kept_apart.setdefault(x, set()).add(y)
        kept_apart.setdefault(y, set()).add(x)
    parent = np.arange(records)
    members: dict[int, list[int]] = {}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    for x, y in zip(a_all.tolist(), b_all.tolist(), strict=True):
        rx, ry = root(x), root(y)
        if rx == ry:
            continue
        mx, my = members.get(rx, [rx]), members.get(ry, [ry])
        if len(mx) < len(my):
            rx, ry, mx, my = ry, rx, my, mx
        others = set(my)
        if any(not others.isdisjoint(kept_apart.get(u, ())) for u in mx):
            continue
        parent[ry] = rx
        members[rx] = mx + my
        members.pop(ry, None)
    return np.fromiter((root(x) for x in range(records)), np.int64, records)


def one_to_one(
    i: np.ndarray, j: np.ndarray, score: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy assignment: best-scored pairs first, each side used at most once.

    Greedy is what anonlink's solver does; on linkage scores it is within a few
    pairs of the optimal assignment and runs in O(n log n).
    """
    order = np.argsort(-score, kind="stable")
    used_left: set[int] = set()
    used_right: set[int] = set()
    keep = []
    for index in order.tolist():
        a, b = int(i[index]), int(j[index])
        if a in used_left or b in used_right:
            continue
        used_left.add(a)
        used_right.add(b)
        keep.append(index)
    chosen = np.asarray(sorted(keep), dtype=np.int64)
    return i[chosen], j[chosen]


def cluster_pairs(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of records that share a cluster (i < j)."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    bounds = np.flatnonzero(np.diff(sorted_labels)) + 1
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    for group in np.split(order, bounds):
        if len(group) < 2:
            continue
        a, b = np.triu_indices(len(group), k=1)
        members = np.sort(group)
        left.append(members[a])
        right.append(members[b])
    if not left:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(left), np.concatenate(right)
