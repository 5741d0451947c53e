"""What the protection screens share: permissions, dashboard cards, labels and
form helpers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from puente.core.errors import Conflict, DomainError, InvalidInput
from puente.core.i18n import get_locale, lazy_gettext
from puente.identity import Actor
from puente.protection.service.facts import WITHDRAWN_REASON
from puente.web.deps import Require
from puente.web.templating import DashboardCard, check_csrf, register_card

Csrf = Depends(check_csrf)

CaseReader = Annotated[Actor, Depends(Require("case:read", web=True))]
CaseWriter = Annotated[Actor, Depends(Require("case:write", web=True))]
Approver = Annotated[Actor, Depends(Require("case:approve", web=True))]
Referrer = Annotated[Actor, Depends(Require("referral:write", web=True))]
ReturnDecider = Annotated[Actor, Depends(Require("return:decide", web=True))]
Exporter = Annotated[Actor, Depends(Require("export:cases", web=True))]

register_card(
    DashboardCard(
        "case:read",
        lazy_gettext("Protection cases"),
        lazy_gettext("Screen people, open and follow cases, refer to services."),
        "/protection",
        "⚑",
    )
)
register_card(
    DashboardCard(
        "case:approve",
        lazy_gettext("Approvals"),
        lazy_gettext("Assessments, case plans and closures waiting for you."),
        "/protection/approvals",
        "✓",
    )
)
register_card(
    DashboardCard(
        "referral:write",
        lazy_gettext("Referrals"),
        lazy_gettext("Referrals sent to your organisation, and the service directory."),
        "/protection/referrals",
        "⇄",
    )
)

STATE_LABELS = {
    "new": lazy_gettext("New"),
    "assessment": lazy_gettext("Assessment"),
    "case_plan": lazy_gettext("Case plan"),
    "services": lazy_gettext("Services"),
    "closure": lazy_gettext("Closure"),
    "closed": lazy_gettext("Closed"),
    "reopened": lazy_gettext("Reopened"),
}
APPROVAL_LABELS = {
    "assessment": lazy_gettext("Assessment"),
    "case_plan": lazy_gettext("Case plan"),
    "closure": lazy_gettext("Closure"),
}
TYPE_LABELS = {
    "general_protection": lazy_gettext("General protection"),
    "child_protection": lazy_gettext("Child protection"),
    "gbv": lazy_gettext("Gender-based violence"),
    "trafficking": lazy_gettext("Trafficking"),
    "statelessness": lazy_gettext("Statelessness"),
}
PRIORITY_LABELS = {
    "emergency": lazy_gettext("Emergency"),
    "urgent": lazy_gettext("Urgent"),
    "normal": lazy_gettext("Normal"),
}
FIELD_LABELS = {
    "identity": lazy_gettext("Name, sex and birth date"),
    "contact": lazy_gettext("Contact details"),
    "specific_needs": lazy_gettext("Specific needs"),
    "case_summary": lazy_gettext("Case summary"),
}
REFERRAL_STATUS = {
    "sent": lazy_gettext("Sent"),
    "accepted": lazy_gettext("Accepted"),
    "declined": lazy_gettext("Declined"),
    "completed": lazy_gettext("Completed"),
    "revoked": lazy_gettext("Consent withdrawn"),
    "withdrawn": lazy_gettext(WITHDRAWN_REASON),
}
SERVICE_LABELS = {
    "shelter": lazy_gettext("Shelter"),
    "health": lazy_gettext("Health care"),
    "mental_health": lazy_gettext("Mental health and psychosocial support"),
    "legal_aid": lazy_gettext("Legal aid"),
    "child_protection": lazy_gettext("Child protection"),
    "gbv_response": lazy_gettext("Gender-based violence response"),
    "anti_trafficking": lazy_gettext("Anti-trafficking assistance"),
    "asylum_information": lazy_gettext("Asylum information"),
    "family_tracing": lazy_gettext("Family tracing"),
    "cash_assistance": lazy_gettext("Cash assistance"),
    "education": lazy_gettext("Education"),
    "documentation": lazy_gettext("Documentation"),
}
WISH_LABELS = {
    "not_yet_asked": lazy_gettext("Not asked yet"),
    "requests": lazy_gettext("Wants the consulate to be informed"),
    "declines": lazy_gettext("Does not want the consulate to be informed"),
    "opposes": lazy_gettext("Opposes any consular contact"),
}
SECTION_LABELS = {
    "profile": lazy_gettext("Profile"),
    "specific_needs": lazy_gettext("Specific needs"),
    "vulnerability": lazy_gettext("Vulnerability factors"),
    "heightened_risk": lazy_gettext("Heightened risk"),
    "statelessness": lazy_gettext("Statelessness risk"),
    "sensitive_attributes": lazy_gettext("Identity (only with consent)"),
    "trafficking": lazy_gettext("Trafficking indicators"),
}


def _labels() -> dict[str, Any]:
    return {
        "state_labels": STATE_LABELS,
        "approval_labels": APPROVAL_LABELS,
        "type_labels": TYPE_LABELS,
        "priority_labels": PRIORITY_LABELS,
        "field_labels": FIELD_LABELS,
        "referral_status": REFERRAL_STATUS,
        "service_labels": SERVICE_LABELS,
        "wish_labels": WISH_LABELS,
        "withdrawn_reason": lazy_gettext(WITHDRAWN_REASON),
        "loc": get_locale(),
    }


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


# After an action: a confirmation on the page it leads to (`?done=<code>`); the
# page offers the natural next steps beside it.
DONE_MESSAGES = {
    "opened": lazy_gettext("Case opened."),
    "moved": lazy_gettext("Stage changed."),
    "closed": lazy_gettext("Case closed. The reason is on its timeline."),
    "submitted": lazy_gettext("Case plan submitted: it is in the supervisor's queue."),
    "approval_requested": lazy_gettext("Sent to the supervisor's queue for approval."),
    "referred": lazy_gettext("Referral sent. The service's answer will show here."),
    "decided": lazy_gettext("Decision saved."),
}
_MOVED = {"closed": "closed"}


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def rerender_on_refusal(
    call: Callable[[], object],
    rerender: Callable[[DomainError, int], Response],
    *,
    catch: tuple[type[DomainError], ...] = (Conflict, InvalidInput),
) -> Response | None:
    """Run a form's service call. A refusal the person can put right (one of
    `catch`) answers `rerender(error, status)`: the page again with what was
    typed, 409 for a conflict and 422 for invalid input. None when the call went
    through; any other error goes on to the app's handlers (404, 403)."""
    try:
        call()
    except catch as exc:
        return rerender(exc, 409 if isinstance(exc, Conflict) else 422)
    return None
