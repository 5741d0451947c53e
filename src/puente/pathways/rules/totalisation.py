"""Social-security totalisation and pro-rata temporis (research/03 §5).

For each competent state i: the autonomous benefit Aᵢ on its own periods (if its
minimum is met), the theoretical benefit Tᵢ as if all D totalised periods were its
own, the pro-rata share Pᵢ = Tᵢ × dᵢ / D, and the payable max(Aᵢ, Pᵢ). Indicative,
not a decision: the claim still goes to each liaison body.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import Final

from puente.core.errors import InvalidInput

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


@dataclass(frozen=True, slots=True)
class TotalisationResult:
    agreement: Agreement | None
    total_years: Decimal
    states: tuple[StateBenefit, ...]
    total_payable: Decimal
    explanation: tuple[str, ...]


def _money(x: Decimal) -> Decimal:
    return x.quantize(CENTS, rounding=ROUND_HALF_EVEN)


def _n(x: Decimal) -> str:
    return f"{x.normalize():f}"


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
        "Totalised periods: D = "
        + " + ".join(f"{_n(y)} ({s})" for s, y in periods.items())
        + f" = {_n(total)} years."
    ]
    benefits: list[StateBenefit] = []
    for state, years in periods.items():
        f = schemes[state]
        lines: list[str] = []
        autonomous: Decimal | None = None
        if years >= f.minimum_years:
            autonomous = _money(f.amount(years))
            lines.append(
                f"{state} alone: {_n(years)} ≥ {_n(f.minimum_years)} years, so the "
                f"national pension is {autonomous}."
            )
        else:
            lines.append(
                f"{state} alone: {_n(years)} < {_n(f.minimum_years)} years, so no "
                "pension on its own periods."
            )
        theoretical = pro_rata = None
        if total >= f.minimum_years and total > 0:
            theoretical = _money(f.amount(total))
            pro_rata = _money(f.amount(total) * years / total)
            lines.append(
                f"{state} totalised: D = {_n(total)} ≥ {_n(f.minimum_years)}, "
                f"entitled. Theoretical amount T = {theoretical}."
            )
            lines.append(
                f"{state} pro-rata: P = {theoretical} × {_n(years)}/{_n(total)} = "
                f"{pro_rata}."
            )
        else:
            lines.append(
                f"{state} totalised: D = {_n(total)} is still below the minimum."
            )
        if autonomous is None and pro_rata is None:
            payable, basis = Decimal("0.00"), Basis.NONE
        elif autonomous is not None and (pro_rata is None or autonomous > pro_rata):
            payable, basis = autonomous, Basis.AUTONOMOUS
        elif pro_rata is not None:
            payable, basis = pro_rata, Basis.PRO_RATA
        else:  # unreachable: one of the two is set here
            payable, basis = Decimal("0.00"), Basis.NONE
        lines.append(f"{state} pays {payable} ({basis.value.replace('_', '-')}).")
        benefits.append(
            StateBenefit(
                state,
                years,
                autonomous,
                theoretical,
                pro_rata,
                payable,
                basis,
                tuple(lines),
            )
        )
        steps.extend(lines)
    total_payable = sum((b.payable for b in benefits), Decimal("0.00"))
    steps.append(
        f"Total payable: {total_payable} per month, paid separately by each "
        "institution in its own currency. Indicative, not a decision."
    )
    return TotalisationResult(
        agreement, total, tuple(benefits), total_payable, tuple(steps)
    )
