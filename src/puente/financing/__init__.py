"""Financing owns response plans and their requirements (year × country ×
sector), funding flows (pledge → commitment → paid, with the FTS boundary rule so
money is never counted twice), development-finance instruments and their
eligibility rules, host burden and fair-share keys, the IATI and HXL exports,
and pledges against early-warning plans' gaps. It does not own the early-warning
plans themselves (read through `puente.early_warning`) nor 5W activity reports
(`puente.coordination`)."""

from puente.financing.errors import FlowNotFound, PlanNotFound
from puente.financing.rules.codes import SECTOR_LABELS, SECTORS
from puente.financing.schemas import (
    BurdenRead,
    FlowRead,
    GapRead,
    OrganisationRead,
    PlanSummary,
)
from puente.financing.service import (
    FlowFilter,
    flow_by_reference,
    get_flow,
    list_flows,
    list_organisations,
    list_plans,
    organisation_named,
    paid_by_country,
    plan_gap,
    register_organisation,
    state_burden,
)

__all__ = [
    "SECTORS",
    "SECTOR_LABELS",
    "BurdenRead",
    "FlowFilter",
    "FlowNotFound",
    "FlowRead",
    "GapRead",
    "OrganisationRead",
    "PlanNotFound",
    "PlanSummary",
    "flow_by_reference",
    "get_flow",
    "list_flows",
    "list_organisations",
    "list_plans",
    "organisation_named",
    "paid_by_country",
    "plan_gap",
    "register_organisation",
    "state_burden",
]
