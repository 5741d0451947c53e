"""Financing errors (families from `core.errors`; `app.py` maps them to statuses)."""

from __future__ import annotations

from puente.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from puente.core.i18n import N_
from puente.core.tabular import TableRejected


class PlanNotFound(NotFound):
    message = N_("This response plan does not exist.")


class FlowNotFound(NotFound):
    message = N_("This funding flow does not exist.")


class OrganisationNotFound(NotFound):
    message = N_("This organisation is not in the financing directory.")


class InstrumentNotFound(NotFound):
    message = N_("This financing instrument does not exist.")


class YearNotInPlan(InvalidInput):
    message = N_("The plan has no requirements for %(year)s.")


class UnknownSector(InvalidInput):
    message = N_("Choose a sector from the list.")


class UnknownCountry(InvalidInput):
    message = N_("Choose a country from the list.")


class NoExchangeRate(InvalidInput):
    message = N_(
        "There is no US dollar rate for %(currency)s in %(year)s: give the amount "
        "in US dollars or the rate."
    )


class InvalidAmount(InvalidInput):
    message = N_("The amount must be a number greater than zero.")


class StatusChangeNotAllowed(Conflict):
    message = N_("A flow cannot go from %(current)s to %(target)s.")


class DuplicateReference(Conflict):
    message = N_("A flow with this reference already exists.")


class NoFinancingOrganisation(PermissionDenied):
    message = N_(
        "Your organisation is not in the financing directory yet; a coordinator can "
        "add it."
    )


class NotYourFlow(PermissionDenied):
    message = N_("Only the organisation that pledged can change this flow.")


class PledgeExceedsNeed(InvalidInput):
    message = N_("The pledge covers more of %(item)s than the plan still needs.")


class FlowFileRejected(TableRejected):
    """A flows file with problems; nothing was imported."""


class IatiExportInvalid(Conflict):
    message = N_("The IATI export does not validate: %(reason)s")
