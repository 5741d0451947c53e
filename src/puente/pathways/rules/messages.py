"""Messages: a sentence as an English msgid with named placeholders and the typed
values that fill them, so each screen can show it in the reader's language (amounts,
dates and codes formatted for the locale) while the JSON API and the CLI keep the
English text. Fair-recruitment reasons, match explanations, totalisation steps and
the facts screening still needs are all messages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final

from puente.core.i18n import N_


class ParamKind(StrEnum):
    """How a value in a reason is shown; the English text shows it as recorded."""

    TEXT = "text"  # as written: licence numbers, references, authorities
    QUOTED = "quoted"  # the employer's own words, in quotes
    NUMBER = "number"  # a decimal or whole number
    MONEY = "money"  # `value` in `currency`; of cost category `term` when given
    AMOUNT = "amount"  # `value` in `currency`; the English text gives the number alone
    PERCENT = "percent"  # a ratio: 0.75 is 75%
    DATE = "date"  # ISO 8601
    TERM = "term"  # a code with a label in TERM_LABELS
    LANGUAGE = "language"  # an ISO 639 code
    LIST = "list"  # `items`, joined
    PERIOD = "period"  # `value` years insured in the state `term` (totalisation)
    SUM = "sum"  # `items` added up: joined by " + " in every language
    FACT = "fact"  # a fact of the vocabulary, shown as what we would ask for


@dataclass(frozen=True, slots=True)
class Param:
    """A typed value in a reason; `items` only in a LIST or a SUM (of plain params)."""

    kind: ParamKind
    value: str = ""
    currency: str = ""
    term: str = ""
    items: tuple[Param, ...] = ()

    def english(self) -> str:
        """The value as the English reason shows it (the API's and CLI's text)."""
        if self.kind is ParamKind.QUOTED:
            return repr(self.value)
        if self.kind is ParamKind.MONEY:
            amount = f"{self.value} {self.currency}"
            return f"{self.term} {amount}" if self.term else amount
        if self.kind is ParamKind.PERCENT:
            return f"{Decimal(self.value):.0%}"
        if self.kind is ParamKind.LIST:
            return ", ".join(item.english() for item in self.items)
        if self.kind is ParamKind.PERIOD:
            return f"{self.value} ({self.term})"
        if self.kind is ParamKind.SUM:
            return " + ".join(item.english() for item in self.items)
        return self.value

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"kind": self.kind.value, "value": self.value}
        if self.currency:
            data["currency"] = self.currency
        if self.term:
            data["term"] = self.term
        if self.kind in (ParamKind.LIST, ParamKind.SUM):
            data["items"] = [item.to_json() for item in self.items]
        return data


@dataclass(frozen=True, slots=True)
class Message:
    """One sentence of a reason: an English msgid with named `%(name)s`
    placeholders and the typed values that fill them."""

    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def english(self) -> str:
        if not self.params:
            return self.msgid
        return self.msgid % {name: p.english() for name, p in self.params.items()}

    def to_json(self) -> dict[str, object]:
        return {
            "msgid": self.msgid,
            "params": {name: p.to_json() for name, p in self.params.items()},
        }


def say(msgid: str, **params: Param) -> Message:
    return Message(msgid, params)


def text(value: object) -> Param:
    return Param(ParamKind.TEXT, str(value))


def number(value: Decimal | int) -> Param:
    return Param(ParamKind.NUMBER, str(value))


def money(amount: Decimal, currency: str, term: str = "") -> Param:
    return Param(ParamKind.MONEY, str(amount), currency=currency, term=term)


def amount(value: Decimal, currency: str) -> Param:
    return Param(ParamKind.AMOUNT, str(value), currency=currency)


def day(value: date) -> Param:
    return Param(ParamKind.DATE, value.isoformat())


def joined(items: Iterable[Param]) -> Param:
    return Param(ParamKind.LIST, items=tuple(items))


def term(code: str) -> Param:
    return Param(ParamKind.TERM, code)


# Labels of the codes a reason names (TERM params), translated where shown.
TERM_LABELS: Final[Mapping[str, str]] = {
    # cost categories (ER-01, ER-03)
    "recruitment_fee": N_("recruitment fee"),
    "recruitment_service": N_("recruitment service"),
    "medical": N_("medical costs"),
    "insurance": N_("insurance"),
    "skills_test": N_("skills test"),
    "training": N_("training"),
    "equipment": N_("equipment"),
    "travel": N_("travel"),
    "lodging": N_("lodging"),
    "documents_visa": N_("documents and visa"),
    "admin": N_("administrative costs"),
    "other": N_("other costs"),
    # contract terms (ER-04), as the offer form names them
    "employer_legal_id": N_("Employer legal id"),
    "worksite_address": N_("Worksite address"),
    "isco": N_("Occupation (ISCO-08 code)"),
    "tasks": N_("Tasks"),
    "wage_hourly": N_("Hourly wage"),
    "pay_frequency": N_("Pay frequency"),
    "hours_week": N_("Hours per week"),
    "start_date": N_("Start date"),
    "end_date": N_("End date"),
    "termination_terms": N_("Termination terms"),
    "grievance_contact": N_("Free grievance contact"),
    # what an offer and its contract may disagree on (ER-12)
    "wage": N_("wage"),
    "hours": N_("hours"),
    "occupation": N_("occupation"),
    "place": N_("place"),
    # pay frequencies (ER-18)
    "weekly": N_("weekly"),
    "biweekly": N_("every two weeks"),
    "semimonthly": N_("twice a month"),
    "monthly": N_("monthly"),
    "unspecified": N_("unspecified"),
}
