"""Early warning: surge detection on arrival counts, triggers and alerts.

Owns detectors and trigger rules; does not own data ingestion or CAP delivery.
Public API for other modules: response plans and their requirement lines
(`list_plans`, `get_plan`), read through `plan:read` (financing makes their gaps
fundable).
"""

from puente.early_warning.errors import PlanNotFound
from puente.early_warning.schemas import LineRead, PlanDetail, PlanSummary, SiteRead
from puente.early_warning.service.plans import get_plan, list_plans

__all__ = [
    "LineRead",
    "PlanDetail",
    "PlanNotFound",
    "PlanSummary",
    "SiteRead",
    "get_plan",
    "list_plans",
]
