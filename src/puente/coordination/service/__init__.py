"""Coordination use cases: record, list, total, import and export 5W rows."""

from puente.coordination.service.imports import import_reports, reports_hxl
from puente.coordination.service.reports import (
    ReportFilter,
    count_reports,
    get_report,
    indicator_label,
    list_reports,
    people_reached,
    population_label,
    record_report,
    sector_label,
    totals,
)

__all__ = [
    "ReportFilter",
    "count_reports",
    "get_report",
    "import_reports",
    "indicator_label",
    "list_reports",
    "people_reached",
    "population_label",
    "record_report",
    "reports_hxl",
    "sector_label",
    "totals",
]
