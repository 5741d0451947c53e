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


# --- keyed BLAKE2b-64 over many short messages (`Encoder._token` fast path) -------

_B2_IV = np.array(
    [
        0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B,
        0xA54FF53A5F1D36F1, 0x510E527FADE682D1, 0x9B05688C2B3E6C1F,
        0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
    ],
    dtype=np.uint64,
)  # fmt: skip
_B2_SIGMA = np.array(
    [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    ],
    dtype=np.int64,
)
_B2_CHUNK = 4096


@nb.njit(cache=True, nogil=True, inline="always")
def _rotr(x: Any, n: int) -> Any:
    return (x >> np.uint64(n)) | (x << np.uint64(64 - n))


@nb.njit(cache=True, nogil=True, inline="always")
def _g(a: Any, b: Any, c: Any, d: Any, x: Any, y: Any) -> Any:
    a = a + b + x
    d = _rotr(d ^ a, 32)
    c = c + d
    b = _rotr(b ^ c, 24)
    a = a + b + y
    d = _rotr(d ^ a, 16)
    c = c + d
    b = _rotr(b ^ c, 63)
    return a, b, c, d


@nb.njit(cache=True, nogil=True)
def _b2_compress(h: Any, m: Any, t: int, final: bool) -> None:
    """RFC 7693's F on state `h` (in place), message words `m`, counter `t`."""
    iv = _B2_IV
    sg = _B2_SIGMA
    v0, v1, v2, v3, v4, v5, v6, v7 = h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]
    v8, v9, v10, v11 = iv[0], iv[1], iv[2], iv[3]
    v12, v13, v14, v15 = iv[4] ^ np.uint64(t), iv[5], iv[6], iv[7]
    if final:
        v14 = ~v14
    for r in range(12):
        s = sg[r % 10]
        v0, v4, v8, v12 = _g(v0, v4, v8, v12, m[s[0]], m[s[1]])
        v1, v5, v9, v13 = _g(v1, v5, v9, v13, m[s[2]], m[s[3]])
        v2, v6, v10, v14 = _g(v2, v6, v10, v14, m[s[4]], m[s[5]])
        v3, v7, v11, v15 = _g(v3, v7, v11, v15, m[s[6]], m[s[7]])
        v0, v5, v10, v15 = _g(v0, v5, v10, v15, m[s[8]], m[s[9]])
        v1, v6, v11, v12 = _g(v1, v6, v11, v12, m[s[10]], m[s[11]])
        v2, v7, v8, v13 = _g(v2, v7, v8, v13, m[s[12]], m[s[13]])
        v3, v4, v9, v14 = _g(v3, v4, v9, v14, m[s[14]], m[s[15]])
    h[0] ^= v0 ^ v8
    h[1] ^= v1 ^ v9
    h[2] ^= v2 ^ v10
    h[3] ^= v3 ^ v11
    h[4] ^= v4 ^ v12
    h[5] ^= v5 ^ v13
    h[6] ^= v6 ^ v14
    h[7] ^= v7 ^ v15


@nb.njit(cache=True, nogil=True)
def _b2_block(
    block: Any, prefix: Any, data: Any, start: int, length: int, at: int
) -> None:
    """Bytes `at`..`at`+128 of prefix + data[start:start+length], zero-padded."""
    plen = prefix.shape[0]
    for k in range(128):
        pos = at + k
        if pos < plen:
            block[k] = prefix[pos]
        elif pos - plen < length:
            block[k] = data[start + pos - plen]
        else:
            block[k] = 0


@nb.njit(parallel=True, cache=True, nogil=True)
def blake2b64_keyed(key: Any, prefix: Any, data: Any, starts: Any, stops: Any) -> Any:
    """The first 8 bytes (little-endian word) of keyed BLAKE2b with an 8-byte
    digest of prefix + data[starts[i]:stops[i]], for every i: what
    `hashlib.blake2b(key=key, digest_size=8)` gives, bit for bit (RFC 7693),
    without a Python call per message. `key` is at most 64 bytes; every
    message is at least one byte (the prefix)."""
    n = starts.shape[0]
    out = np.zeros(n, np.uint64)
    keyed = _B2_IV.copy()
    keyed[0] ^= np.uint64(0x01010000 | (key.shape[0] << 8) | 8)
    first = np.zeros(128, np.uint8)
    _b2_block(first, key, np.zeros(0, np.uint8), 0, 0, 0)
    _b2_compress(keyed, first.view(np.uint64), 128, False)  # the key block
    chunks = (n + _B2_CHUNK - 1) // _B2_CHUNK
    for c in nb.prange(chunks):
        h = np.empty(8, np.uint64)
        block = np.empty(128, np.uint8)
        words = block.view(np.uint64)  # little-endian words, as RFC 7693 reads
        for i in range(c * _B2_CHUNK, min(n, (c + 1) * _B2_CHUNK)):
            length = stops[i] - starts[i]
            total = prefix.shape[0] + length
            h[:] = keyed
            at = 0
            while True:
                last = at + 128 >= total
                _b2_block(block, prefix, data, starts[i], length, at)
                _b2_compress(h, words, 128 + (total if last else at + 128), last)
                if last:
                    break
                at += 128
            out[i] = h[0]
    return out


@nb.njit(cache=True, nogil=True)
def join_segments(buffer: Any, starts: Any, stops: Any, combos: Any, sep: int) -> Any:
    """Row i of `combos` names segments of `buffer` (bytes starts[g]:stops[g]);
    each row's segments joined with the byte `sep`, all rows in one buffer:
    (joined, row starts, row stops). The UTF-8 bytes of "sep".join(texts)."""
    rows, columns = combos.shape
    total = 0
    for i in range(rows):
        total += columns - 1
        for j in range(columns):
            g = combos[i, j]
            total += stops[g] - starts[g]
    out = np.empty(total, np.uint8)
    row_starts = np.empty(rows, np.int64)
    row_stops = np.empty(rows, np.int64)
    pos = 0
    for i in range(rows):
        row_starts[i] = pos
        for j in range(columns):
            if j > 0:
                out[pos] = sep
                pos += 1
            g = combos[i, j]
            for b in range(starts[g], stops[g]):
                out[pos] = buffer[b]
                pos += 1
        row_stops[i] = pos
    return out, row_starts, row_stops
