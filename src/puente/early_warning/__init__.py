"""Early warning: surge detection on arrival counts, triggers and alerts.

Owns detectors and trigger rules; does not own data ingestion or CAP delivery.
Public API for other modules: response plans and their requirement lines
(`list_plans`, `get_plan`), read through `plan:read` (financing makes their gaps
fundable); route notes when a state changes an entry regime
(`note_regime_change`, handed the pathways event by the composition root);
early warning shared between states (`AlertMessageIssued`, `outgoing_cap`,
`receive_peer_alert`, `monthly_counts_by_nationality`, `receive_peer_counts`),
which exchange carries under alerts and statistics agreements.
"""

from puente.early_warning.errors import PlanNotFound
from puente.early_warning.events import AlertMessageIssued
from puente.early_warning.schemas import LineRead, PlanDetail, PlanSummary, SiteRead
from puente.early_warning.service.peers import (
    PeerAlertInvalid,
    PeerCell,
    cap_problems,
    monthly_counts_by_nationality,
    outgoing_cap,
    receive_peer_alert,
    receive_peer_counts,
)
from puente.early_warning.service.plans import get_plan, list_plans
from puente.early_warning.service.routes import (
    RouteNoteRead,
    downstream,
    list_route_notes,
    note_regime_change,
)

__all__ = [
    "AlertMessageIssued",
    "LineRead",
    "PeerAlertInvalid",
    "PeerCell",
    "PlanDetail",
    "PlanNotFound",
    "PlanSummary",
    "RouteNoteRead",
    "SiteRead",
    "cap_problems",
    "downstream",
    "get_plan",
    "list_plans",
    "list_route_notes",
    "monthly_counts_by_nationality",
    "note_regime_change",
    "outgoing_cap",
    "receive_peer_alert",
    "receive_peer_counts",
]
