"""Coordination owns who-does-what-where (5W) activity reports: organisation,
implementing partner, sector, indicator, place, month, population group and
people reached by sex and age, linked to the funding flow that paid for them,
with HXL import and export and totals that count people in transit as
assistance events. It does not own organisations or flows (`puente.financing`)."""

from puente.coordination.errors import ReportNotFound
from puente.coordination.schemas import ReportRead, TotalsRead
from puente.coordination.service import (
    ReportFilter,
    list_reports,
    people_reached,
    totals,
)

__all__ = [
    "ReportFilter",
    "ReportNotFound",
    "ReportRead",
    "TotalsRead",
    "list_reports",
    "people_reached",
    "totals",
]
