"""Financing code lists with their labels (gettext msgids, translated where shown):
flow statuses and their transitions, organisation kinds, instrument kinds and
sectors, with the crosswalks to OCHA's global clusters, OECD DAC purpose codes
(IATI sector vocabulary 1) and the early-warning plan sectors.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from puente.core.i18n import N_


class FlowStatus(StrEnum):
    """FTS statuses: a pledge is an announcement, a commitment is binding, paid is
    disbursed. `cancelled` marks a pledge or commitment that will not be paid."""

    PLEDGE = "pledge"
    COMMITMENT = "commitment"
    PAID = "paid"
    CANCELLED = "cancelled"


STATUS_LABELS: Final[dict[str, str]] = {
    FlowStatus.PLEDGE: N_("Pledge"),
    FlowStatus.COMMITMENT: N_("Commitment"),
    FlowStatus.PAID: N_("Paid"),
    FlowStatus.CANCELLED: N_("Cancelled"),
}

STATUS_TRANSITIONS: Final[dict[FlowStatus, frozenset[FlowStatus]]] = {
    FlowStatus.PLEDGE: frozenset(
        {FlowStatus.COMMITMENT, FlowStatus.PAID, FlowStatus.CANCELLED}
    ),
    FlowStatus.COMMITMENT: frozenset({FlowStatus.PAID, FlowStatus.CANCELLED}),
    FlowStatus.PAID: frozenset(),
    FlowStatus.CANCELLED: frozenset(),
}

# Funding (FTS): commitments and payments; pledges are reported apart.
FUNDING_STATUSES: Final = frozenset({FlowStatus.COMMITMENT, FlowStatus.PAID})


def can_move(current: FlowStatus, target: FlowStatus) -> bool:
    return target in STATUS_TRANSITIONS[current]


class OrganisationKind(StrEnum):
    GOVERNMENT = "government"
    MULTILATERAL = "multilateral"
    UN_AGENCY = "un_agency"
    DEVELOPMENT_BANK = "development_bank"
    POOLED_FUND = "pooled_fund"
    NGO = "ngo"
    RED_CROSS = "red_cross"
    PRIVATE = "private"
    OTHER = "other"


ORGANISATION_KIND_LABELS: Final[dict[str, str]] = {
    OrganisationKind.GOVERNMENT: N_("Government"),
    OrganisationKind.MULTILATERAL: N_("Multilateral organisation"),
    OrganisationKind.UN_AGENCY: N_("United Nations agency"),
    OrganisationKind.DEVELOPMENT_BANK: N_("Development bank"),
    OrganisationKind.POOLED_FUND: N_("Pooled fund or facility"),
    OrganisationKind.NGO: N_("Non-governmental organisation"),
    OrganisationKind.RED_CROSS: N_("Red Cross or Red Crescent"),
    OrganisationKind.PRIVATE: N_("Private donor"),
    OrganisationKind.OTHER: N_("Other"),
}

# IATI OrganisationType codes for the kinds above.
IATI_ORGANISATION_TYPES: Final[dict[str, str]] = {
    OrganisationKind.GOVERNMENT: "10",
    OrganisationKind.MULTILATERAL: "40",
    OrganisationKind.UN_AGENCY: "40",
    OrganisationKind.DEVELOPMENT_BANK: "40",
    OrganisationKind.POOLED_FUND: "40",
    OrganisationKind.NGO: "21",
    OrganisationKind.RED_CROSS: "21",
    OrganisationKind.PRIVATE: "60",
    OrganisationKind.OTHER: "90",
}


class InstrumentKind(StrEnum):
    GRANT = "grant"
    CONCESSIONAL_LOAN = "concessional_loan"
    LOAN = "loan"
    LOAN_BUYDOWN = "loan_buydown"
    GUARANTEE = "guarantee"


INSTRUMENT_KIND_LABELS: Final[dict[str, str]] = {
    InstrumentKind.GRANT: N_("Grant"),
    InstrumentKind.CONCESSIONAL_LOAN: N_("Concessional loan"),
    InstrumentKind.LOAN: N_("Loan"),
    InstrumentKind.LOAN_BUYDOWN: N_("Grants that buy down loans to concessional terms"),
    InstrumentKind.GUARANTEE: N_("Guarantee"),
}


class PlanKind(StrEnum):
    REGIONAL = "regional"
    NATIONAL = "national"
    EARLY_WARNING = "early_warning"


PLAN_KIND_LABELS: Final[dict[str, str]] = {
    PlanKind.REGIONAL: N_("Regional response plan"),
    PlanKind.NATIONAL: N_("National response plan"),
    PlanKind.EARLY_WARNING: N_("Early-warning response plan"),
}

# RMRP sectors (R4V), cross-cutting areas, and "several sectors" for money not
# yet assigned to one.
SECTOR_LABELS: Final[dict[str, str]] = {
    "education": N_("Education"),
    "food_security": N_("Food security"),
    "health": N_("Health"),
    "humanitarian_transport": N_("Humanitarian transportation"),
    "integration": N_("Integration"),
    "nutrition": N_("Nutrition"),
    "protection": N_("Protection"),
    "child_protection": N_("Child protection"),
    "gbv": N_("Gender-based violence"),
    "trafficking_smuggling": N_("Human trafficking and smuggling"),
    "shelter": N_("Shelter"),
    "wash": N_("Water, sanitation and hygiene"),
    "multipurpose_cash": N_("Multipurpose cash"),
    "support_spaces": N_("Support spaces"),
    "multi_sector": N_("Several sectors"),
}
SECTORS: Final = tuple(SECTOR_LABELS)

# OECD DAC 5-digit purpose codes (IATI sector vocabulary 1) for each sector.
DAC_PURPOSE: Final[dict[str, str]] = {
    "education": "72012",  # education in emergencies
    "food_security": "72040",  # emergency food assistance
    "health": "72011",  # basic health care services in emergencies
    "humanitarian_transport": "72010",  # material relief assistance and services
    "integration": "15190",  # facilitation of safe, orderly and regular migration
    "nutrition": "72040",
    "protection": "72010",
    "child_protection": "72010",
    "gbv": "72010",
    "trafficking_smuggling": "15190",
    "shelter": "72010",
    "wash": "72010",
    "multipurpose_cash": "72010",
    "support_spaces": "72010",
    "multi_sector": "72010",
}

# OCHA global clusters (FTS) for each sector.
GLOBAL_CLUSTER: Final[dict[str, str]] = {
    "education": "EDU",
    "food_security": "FSC",
    "health": "HEA",
    "humanitarian_transport": "LOG",
    "integration": "ERY",
    "nutrition": "NUT",
    "protection": "PRO",
    "child_protection": "PRO",
    "gbv": "PRO",
    "trafficking_smuggling": "PRO",
    "shelter": "SHL",
    "wash": "WSH",
    "multipurpose_cash": "MPC",
    "support_spaces": "PRO",
    "multi_sector": "MPC",
}

# The early-warning plans' sectors (Sphere) and the RMRP sector they fund.
EARLY_WARNING_SECTORS: Final[dict[str, str]] = {
    "shelter": "shelter",
    "wash": "wash",
    "food": "food_security",
    "health": "health",
    "protection": "protection",
}


def parse_status(text: str) -> FlowStatus | None:
    """A status from its code or its English label (any case); None if unknown."""
    wanted = text.strip().casefold()
    for status in FlowStatus:
        if wanted in (status.value, STATUS_LABELS[status].casefold()):
            return status
    return None
