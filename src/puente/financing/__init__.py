"""Financing owns response plans and their requirements (year × country ×
sector), funding flows (pledge → commitment → paid, with the FTS boundary rule so
money is never counted twice), development-finance instruments and their
eligibility rules, host burden and fair-share keys, the IATI and HXL exports,
and pledges against early-warning plans' gaps. It does not own the early-warning
plans themselves (read through `puente.early_warning`) nor 5W activity reports
(`puente.coordination`)."""

from puente.financing.errors import FlowNotFound, PlanNotFound
from puente.financing.events import FundingFlowPaid
from puente.financing.schemas import (
    BurdenRead,
    FlowRead,
    GapRead,
    OrganisationRead,
    PlanSummary,
)
from puente.financing.service import (
    get_flow,
    list_flows,
    list_organisations,
    list_plans,
    paid_by_country,
    plan_gap,
    state_burden,
)

__all__ = [
    "BurdenRead",
    "FlowNotFound",
    "FlowRead",
    "FundingFlowPaid",
    "GapRead",
    "OrganisationRead",
    "PlanNotFound",
    "PlanSummary",
    "get_flow",
    "list_flows",
    "list_organisations",
    "list_plans",
    "paid_by_country",
    "plan_gap",
    "state_burden",
]
