"""The enforcement service: networks, entities and links, their analysis, and
sharing under an enforcement agreement (every request logged)."""

from puente.enforcement.service.networks import (
    REQUEST_ACTIONS,
    NetworkView,
    add_entity,
    add_link,
    create_agreement,
    create_network,
    get_network,
    list_networks,
    mo_reports,
    receive_mo_report,
    received_reports,
    request_log,
    share_network,
)

__all__ = [
    "REQUEST_ACTIONS",
    "NetworkView",
    "add_entity",
    "add_link",
    "create_agreement",
    "create_network",
    "get_network",
    "list_networks",
    "mo_reports",
    "receive_mo_report",
    "received_reports",
    "request_log",
    "share_network",
]
