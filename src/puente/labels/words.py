"""One catalogue of words for the codes people would otherwise see.

Every enum, flag, fact, event, status, unit, relationship and series dimension that
reaches a screen, an export or a message is named here, as a gettext message in
English (translated in the five catalogues). Screens use the `label` Jinja filter
(`{{ case.state | label("case_state") }}`); Python code calls `label(value, kind)`.
`tests/web/test_labels.py` enumerates every enum of the code base and fails when a
value has no label, or a label has no translation in any language.

An unknown value never shows as a raw code: it is worded from its parts
("other_relative" -> "Other relative") and logged (the code only, never data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from typing import Final

import structlog
from babel.numbers import format_decimal

from puente.core import i18n
from puente.core.i18n import N_
from puente.identity import can
from puente.labels.catalogue import LABELS
from puente.reference import CountryNotFound, country_name, country_options
from puente.web.templating import env

log = structlog.get_logger(__name__)


def has_label(value: object, kind: str) -> bool:
    return str(value) in LABELS.get(kind, {})


def worded(code: str) -> str:
    """A last resort for a code with no label: its parts as words."""
    text = code.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:] if text else "—"


def label(value: object, kind: str) -> str:
    """The translated label of `value` in the catalogue `kind`."""
    if value is None or value == "":
        return "—"
    code = str(value.value if isinstance(value, Enum) else value)
    message = LABELS.get(kind, {}).get(code)
    if message is None:
        log.warning("label_missing", kind=kind, code=code)
        return worded(code)
    return i18n.gettext(message)


def choices(kind: str) -> list[tuple[str, str]]:
    """(code, translated label) pairs for a <select>, in catalogue order."""
    return [(code, i18n.gettext(message)) for code, message in LABELS[kind].items()]


# ---------------------------------------------------------------------- sentences

PERCENT_VARIABLES: Final = frozenset(
    {"growth_1m", "growth_3m", "growth_yoy", "share_of_total"}
)
PROBABILITY_VARIABLES: Final = frozenset({"p_exceed_5000"})
_COMPARISON = re.compile(
    r"\b([a-z][a-z0-9_]*)\s*(>=|<=|>|<|==)\s*(-?\d+(?:\.\d+)?)(?!\s*\*)"
)


def series_name(
    key: str, *, locale: str | None = None, title: str | None = None
) -> str:
    """A series key in words: `darien_nat|nat=HTI` -> "Darién, Haiti". A source
    the catalogue does not know (imported under a name of its own) reads as
    `title`, the title it was given at import, when there is one."""
    source, _, body = key.partition("|")
    if title and source not in LABELS.get("series_source", {}):
        parts = [title]
    else:
        parts = [label(source, "series_source")]
    if body and body != "*":
        for item in body.split(","):
            name, _, value = item.partition("=")
            if not value.strip():  # a dimension the source left blank
                parts.append(i18n.gettext(N_("not stated")))
            elif (
                name in ("nat", "geo", "origin")
                and len(value) == 3
                and (value.isalpha())
            ):
                try:
                    parts.append(country_name(value.upper(), locale))
                except CountryNotFound:
                    parts.append(worded(value))
            else:
                parts.append(label(value, "series_value"))
    else:
        parts.append(i18n.gettext(N_("all arrivals")))
    return ", ".join(parts)


GROWTH_VARIABLES: Final = frozenset({"growth_1m", "growth_3m", "growth_yoy"})
MULTIPLIED_FROM: Final = 10.0
"""A growth that multiplied the count by this or more reads as "multiplied by
1,644", never as "+164,345 %"."""


def _number(value: float, variable: str) -> str:
    locale = i18n.get_locale()
    if variable in GROWTH_VARIABLES and 1 + value >= MULTIPLIED_FROM:
        factor = format_decimal(1 + value, format="#,##0", locale=locale)
        return i18n.gettext(N_("multiplied by %(factor)s"), factor=factor)
    if variable in PERCENT_VARIABLES:
        text = format_decimal(value * 100, format="#,##0", locale=locale)
        return ("+" if value > 0 else "") + text + " %"
    if variable in PROBABILITY_VARIABLES:
        return format_decimal(value * 100, format="#,##0", locale=locale) + " %"
    digits = "#,##0" if abs(value) >= 100 or float(value).is_integer() else "#,##0.##"
    return format_decimal(value, format=digits, locale=locale)


_RULE_WORDS: Final = {
    ">=": N_("at least %(limit)s"),
    ">": N_("more than %(limit)s"),
    "<=": N_("at most %(limit)s"),
    "<": N_("less than %(limit)s"),
    "==": N_("exactly %(limit)s"),
}


def trigger_values(
    condition: str, values: Mapping[str, object]
) -> list[tuple[str, str, str]]:
    """The values that made a trigger's condition true, in words and units, with
    the threshold each was held to: ("Change over three months", "+494 %",
    "more than +50 %"); the threshold is "" for a value the condition does not
    compare with a number. Variables with a threshold come first."""
    thresholds: dict[str, tuple[str, float]] = {}
    for name, op, number in _COMPARISON.findall(condition or ""):
        thresholds.setdefault(name, (op, float(number)))
    rows: list[tuple[str, str, str]] = []
    for name in sorted(values, key=lambda n: (n not in thresholds, n)):
        value = values[name]
        what = label(name, "trigger_variable")
        if isinstance(value, bool):
            shown = i18n.gettext(N_("yes")) if value else i18n.gettext(N_("no"))
        elif not isinstance(value, int | float):
            shown = "—" if value is None else worded(str(value))
        else:
            shown = _number(float(value), name)
        rule = ""
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if name in thresholds and numeric:
            op, limit = thresholds[name]
            rule = i18n.gettext(_RULE_WORDS[op], limit=_number(limit, name))
        rows.append((what, shown, rule))
    return rows


def trigger_explanation(condition: str, values: Mapping[str, object]) -> list[str]:
    """Why a trigger fired, one sentence per value, with units and thresholds:
    "Change over three months: +494 % (threshold: more than +50 %)"."""
    lines: list[str] = []
    for what, shown, rule in trigger_values(condition, values):
        if rule:
            lines.append(
                i18n.gettext(
                    N_("%(what)s: %(value)s (threshold: %(rule)s)"),
                    what=what,
                    value=shown,
                    rule=rule,
                )
            )
        else:
            lines.append(
                i18n.gettext(N_("%(what)s: %(value)s"), what=what, value=shown)
            )
    return lines


_TOKEN = re.compile(r"\s*(>=|<=|==|&&|\|\||[<>()*!]|[a-z][a-z0-9_]*|\d+(?:\.\d+)?)")


class _Words:
    """A trigger condition read aloud: `arrivals_month >= 5000.0 && growth_3m >
    0.5 && c3_alarm` -> "Arrivals in the month at least 5,000 and change over
    three months more than +50 % and statistical alarm (C3)". Grammar: `||` of
    `&&` of comparisons, names, `!` and parentheses; an operand is a name, a
    number, or a number times a name."""

    def __init__(self, condition: str) -> None:
        text = condition.strip()
        self.tokens = _TOKEN.findall(text)
        if "".join(self.tokens) != re.sub(r"\s+", "", text):
            raise ValueError("unreadable condition")
        self.pos = 0

    def _peek(self) -> str:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ""

    def _take(self) -> str:
        token = self._peek()
        if not token:
            raise ValueError("the condition ends too soon")
        self.pos += 1
        return token

    def sentence(self) -> str:
        words = self._any()
        if self._peek():
            raise ValueError("unexpected " + self._peek())
        return words[:1].upper() + words[1:]

    def _any(self) -> str:
        words = self._all()
        while self._peek() == "||":
            self._take()
            words = i18n.gettext(
                N_("%(left)s or %(right)s"), left=words, right=self._all()
            )
        return words

    def _all(self) -> str:
        words = self._one()
        while self._peek() == "&&":
            self._take()
            words = i18n.gettext(
                N_("%(left)s and %(right)s"), left=words, right=self._one()
            )
        return words

    def _one(self) -> str:
        if self._peek() == "(":
            self._take()
            inner = self._any()
            if self._take() != ")":
                raise ValueError("a parenthesis is not closed")
            return f"({inner})"
        if self._peek() == "!":
            self._take()
            return i18n.gettext(N_("not %(what)s"), what=self._one())
        words, name, _value = self._operand()
        op = self._peek()
        if op not in _RULE_WORDS:
            return words
        self._take()
        limit, _other, value = self._operand()
        if value is not None:
            limit = _number(value, name or "")
        return i18n.gettext(
            N_("%(what)s: %(rule)s"),
            what=words,
            rule=i18n.gettext(_RULE_WORDS[op], limit=limit),
        )

    def _operand(self) -> tuple[str, str | None, float | None]:
        token = self._take()
        if token[0].isdigit():
            if self._peek() != "*":
                return token, None, float(token)
            self._take()
            name = self._take()
            factor = format_decimal(
                float(token), format="#,##0.##", locale=i18n.get_locale()
            )
            what = i18n.gettext(
                N_("%(factor)s times %(what)s"),
                factor=factor,
                what=_lower(label(name, "trigger_variable")),
            )
            return what, name, None
        if not token[0].isalpha():
            raise ValueError("unexpected " + token)
        return _lower(label(token, "trigger_variable")), token, None


def _lower(words: str) -> str:
    return words[:1].lower() + words[1:]


def condition_words(condition: str) -> str:
    """A trigger's condition as a sentence in the current language, thresholds
    with their units; the variables' names alone if it cannot be read."""
    try:
        return _Words(condition or "").sentence()
    except ValueError:
        names = dict.fromkeys(re.findall(r"\b[a-z][a-z0-9_]*\b", condition or ""))
        return ", ".join(label(n, "trigger_variable") for n in names)


# What the detail of a case event holds, by event kind (None: nothing to show,
# e.g. a user id).
_EVENT_DETAIL: Final[dict[str, str | None]] = {
    "opened": "case_type",
    "approval_requested": "approval_kind",
    "approval_approved": "approval_kind",
    "approval_rejected": "approval_kind",
    "referred": "service_type",
    "bid_recorded": "bid_recommendation",
    "assigned": None,
}


def case_event_text(kind: str, detail: str | None = "") -> str:
    """A timeline entry in words: `moved`, `new>assessment` ->
    "Stage changed: New → Assessment"."""
    what = label(kind, "case_event")
    if not detail:
        return what
    if kind == "moved" and ">" in detail:
        before, _, after = detail.partition(">")
        return f"{what}: {label(before, 'case_state')} → {label(after, 'case_state')}"
    if kind == "close_reason":  # words the caseworker typed, shown as typed
        return f"{what}: {detail}"
    detail_kind = _EVENT_DETAIL.get(kind)
    if detail_kind is None:
        return what
    return f"{what}: {label(detail, detail_kind)}"


def country(code: str | None) -> str:
    """A country code in words, in the current locale; "—" when blank."""
    if not code:
        return "—"
    try:
        return country_name(code.strip().upper())
    except CountryNotFound:
        return code


def tenant(code: str | None) -> str:
    """Whose data: a state by name, or the regional hub."""
    if code == "HUB":
        return i18n.gettext(N_("Regional hub"))
    return country(code)


def _register_filters() -> None:
    env.filters["tenant"] = tenant
    env.globals["can"] = can
    env.globals["country_options"] = country_options
    env.filters["country"] = country
    env.globals["case_event_text"] = case_event_text
    env.filters["label"] = label
    env.filters["series_name"] = series_name
    env.globals["label_choices"] = choices
    env.globals["trigger_explanation"] = trigger_explanation
    env.globals["trigger_values"] = trigger_values
    env.filters["condition_words"] = condition_words


_register_filters()
