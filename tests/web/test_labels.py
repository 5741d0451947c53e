"""The labels catalogue: every code a person can see has words in five languages."""

from __future__ import annotations

import ast
import enum
import importlib
import json
import pkgutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import puente
from puente import labels
from puente.core import i18n
from puente.early_warning.demo import REPLAY_SOURCE
from puente.early_warning.rules.analytics.indicators import VARIABLES

SRC = Path(puente.__file__).resolve().parent
LANGS = ("es", "pt", "fr", "ht")


def _enums() -> Iterator[type[enum.Enum]]:
    for info in pkgutil.walk_packages(puente.__path__, "puente."):
        if ".migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, enum.Enum)
                and value.__module__ == module.__name__
            ):
                yield value


@cache
def _translated(lang: str) -> dict[str, str]:
    path = SRC / "locale" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string}


def _code_sets() -> dict[str, set[str]]:
    """Code sets that live in data files and calls, not enums."""
    protection = SRC / "protection" / "data"
    screening = json.loads((protection / "screening_v1.json").read_text("utf-8"))
    safeguards = json.loads((protection / "return_safeguards.json").read_text("utf-8"))
    ew = SRC / "early_warning" / "data"
    profiles = json.loads((ew / "profiles.json").read_text("utf-8"))
    sphere = json.loads((ew / "sphere.json").read_text("utf-8"))
    events: set[str] = set()
    for path in (SRC / "protection" / "service").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "add_event"
            ):
                kind = node.args[3]
                if isinstance(kind, ast.Constant):
                    events.add(str(kind.value))
    events |= {"approval_approved", "approval_rejected"}
    events |= {f"referral_{t}" for t in ("accepted", "declined", "completed")}
    sets = {
        "case_flag": {flag["id"] for flag in screening["flags"]},
        "return_fact": set(safeguards["facts"]),
        "return_check": {check["id"] for check in safeguards["checks"]},
        "return_legal_basis": {check["id"] for check in safeguards["checks"]},
        "case_event": events,
        "series_source": set(profiles) | {REPLAY_SOURCE},
        "trigger_variable": set(VARIABLES),
        "unit": {item["unit"] for item in sphere["parameters"]},
        "unit_kind": {item["kind"] for item in sphere["parameters"]},
    }
    for name in ("claim_status", "fear_screening_status", "bid_status"):
        sets[name] = set(safeguards["facts"][name]["values"])
    statuses = safeguards["facts"]["protection_status"]["values"]
    sets["return_protection_status"] = set(statuses)
    return sets


def test_every_enum_has_a_label_or_a_reason_to_have_none() -> None:
    missing = []
    for cls in _enums():
        name = f"{cls.__module__}.{cls.__qualname__}"
        if name in labels.TECHNICAL_ENUMS:
            continue
        kind = labels.ENUM_KINDS.get(cls)
        if kind is None:
            missing.append(f"{name}: no kind in labels.ENUM_KINDS")
            continue
        for member in cls:
            if not labels.has_label(member.value, str(kind)):
                missing.append(f"{name}.{member.name}: no label in {kind!r}")
    assert missing == []


def test_every_code_set_from_data_and_calls_has_labels() -> None:
    missing = [
        f"{kind}: {code}"
        for kind, codes in _code_sets().items()
        for code in sorted(codes)
        if not labels.has_label(code, kind)
    ]
    assert missing == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_label_is_translated(lang: str) -> None:
    translated = _translated(lang)
    missing = sorted(
        {
            message
            for table in labels.LABELS.values()
            for message in table.values()
            if message not in translated
        }
    )
    assert missing == []


def test_unknown_code_is_worded_not_shown_raw() -> None:
    assert labels.label("other_relative", "relationship") == "Other relative"
    assert labels.label("brand_new_code", "relationship") == "Brand new code"
    assert labels.label(None, "relationship") == "—"


def test_label_follows_the_locale() -> None:
    with i18n.use_locale("es"):
        assert labels.label("closed", "case_state") == _translated("es")["Closed"]
        assert labels.choices("priority")[0][0] == "emergency"


def test_series_are_named_in_words() -> None:
    with i18n.use_locale("en"):
        assert labels.series_name("darien_nat|nat=HTI") == "Darién, Haiti"
        assert labels.series_name("honduras_total|*") == "Honduras, all arrivals"
        assert labels.series_name("mexico_dmg|age=18+,sex=female") == (
            "Mexico, adults, women and girls"
        )
    with i18n.use_locale("fr"):
        assert "Haïti" in labels.series_name("darien_nat|nat=HTI")


def test_trigger_explanation_is_a_sentence_with_units_and_thresholds() -> None:
    condition = "arrivals_month >= 5000.0 && growth_3m > 0.5 && c3_alarm"
    values = {"arrivals_month": 23456.0, "growth_3m": 4.94, "c3_alarm": True}
    with i18n.use_locale("en"):
        lines = labels.trigger_explanation(condition, values)
    assert lines == [
        "Arrivals in the month: 23,456 (threshold: at least 5,000)",
        "Change over three months: +494 % (threshold: more than +50 %)",
        "Statistical alarm (C3): yes",
    ]
    with i18n.use_locale("fr"):
        text = " ".join(labels.trigger_explanation(condition, values))
    assert "growth_3m" not in text
    assert "0.5" not in text


def test_a_trigger_condition_reads_as_a_sentence_in_every_language() -> None:
    condition = (
        "arrivals_month >= 20000.0 && baseline > 0.0 && arrivals_month > 3.0 * "
        "baseline && (c2_alarm || !cusum_alarm) && growth_3m > 0.5"
    )
    with i18n.use_locale("en"):
        assert labels.condition_words(condition) == (
            "Arrivals in the month: at least 20,000 and usual level for this month: "
            "more than 0 and arrivals in the month: more than 3 times usual level for "
            "this month and (statistical alarm (C2) or not sustained-rise alarm "
            "(CUSUM)) and change over three months: more than +50 %"
        )
    for locale in ("es", "pt", "fr", "ht"):
        with i18n.use_locale(locale):
            words = labels.condition_words(condition)
        for code in ("arrivals_month", "&&", "||", "0.5", "20000", " and ", " or "):
            assert code not in words, (locale, code)
    # What cannot be read is named by its variables, never shown as code.
    with i18n.use_locale("en"):
        assert labels.condition_words("growth_3m >>= 0.5") == "Change over three months"
        assert labels.condition_words("(c3_alarm") == "Statistical alarm (C3)"


def test_the_values_table_shows_units_and_the_threshold() -> None:
    condition = "arrivals_month >= 5000.0 && growth_3m > 0.5 && c3_alarm"
    values = {"arrivals_month": 23456.0, "growth_3m": 4.94, "c3_alarm": True}
    with i18n.use_locale("en"):
        rows = labels.trigger_values(condition, values)
    assert rows == [
        ("Arrivals in the month", "23,456", "at least 5,000"),
        ("Change over three months", "+494 %", "more than +50 %"),
        ("Statistical alarm (C3)", "yes", ""),
    ]


def test_a_returns_legal_basis_is_the_rulesets_in_words() -> None:
    """The English label of each safeguard's legal basis is the ruleset's text
    (so a changed ruleset fails here until its words are changed too)."""
    path = SRC / "protection" / "data" / "return_safeguards.json"
    checks = json.loads(path.read_text("utf-8"))["checks"]
    with i18n.use_locale("en"):
        for check in checks:
            shown = labels.label(check["id"], "return_legal_basis")
            assert shown == check["legal_basis"]
    with i18n.use_locale("es"):
        assert labels.label("torture_risk", "return_legal_basis") != (
            "Convention against Torture art. 3 (absolute); ICCPR art. 7"
        )


def test_no_legal_basis_shows_an_internal_reference() -> None:
    """A return safeguard's legal basis names real instruments in every language,
    never a reference into our own research notes."""
    path = SRC / "protection" / "data" / "return_safeguards.json"
    checks = json.loads(path.read_text("utf-8"))["checks"]
    for language in ("en", *LANGS):
        with i18n.use_locale(language):
            for check in checks:
                shown = labels.label(check["id"], "return_legal_basis")
                assert "research/" not in shown, (language, check["id"])
                assert "§" not in shown, (language, check["id"])
    with i18n.use_locale("es"):
        shown = labels.label("specific_needs_signoff", "return_legal_basis")
    assert "Convención contra la Tortura" in shown
    assert "ACNUR" in shown
