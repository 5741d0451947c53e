"""Words for a reader: screening reasons, fair-recruitment checks, match
explanations and totalisation steps in the current locale. A message's msgid is
translated and filled with its typed values (amounts, dates, codes, facts) formatted
for the locale; a published clause text is picked in the locale's language. The JSON
API and the CLI keep the English texts of checks, matches and totalisations;
screening reasons are given in the language asked for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import Final, Protocol

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, format_percent

from puente.core import i18n
from puente.core.dates import HT_MONTHS  # CLDR has none: Babel prints "M01"
from puente.core.i18n import N_
from puente.pathways.rules.catalogue import DOCUMENT_LABELS, LocalizedText
from puente.pathways.rules.eligibility import Outcome, Reason
from puente.pathways.rules.facts import FACTS
from puente.pathways.rules.fair_recruitment import CHECKS
from puente.pathways.rules.match_explanations import MATCH_TERM_LABELS
from puente.pathways.rules.messages import TERM_LABELS, Message, Param, ParamKind
from puente.pathways.schemas import (
    CheckMessageRead,
    CheckParamRead,
    CheckRead,
    MatchRead,
    TotalisationRead,
)

TITLES: Final[Mapping[str, str]] = {spec.id: spec.title for spec in CHECKS}
TERMS: Final[Mapping[str, str]] = {**TERM_LABELS, **MATCH_TERM_LABELS}
OFFER_STATUS_LABELS: Final[Mapping[str, str]] = {
    "draft": N_("Draft"),
    "published": N_("Published"),
    "blocked": N_("Blocked"),
}
_QUOTES: Final[Mapping[str, tuple[str, str]]] = {
    "es": ("«", "»"),
    "fr": ("« ", " »"),
}


OUTCOME_LABELS: Final[Mapping[Outcome, str]] = {
    Outcome.ELIGIBLE: N_("You can apply"),
    Outcome.NOT_ELIGIBLE: N_("Not for you"),
    Outcome.UNDETERMINED: N_("We need more information"),
}
"""Screening outcomes as a person reads them over an officer's shoulder."""


class ParamLike(Protocol):
    """A typed value: a rules `Param` or its API shape `CheckParamItemRead`."""

    @property
    def kind(self) -> str: ...

    @property
    def value(self) -> str: ...

    @property
    def currency(self) -> str: ...

    @property
    def term(self) -> str: ...


def outcome_label(outcome: Outcome | str) -> str:
    """A screening outcome in plain words, in the current locale."""
    return i18n.gettext(OUTCOME_LABELS[Outcome(outcome)])


def document_label(code: str) -> str:
    """A document a pathway asks for, in the current locale (the code if unknown)."""
    label = DOCUMENT_LABELS.get(code)
    return i18n.gettext(label) if label else code


def fact_question(name: str) -> str:
    """What we ask for a fact ("your date of entry"), in the current locale."""
    spec = FACTS.get(name)
    return i18n.gettext(spec.ask) if spec else name


def reason_text(reason: Reason) -> str:
    """A screening reason in the current locale: a clause's published text in the
    locale's language, or a message worded here."""
    if isinstance(reason, LocalizedText):
        return reason.get(i18n.get_locale())
    return render_message(reason)


def check_title(check_id: str, fallback: str = "") -> str:
    """A check's title in the current locale (the English `fallback` when the id
    is not a known check)."""
    return i18n.gettext(TITLES.get(check_id, fallback or check_id))


def check_reason(check: CheckRead) -> str:
    """A check's reason in the current locale. A result stored before reasons
    carried their messages shows its English reason (translated when it is a
    sentence without values)."""
    if not check.reason_messages:
        return i18n.gettext(check.reason)
    return " ".join(render_message(m) for m in check.reason_messages)


def match_explanation(match: MatchRead) -> list[str]:
    """A match's lines, one per factor, in the current locale."""
    return render_lines(match.explanation, match.explanation_messages)


def totalisation_steps(result: TotalisationRead) -> list[str]:
    """A totalisation's steps in the current locale. A computation saved before
    steps carried their messages shows its English steps as saved."""
    return render_lines(result.explanation, result.explanation_messages)


def render_lines(
    english: Sequence[str], messages: Sequence[CheckMessageRead]
) -> list[str]:
    """Each message rendered; the English lines (translated when they are sentences
    without values) when there are no messages for them."""
    if not messages or len(messages) != len(english):
        return [i18n.gettext(line) for line in english]
    return [render_message(m) for m in messages]


def render_message(message: CheckMessageRead | Message) -> str:
    text = i18n.gettext(message.msgid)
    if not message.params:
        return text
    return text % {name: render_param(p) for name, p in message.params.items()}


def offer_status(status: str) -> str:
    """An offer's status word (draft, published, blocked) in the current locale."""
    label = OFFER_STATUS_LABELS.get(status)
    return i18n.gettext(label) if label else status


@cache
def _babel(locale: str) -> Locale:
    """The Babel locale of a language code, parsed once (Babel parses a string on
    every call: a page of matches called it hundreds of times)."""
    return Locale.parse(locale)


def render_param(param: ParamLike) -> str:
    locale = i18n.get_locale()
    kind = ParamKind(param.kind)
    if kind in (ParamKind.LIST, ParamKind.SUM):
        items: Sequence[ParamLike] = (
            param.items if isinstance(param, CheckParamRead | Param) else []
        )
        rendered = [render_param(item) for item in items]
        if kind is ParamKind.SUM:
            return " + ".join(rendered)
        return format_list(rendered, locale=_babel(locale))
    if kind is ParamKind.PERIOD:
        return f"{format_number(Decimal(param.value))} ({param.term})"
    if kind is ParamKind.NUMBER:
        return format_number(Decimal(param.value))
    if kind in (ParamKind.MONEY, ParamKind.AMOUNT):
        amount = format_money(Decimal(param.value), param.currency)
        return f"{_term(param.term)} {amount}" if param.term else amount
    if kind is ParamKind.PERCENT:
        return format_percent(Decimal(param.value), locale=_babel(locale))
    if kind is ParamKind.DATE:
        return _date(dt.date.fromisoformat(param.value), locale)
    if kind is ParamKind.TERM:
        return _term(param.value)
    if kind is ParamKind.FACT:
        return fact_question(param.value)
    if kind is ParamKind.LANGUAGE:
        return _language(param.value, locale)
    if kind is ParamKind.QUOTED:
        start, end = _QUOTES.get(locale, ("“", "”"))
        return f"{start}{param.value}{end}"
    return param.value


def _term(code: str) -> str:
    label = TERMS.get(code)
    return i18n.gettext(label) if label else code


def format_number(number: Decimal) -> str:
    """The number in the current locale with the decimals it was given (17.40
    stays 17,40 in Spanish; nothing is rounded)."""
    exponent = number.as_tuple().exponent
    digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(number, format=pattern, locale=_babel(i18n.get_locale()))


def format_money(amount: Decimal, currency: str) -> str:
    """An amount in the current locale with its currency, never rounded."""
    return format_currency(
        amount,
        currency,
        locale=_babel(i18n.get_locale()),
        decimal_quantization=False,
    )


def _date(day: dt.date, locale: str) -> str:
    if locale == "ht":
        return f"{day.day} {HT_MONTHS[day.month - 1]} {day.year}"
    return format_date(day, format="long", locale=_babel(locale))


def _language(code: str, locale: str) -> str:
    """The language's name in the reader's language, else in itself, else the code."""
    try:
        name = _babel(locale).languages.get(code)
        return name or Locale.parse(code).get_display_name(code) or code
    except (UnknownLocaleError, ValueError):
        return code
