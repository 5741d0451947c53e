"""Early-warning tables: the flow store and triggers (`flows`), alerts and
response plans (`alerts`)."""

from puente.early_warning.models.alerts import (
    Alert,
    AlertMessage,
    AlertNotice,
    AlertNoticeRead,
    RouteNote,
)
from puente.early_warning.models.flows import (
    FlowSeries,
    FlowSource,
    FlowSourceProfile,
    FlowVintage,
    TriggerAdoption,
    TriggerCatalogue,
    TriggerFiring,
)
from puente.early_warning.models.peers import PeerAlert, PeerCount
from puente.early_warning.models.plans import (
    PlanLine,
    PlanSite,
    PlanTask,
    ResponsePlan,
)

__all__ = [
    "Alert",
    "AlertMessage",
    "AlertNotice",
    "AlertNoticeRead",
    "FlowSeries",
    "FlowSource",
    "FlowSourceProfile",
    "FlowVintage",
    "PeerAlert",
    "PeerCount",
    "PlanLine",
    "PlanSite",
    "PlanTask",
    "ResponsePlan",
    "RouteNote",
    "TriggerAdoption",
    "TriggerCatalogue",
    "TriggerFiring",
]
