"""The encoder as it was before the fast path (one HMAC per value's q-gram,
a boolean matrix per field, one BLAKE2b call per record's token): the reference
`test_encoder_reference.py` holds the fast encoder to, bit for bit."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

import numpy as np
import pandas as pd

from puente.linkage.pprl import Encoding, EncodingConfig, FilterSpec, Hardening, Salt
from puente.linkage.pprl.encoder import (
    RECORD_COLUMNS,
    RECORD_TOKEN,
    SALT_TOKEN,
    TOKEN_FIELDS,
    _family,
    _qgrams,
    _rule_token_columns,
    _subkey,
)


class ReferenceEncoder:
    """The encoder before the fast path, kept as it was."""

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
