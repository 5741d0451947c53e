"""The value classes screening memoises on: exact, or not used at all."""

from __future__ import annotations

import operator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puente.pathways.rules.cel_shape import ShapeUnknown, parse, value_classes

KINDS = {
    "age": int,
    "date_of_entry": str,
    "nationality": str,
    "country_of_residence": str,
    "family_in": tuple,
}


class TestClasses:
    def test_ages_split_at_every_threshold_the_rules_name(self) -> None:
        classes = value_classes(["age >= 18", "age < 65 && age != 40"], KINDS)
        age = classes["age"]
        assert age(20) == age(39) == age(30)
        assert len({age(17), age(18), age(19), age(40), age(64), age(65)}) == 6

    def test_dates_compare_as_iso_strings(self) -> None:
        date = value_classes(['date_of_entry <= "2021-01-31"'], KINDS)["date_of_entry"]
        assert date("2019-05-02") == date("2021-01-30")
        assert date("2021-01-31") != date("2021-02-01")

    def test_a_list_counts_by_the_constants_it_holds(self) -> None:
        family = value_classes(['"USA" in family_in'], KINDS)["family_in"]
        assert family(("USA", "CAN")) == family(("USA",))
        assert family(("CAN",)) == family(())
        assert family(("USA",)) != family(("CAN",))

    @pytest.mark.parametrize(
        "expression",
        [
            "size(family_in) > 1",  # used beyond membership
            "country_of_residence != nationality",  # two facts compared
            'nationality.startsWith("V")',  # a string function
            "age + 1 > 18",  # arithmetic
            "age > 0x10",  # outside the parsed subset
            'nationality in ["VEN", 3]',  # constants of another type
        ],
    )
    def test_a_fact_used_otherwise_keeps_its_raw_value(self, expression: str) -> None:
        classes = value_classes([expression, "age >= 18"], KINDS)
        read = {"family_in", "nationality", "country_of_residence", "age"}
        used = {name for name in read if name in expression}
        assert not used & set(classes)

    def test_parse_refuses_what_it_does_not_read(self) -> None:
        with pytest.raises(ShapeUnknown):
            parse("a.b > 1")
        with pytest.raises(ShapeUnknown):
            parse("3u > 1")


_OPS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    constants=st.lists(st.integers(-5, 130), min_size=1, max_size=6),
    ops=st.lists(st.sampled_from(sorted(_OPS)), min_size=1, max_size=6),
    a=st.integers(-10, 140),
    b=st.integers(-10, 140),
)
def test_equal_classes_mean_every_comparison_agrees(
    constants: list[int], ops: list[str], a: int, b: int
) -> None:
    rules = [f"age {op} {c}" for op, c in zip(ops, constants, strict=False)]
    age = value_classes(rules, KINDS).get("age")
    assert age is not None or any(c < 0 for c in constants)
    if age is None or age(a) != age(b):
        return
    for op, c in zip(ops, constants, strict=False):
        assert _OPS[op](a, c) == _OPS[op](b, c)
