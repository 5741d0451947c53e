"""Coordination errors (families from `core.errors`)."""

from __future__ import annotations

from puente.core.errors import InvalidInput, NotFound
from puente.core.i18n import N_
from puente.core.tabular import TableRejected


class ReportNotFound(NotFound):
    message = N_("This activity report does not exist.")


class InvalidReport(InvalidInput):
    message = N_("The activity report is not valid: %(reason)s")


class ReportFileRejected(TableRejected):
    """A 5W file with problems; nothing was imported."""
