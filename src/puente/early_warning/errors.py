"""Early-warning errors (families from `core.errors`)."""

from __future__ import annotations

from collections.abc import Sequence

from puente.core.errors import Conflict, InvalidInput, NotFound
from puente.core.i18n import N_


class FlowFileRejected(InvalidInput):
    """A flow file failed validation; nothing was written. `problems` name the
    file, row (1-based, as a spreadsheet shows it) and column of each."""

    message = N_("The file %(file)s was rejected: %(first)s")

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        super().__init__(file=file, first=problems[0] if problems else "")
        self.problems = tuple(problems)

    @property
    def detail(self) -> object:
        return list(self.problems)


class SourceNotFound(NotFound):
    message = N_("No flow source named %(source)s.")


class SeriesNotFound(NotFound):
    message = N_("No flow series %(series_key)s.")


class CatalogueNotFound(NotFound):
    message = N_("No trigger catalogue version %(version)s.")


class UnknownTenant(InvalidInput):
    """A firing names a tenant this node does not know: no alert is raised
    (never a default tenant)."""

    message = N_("No tenant %(tenant)s: the alert was not raised.")


class AlertNotFound(NotFound):
    message = N_("This alert does not exist.")


class AlertClosed(Conflict):
    message = N_("This alert was cancelled; it can no longer change.")


class NoticeNotFound(NotFound):
    message = N_("This notice does not exist.")


class PlanNotFound(NotFound):
    message = N_("This response plan does not exist.")


class PlanAlreadyActive(Conflict):
    message = N_("A response plan is already active for this alert.")


class AlertNotActive(Conflict):
    message = N_("A cancelled alert cannot activate a response plan.")


class NoPlanningFigure(InvalidInput):
    message = N_("There is no forecast or count to size the plan from.")


class TaskMoveNotAllowed(Conflict):
    message = N_("The task cannot move to that status.")


class OrganisationNotAssignable(InvalidInput):
    message = N_(
        "This organisation does not exist or cannot take tasks of this response plan."
    )
