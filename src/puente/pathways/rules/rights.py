"""The worker's rights card for one job offer, in plain words.

Built from the offer's data and the fair-recruitment principles it was checked
against, so what the card promises is what the checks enforced. Each line is a
message (an English msgid and its values) that the service words in the worker's
language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from puente.core.i18n import N_
from puente.pathways.rules.messages import Message, Param, ParamKind, number, text
from puente.pathways.rules.offers import JobOffer, Payer

_PAY: Final[Mapping[str, str]] = {
    "weekly": N_(
        "Pay: %(wage)s %(currency)s per hour, %(hours)s hours a week, paid every "
        "week directly to you."
    ),
    "biweekly": N_(
        "Pay: %(wage)s %(currency)s per hour, %(hours)s hours a week, paid every "
        "two weeks directly to you."
    ),
}
_PAY_MONTHLY: Final = N_(
    "Pay: %(wage)s %(currency)s per hour, %(hours)s hours a week, paid every month "
    "directly to you."
)
# A worker reads the contract's languages by their own names (endonyms).
_LANGUAGE_NAMES: Final[Mapping[str, str]] = {
    "en": "English",
    "es": "Español",
    "pt": "Português",
    "fr": "Français",
    "ht": "Kreyòl",
}


@dataclass(frozen=True, slots=True)
class RightsCard:
    title: Message
    lines: tuple[Message, ...]
    warning: Message | None = None


def rights_card(offer: JobOffer, *, blocked: bool) -> RightsCard:
    """The card for `offer`; `blocked` (or any worker-paid cost) adds a warning."""
    languages = ", ".join(
        _LANGUAGE_NAMES.get(code, code)
        for code in (offer.contract_language, *offer.contract_translations)
    )
    lines = [
        Message(
            N_(
                "You pay nothing to get this job. No recruitment fee, no deposit, no "
                "travel or visa cost. If anyone asks you for money, say no and "
                "report it."
            )
        ),
        Message(
            _PAY.get(offer.pay_frequency, _PAY_MONTHLY),
            {
                "wage": number(offer.wage_hourly),
                "currency": text(offer.currency),
                "hours": number(offer.hours_week),
            },
        ),
        Message(
            N_(
                "You receive the written contract in %(languages)s at least %(days)s "
                "days before you travel. It must say the same as this offer."
            ),
            {
                "languages": text(languages),
                "days": number(offer.contract_delivery_days_before_departure or 7),
            },
        ),
        Message(
            N_("You keep your passport and identity papers. Nobody may hold them.")
        ),
        Message(N_("You may resign and go home without paying any penalty.")),
    ]
    if not offer.housing_provided:
        lines.append(Message(N_("Housing is not provided.")))
    elif offer.housing_cost_weekly > 0:
        lines.append(
            Message(
                N_("Housing is provided; it costs you %(cost)s %(currency)s a week."),
                {
                    "cost": number(offer.housing_cost_weekly),
                    "currency": text(offer.currency),
                },
            )
        )
    else:
        lines.append(Message(N_("Housing is provided free of charge.")))
    if offer.grievance_contact:
        lines.append(
            Message(
                N_("If something is wrong, contact for free: %(contact)s."),
                {"contact": Param(ParamKind.TEXT, offer.grievance_contact)},
            )
        )
    worker_paid = any(c.paid_by is Payer.WORKER and c.amount > 0 for c in offer.costs)
    warning = (
        Message(
            N_(
                "Warning: this offer failed the fair-recruitment checks. Do not "
                "accept it."
            )
        )
        if blocked or worker_paid
        else None
    )
    return RightsCard(
        title=Message(N_("Your rights in this job")),
        lines=tuple(lines),
        warning=warning,
    )
