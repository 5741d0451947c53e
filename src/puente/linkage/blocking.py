"""Blocking: which pairs are compared at all.

A rule is a set of prepared columns that must be equal (or a pair of columns
read crosswise, for given and family names swapped at registration). Rules run
from the most specific to the broadest; `choose_rules` keeps them in that order
while the pairs they generate stay within a budget that grows linearly with the
number of records, so a million records do not explode into billions of pairs.
`tests/linkage/test_blocking.py` shows each rule's recall and pairs on FEBRL3.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class BlockingRule:
    """Pairs whose `columns` are all equal and not null (`crosswise` pairs the
    left record's first column with the right record's second, and back)."""

    name: str
    columns: tuple[str, ...]
    crosswise: bool = False

    def __post_init__(self) -> None:
        # Column names are spliced into SQL; only our own identifiers pass.
        if not all(_IDENTIFIER.match(c) for c in self.columns):
            raise ValueError("blocking columns are lower-case identifiers")

    def sql(self) -> str:
        if self.crosswise:
            a, b = self.columns
            return f"l.{a} = r.{b} AND l.{b} = r.{a}"
        return " AND ".join(f"l.{c} = r.{c}" for c in self.columns)


def _rule(name: str, *columns: str, crosswise: bool = False) -> BlockingRule:
    return BlockingRule(name, tuple(columns), crosswise)


# From the most specific to the broadest. Every rule up to `dob` also scales to
# millions of records; the broad ones are taken only when the budget allows.
CANDIDATE_RULES: tuple[BlockingRule, ...] = (
    _rule("phonetic names and birth year", "gn_ph", "sn1_ph", "b_year"),
    _rule("family name sound and birth date", "sn1_ph", "dob"),
    _rule("given name sound and birth date", "gn_ph", "dob"),
    _rule("birth date either way round and given name", "dob_sorted", "gn_ph"),
    _rule(
        "second family name and given name sound, birth year",
        "gn_ph",
        "sn2_ph",
        "b_year",
    ),
    _rule("names swapped", "gn1", "sn1", crosswise=True),
    _rule("given and family names", "gn", "sn"),
    _rule("postcode and street number", "pc", "num"),
    _rule("first given and family name", "gn1", "sn1"),
    _rule("family name and birth country, birth year", "sn1", "country", "b_year"),
    _rule("address", "addr"),
    _rule("birth date", "dob"),
    _rule("phonetic names", "gn_ph", "sn1_ph"),
    _rule("address line", "addr1"),
    _rule("given name", "gn"),
    _rule("family name", "sn"),
    _rule("locality", "suburb"),
    _rule("postcode", "pc"),
)


def pair_budget(records: int) -> int:
    """At most this many candidate pairs: linear in the records."""
    return max(400_000, 12 * records)


def _key_frame(frame: pd.DataFrame, rule: BlockingRule) -> pd.DataFrame | None:
    columns = list(rule.columns)
    if any(c not in frame.columns for c in columns):
        return None
    keys = frame[columns].dropna()
    if keys.empty:
        return None
    return keys


def count_pairs(
    left: pd.DataFrame, right: pd.DataFrame | None, rule: BlockingRule
) -> int:
    """Pairs `rule` generates (self-pairs excluded; crosswise counted one way)."""
    con = duckdb.connect()
    try:
        lk = _key_frame(left, rule)
        rk = _key_frame(right, rule) if right is not None else lk
        if lk is None or rk is None:
            return 0
        con.register("lk", lk)
        con.register("rk", rk)
        cols = list(rule.columns)
        if rule.crosswise:
            a, b = cols
            sql = (
                f"SELECT coalesce(sum(l.c * r.c), 0) FROM "  # noqa: S608 - checked identifiers
                f"(SELECT {a} AS x, {b} AS y, count(*) c FROM lk GROUP BY 1, 2) l "
                f"JOIN (SELECT {b} AS x, {a} AS y, count(*) c FROM rk GROUP BY 1, 2) r "
                f"USING (x, y)"
            )
            if right is None:
                # each pair was counted from both sides, and a record whose two
                # names are equal met itself
                sql = (
                    f"SELECT (({sql}) - (SELECT count(*) FROM lk "  # noqa: S608
                    f"WHERE {a} = {b})) / 2"
                )
        elif right is None:
            group = ", ".join(cols)
            sql = (
                f"SELECT coalesce(sum(c * (c - 1) / 2), 0) FROM "  # noqa: S608 - checked identifiers
                f"(SELECT count(*) c FROM lk GROUP BY {group})"
            )
        else:
            group = ", ".join(cols)
            sql = (
                f"SELECT coalesce(sum(l.c * r.c), 0) FROM "  # noqa: S608 - checked identifiers
                f"(SELECT {group}, count(*) c FROM lk GROUP BY {group}) l "
                f"JOIN (SELECT {group}, count(*) c FROM rk GROUP BY {group}) r "
                f"USING ({group})"
            )
        row = con.execute(sql).fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def choose_rules(
    left: pd.DataFrame,
    right: pd.DataFrame | None = None,
    *,
    budget: int | None = None,
    candidates: Sequence[BlockingRule] = CANDIDATE_RULES,
) -> list[BlockingRule]:
    """The candidate rules, in order, whose pairs fit in the budget together.

    A rule that alone would exceed what is left is skipped, not truncated; rules
    on columns the data lacks are skipped.
    """
    records = len(left) + (len(right) if right is not None else 0)
    remaining = budget if budget is not None else pair_budget(records)
    chosen: list[BlockingRule] = []
    for rule in candidates:
        pairs = count_pairs(left, right, rule)
        if pairs == 0 or pairs > remaining:
            continue
        chosen.append(rule)
        remaining -= pairs
    return chosen


def candidate_pairs(
    left: pd.DataFrame,
    right: pd.DataFrame | None,
    rules: Iterable[BlockingRule],
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct candidate pairs (row positions) of the union of `rules`.

    Deduplication (`right` is None) returns each pair once with i < j.
    """
    con = duckdb.connect()
    try:
        lf = left.assign(_row=np.arange(len(left)))
        rf = (right if right is not None else left).assign(
            _row=np.arange(len(right) if right is not None else len(left))
        )
        parts = []
        for index, rule in enumerate(rules):
            cols = list(rule.columns)
            if any(c not in lf.columns or c not in rf.columns for c in cols):
                continue
            con.register(f"l{index}", lf[[*cols, "_row"]].dropna())
            con.register(f"r{index}", rf[[*cols, "_row"]].dropna())
            order = " AND l._row < r._row" if right is None else ""
            parts.append(
                f"SELECT l._row AS i, r._row AS j FROM l{index} l JOIN r{index} r "  # noqa: S608 - checked identifiers
                f"ON {rule.sql()}{order}"
            )
            if right is None and rule.crosswise:
                parts.append(
                    f"SELECT r._row AS i, l._row AS j FROM l{index} l JOIN r{index} r "  # noqa: S608 - checked identifiers
                    f"ON {rule.sql()} AND r._row < l._row"
                )
        if not parts:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        sql = " UNION ".join(parts) + " ORDER BY i, j"
        pairs = con.execute(sql).fetchnumpy()
        return (
            np.asarray(pairs["i"], dtype=np.int64),
            np.asarray(pairs["j"], dtype=np.int64),
        )
    finally:
        con.close()
