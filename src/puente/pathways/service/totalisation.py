"""Social-security totalisation calculator (indicative, not a decision)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from puente.identity import Actor, Sensitivity, authorize
from puente.pathways.rules.totalisation import (
    Agreement,
    PensionFormula,
    totalise,
)
from puente.pathways.schemas import (
    StateBenefitRead,
    TotalisationRead,
    TotalisationRequest,
)


def calculate_totalisation(
    session: Session | None,  # noqa: ARG001 - the service shape; stores nothing
    *,
    actor: Actor,
    request: TotalisationRequest,
) -> TotalisationRead:
    """Each state's pension under totalisation and pro-rata, step by step.

    Needs `pathway:read`; stores nothing (the periods are the person's to keep)."""
    authorize(actor, "pathway:read", sensitivity=Sensitivity.PUBLIC)
    periods = {p.state: p.years for p in request.periods}
    schemes = {
        p.state: PensionFormula(
            minimum_years=p.scheme.minimum_years,
            reference_wage=p.scheme.reference_wage,
            base_rate=p.scheme.base_rate,
            base_years=p.scheme.base_years,
            rate_per_year=p.scheme.rate_per_year,
            max_rate=p.scheme.max_rate,
        )
        for p in request.periods
    }
    result = totalise(
        periods,
        schemes,
        agreement=Agreement(request.agreement) if request.agreement else None,
        on=request.on,
    )
    return TotalisationRead(
        agreement=result.agreement.value if result.agreement else None,
        total_years=result.total_years,
        states=[
            StateBenefitRead(
                state=b.state,
                years=b.years,
                autonomous=b.autonomous,
                theoretical=b.theoretical,
                pro_rata=b.pro_rata,
                payable=b.payable,
                basis=b.basis.value,
                explanation=list(b.explanation),
            )
            for b in result.states
        ],
        total_payable=result.total_payable,
        explanation=list(result.explanation),
    )
