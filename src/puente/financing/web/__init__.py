"""Financing screens under /financing: a donor's view of plans and gaps, funding
flows (list, record, import, status), pledges to early-warning response plans,
host burden with a map of the Americas, the fair-share calculator and the
instruments with their eligibility. Every table downloads as CSV and XLSX."""

from puente.core.i18n import lazy_gettext
from puente.financing.web import burden, flows, plans, pledges
from puente.financing.web._common import router
from puente.web.templating import DashboardCard, register_card

__all__ = ["burden", "flows", "plans", "pledges", "router"]

for card in (
    DashboardCard(
        "financing:read",
        lazy_gettext("Funding and gaps"),
        lazy_gettext(
            "What each response plan needs, what was pledged, committed and paid, and "
            "the gap, by country and sector."
        ),
        "/financing",
        "💰",
    ),
    DashboardCard(
        "financing:pledge",
        lazy_gettext("Pledge to a response plan"),
        lazy_gettext(
            "See a response plan's uncovered needs by sector and pledge against them."
        ),
        "/financing/response-plans",
        "🤝",
    ),
    DashboardCard(
        "financing:read",
        lazy_gettext("Host burden and fair share"),
        lazy_gettext(
            "Who hosts how many people for their size and income, on a map; and a "
            "fair-share calculator."
        ),
        "/financing/burden",
        "🗺",
    ),
):
    register_card(card)
