"""Protection screens (HTML): screening, cases with timeline and plan, approvals,
referrals and the service directory, tracing, return decisions, consular
notification and exports. Every route calls `protection.service`."""

from __future__ import annotations

from fastapi import APIRouter

from puente.protection.web import (
    cases,
    home,
    pickers,
    referrals,
    return_cases,
    returns,
)

router = APIRouter(include_in_schema=False)
router.include_router(cases.router)
router.include_router(referrals.router)
router.include_router(returns.router)
router.include_router(return_cases.router)

__all__ = ["home", "pickers", "router"]
