"""Pledges to early-warning response plans: the plans, one plan's needs by
sector (covered and uncovered), and a donor's pledge against a sector."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Final

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from puente import early_warning
from puente.core import i18n, inputs
from puente.core.errors import DomainError
from puente.core.i18n import N_
from puente.financing import service
from puente.financing.schemas import EarlyWarningNeeds, PlanPledge, PledgeLineIn
from puente.financing.web._common import Csrf, Reader, page, router
from puente.financing.web.flows import CURRENCIES
from puente.identity import Actor, can
from puente.reference.countries import country_name
from puente.web.deps import DbSession, Require

PlanReader = Annotated[Actor, Depends(Require("plan:read", web=True))]
PledgeWriter = Annotated[Actor, Depends(Require("financing:pledge", web=True))]
MAX_LINES: Final = 100


@router.get("/response-plans")
def response_plans_page(
    request: Request, session: DbSession, actor: Reader, _plans: PlanReader
) -> Response:
    plans = early_warning.list_plans(session, actor=actor)
    return page(
        request,
        actor,
        "financing/response_plans.html",
        {"plans": plans, "country_name": country_name},
    )


def _plan_page(
    request: Request,
    session: Any,
    actor: Actor,
    needs: EarlyWarningNeeds,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    error_sector: str | None = None,
    done: bool = False,
    status_code: int = 200,
) -> Response:
    own = (
        service.organisation_of(session, actor)
        if can(actor, "financing:pledge")
        else None
    )
    response = page(
        request,
        actor,
        "financing/response_plan.html",
        {
            "needs": needs,
            "can_pledge": can(actor, "financing:pledge") and needs.status == "active",
            "donor": own,
            "values": values or {},
            "error": error,
            "error_sector": error_sector,
            "done": done,
            "currencies": CURRENCIES,
        },
    )
    response.status_code = status_code
    return response


@router.get("/response-plans/{plan_id}")
def response_plan_page(
    request: Request,
    session: DbSession,
    actor: Reader,
    _plans: PlanReader,
    plan_id: uuid.UUID,
) -> Response:
    needs = service.early_warning_needs(
        session, actor=actor, early_warning_plan_id=plan_id
    )
    return _plan_page(
        request,
        session,
        actor,
        needs,
        done=request.query_params.get("done") == "pledged",
    )


AMOUNT_PROBLEM: Final = N_("Write the amount you pledge, greater than zero.")


@router.post("/response-plans/{plan_id}/pledge", dependencies=[Csrf])
async def pledge_form(
    request: Request,
    session: DbSession,
    actor: PledgeWriter,
    _plans: PlanReader,
    plan_id: uuid.UUID,
) -> Response:
    form = await request.form()
    values = {
        key: str(value)[:200] for key, value in form.items() if isinstance(value, str)
    }
    sector = values.get("sector", "")
    lines: list[PledgeLineIn] = []
    problem: str | None = None
    for key, value in values.items():
        if not key.startswith("q_") or not value.strip() or len(lines) >= MAX_LINES:
            continue
        quantity = inputs.quantity(value)
        try:
            line_id = uuid.UUID(key[2:])
        except ValueError:
            quantity = None
        if quantity is None:
            # Not a number, negative, inf, nan, 1e308 or more than a billion.
            problem = N_("Write quantities as numbers, or leave them empty.")
        elif quantity > 0:
            lines.append(PledgeLineIn(line_id=line_id, quantity=quantity))
    amount = inputs.amount(values.get("amount"))
    if amount is None:
        problem = AMOUNT_PROBLEM
    if problem is None and amount is not None:
        try:
            service.pledge_to_plan(
                session,
                actor=actor,
                early_warning_plan_id=plan_id,
                pledge=PlanPledge(
                    sector=sector[:20] or "-",
                    amount=amount,
                    currency=values.get("currency", "USD")[:3] or "USD",
                    lines=lines,
                    description=values.get("description", "")[:2000],
                ),
            )
        except (DomainError, ValidationError) as exc:
            message = (
                exc.translated()
                if isinstance(exc, DomainError)
                else i18n.gettext("Check the amount and the quantities.")
            )
            needs = service.early_warning_needs(
                session, actor=actor, early_warning_plan_id=plan_id
            )
            return _plan_page(
                request,
                session,
                actor,
                needs,
                values=values,
                error=message,
                error_sector=sector,
                status_code=422,
            )
        return RedirectResponse(
            f"/financing/response-plans/{plan_id}?done=pledged", status_code=303
        )
    needs = service.early_warning_needs(
        session, actor=actor, early_warning_plan_id=plan_id
    )
    return _plan_page(
        request,
        session,
        actor,
        needs,
        values=values,
        error=i18n.gettext(problem or AMOUNT_PROBLEM),
        error_sector=sector,
        status_code=422,
    )
