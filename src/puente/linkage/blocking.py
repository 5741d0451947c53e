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
from dataclasses import dataclass, replace

import duckdb
import numpy as np
import pandas as pd

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_KEY_PREFIX = "blk__"
_KEY = re.compile(r"\bblk__([a-z0-9_]+?)__(\d+)\b")
MIN_BLOCK = 5  # a capped rule is not halved below this many records per key


@dataclass(frozen=True, slots=True)
class BlockingRule:
    """Pairs whose `columns` are all equal and not null (`crosswise` pairs the
    left record's first column with the right record's second, and back).

    With `max_block`, only keys that at most that many records share make
    pairs: a common name ("maria", "garcia") is left to the rules with a birth
    date, while the many uncommon ones still meet without it. Such a rule
    blocks on a derived column (`key`) that `with_block_keys` adds.
    """

    name: str
    columns: tuple[str, ...]
    crosswise: bool = False
    max_block: int | None = None

    def __post_init__(self) -> None:
        # Column names are spliced into SQL; only our own identifiers pass.
        if not all(_IDENTIFIER.match(c) for c in self.columns):
            raise ValueError("blocking columns are lower-case identifiers")
        if self.max_block is not None and (
            self.crosswise or self.max_block < 2 or any("__" in c for c in self.columns)
        ):
            raise ValueError("a capped rule is plain and keeps blocks of 2 or more")

    @property
    def key(self) -> str | None:
        """The derived key column of a capped rule (its columns and cap)."""
        if self.max_block is None:
            return None
        return f"{_KEY_PREFIX}{'__'.join(self.columns)}__{self.max_block}"

    def sql(self) -> str:
        if self.key is not None:
            return f"l.{self.key} = r.{self.key}"
        if self.crosswise:
            a, b = self.columns
            return f"l.{a} = r.{b} AND l.{b} = r.{a}"
        return " AND ".join(f"l.{c} = r.{c}" for c in self.columns)


def _rule(
    name: str, *columns: str, crosswise: bool = False, max_block: int | None = None
) -> BlockingRule:
    return BlockingRule(name, tuple(columns), crosswise, max_block)


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

# Plaintext linkage also blocks on two keys the encoder has no tokens for: the
# birth date within a birth country (the split "birth date", which a million
# records cannot afford whole), and names that few records share, with no date
# at all (a date missing, or a year off with a name mistyped).
PLAINTEXT_RULES: tuple[BlockingRule, ...] = (
    *CANDIDATE_RULES[:9],
    _rule("birth date and birth country", "dob", "country"),
    _rule("uncommon names by sound", "gn_ph", "sn1_ph", max_block=100),
    *CANDIDATE_RULES[9:],
)


def pair_budget(records: int) -> int:
    """At most this many candidate pairs: linear in the records."""
    return max(400_000, 12 * records)


def _joined_key(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """The columns' values joined into one key; null where any is null."""
    parts = [frame[c].astype("string") for c in columns]
    key = parts[0]
    for part in parts[1:]:
        key = key + "\x1f" + part
    return key


def block_keys(
    frame: pd.DataFrame, rule: BlockingRule, other: pd.DataFrame | None = None
) -> pd.Series | None:
    """A capped rule's key per record of `frame`: null where a column is
    missing or more than `max_block` records (of both frames) share it."""
    if rule.max_block is None or any(c not in frame.columns for c in rule.columns):
        return None
    key = _joined_key(frame, rule.columns)
    both = key
    if other is not None:
        if any(c not in other.columns for c in rule.columns):
            return None
        both = pd.concat([key, _joined_key(other, rule.columns)], ignore_index=True)
    sizes = both.value_counts()
    size = key.map(sizes)
    return key.where(size <= rule.max_block)


def with_block_keys(
    frame: pd.DataFrame,
    rules: Iterable[BlockingRule],
    other: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """`frame` with the derived key column of each capped rule added."""
    added = {}
    for rule in rules:
        if rule.key is None or rule.key in frame.columns:
            continue
        keys = block_keys(frame, rule, other)
        if keys is not None:
            added[rule.key] = keys.astype(object).where(keys.notna(), None)
    return frame.assign(**added) if added else frame


def capped_rules(sqls: Iterable[str]) -> list[BlockingRule]:
    """The capped rules named by derived key columns in blocking SQL, so a
    stored model's rules can be keyed again on new records."""
    found: dict[str, BlockingRule] = {}
    for sql in sqls:
        for match in _KEY.finditer(sql):
            columns = tuple(match.group(1).split("__"))
            rule = BlockingRule(match.group(0), columns, max_block=int(match.group(2)))
            found[match.group(0)] = rule
    return list(found.values())


def _keyed(
    left: pd.DataFrame, right: pd.DataFrame | None, rule: BlockingRule
) -> tuple[pd.DataFrame, pd.DataFrame | None, BlockingRule]:
    """A capped rule restated as a plain rule on its derived key column."""
    if rule.key is None:
        return left, right, rule
    left = with_block_keys(left, [rule], right)
    if right is not None:
        right = with_block_keys(right, [rule], left)
    return left, right, BlockingRule(rule.name, (rule.key,))


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
    left, right, rule = _keyed(left, right, rule)
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
    candidates: Sequence[BlockingRule] = PLAINTEXT_RULES,
) -> list[BlockingRule]:
    """The candidate rules, in order, whose pairs fit in the budget together.

    A rule that alone would exceed what is left is skipped, not truncated; rules
    on columns the data lacks are skipped. A capped rule that does not fit is
    tried again with its cap halved, down to `MIN_BLOCK` records per key.
    """
    records = len(left) + (len(right) if right is not None else 0)
    remaining = budget if budget is not None else pair_budget(records)
    chosen: list[BlockingRule] = []
    for candidate in candidates:
        for rule in _caps(candidate):
            pairs = count_pairs(left, right, rule)
            if pairs == 0 or pairs > remaining:
                continue
            chosen.append(rule)
            remaining -= pairs
            break
    return chosen


def _caps(rule: BlockingRule) -> list[BlockingRule]:
    if rule.max_block is None:
        return [rule]
    caps = [rule.max_block]
    while caps[-1] // 2 >= MIN_BLOCK:
        caps.append(caps[-1] // 2)
    return [replace(rule, max_block=cap) for cap in caps]


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
        for index, given in enumerate(rules):
            lf, keyed_right, rule = _keyed(lf, rf if right is not None else None, given)
            rf = keyed_right if keyed_right is not None else lf
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
