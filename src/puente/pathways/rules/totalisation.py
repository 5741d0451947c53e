"""Social-security totalisation and pro-rata temporis (research/03 §5).

For each competent state i: the autonomous benefit Aᵢ on its own periods (if its
minimum is met), the theoretical benefit Tᵢ as if all D totalised periods were its
own, the pro-rata share Pᵢ = Tᵢ × dᵢ / D, and the payable max(Aᵢ, Pᵢ). Indicative,
not a decision: the claim still goes to each liaison body.

Each step is an English msgid with typed values (`explanation_messages`): the API
gives the English `explanation`, a screen the steps in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import Final

from puente.core.errors import InvalidInput
from puente.core.i18n import N_
from puente.pathways.rules.messages import Message, Param, ParamKind

CENTS: Final = Decimal("0.01")
# Saved computations record the version they ran under: bump it whenever `totalise`
# or `PARTIES` change what a computation gives.
RULES_VERSION: Final = "2026.1"


class Agreement(StrEnum):
    IBERO_AMERICAN = "ibero_american"
    CARICOM = "caricom"


PARTIES: Final[Mapping[Agreement, Mapping[str, date]]] = {
    # Effective once ratified AND the Implementing Agreement signed (seg-social.es).
    Agreement.IBERO_AMERICAN: {
        "ESP": date(2011, 5, 1),
        "BOL": date(2011, 5, 1),
        "BRA": date(2011, 5, 19),
        "ECU": date(2011, 6, 20),
        "CHL": date(2011, 9, 1),
        "URY": date(2011, 10, 1),
        "PRY": date(2011, 10, 28),
        "SLV": date(2012, 11, 17),
        "PRT": date(2014, 7, 21),
        "ARG": date(2016, 8, 1),
        "PER": date(2016, 10, 20),
        "DOM": date(2020, 7, 14),
        "COL": date(2023, 8, 1),
    },
    # In effect from 1997-04-01; per-state accession dates to be checked [verify].
    Agreement.CARICOM: {
        s: date(1997, 4, 1)
        for s in (
            "ATG",
            "BHS",
            "BRB",
            "BLZ",
            "DMA",
            "GRD",
            "GUY",
            "JAM",
            "MSR",
            "KNA",
            "LCA",
            "VCT",
            "TTO",
        )
    },
}


class TotalisationError(InvalidInput):
    message = "Cannot compute totalisation: %(problem)s"

    def __init__(self, problem: str) -> None:
        super().__init__(problem=problem)


@dataclass(frozen=True, slots=True)
class PensionFormula:
    """rate(years) = base_rate + rate_per_year × max(0, years − base_years), capped.

    State A of the worked example: base_rate 0.40 for 20 years + 0.02 per extra year;
    a linear scheme such as State B: base_rate 0, base_years 0, rate_per_year 0.016.
    """

    minimum_years: Decimal
    reference_wage: Decimal
    base_rate: Decimal = Decimal(0)
    base_years: Decimal = Decimal(0)
    rate_per_year: Decimal = Decimal(0)
    max_rate: Decimal | None = None

    def amount(self, years: Decimal) -> Decimal:
        rate = self.base_rate + self.rate_per_year * max(
            Decimal(0), years - self.base_years
        )
        if self.max_rate is not None:
            rate = min(rate, self.max_rate)
        return rate * self.reference_wage


class Basis(StrEnum):
    PRO_RATA = "pro_rata"
    AUTONOMOUS = "autonomous"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class StateBenefit:
    state: str
    years: Decimal
    autonomous: Decimal | None
    theoretical: Decimal | None
    pro_rata: Decimal | None
    payable: Decimal
    basis: Basis
    explanation: tuple[str, ...]
    explanation_messages: tuple[Message, ...] = ()


@dataclass(frozen=True, slots=True)
class TotalisationResult:
    agreement: Agreement | None
    total_years: Decimal
    states: tuple[StateBenefit, ...]
    total_payable: Decimal
    explanation: tuple[str, ...]
    explanation_messages: tuple[Message, ...] = ()


def _money(x: Decimal) -> Decimal:
    return x.quantize(CENTS, rounding=ROUND_HALF_EVEN)


def _n(x: Decimal) -> str:
    return f"{x.normalize():f}"


def _number(x: Decimal) -> Param:
    """Years as the English text writes them (`9`, `12.25`)."""
    return Param(ParamKind.NUMBER, _n(x))


def _amount(x: Decimal) -> Param:
    """An amount to the cent (`880.00`); no currency: each state pays in its own."""
    return Param(ParamKind.NUMBER, str(x))


def _say(msgid: str, base: Mapping[str, Param], **params: Param) -> Message:
    """A step with the placeholders its msgid names, from `base` and `params`."""
    values = {**base, **params}
    return Message(msgid, {k: v for k, v in values.items() if f"%({k})s" in msgid})


_PAYS: Final[Mapping[Basis, str]] = {
    Basis.PRO_RATA: N_("%(state)s pays %(amount)s (pro-rata)."),
    Basis.AUTONOMOUS: N_("%(state)s pays %(amount)s (autonomous)."),
    Basis.NONE: N_("%(state)s pays %(amount)s (none)."),
}


def totalise(
    periods: Mapping[str, Decimal],
    schemes: Mapping[str, PensionFormula],
    *,
    agreement: Agreement | None = None,
    on: date | None = None,
) -> TotalisationResult:
    """Compute each state's payable old-age pension under totalisation + pro-rata.

    `periods`: insurance years per state, overlaps already removed (counted once).
    With an `agreement`, every state must be a party in effect on `on`.
    """
    if not periods:
        raise TotalisationError(problem="no insurance periods")
    if agreement is not None:
        parties = PARTIES[agreement]
        for state in periods:
            since = parties.get(state)
            if since is None or (on is not None and on < since):
                raise TotalisationError(problem=f"{state} is not a party in effect")
    for state, years in periods.items():
        if years < 0:
            raise TotalisationError(problem=f"negative years for {state}")
        if state not in schemes:
            raise TotalisationError(problem=f"no pension formula for {state}")
    total = sum(periods.values(), Decimal(0))
    steps = [
        Message(
            N_("Totalised periods: D = %(periods)s = %(total)s years."),
            {
                "periods": Param(
                    ParamKind.SUM,
                    items=tuple(
                        Param(ParamKind.PERIOD, _n(y), term=s)
                        for s, y in periods.items()
                    ),
                ),
                "total": _number(total),
            },
        )
    ]
    benefits: list[StateBenefit] = []
    for state, years in periods.items():
        f = schemes[state]
        lines: list[Message] = []
        base = {
            "state": Param(ParamKind.TEXT, state),
            "years": _number(years),
            "total": _number(total),
            "minimum": _number(f.minimum_years),
        }
        autonomous: Decimal | None = None
        if years >= f.minimum_years:
            autonomous = _money(f.amount(years))
            lines.append(
                _say(
                    N_(
                        "%(state)s alone: %(years)s ≥ %(minimum)s years, so the "
                        "national pension is %(amount)s."
                    ),
                    base,
                    amount=_amount(autonomous),
                )
            )
        else:
            lines.append(
                _say(
                    N_(
                        "%(state)s alone: %(years)s < %(minimum)s years, so no "
                        "pension on its own periods."
                    ),
                    base,
                )
            )
        theoretical = pro_rata = None
        if total >= f.minimum_years and total > 0:
            theoretical = _money(f.amount(total))
            pro_rata = _money(f.amount(total) * years / total)
            lines.append(
                _say(
                    N_(
                        "%(state)s totalised: D = %(total)s ≥ %(minimum)s, entitled. "
                        "Theoretical amount T = %(amount)s."
                    ),
                    base,
                    amount=_amount(theoretical),
                )
            )
            lines.append(
                _say(
                    N_(
                        "%(state)s pro-rata: P = %(theoretical)s × %(years)s/%(total)s "
                        "= %(amount)s."
                    ),
                    base,
                    theoretical=_amount(theoretical),
                    amount=_amount(pro_rata),
                )
            )
        else:
            lines.append(
                _say(
                    N_(
                        "%(state)s totalised: D = %(total)s is still below the minimum."
                    ),
                    base,
                )
            )
        if autonomous is None and pro_rata is None:
            payable, basis = Decimal("0.00"), Basis.NONE
        elif autonomous is not None and (pro_rata is None or autonomous > pro_rata):
            payable, basis = autonomous, Basis.AUTONOMOUS
        elif pro_rata is not None:
            payable, basis = pro_rata, Basis.PRO_RATA
        else:  # unreachable: one of the two is set here
            payable, basis = Decimal("0.00"), Basis.NONE
        lines.append(_say(_PAYS[basis], base, amount=_amount(payable)))
        benefits.append(
            StateBenefit(
                state,
                years,
                autonomous,
                theoretical,
                pro_rata,
                payable,
                basis,
                tuple(m.english() for m in lines),
                tuple(lines),
            )
        )
        steps.extend(lines)
    total_payable = sum((b.payable for b in benefits), Decimal("0.00"))
    steps.append(
        Message(
            N_(
                "Total payable: %(amount)s per month, paid separately by each "
                "institution in its own currency. Indicative, not a decision."
            ),
            {"amount": _amount(total_payable)},
        )
    )
    return TotalisationResult(
        agreement,
        total,
        tuple(benefits),
        total_payable,
        tuple(m.english() for m in steps),
        tuple(steps),
    )
