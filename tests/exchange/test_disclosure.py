"""Aggregates shared for early warning: no count under five leaves, and no
withheld cell can be recovered from the month totals (property tests)."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from puente.exchange.rules.disclosure import (
    MIN_CELL,
    as_payload,
    from_payload,
    small_counts,
    suppress_month,
    suppressed_table,
)

MONTHS = [dt.date(2026, m, 1) for m in range(1, 7)]
NATIONALITIES = ["VEN", "HTI", "ECU", "COL", "CUB", "CHN", "AFG"]

cells = st.dictionaries(
    st.tuples(st.sampled_from(MONTHS), st.sampled_from(NATIONALITIES)),
    # Small counts are the point: many draws near and under the threshold.
    st.one_of(st.integers(0, 9), st.integers(0, 100_000)),
    min_size=1,
    max_size=30,
)


def _ints(value: object) -> list[int]:
    if isinstance(value, dict):
        return [i for v in value.values() for i in _ints(v)]
    if isinstance(value, list):
        return [i for v in value for i in _ints(v)]
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    return []


@settings(max_examples=400, deadline=None)
@given(cells)
def test_no_sent_body_holds_a_count_from_one_to_four(
    table: dict[tuple[dt.date, str], int],
) -> None:
    body = as_payload(suppressed_table(table))
    text = json.loads(json.dumps(body))  # as it travels
    counts = [i for i in _ints(text) if i != text["min_cell"]]
    assert not [c for c in counts if 0 < c < MIN_CELL]
    assert small_counts({k: v for k, v in text.items() if k != "min_cell"}) == []


@settings(max_examples=400, deadline=None)
@given(cells)
def test_no_withheld_cell_can_be_recovered_from_the_totals(
    table: dict[tuple[dt.date, str], int],
) -> None:
    body = json.loads(json.dumps(as_payload(suppressed_table(table))))
    for month in body["months"]:
        withheld = month["suppressed"]
        if month["total_suppressed"]:
            assert month["total"] is None
            continue
        # What the peer knows: the total, the published cells, that every
        # count is a whole number >= 0. The withheld cells sum to `rest`.
        rest = month["total"] - sum(month["counts"].values())
        assert rest >= 0
        if not withheld:
            assert rest == 0
            continue
        # One withheld cell would equal `rest`; several summing to 0 would all
        # be 0: either way recovered. Otherwise each ranges over 0..rest.
        assert len(withheld) >= 2
        assert rest >= MIN_CELL  # nor is their sum a small count
        for cell in withheld:
            # Two fillings of the withheld cells, both consistent with what was
            # published, that give this cell different values.
            other = next(n for n in withheld if n != cell)
            high = {n: (rest if n == cell else 0) for n in withheld}
            low = {n: (rest if n == other else 0) for n in withheld}
            for filling in (high, low):
                published = sum(month["counts"].values()) + sum(filling.values())
                assert published == month["total"]
            assert high[cell] != low[cell]


@settings(max_examples=200, deadline=None)
@given(cells)
def test_published_figures_are_the_true_ones(
    table: dict[tuple[dt.date, str], int],
) -> None:
    for month in from_payload(as_payload(suppressed_table(table))):
        truth = {n: c for (m, n), c in table.items() if m == month.month}
        assert set(month.cells) == set(truth)
        for nationality, value in month.cells.items():
            if value is not None:
                assert value == truth[nationality] >= MIN_CELL
        if month.total is not None:
            assert month.total == sum(truth.values()) >= MIN_CELL


def test_a_lone_small_cell_takes_the_next_smallest_with_it() -> None:
    month = suppress_month(MONTHS[0], {"VEN": 120, "HTI": 3, "ECU": 40, "CUB": 9})
    assert month.cells == {"VEN": 120, "HTI": None, "ECU": 40, "CUB": None}
    assert month.total == 172


def test_two_small_cells_summing_under_five_take_a_third() -> None:
    month = suppress_month(MONTHS[0], {"VEN": 120, "HTI": 1, "ECU": 2, "CUB": 9})
    assert month.cells == {"VEN": 120, "HTI": None, "ECU": None, "CUB": None}


def test_a_month_under_five_in_all_is_withheld_whole() -> None:
    month = suppress_month(MONTHS[0], {"VEN": 2, "HTI": 1})
    assert (month.cells, month.total) == ({"VEN": None, "HTI": None}, None)


def test_a_received_body_with_a_small_count_is_refused() -> None:
    body = as_payload(suppressed_table({(MONTHS[0], "VEN"): 50, (MONTHS[0], "HTI"): 9}))
    body["months"][0]["counts"]["HTI"] = 3
    try:
        from_payload(body)
    except ValueError:
        return
    raise AssertionError("a count of 3 was accepted")
