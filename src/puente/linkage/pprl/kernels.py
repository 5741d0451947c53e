"""Compiled Dice kernels (numba, LLVM's popcount): all-to-all and on pair lists.

Filters are rows of `uint64` words. Dice = 2·|a∧b| / (|a| + |b|), 0 when both
are empty. The kernels run in parallel over the rows of the left side.
"""

from __future__ import annotations

from typing import Any

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic


@intrinsic
def _popcount(typingctx: Any, value: Any) -> Any:  # noqa: ARG001 - numba API
    signature = types.uint64(types.uint64)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:  # noqa: ARG001
        function = builder.module.declare_intrinsic("llvm.ctpop", [ir.IntType(64)])
        return builder.call(function, args)

    return signature, codegen


popcount64: Any = _popcount  # numba resolves this global at compile time


@nb.njit(cache=True, nogil=True)
def popcounts(filters: Any) -> Any:
    rows, words = filters.shape
    out = np.zeros(rows, np.int32)
    for i in range(rows):
        total = 0
        for k in range(words):
            total += popcount64(filters[i, k])
        out[i] = total
    return out


@nb.njit(parallel=True, cache=True, nogil=True)
def dice_pairs(
    left: Any, right: Any, left_counts: Any, right_counts: Any, i: Any, j: Any
) -> Any:
    """Dice of each listed pair (left row i[p], right row j[p])."""
    pairs = i.shape[0]
    words = left.shape[1]
    out = np.zeros(pairs, np.float32)
    for p in nb.prange(pairs):
        a = i[p]
        b = j[p]
        total = left_counts[a] + right_counts[b]
        if total == 0:
            continue
        shared = 0
        for k in range(words):
            shared += popcount64(left[a, k] & right[b, k])
        out[p] = 2.0 * shared / total
    return out


@nb.njit(parallel=True, cache=True, nogil=True)
def _count_above(
    left: Any,
    right: Any,
    left_counts: Any,
    right_counts: Any,
    threshold: float,
    low: Any,
    high: Any,
) -> Any:
    rows = left.shape[0]
    words = left.shape[1]
    found = np.zeros(rows, np.int64)
    for a in nb.prange(rows):
        count = 0
        for b in range(low[a], high[a]):
            total = left_counts[a] + right_counts[b]
            shared = 0
            for k in range(words):
                shared += popcount64(left[a, k] & right[b, k])
            # 2·shared ≥ t·total, in integers scaled by 2^16: no division per pair
            if total > 0 and shared * 131072 >= threshold * total:
                count += 1
        found[a] = count
    return found


@nb.njit(parallel=True, cache=True, nogil=True)
def _fill_above(
    left: Any,
    right: Any,
    left_counts: Any,
    right_counts: Any,
    threshold: float,
    low: Any,
    high: Any,
    offsets: Any,
    out_j: Any,
    out_score: Any,
) -> None:
    rows = left.shape[0]
    words = left.shape[1]
    for a in nb.prange(rows):
        at = offsets[a]
        for b in range(low[a], high[a]):
            total = left_counts[a] + right_counts[b]
            shared = 0
            for k in range(words):
                shared += popcount64(left[a, k] & right[b, k])
            if total > 0 and shared * 131072 >= threshold * total:
                out_j[at] = b
                out_score[at] = 2.0 * shared / total
                at += 1


def _count_window(
    left_counts: np.ndarray, sorted_counts: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the count-sorted right side that can reach `threshold`.

    Dice ≥ t needs 2·min(|a|, |b|) ≥ t·(|a| + |b|), so |b| lies within
    [|a|·t/(2−t), |a|·(2−t)/t]: pairs outside are never compared (widened by
    a hair, so rounding cannot drop a pair; the kernel's test is exact).
    """
    if threshold <= 0:
        everything = np.full(len(left_counts), len(sorted_counts), np.int64)
        return np.zeros(len(left_counts), np.int64), everything
    t = min(threshold, 1.0)
    counts = left_counts.astype(np.float64)
    low = np.searchsorted(sorted_counts, counts * t / (2 - t) - 1e-6, "left")
    high = np.searchsorted(sorted_counts, counts * (2 - t) / t + 1e-6, "right")
    return low.astype(np.int64), high.astype(np.int64)


def dice_all_to_all(
    left: np.ndarray, right: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (left, right) pair with Dice ≥ threshold: rows i, j and the scores
    (by i, then j). The right side is sorted by popcount, so each left row
    compares only the rows whose popcount can reach the threshold."""
    left_counts = popcounts(left)
    right_counts = popcounts(right)
    order = np.argsort(right_counts, kind="stable")
    sorted_right = np.ascontiguousarray(right[order])
    sorted_counts = np.ascontiguousarray(right_counts[order])
    low, high = _count_window(left_counts, sorted_counts, threshold)
    scaled = float(np.ceil(threshold * 65536.0))
    counts = _count_above(
        left, sorted_right, left_counts, sorted_counts, scaled, low, high
    )
    offsets = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    out_j = np.empty(int(offsets[-1]), np.int64)
    out_score = np.empty(int(offsets[-1]), np.float32)
    _fill_above(
        left,
        sorted_right,
        left_counts,
        sorted_counts,
        scaled,
        low,
        high,
        offsets[:-1],
        out_j,
        out_score,
    )
    out_i = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    out_j = order[out_j]
    by_row = np.lexsort((out_j, out_i))
    return out_i[by_row], out_j[by_row], out_score[by_row]


@nb.njit(cache=True, nogil=True)
def bloom_words(
    rows: Any, slots: Any, table: Any, bits: int, mode: int, order: Any, words: int
) -> Any:
    """Packed Bloom filters of distinct values (`Encoder` fast path).

    Value `v` sets the bits `table[slots[p]]` for p in rows[v]..rows[v+1];
    `mode` 0 keeps the `bits` bits, 1 balances (the filter and its complement,
    bit `b` of that concatenation landing at `order[b]`), 2 XOR-folds the two
    halves. Bit x lies in word x // 64 at x % 64 (NumPy's little-endian
    `packbits` viewed as uint64).
    """
    values = rows.shape[0] - 1
    hashes = table.shape[1]
    out = np.zeros((values, words), np.uint64)
    one = np.uint64(1)
    base = np.zeros(words, np.uint64)
    if mode == 1:  # every complement bit set until its bit is
        for b in range(bits):
            x = order[bits + b]
            base[x >> 6] |= one << np.uint64(x & 63)
    scratch = np.zeros(bits, np.bool_)
    for v in range(values):
        for w in range(words):
            out[v, w] = base[w]
        if mode == 1:
            for p in range(rows[v], rows[v + 1]):
                for h in range(hashes):
                    b = table[slots[p], h]
                    x = order[b]
                    out[v, x >> 6] |= one << np.uint64(x & 63)
                    y = order[bits + b]
                    out[v, y >> 6] &= ~(one << np.uint64(y & 63))
        elif mode == 0:
            for p in range(rows[v], rows[v + 1]):
                for h in range(hashes):
                    b = table[slots[p], h]
                    out[v, b >> 6] |= one << np.uint64(b & 63)
        else:
            scratch[:] = False
            for p in range(rows[v], rows[v + 1]):
                for h in range(hashes):
                    scratch[table[slots[p], h]] = True
            half = bits // 2
            for x in range(half):
                if scratch[x] != scratch[x + half]:
                    out[v, x >> 6] |= one << np.uint64(x & 63)
    return out
