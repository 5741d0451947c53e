"""Pathway errors (families from `core.errors`)."""

from __future__ import annotations

from puente.core.errors import Conflict, InvalidInput, NotFound
from puente.core.i18n import N_


class PathwayNotFound(NotFound):
    message = N_("No pathway %(pathway_id)s in the catalogue.")


class ScreeningNotFound(NotFound):
    message = N_("Screening not found.")


class ApplicationNotFound(NotFound):
    message = N_("Application not found.")


class OfferNotFound(NotFound):
    message = N_("Job offer not found.")


class WorkerNotFound(NotFound):
    message = N_("Worker not found.")


class AttestationNotFound(NotFound):
    message = N_("Attestation not found.")


class TotalisationNotFound(NotFound):
    message = N_("Saved totalisation not found.")


class TotalisationTooLarge(InvalidInput):
    message = N_("The amounts are too large to save; check the reference wages.")


class PathwayClosed(Conflict):
    message = N_("The pathway %(pathway_id)s is closed; no new applications.")


class StageNotAllowed(Conflict):
    message = N_("An application cannot move from %(current)s to %(target)s.")


class DecisionNotAllowed(Conflict):
    message = N_("A decision can only be recorded at the decision stage.")


class OfferBlocked(Conflict):
    message = N_(
        "The offer failed fair-recruitment checks (%(checks)s); it is never matched."
    )


class SelfReview(Conflict):
    message = N_("An attestation must be reviewed by someone other than its author.")


class NotAttestable(InvalidInput):
    message = N_("Check %(check_id)s is not an attested check.")


class BadStateChange(InvalidInput):
    message = N_("Pathway state must be open, closed or follow its dates.")


class FactsError(InvalidInput):
    """A facts document is malformed; `field` names the offending key."""

    message = N_("Invalid fact %(field)s: %(problem)s")

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(field=field, problem=problem)
        self.field = field
        self.problem = problem


class OfferError(InvalidInput):
    """A job-offer document is malformed; `field` names the offending key."""

    message = N_("Invalid offer field %(field)s: %(problem)s")

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(field=field, problem=problem)
        self.field = field
        self.problem = problem


class CatalogueError(InvalidInput):
    """A catalogue document is malformed or a rule fails the lint."""

    message = N_("Invalid catalogue: %(problem)s")

    def __init__(self, problem: str) -> None:
        super().__init__(problem=problem)
        self.problem = problem


class SignatureRejected(InvalidInput):
    """A publication or one of its pathways does not match its state's signature."""

    message = N_("Rejected %(state)s %(what)s: %(problem)s")

    def __init__(self, state: str, what: str, problem: str) -> None:
        super().__init__(state=state, what=what, problem=problem)
        self.state = state
        self.what = what
        self.problem = problem
