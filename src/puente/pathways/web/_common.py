"""What every pathways screen shares: the router, the permission each screen needs,
the template filters that word codes and messages, and the dashboard cards."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData

from puente.core import i18n
from puente.core.i18n import N_, lazy_gettext
from puente.identity import Actor
from puente.pathways.rules.stages import STAGE_LABELS, STATUS_LABELS
from puente.pathways.service.text import (
    check_reason,
    check_title,
    document_label,
    format_money,
    format_number,
    match_explanation,
    offer_status,
    outcome_label,
    totalisation_steps,
)
from puente.web.deps import Require
from puente.web.templating import DashboardCard, check_csrf, env, register_card

KIND_LABELS: Final = {
    "labour": N_("Work"),
    "family": N_("Family"),
    "humanitarian": N_("Humanitarian"),
    "resettlement": N_("Resettlement"),
    "regularisation": N_("Regularisation"),
    "study": N_("Study"),
}


def _labelled(labels: Mapping[str, str]) -> Callable[[str], str]:
    """A template filter giving a code's label in the current locale."""

    def word(code: str) -> str:
        label = labels.get(code)
        return i18n.gettext(label) if label else code

    return word


env.filters["pathway_kind"] = _labelled(KIND_LABELS)
env.filters["pathway_stage"] = _labelled(STAGE_LABELS)
env.filters["application_status"] = _labelled(STATUS_LABELS)
env.filters["pathway_document"] = document_label
env.filters["pathway_outcome"] = outcome_label
env.filters["check_title"] = check_title
env.filters["check_reason"] = check_reason
env.filters["offer_status"] = offer_status
env.filters["pathway_number"] = format_number
env.filters["pathway_money"] = format_money
env.filters["match_explanation"] = match_explanation
env.filters["totalisation_steps"] = totalisation_steps

router = APIRouter(prefix="/pathways", include_in_schema=False)
Csrf = [Depends(check_csrf)]
PathwayReader = Annotated[Actor, Depends(Require("pathway:read", web=True))]
Screener = Annotated[Actor, Depends(Require("pathway:screen", web=True))]
ApplicationWriter = Annotated[Actor, Depends(Require("application:write", web=True))]
OfferReader = Annotated[Actor, Depends(Require("offer:read", web=True))]
OfferWriter = Annotated[Actor, Depends(Require("offer:write", web=True))]
MatchReader = Annotated[Actor, Depends(Require("match:read", web=True))]
TotalisationKeeper = Annotated[Actor, Depends(Require("pathway:screen", web=True))]

ASSETS: Final = Path(__file__).resolve().parent / "static"
MAX_NUMBER_DIGITS: Final = 12


def form_text(form: FormData, name: str, limit: int = 4000) -> str:
    """A form field as typed (trimmed, at most `limit` characters; a file is
    not text and reads as empty)."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def whole_number(text: str) -> int | None:
    """A whole number of at most 12 decimal digits (fullwidth digits count), else
    None: `²` and 5,000-digit numbers are not numbers here, and the caller says
    which field is wrong."""
    if text.isdecimal() and len(text) <= MAX_NUMBER_DIGITS:
        return int(text)
    return None


def not_valid(label: object) -> str:
    """The error a form shows for a value it cannot use, naming the field."""
    return i18n.gettext("This value is not valid: %(field)s.", field=str(label))


for _card in (
    DashboardCard(
        "pathway:screen",
        lazy_gettext("Screen for pathways"),
        lazy_gettext("One screening against every open pathway of every state."),
        "/pathways/screen",
        "🧭",
    ),
    DashboardCard(
        "pathway:read",
        lazy_gettext("Pathway catalogue"),
        lazy_gettext("Regular pathways by state and kind, open or closed."),
        "/pathways/catalogue",
        "📚",
    ),
    DashboardCard(
        "application:write",
        lazy_gettext("Pathway applications"),
        lazy_gettext("Applications, their stages, documents and decisions."),
        "/pathways/applications",
        "📄",
    ),
    DashboardCard(
        "offer:read",
        lazy_gettext("Job offers"),
        lazy_gettext("Offers, their fair-recruitment checks and matched workers."),
        "/pathways/offers",
        "🤝",
    ),
    DashboardCard(
        "pathway:read",
        lazy_gettext("Pension totalisation"),
        lazy_gettext("Periods in several states, each state's share, step by step."),
        "/pathways/totalisation",
        "🧮",
    ),
):
    register_card(_card)
