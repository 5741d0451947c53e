"""Protection errors (each a family of `core.errors`)."""

from __future__ import annotations

from typing import Any

from puente.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from puente.core.i18n import N_
from puente.protection.rules.returns import ReturnGateFailed


class CaseNotFound(NotFound):
    message = N_("No such case.")


class ReferralNotFound(NotFound):
    message = N_("No such referral.")


class ServiceNotFound(NotFound):
    message = N_("No such service.")


class ReturnDecisionNotFound(NotFound):
    message = N_("No such return decision.")


class TracingRequestNotFound(NotFound):
    message = N_("No such tracing request.")


class ScreeningNotFound(NotFound):
    message = N_("No such screening.")


class StaleCase(Conflict):
    """Someone else changed the case since it was read (optimistic locking)."""

    message = N_(
        "Someone else changed this case since you opened it. "
        "Reload it; your input was kept."
    )


class ConsentMissing(Conflict):
    message = N_("A referral needs the person's consent, a purpose and an end date.")


class GuardianConsentRequired(Conflict):
    message = N_(
        "A child's referral needs the consent of a parent or guardian, recorded as "
        "theirs."
    )


class ConsentRevoked(PermissionDenied):
    message = N_("The person has withdrawn consent for this referral.")


class ReferralWithdrawn(PermissionDenied):
    message = N_(
        "This referral was withdrawn: a protection fact recorded for this "
        "person forbids it."
    )


class ConsentExpired(PermissionDenied):
    message = N_("The consent for this referral has expired.")


class ReferralStateConflict(Conflict):
    message = N_("A referral that is %(status)s cannot be %(target)s.")


class NotReferralRecipient(NotFound):
    message = N_("No such referral.")


class ApprovalNotPending(Conflict):
    message = N_("There is no pending %(kind)s approval for this case.")


class SelfApprovalNotAllowed(Conflict):
    message = N_("A supervisor cannot approve their own request.")


class ReturnNotDraft(Conflict):
    message = N_("This return decision is already %(status)s.")


class CloseReasonMissing(InvalidInput):
    message = N_("Closing a case needs a reason.")


class DeclineReasonMissing(InvalidInput):
    message = N_("Declining a referral needs a reason.")


class ExportPasswordTooShort(InvalidInput):
    message = N_("An export password needs at least 12 characters.")


class ReturnBlocked(ReturnGateFailed):
    """The gate did not pass; `detail` lists the failed checks (for the 409)."""

    @property
    def detail(self) -> Any:
        return {
            "message": str(self),
            "failed_checks": list(self.params.get("failed_checks", ())),
        }


class ReturnNotApproved(Conflict):
    message = N_("Only an approved return becomes a return case.")


class ReturnCaseNotFound(NotFound):
    message = N_("Return case not found.")


class IncomingReturnNotFound(NotFound):
    message = N_("This return shared by another state was not found.")


class ChildHandoverMissing(Conflict):
    message = N_(
        "A child can be marked received only into the hands of a named caregiver "
        "or child-protection authority."
    )


class FollowUpInvalid(InvalidInput):
    message = N_(
        "A follow-up is at 3, 6 or 12 months, after arrival, with each score from "
        "0 to 1."
    )


class ReceptionIncomplete(InvalidInput):
    message = N_("A reception needs the arrival date, the place and who received.")


class InformedConsentMissing(Conflict):
    message = N_(
        "A modus-operandi report crosses only with the victim's informed consent."
    )


class ReportNotFound(NotFound):
    message = N_("Report not found.")
