"""Keyed field-level Bloom filters and exact-match tokens (privacy-preserving).

Each string field (given names, family names, birth date, address, postcode,
locality) becomes its own Bloom filter: the field's q-grams are hashed with a
key derived from the agreement's secret (HMAC-SHA256, one key per field, "random
hashing": k independent positions per q-gram, not double hashing), hardened by

- a record-level salt (the birth year by default) mixed into the name hashes, so
  the same name in two birth years gives unrelated bits (defeats graph-matching
  and frequency attacks that align whole populations, research/04);
- balancing: the filter is concatenated with its complement and the bits are
  shuffled by a keyed permutation, so every filter has the same number of ones
  and bit frequencies no longer reveal frequent q-grams (or XOR-folding, which
  halves the filter instead).

Categorical fields (sex, birth country, state) and the compound blocking keys
are deterministic tokens: HMAC of the normalised value, 64 bits. Equal tokens
mean equal values, which is the cheap first pass; nothing else is revealed.

An `Encoding` holds only opaque ids, tokens and bits: never a name, a birth date
or a document number. The secret never leaves the encoding party.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from puente.linkage.blocking import CANDIDATE_RULES, BlockingRule


class Hardening(StrEnum):
    NONE = "none"
    BALANCE = "balance"
    XOR_FOLD = "xor_fold"


class Salt(StrEnum):
    NONE = "none"
    BIRTH_YEAR = "birth_year"


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """One Bloom-filtered field: prepared columns, q-gram kind, bits and hashes."""

    name: str
    columns: tuple[str, ...]
    kind: str  # "bigrams", "positional", "date"
    bits: int
    hashes: int
    salted: bool = False


DEFAULT_FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec("given_name", ("gn",), "bigrams", 512, 12, salted=True),
    FilterSpec("surname", ("sn",), "bigrams", 512, 12, salted=True),  # see SALTED
    FilterSpec("birth_date", ("b_year", "b_month", "b_day"), "date", 256, 10),
    FilterSpec("address", ("addr",), "bigrams", 512, 8),
    FilterSpec("postcode", ("pc",), "positional", 128, 8),
    FilterSpec("address_line", ("addr1",), "bigrams", 512, 8),
    FilterSpec("locality", ("suburb",), "bigrams", 256, 8),
    FilterSpec("street_number", ("num",), "positional", 128, 8),
)
# Fields whose filters take the record-level salt.
SALTED = frozenset({"given_name", "surname"})
TOKEN_FIELDS: tuple[tuple[str, str], ...] = (
    ("sex", "sex"),
    ("birth_country", "country"),
    ("state", "state"),
)


@dataclass(frozen=True, slots=True)
class EncodingConfig:
    """How a party encodes; every party of an agreement must use the same one."""

    filters: tuple[FilterSpec, ...] = DEFAULT_FILTERS
    hardening: Hardening = Hardening.BALANCE
    salt: Salt = Salt.BIRTH_YEAR
    blocking: tuple[BlockingRule, ...] = CANDIDATE_RULES


@dataclass(slots=True)
class Encoding:
    """Encoded records: opaque ids, filters per field, tokens per key."""

    ids: np.ndarray  # object array of opaque record references
    filters: dict[str, np.ndarray] = field(default_factory=dict)  # (n, words) uint64
    present: dict[str, np.ndarray] = field(default_factory=dict)  # (n,) bool
    tokens: dict[str, np.ndarray] = field(default_factory=dict)  # (n,) uint64, 0 = none

    def __len__(self) -> int:
        return len(self.ids)

    def token_frame(self) -> pd.DataFrame:
        """Tokens as nullable columns named like the blocking rules' columns."""
        return pd.DataFrame(
            {
                name: pd.Series(pd.array(values, dtype="UInt64")).where(values != 0)
                for name, values in self.tokens.items()
            }
        )

    def to_bytes(self) -> bytes:
        """A compact, self-describing payload (NumPy .npz) for an envelope."""
        buffer = io.BytesIO()
        arrays: dict[str, np.ndarray] = {"ids": np.asarray(self.ids, dtype=str)}
        arrays |= {f"f:{k}": v for k, v in self.filters.items()}
        arrays |= {f"p:{k}": v for k, v in self.present.items()}
        arrays |= {f"t:{k}": v for k, v in self.tokens.items()}
        np.savez_compressed(buffer, allow_pickle=False, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes) -> Encoding:
        with np.load(io.BytesIO(payload), allow_pickle=False) as data:
            encoding = cls(ids=data["ids"].astype(object))
            for key in data.files:
                kind, _, name = key.partition(":")
                if kind == "f":
                    encoding.filters[name] = data[key].astype(np.uint64)
                elif kind == "p":
                    encoding.present[name] = data[key].astype(bool)
                elif kind == "t":
                    encoding.tokens[name] = data[key].astype(np.uint64)
        return encoding


def _subkey(secret: bytes, label: str) -> bytes:
    return hmac.new(secret, b"puente:pprl:" + label.encode(), hashlib.sha256).digest()


def _qgrams(spec: FilterSpec, value: str) -> list[str]:
    if spec.kind == "bigrams":
        padded = f"_{value}_"
        return [padded[i : i + 2] for i in range(len(padded) - 1)]
    if spec.kind == "positional":
        return [f"{i}{ch}" for i, ch in enumerate(value)]
    year, month, day = value.split("-")
    grams = [f"y{year}"]
    grams += [f"y{year[:3]}", f"y{year[2:]}"]  # decade and last digits: typos
    if month:
        grams.append(f"m{month}")
    if day:
        grams.append(f"d{day}")
    if month and day:
        low, high = sorted((month, day))
        grams.append(f"s{low}{high}")  # day and month swapped still share this
    return grams


class Encoder:
    """Encodes prepared records under one agreement's secret.

    Fast path, same bits: each distinct value of a field is encoded once; its
    q-grams are cut with NumPy over the distinct values, each distinct
    (salt, q-gram) is hashed once per encoder (HMAC-SHA256, cached), and a
    compiled kernel sets, balances or folds and packs the bits
    (`kernels.bloom_words`). Tokens hash each distinct combination once.
    """

    def __init__(self, secret: bytes, config: EncodingConfig | None = None) -> None:
        if len(secret) < 16:
            raise ValueError("an agreement's secret has at least 16 bytes")
        self.config = config or EncodingConfig()
        self._field_keys = {
            spec.name: _subkey(secret, f"filter:{_family(spec)}")
            for spec in self.config.filters
        }
        self._token_key = _subkey(secret, "tokens")
        self._positions: dict[tuple[str, str, str], list[int]] = {}
        self._columns: dict[str, _Distinct] = {}  # during one `encode`
        self._permutations = {
            spec.name: np.random.default_rng(
                np.frombuffer(
                    _subkey(secret, f"permute:{_family(spec)}")[:16], np.uint32
                )
            ).permutation(2 * spec.bits)
            for spec in self.config.filters
        }

    # --- filters ---------------------------------------------------------------

    def _gram_positions(self, spec: FilterSpec, salt: str, gram: str) -> list[int]:
        key = (spec.name, salt, gram)
        found = self._positions.get(key)
        if found is None:
            digest = b""
            counter = 0
            field_key = self._field_keys[spec.name]
            while len(digest) < 2 * spec.hashes:
                digest += hmac.digest(
                    field_key, f"{salt}\x1f{gram}\x1f{counter}".encode(), "sha256"
                )
                counter += 1
            words = np.frombuffer(digest[: 2 * spec.hashes], "<u2")
            found = (words % spec.bits).tolist()
            self._positions[key] = found
        return found

    def _values(self, prepared: pd.DataFrame, spec: FilterSpec) -> _Distinct:
        """Each record's value of the field, as codes into its distinct values."""
        n = len(prepared)
        if spec.kind == "date":
            if spec.columns[0] not in prepared.columns:
                return _Distinct(np.full(n, -1, np.int64), [])
            parts = [
                self._column(prepared, c)
                if c in prepared.columns
                else _Distinct(np.full(n, -1, np.int64), [])
                for c in spec.columns
            ]
            codes, combos = _combine([p.codes for p in parts])
            values: list[str] = []
            for year, month, day in zip(
                *(
                    [p.uniques[c] if c >= 0 else "" for c in combo]
                    for p, combo in zip(parts, combos.T, strict=True)
                ),
                strict=True,
            ):
                values.append(
                    f"{year}-{month.zfill(2) if month else ''}"
                    f"-{day.zfill(2) if day else ''}"
                    if year
                    else ""
                )
            return _Distinct(codes, values).without_blank()
        column = spec.columns[0]
        if column not in prepared.columns:
            return _Distinct(np.full(n, -1, np.int64), [])
        return self._column(prepared, column).without_blank()

    def _grams(
        self, spec: FilterSpec, values: list[str]
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Q-grams of distinct values: row offsets, gram codes, gram texts."""
        if spec.kind == "date":
            vocabulary: dict[str, int] = {}
            flat: list[int] = []
            lengths = []
            for value in values:
                grams = _qgrams(spec, value)
                flat.extend(vocabulary.setdefault(g, len(vocabulary)) for g in grams)
                lengths.append(len(grams))
            offsets = np.zeros(len(values) + 1, np.int64)
            np.cumsum(lengths, out=offsets[1:])
            return offsets, np.asarray(flat, np.int64), list(vocabulary)
        return _vector_grams(spec.kind, values)

    def _encode_filter(
        self, spec: FilterSpec, values: _Distinct, salts: _Distinct
    ) -> tuple[np.ndarray, np.ndarray]:
        from puente.linkage.pprl.kernels import bloom_words

        present = values.codes >= 0
        # distinct (salt, value) of the present records
        keys, pairs = _combine([salts.codes[present], values.codes[present]])
        salt_of, value_of = pairs[:, 0], pairs[:, 1]
        offsets, grams, texts = self._grams(spec, values.uniques)
        # each distinct (salt, value)'s q-grams, as (salt, gram) codes
        counts = np.diff(offsets)[value_of]
        rows = np.zeros(len(pairs) + 1, np.int64)
        np.cumsum(counts, out=rows[1:])
        starts = np.repeat(offsets[value_of] - rows[:-1], counts)
        gram_of = grams[np.arange(rows[-1], dtype=np.int64) + starts]
        salt_gram = (
            np.repeat(salt_of.astype(np.int64), counts) * max(len(texts), 1) + gram_of
        )
        slots, distinct = pd.factorize(salt_gram)
        distinct = np.asarray(distinct, np.int64)
        table = np.zeros((len(distinct), spec.hashes), np.int64)
        positions = self._gram_positions
        for row, code in enumerate(distinct.tolist()):
            salt_code, gram = divmod(code, max(len(texts), 1))
            table[row] = positions(spec, salts.uniques[salt_code], texts[gram])
        mode, order = self._hardening(spec)
        width = (
            2 * spec.bits if mode == 1 else spec.bits // 2 if mode == 2 else spec.bits
        )
        words = bloom_words(
            rows, slots.astype(np.int64), table, spec.bits, mode, order, -(-width // 64)
        )
        filters = np.zeros((len(present), words.shape[1]), np.uint64)
        filters[present] = words[keys]
        return filters, present

    def _hardening(self, spec: FilterSpec) -> tuple[int, np.ndarray]:
        """The kernel's mode and, for balancing, where each bit lands."""
        hardening = self.config.hardening
        if hardening is Hardening.BALANCE:
            # output bit x is balanced bit permutation[x]: invert the permutation
            inverse = np.empty(2 * spec.bits, np.int64)
            inverse[self._permutations[spec.name]] = np.arange(2 * spec.bits)
            return 1, inverse
        if hardening is Hardening.XOR_FOLD:
            return 2, np.zeros(0, np.int64)
        return 0, np.zeros(0, np.int64)

    # --- tokens ----------------------------------------------------------------

    def _token(self, label: str, values: _Distinct | _Bytes) -> np.ndarray:
        """64-bit keyed BLAKE2b tokens (a MAC like HMAC) of `label` + 0x1F + each
        distinct value: all of them in one compiled call (`blake2b64_keyed`),
        bit for bit what `hashlib.blake2b(key=…, digest_size=8)` gives."""
        from puente.linkage.pprl.kernels import blake2b64_keyed

        key = self._token_key[:32]
        prefix = f"{label}\x1f"
        out = np.zeros(len(values.codes), np.uint64)
        segments = _utf8(values.uniques) if isinstance(values, _Distinct) else values
        if segments is None:  # a value holds NUL itself: one C call per value
            assert isinstance(values, _Distinct)  # noqa: S101 - _Bytes never None
            keyed = hashlib.blake2b(key=key, digest_size=8)
            digests = []
            for value in values.uniques:
                mac = keyed.copy()  # the key compressed once
                mac.update((prefix + value).encode())
                digests.append(mac.digest())
            table = np.frombuffer(b"".join(digests), "<u8").astype(np.uint64)
        elif len(segments.starts):
            table = blake2b64_keyed(
                np.frombuffer(key, np.uint8),
                np.frombuffer(prefix.encode(), np.uint8),
                segments.buffer,
                segments.starts,
                segments.stops,
            )
        else:
            return out
        table[table == 0] = 1
        known = values.codes >= 0
        out[known] = table[values.codes[known]]
        return out

    def _rule_values(
        self, prepared: pd.DataFrame, columns: Sequence[str]
    ) -> _Distinct | _Bytes:
        """Each record's columns joined with 0x1F (absent when one is): as
        bytes built in one compiled pass, or as texts when a value holds NUL."""
        from puente.linkage.pprl.kernels import join_segments

        n = len(prepared)
        if not columns or any(c not in prepared.columns for c in columns):
            return _Distinct(np.full(n, -1, np.int64), [])
        parts = [self._column(prepared, c) for c in columns]
        if len(parts) == 1:
            return parts[0]
        codes, combos = _combine([p.codes for p in parts])
        missing = np.asarray((combos < 0).any(axis=1), dtype=bool)
        segments = [_utf8(p.uniques) for p in parts]
        if all(s is not None for s in segments):
            found = [s for s in segments if s is not None]
            sizes = np.asarray([len(s.buffer) for s in found], np.int64)
            counts = np.asarray([len(s.starts) for s in found], np.int64)
            byte_base = np.concatenate(([0], np.cumsum(sizes)[:-1]))
            index_base = np.concatenate(([0], np.cumsum(counts)[:-1]))
            keep = ~missing
            joined, starts, stops = join_segments(
                np.concatenate([s.buffer for s in found]),
                np.concatenate(
                    [s.starts + o for s, o in zip(found, byte_base, strict=True)]
                ),
                np.concatenate(
                    [s.stops + o for s, o in zip(found, byte_base, strict=True)]
                ),
                np.ascontiguousarray(combos[keep] + index_base),
                0x1F,
            )
            renumber = np.full(len(keep) + 1, -1, np.int64)
            renumber[:-1][keep] = np.arange(int(keep.sum()))
            return _Bytes(renumber[codes], joined, starts, stops)
        texts = [
            np.asarray([*p.uniques, ""], dtype=object)[combo]
            for p, combo in zip(parts, combos.T, strict=True)
        ]
        uniques = ["\x1f".join(row) for row in zip(*texts, strict=True)]
        return _Distinct(codes, uniques).without(missing)

    def _column(self, prepared: pd.DataFrame, column: str) -> _Distinct:
        """A column's codes and texts as the `string` dtype prints them (-1: NA)."""
        found = self._columns.get(column)
        if found is None:
            codes, uniques = pd.factorize(prepared[column].to_numpy(dtype=object))
            if pd.api.types.infer_dtype(uniques, skipna=False) == "string":
                texts = list(uniques)  # already text: as the `string` dtype keeps it
            else:
                texts = [
                    str(t)
                    for t in pd.array(uniques, dtype="string").to_numpy(
                        dtype=object, na_value=""
                    )
                ]
            found = _Distinct(np.asarray(codes, np.int64), texts)
            self._columns[column] = found
        return found

    # --- records ---------------------------------------------------------------

    def encode(
        self, prepared: pd.DataFrame, ids: Sequence[str] | None = None
    ) -> Encoding:
        """Encode prepared records (see `records.prepare`); `ids` default to theirs."""
        n = len(prepared)
        opaque = np.asarray(
            list(ids) if ids is not None else prepared["unique_id"].tolist(),
            dtype=object,
        )
        encoding = Encoding(ids=opaque)
        self._columns = {}
        if self.config.salt is Salt.BIRTH_YEAR and "b_year" in prepared.columns:
            year = prepared["b_year"].astype("string").fillna("").to_numpy(dtype=str)
            codes, uniques = pd.factorize(year)
            salts = _Distinct(codes.astype(np.int64), [str(u) for u in uniques])
        else:
            salts = _Distinct(np.zeros(n, np.int64), [""])
        unsalted = _Distinct(np.zeros(n, np.int64), [""])
        # Which salt a record's name filters carry (equal tokens: comparable
        # names). Reveals only that two records share a birth year.
        encoding.tokens[SALT_TOKEN] = self._token(SALT_TOKEN, salts.without_blank())
        for spec in self.config.filters:
            values = self._values(prepared, spec)
            if not (values.codes >= 0).any():
                continue
            filters, present = self._encode_filter(
                spec, values, salts if spec.salted else unsalted
            )
            encoding.filters[spec.name] = filters
            encoding.present[spec.name] = present
        for name, column in TOKEN_FIELDS:
            if column in prepared.columns and prepared[column].notna().any():
                encoding.tokens[name] = self._token(
                    name, self._rule_values(prepared, (column,))
                )
        for rule in self.config.blocking:
            hash_label = "k_" + "__".join(sorted(rule.columns))
            for label, columns in _rule_token_columns(rule):
                if label not in encoding.tokens:
                    encoding.tokens[label] = self._token(
                        hash_label if rule.crosswise else label,
                        self._rule_values(prepared, columns),
                    )
        record_columns = [c for c in RECORD_COLUMNS if c in prepared.columns]
        encoding.tokens[RECORD_TOKEN] = self._token(
            RECORD_TOKEN, self._rule_values(prepared, record_columns)
        )
        self._columns = {}
        return encoding


@dataclass(frozen=True, slots=True)
class _Distinct:
    """Values as codes (-1: absent) into their distinct texts."""

    codes: np.ndarray
    uniques: list[str]

    def without(self, gone: np.ndarray) -> _Distinct:
        """Codes of the distinct values marked `gone` become absent (-1)."""
        if not len(gone) or not gone.any():
            return self
        keep = ~gone
        renumber = np.full(len(gone) + 1, -1, np.int64)
        renumber[:-1][keep] = np.arange(int(keep.sum()))
        uniques = [u for u, k in zip(self.uniques, keep.tolist(), strict=True) if k]
        return _Distinct(renumber[self.codes], uniques)

    def without_blank(self) -> _Distinct:
        return self.without(np.array([u == "" for u in self.uniques], dtype=bool))


@dataclass(frozen=True, slots=True)
class _Bytes:
    """Distinct values as UTF-8 segments of one buffer (codes: -1 absent)."""

    codes: np.ndarray
    buffer: np.ndarray
    starts: np.ndarray
    stops: np.ndarray


def _utf8(uniques: list[str]) -> _Bytes | None:
    """The UTF-8 bytes of each text as a segment of one buffer, cut at NUL
    separators in one pass; None when a text holds NUL itself."""
    none = np.zeros(0, np.int64)
    if not uniques:
        return _Bytes(none, np.zeros(0, np.uint8), none, none)
    joined = "\x00".join(uniques)
    if joined.count("\x00") != len(uniques) - 1:
        return None
    buffer = np.frombuffer(joined.encode(), np.uint8)
    ends = np.flatnonzero(buffer == 0)
    return _Bytes(
        none,
        buffer,
        np.concatenate(([0], ends + 1)).astype(np.int64),
        np.concatenate((ends, [len(buffer)])).astype(np.int64),
    )


def _combine(codes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the distinct combinations of several code columns (-1 kept
    inside a combination) and, per combination, each column's code."""
    n = len(codes[0])
    if not codes or n == 0:
        return np.zeros(n, np.int64), np.zeros((0, len(codes)), np.int64)
    widths = [int(column.max()) + 2 if len(column) else 1 for column in codes]
    if float(np.prod(np.asarray(widths, dtype=np.float64))) < 2.0**62:
        # the mixed-radix number of the codes fits: one factorisation
        mixed = np.zeros(n, np.int64)
        for column, width in zip(codes, widths, strict=True):
            mixed = mixed * width + (column + 1)
        combined = np.asarray(pd.factorize(mixed)[0], np.int64)
    else:
        combined = np.zeros(n, np.int64)
        for column, width in zip(codes, widths, strict=True):
            # each step stays below n² ≤ 2^63: re-factorise after every column
            combined = np.asarray(
                pd.factorize(combined * width + (column + 1))[0], np.int64
            )
    first = np.full(int(combined.max()) + 1, -1, np.int64)
    first[combined[::-1]] = np.arange(n - 1, -1, -1)
    combos = np.stack([column[first] for column in codes], axis=1)
    return combined, combos


def _vector_grams(
    kind: str, values: list[str]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Bigrams of `_value_` or positional unigrams, cut with NumPy."""
    count = len(values)
    if count == 0:
        return np.zeros(1, np.int64), np.zeros(0, np.int64), []
    text = np.asarray(values, dtype=str)
    width = text.dtype.itemsize // 4
    chars = text.view(np.uint32).reshape(count, width).astype(np.int64)
    lengths = np.char.str_len(text).astype(np.int64)
    if kind == "bigrams":
        padded = np.zeros((count, width + 2), np.int64)
        padded[:, 0] = ord("_")
        padded[:, 1 : width + 1] = chars
        padded[np.arange(count), lengths + 1] = ord("_")
        codes = padded[:, :-1] << 21 | padded[:, 1:]
        valid = np.arange(width + 1)[None, :] <= lengths[:, None]
    else:
        codes = np.arange(width, dtype=np.int64)[None, :] << 21 | chars
        valid = np.arange(width)[None, :] < lengths[:, None]
    flat = codes[valid]
    offsets = np.zeros(count + 1, np.int64)
    np.cumsum(valid.sum(axis=1), out=offsets[1:])
    gram, distinct = pd.factorize(flat)
    mask = (1 << 21) - 1
    if kind == "bigrams":
        texts = [chr(c >> 21) + chr(c & mask) for c in distinct.tolist()]
    else:
        texts = [f"{c >> 21}{chr(c & mask)}" for c in distinct.tolist()]
    return offsets, np.asarray(gram, np.int64), texts


# The cheap first pass: two records equal on every one of these are the same
# person without further scoring (a missing value makes the token absent).
SALT_TOKEN = "k_salt"  # noqa: S105 - a column name, not a secret
RECORD_TOKEN = "k_record"  # noqa: S105 - a column name, not a secret
RECORD_COLUMNS = ("gn", "sn", "dob", "sex", "addr", "pc", "num", "addr1", "suburb")


def _family(spec: FilterSpec) -> str:
    """Given and family names share hashing, so names swapped can be compared."""
    return "names" if spec.name in ("given_name", "surname") else spec.name


def _rule_token_columns(rule: BlockingRule) -> list[tuple[str, tuple[str, ...]]]:
    """Token columns a blocking rule needs: one compound key, or two crosswise."""
    if rule.crosswise:
        a, b = rule.columns
        return [(f"k_{a}__{b}", (a, b)), (f"k_{b}__{a}", (b, a))]
    return [("k_" + "__".join(rule.columns), rule.columns)]


def token_rules(rules: Sequence[BlockingRule]) -> list[BlockingRule]:
    """The blocking rules restated over token columns of an `Encoding`."""
    restated = []
    for rule in rules:
        labels = [label for label, _ in _rule_token_columns(rule)]
        if rule.crosswise:
            restated.append(
                BlockingRule(rule.name, (labels[0], labels[1]), crosswise=True)
            )
        else:
            restated.append(BlockingRule(rule.name, (labels[0],)))
    return restated


def token_columns_map(encoding: Encoding) -> Mapping[str, np.ndarray]:
    return encoding.tokens
