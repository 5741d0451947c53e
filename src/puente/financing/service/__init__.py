"""Financing use cases. Each state change authorises, applies `rules/`, writes,
audits and publishes; reads go through `identity.visible`."""

from puente.financing.service.burden import (
    burden_years,
    check_eligibility,
    fair_share_table,
    host_burden_table,
    indicator_label,
    instrument_rules,
    latest_year,
    list_instruments,
    state_burden,
    state_history,
)
from puente.financing.service.directory import (
    add_instrument,
    add_organisation,
    find_organisation,
    list_organisations,
    organisation_of,
    set_exchange_rate,
    usd_rate,
)
from puente.financing.service.flows import (
    FlowFilter,
    can_change,
    can_change_flow,
    change_flow_status,
    get_flow,
    list_flows,
    paid_by_country,
    record_flow,
)
from puente.financing.service.iati import export_iati
from puente.financing.service.imports import flows_hxl, import_flows
from puente.financing.service.plans import (
    create_plan,
    find_plan_code,
    list_plans,
    plan_gap,
    set_requirement,
)
from puente.financing.service.pledges import early_warning_needs, pledge_to_plan

__all__ = [
    "FlowFilter",
    "add_instrument",
    "add_organisation",
    "burden_years",
    "can_change",
    "can_change_flow",
    "change_flow_status",
    "check_eligibility",
    "create_plan",
    "early_warning_needs",
    "export_iati",
    "fair_share_table",
    "find_organisation",
    "find_plan_code",
    "flows_hxl",
    "get_flow",
    "host_burden_table",
    "import_flows",
    "indicator_label",
    "instrument_rules",
    "latest_year",
    "list_flows",
    "list_instruments",
    "list_organisations",
    "list_plans",
    "organisation_of",
    "paid_by_country",
    "plan_gap",
    "pledge_to_plan",
    "record_flow",
    "set_exchange_rate",
    "set_requirement",
    "state_burden",
    "state_history",
    "usd_rate",
]
