"""Trigger catalogue: lint, persistence, cooldown, adoption."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest

from puente.core.expressions import ExpressionError
from puente.early_warning.rules.triggers import evaluate_series
from puente.early_warning.service import default_catalogue_document, load_catalogue

TITLE = dict.fromkeys(("en", "es", "pt", "fr", "ht"), "t")


def _catalogue(condition: str, **extra: Any) -> dict[str, Any]:
    trigger = {"id": "t1", "title": TITLE, "condition": condition, **extra}
    return {"version": "test-1", "triggers": [trigger]}


def _rows(flags: list[bool]) -> list[Mapping[str, Any]]:
    return [
        {"period": dt.date(2024, i + 1, 1), "c2_alarm": flag, "arrivals_month": 1.0}
        for i, flag in enumerate(flags)
    ]


class TestCatalogue:
    def test_default_catalogue_lints(self) -> None:
        catalogue = load_catalogue(default_catalogue_document())
        assert len(catalogue.triggers) >= 3

    def test_rejects_an_unknown_variable(self) -> None:
        with pytest.raises(ExpressionError):
            load_catalogue(_catalogue("arrivals_month > 5 && secret_var"))

    def test_rejects_a_disallowed_function(self) -> None:
        with pytest.raises(ExpressionError):
            load_catalogue(_catalogue("system('x') == 1"))


class TestEvaluation:
    def test_persistence_needs_k_of_n(self) -> None:
        catalogue = load_catalogue(_catalogue("c2_alarm", persistence={"k": 2, "n": 3}))
        fired = evaluate_series(
            catalogue.triggers[0], "s|*", _rows([True, False, False, True, True])
        )
        assert [f.period.month for f in fired] == [5]

    def test_cooldown_suppresses_repeats(self) -> None:
        catalogue = load_catalogue(_catalogue("c2_alarm", cooldown=2))
        fired = evaluate_series(catalogue.triggers[0], "s|*", _rows([True] * 5))
        assert [f.period.month for f in fired] == [1, 4]
        assert fired[0].values["c2_alarm"] is True

    def test_missing_value_never_fires(self) -> None:
        catalogue = load_catalogue(_catalogue("arrivals_month > 0.5"))
        rows = [{"period": dt.date(2024, 1, 1), "arrivals_month": None}]
        assert evaluate_series(catalogue.triggers[0], "s|*", rows) == []
