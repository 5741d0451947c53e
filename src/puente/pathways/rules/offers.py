"""A job offer as the fair-recruitment checks and matching read it: the employer's
terms, the costs and who pays them, the recruiter and the contract
(`docs/pathways-offers.md`). Parsed from JSON by the schema `OfferCreate`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final


class Payer(StrEnum):
    WORKER = "worker"
    EMPLOYER = "employer"


COST_CATEGORIES: Final = frozenset(
    {
        "recruitment_fee",
        "recruitment_service",
        "medical",
        "insurance",
        "skills_test",
        "training",
        "equipment",
        "travel",
        "lodging",
        "documents_visa",
        "admin",
        "other",
    }
)
"""ILO (2019) recruitment fees and related costs; none may be borne by the worker."""
RECRUITMENT_FEE_CATEGORIES: Final = frozenset(
    {"recruitment_fee", "recruitment_service"}
)
PAY_FREQUENCIES: Final = ("weekly", "biweekly", "semimonthly", "monthly")
PAY_METHODS: Final = ("worker_account", "cash", "third_party")


@dataclass(frozen=True, slots=True)
class Cost:
    category: str
    amount: Decimal
    currency: str
    paid_by: Payer


@dataclass(frozen=True, slots=True)
class Deduction:
    type: str
    amount: Decimal
    legal_basis: str


@dataclass(frozen=True, slots=True)
class RecruiterLicence:
    number: str
    authority: str = ""
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class Requirement:
    text: str
    legal_basis: str = ""


@dataclass(frozen=True, slots=True)
class LabourMarketTest:
    type: str
    reference: str
    valid_to: date


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """The written contract's terms, when they are given apart from the offer."""

    wage_hourly: Decimal
    hours_week: Decimal
    isco: str
    state: str


@dataclass(frozen=True, slots=True)
class JobOffer:
    """A job offer as published by an employer (`docs/pathways-offers.md`)."""

    title: str
    isco: str
    state: str
    wage_hourly: Decimal
    currency: str
    hours_week: Decimal
    contract_language: str
    recruiter_licence: RecruiterLicence | None
    costs: tuple[Cost, ...] = ()
    id: str = ""
    employer_name: str = ""
    employer_legal_id: str = ""
    worksite_address: str = ""
    subdivision: str = ""
    tasks: str = ""
    pathway_id: str = ""
    start_date: date | None = None
    end_date: date | None = None
    contract_translations: tuple[str, ...] = ()
    recruitment_languages: tuple[str, ...] = ()
    contract_delivery_days_before_departure: int | None = None
    wage_floor_hourly: Decimal | None = None
    pay_frequency: str = ""
    pay_method: str = ""
    guaranteed_hours_ratio: Decimal | None = None
    housing_provided: bool = False
    housing_cost_weekly: Decimal = Decimal(0)
    inbound_travel_paid_by: Payer = Payer.EMPLOYER
    return_travel_paid_by: Payer = Payer.EMPLOYER
    deposit_required: bool = False
    bond_amount: Decimal = Decimal(0)
    deductions: tuple[Deduction, ...] = ()
    employer_holds_documents: bool = False
    resignation_penalty: Decimal = Decimal(0)
    requires_permission_to_change_employer: bool = False
    termination_terms: str = ""
    grievance_contact: str = ""
    grievance_cost: Decimal = Decimal(0)
    iris_certified: bool = False
    minimum_age: int = 18
    requirements: tuple[Requirement, ...] = ()
    labour_market_test: LabourMarketTest | None = None
    privacy_notice_url: str = ""
    contract: ContractTerms | None = None
    skills: tuple[str, ...] = ()
    required_language: str = ""
    required_cefr: str = ""
    positions: int = 1


@dataclass(frozen=True, slots=True)
class Attestation:
    check_id: str
    attested_by: str
    attested_on: date
    evidence: str = ""
