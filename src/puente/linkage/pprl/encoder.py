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
    """Encodes prepared records under one agreement's secret."""

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
            while len(digest) < 2 * spec.hashes:
                digest += hmac.new(
                    self._field_keys[spec.name],
                    f"{salt}\x1f{gram}\x1f{counter}".encode(),
                    hashlib.sha256,
                ).digest()
                counter += 1
            words = np.frombuffer(digest[: 2 * spec.hashes], np.uint16)
            found = (words % spec.bits).tolist()
            self._positions[key] = found
        return found

    def _values(self, prepared: pd.DataFrame, spec: FilterSpec) -> np.ndarray:
        if spec.kind == "date":
            parts = [
                prepared[c] if c in prepared.columns else None for c in spec.columns
            ]
            if parts[0] is None:
                return np.full(len(prepared), None, dtype=object)
            year, month, day = (
                p.astype("string").fillna("").to_numpy(dtype=object)
                if p is not None
                else np.full(len(prepared), "", dtype=object)
                for p in parts
            )
            return np.array(
                [
                    f"{y}-{m.zfill(2) if m else ''}-{d.zfill(2) if d else ''}"
                    if y
                    else None
                    for y, m, d in zip(year, month, day, strict=True)
                ],
                dtype=object,
            )
        column = spec.columns[0]
        if column not in prepared.columns:
            return np.full(len(prepared), None, dtype=object)
        return np.asarray(prepared[column].to_numpy(dtype=object))

    def _encode_filter(
        self, spec: FilterSpec, values: np.ndarray, salts: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        present = np.array([v is not None and v == v and v != "" for v in values])
        keyed = np.where(
            present, salts + "\x1f" + np.where(present, values, "").astype(str), ""
        )
        codes, uniques = pd.factorize(keyed)
        bits = np.zeros((len(uniques), spec.bits), dtype=bool)
        columns: list[int] = []
        lengths: list[int] = []
        positions = self._gram_positions
        for unique in uniques:
            salt, _, value = str(unique).partition("\x1f")
            before = len(columns)
            if unique:
                for gram in _qgrams(spec, value):
                    columns.extend(positions(spec, salt, gram))
            lengths.append(len(columns) - before)
        if columns:
            rows = np.repeat(np.arange(len(uniques)), lengths)
            bits[rows, np.asarray(columns, dtype=np.int64)] = True
        hardened = self._harden(spec, bits)
        packed = np.packbits(hardened, axis=1, bitorder="little")
        if packed.shape[1] % 8:
            packed = np.pad(packed, ((0, 0), (0, 8 - packed.shape[1] % 8)))
        words = np.ascontiguousarray(packed).view(np.uint64)
        filters = np.ascontiguousarray(words[codes])
        filters[~present] = 0
        return filters, present

    def _harden(self, spec: FilterSpec, bits: np.ndarray) -> np.ndarray:
        hardening = self.config.hardening
        if hardening is Hardening.BALANCE:
            balanced = np.concatenate([bits, ~bits], axis=1)
            return balanced[:, self._permutations[spec.name]]
        if hardening is Hardening.XOR_FOLD:
            half = spec.bits // 2
            return np.asarray(bits[:, :half] ^ bits[:, half : 2 * half])
        return bits

    # --- tokens ----------------------------------------------------------------

    def _token(self, label: str, values: Sequence[str | None]) -> np.ndarray:
        """64-bit keyed BLAKE2b tokens (a MAC like HMAC, one C call per value)."""
        codes, uniques = pd.factorize(pd.Series(values, dtype=object))
        key = self._token_key[:32]
        prefix = f"{label}\x1f".encode()
        digests = np.fromiter(
            (
                int.from_bytes(
                    hashlib.blake2b(
                        prefix + str(v).encode(), key=key, digest_size=8
                    ).digest(),
                    "little",
                )
                or 1
                for v in uniques
            ),
            dtype=np.uint64,
            count=len(uniques),
        )
        out = np.zeros(len(values), np.uint64)
        known = codes >= 0
        out[known] = digests[codes[known]]
        return out

    def _rule_values(
        self, prepared: pd.DataFrame, columns: Sequence[str]
    ) -> list[str | None]:
        if not columns or any(c not in prepared.columns for c in columns):
            return [None] * len(prepared)
        parts = [
            prepared[c].astype("string").to_numpy(dtype=object, na_value=None)
            for c in columns
        ]
        return [
            None if any(v is None for v in row) else "\x1f".join(row)
            for row in zip(*parts, strict=True)
        ]

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
        if self.config.salt is Salt.BIRTH_YEAR and "b_year" in prepared.columns:
            salts = prepared["b_year"].astype("string").fillna("").to_numpy(dtype=str)
        else:
            salts = np.full(n, "", dtype=str)
        unsalted = np.full(n, "", dtype=str)
        # Which salt a record's name filters carry (equal tokens: comparable
        # names). Reveals only that two records share a birth year.
        encoding.tokens[SALT_TOKEN] = self._token(
            SALT_TOKEN, [str(v) if v else None for v in salts]
        )
        for spec in self.config.filters:
            values = self._values(prepared, spec)
            if not any(v is not None and v == v and v != "" for v in values):
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
        return encoding


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
