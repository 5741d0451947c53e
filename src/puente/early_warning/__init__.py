"""Early warning: surge detection on arrival counts, triggers and alerts.

Owns detectors and trigger rules; does not own data ingestion or CAP delivery.
Public API for other modules: response plans and their requirement lines
(`list_plans`, `get_plan`), read through `plan:read` (financing makes their gaps
fundable); route notes when a state changes an entry regime
(`note_regime_change`, handed the pathways event by the composition root).
"""

from puente.early_warning.errors import PlanNotFound
from puente.early_warning.schemas import LineRead, PlanDetail, PlanSummary, SiteRead
from puente.early_warning.service.plans import get_plan, list_plans
from puente.early_warning.service.routes import (
    RouteNoteRead,
    downstream,
    list_route_notes,
    note_regime_change,
)

__all__ = [
    "LineRead",
    "PlanDetail",
    "PlanNotFound",
    "PlanSummary",
    "RouteNoteRead",
    "SiteRead",
    "downstream",
    "get_plan",
    "list_plans",
    "list_route_notes",
    "note_regime_change",
]
