"""Pydantic in/out shapes of the pathways service (the API's response models)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    Tag,
)

from puente.pathways.rules.offers import (
    ContractTerms,
    Cost,
    Deduction,
    JobOffer,
    LabourMarketTest,
    Payer,
    RecruiterLicence,
    Requirement,
)

OutcomeName = Literal["eligible", "not_eligible", "undetermined"]
KindName = Literal[
    "labour", "family", "humanitarian", "resettlement", "regularisation", "study"
]
Language = Literal["en", "es", "pt", "fr", "ht"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClauseRead(_Model):
    id: str
    cel: str
    reason_pass: str
    reason_fail: str
    effective_from: dt.date


class PathwayRead(_Model):
    id: str
    state: str
    kind: KindName
    title: str
    summary: str
    opens_on: dt.date
    closes_on: dt.date | None
    is_open: bool
    override: str | None = None
    quota: int | None
    quota_unit: str | None
    documents: list[str]
    source_url: str
    version: str
    clauses: list[ClauseRead] = Field(default_factory=list)


class ScreeningResultRead(_Model):
    pathway_id: str
    state: str
    kind: KindName
    title: str
    version: str
    outcome: OutcomeName
    label: str
    reasons: list[str]
    missing: list[str]


class QuestionRead(_Model):
    fact: str
    type: str
    ask: str
    values: list[str] = Field(default_factory=list)


class ScreeningRequest(_Model):
    facts: dict[str, Any]
    language: Language = "en"
    person_id: uuid.UUID | None = None
    applicant_ref: str = Field(default="", max_length=80)
    store: bool = True
    on: dt.date | None = None


class ScreeningRead(_Model):
    id: uuid.UUID | None
    language: str
    screened_on: dt.date
    catalogue_versions: dict[str, str]
    results: list[ScreeningResultRead]
    questions: list[QuestionRead]
    applicant_ref: str = ""
    person_id: uuid.UUID | None = None


class RescreenReport(_Model):
    pathway_id: str
    change: str
    screenings: int
    applications: int
    stranded: int = 0


class PathwayStateChange(_Model):
    state: Literal["open", "closed", "dates"]
    reason: str = Field(default="", max_length=500)


class DecisionRead(_Model):
    outcome: str
    reason: str
    decided_at: dt.datetime


class NotificationRead(_Model):
    kind: str
    message: str
    language: str
    created_at: dt.datetime


class ApplicationCreate(_Model):
    pathway_id: str
    screening_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    applicant_ref: str = Field(default="", max_length=80)
    language: Language = "en"


class ApplicationRead(_Model):
    id: uuid.UUID
    pathway_id: str
    pathway_title: str
    pathway_state: str
    kind: str
    stage: str
    stages: list[str]
    next_stage: str | None
    status: str
    status_reason: str
    eligibility: str
    alternatives: list[str]
    alternative_titles: list[str] = Field(default_factory=list)
    documents: dict[str, bool]
    person_id: uuid.UUID | None
    applicant_ref: str
    screening_id: uuid.UUID | None
    decisions: list[DecisionRead] = Field(default_factory=list)
    notifications: list[NotificationRead] = Field(default_factory=list)
    created_at: dt.datetime


class StageChange(_Model):
    stage: str


class DecisionCreate(_Model):
    outcome: Literal["approved", "refused"]
    reason: str = Field(min_length=3, max_length=2000)


class DocumentUpdate(_Model):
    document: str
    received: bool = True


ParamKindName = Literal[
    "text",
    "quoted",
    "number",
    "money",
    "amount",
    "percent",
    "date",
    "term",
    "language",
    "list",
    "period",
    "sum",
    "fact",
]


class CheckParamItemRead(_Model):
    """A typed value in a check's reason (see `docs/pathways-offers.md`)."""

    kind: ParamKindName
    value: str = ""
    currency: str = ""
    term: str = ""


class CheckParamRead(CheckParamItemRead):
    items: list[CheckParamItemRead] = Field(default_factory=list)


class CheckMessageRead(_Model):
    """One sentence of a check's reason: the English msgid (`%(name)s` placeholders)
    and the values that fill it, for clients that show it in another language."""

    msgid: str
    params: dict[str, CheckParamRead] = Field(default_factory=dict)


class CheckRead(_Model):
    """A check's result. `title` and `reason` are English (the msgid of the title,
    the reason filled in); `reason_messages` are the reason's parts, translatable."""

    id: str
    title: str
    kind: str
    result: Literal["pass", "fail", "needs_attestation"]
    reason: str
    reason_messages: list[CheckMessageRead] = Field(default_factory=list)


_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date(value: object) -> object:
    """A date only as `YYYY-MM-DD` (never a timestamp or a week date)."""
    if isinstance(value, str) and _ISO_DAY.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("expected a date as YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999"), allow_inf_nan=False)]
Count = Annotated[StrictInt, Field(ge=0, le=100_000)]
Text = Annotated[str, Field(max_length=2000)]
Filled = Annotated[str, Field(min_length=1, max_length=200)]
Iso3 = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
Isco = Annotated[str, Field(pattern=r"^[0-9]{4}$")]
PayerName = Literal["worker", "employer"]
CostCategory = Literal[
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
]


class _Part(BaseModel):
    """A nested part of an offer; keys it does not know are ignored."""

    model_config = ConfigDict(extra="ignore")


class CostIn(_Part):
    category: CostCategory
    amount: Amount
    currency: Currency
    paid_by: PayerName


class DeductionIn(_Part):
    type: Filled
    amount: Amount
    legal_basis: Text | None = None


class RequirementIn(_Part):
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    legal_basis: Text | None = None


class LicenceIn(_Part):
    number: Filled
    authority: Filled
    valid_to: IsoDate


class LabourMarketTestIn(_Part):
    type: Filled
    reference: Filled
    valid_to: IsoDate


class ContractIn(_Part):
    wage_hourly: Amount
    hours_week: Amount
    isco: Isco
    state: Iso3


def _licence_form(value: object) -> str:
    return "number" if isinstance(value, str) else "licence"


Licence = Annotated[
    Annotated[LicenceIn, Tag("licence")] | Annotated[Filled, Tag("number")],
    Discriminator(_licence_form),
]


class OfferCreate(_Model):
    """A job offer as JSON (`docs/pathways-offers.md`): the API's and the CLI's
    input. Unknown fields are refused; `to_offer` gives what the checks read."""

    title: Annotated[str, Field(max_length=200)]
    isco: Isco
    state: Iso3
    wage_hourly: Amount
    currency: Currency
    hours_week: Annotated[Decimal, Field(ge=0, le=168, allow_inf_nan=False)]
    contract_language: LanguageCode
    recruiter_licence: Licence | None
    costs: Annotated[list[CostIn], Field(max_length=50)] = Field(default_factory=list)
    id: Annotated[str, Field(max_length=80)] = ""
    employer_name: Text = ""
    employer_legal_id: Text = ""
    worksite_address: Text = ""
    subdivision: Annotated[str, Field(max_length=10)] = ""
    tasks: Text = ""
    pathway_id: Annotated[str, Field(max_length=80)] = ""
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    contract_translations: Annotated[list[LanguageCode], Field(max_length=20)] = Field(
        default_factory=list
    )
    recruitment_languages: Annotated[list[LanguageCode], Field(max_length=20)] = Field(
        default_factory=list
    )
    contract_delivery_days_before_departure: Count | None = None
    wage_floor_hourly: Amount | None = None
    pay_frequency: Literal["weekly", "biweekly", "semimonthly", "monthly"] | None = None
    pay_method: Literal["worker_account", "cash", "third_party"] | None = None
    guaranteed_hours_ratio: (
        Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)] | None
    ) = None
    housing_provided: StrictBool = False
    housing_cost_weekly: Amount = Decimal(0)
    inbound_travel_paid_by: PayerName = "employer"
    return_travel_paid_by: PayerName = "employer"
    deposit_required: StrictBool = False
    bond_amount: Amount = Decimal(0)
    deductions: Annotated[list[DeductionIn], Field(max_length=50)] = Field(
        default_factory=list
    )
    employer_holds_documents: StrictBool = False
    resignation_penalty: Amount = Decimal(0)
    requires_permission_to_change_employer: StrictBool = False
    termination_terms: Text = ""
    grievance_contact: Text = ""
    grievance_cost: Amount = Decimal(0)
    iris_certified: StrictBool = False
    minimum_age: Annotated[StrictInt, Field(ge=0, le=130)] = 18
    requirements: Annotated[list[RequirementIn], Field(max_length=50)] = Field(
        default_factory=list
    )
    labour_market_test: LabourMarketTestIn | None = None
    privacy_notice_url: Annotated[str, Field(max_length=500)] = ""
    contract: ContractIn | None = None
    skills: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=80)]], Field(max_length=50)
    ] = Field(default_factory=list)
    required_language: Annotated[str, Field(max_length=3)] = ""
    required_cefr: Annotated[str, Field(max_length=6)] = ""
    positions: Count = 1

    def to_offer(self) -> JobOffer:
        """The offer as the fair-recruitment checks and matching read it."""
        licence = self.recruiter_licence
        return JobOffer(
            title=self.title,
            isco=self.isco,
            state=self.state,
            wage_hourly=self.wage_hourly,
            currency=self.currency,
            hours_week=self.hours_week,
            contract_language=self.contract_language,
            recruiter_licence=None
            if licence is None
            else RecruiterLicence(number=licence)
            if isinstance(licence, str)
            else RecruiterLicence(licence.number, licence.authority, licence.valid_to),
            costs=tuple(
                Cost(c.category, c.amount, c.currency, Payer(c.paid_by))
                for c in self.costs
            ),
            id=self.id,
            employer_name=self.employer_name,
            employer_legal_id=self.employer_legal_id,
            worksite_address=self.worksite_address,
            subdivision=self.subdivision,
            tasks=self.tasks,
            pathway_id=self.pathway_id,
            start_date=self.start_date,
            end_date=self.end_date,
            contract_translations=tuple(self.contract_translations),
            recruitment_languages=tuple(self.recruitment_languages),
            contract_delivery_days_before_departure=(
                self.contract_delivery_days_before_departure
            ),
            wage_floor_hourly=self.wage_floor_hourly,
            pay_frequency=self.pay_frequency or "",
            pay_method=self.pay_method or "",
            guaranteed_hours_ratio=self.guaranteed_hours_ratio,
            housing_provided=self.housing_provided,
            housing_cost_weekly=self.housing_cost_weekly,
            inbound_travel_paid_by=Payer(self.inbound_travel_paid_by),
            return_travel_paid_by=Payer(self.return_travel_paid_by),
            deposit_required=self.deposit_required,
            bond_amount=self.bond_amount,
            deductions=tuple(
                Deduction(d.type, d.amount, d.legal_basis or "")
                for d in self.deductions
            ),
            employer_holds_documents=self.employer_holds_documents,
            resignation_penalty=self.resignation_penalty,
            requires_permission_to_change_employer=(
                self.requires_permission_to_change_employer
            ),
            termination_terms=self.termination_terms,
            grievance_contact=self.grievance_contact,
            grievance_cost=self.grievance_cost,
            iris_certified=self.iris_certified,
            minimum_age=self.minimum_age,
            requirements=tuple(
                Requirement(r.text, r.legal_basis or "") for r in self.requirements
            ),
            labour_market_test=None
            if self.labour_market_test is None
            else LabourMarketTest(
                self.labour_market_test.type,
                self.labour_market_test.reference,
                self.labour_market_test.valid_to,
            ),
            privacy_notice_url=self.privacy_notice_url,
            contract=None
            if self.contract is None
            else ContractTerms(
                self.contract.wage_hourly,
                self.contract.hours_week,
                self.contract.isco,
                self.contract.state,
            ),
            skills=tuple(self.skills),
            required_language=self.required_language,
            required_cefr=self.required_cefr,
            positions=self.positions,
        )


class OfferRead(_Model):
    id: uuid.UUID
    external_id: str
    title: str
    isco: str
    state: str
    pathway_id: str
    wage_hourly: Decimal
    currency: str
    hours_week: Decimal
    status: Literal["draft", "blocked", "published"]
    blocked: bool
    checks: list[CheckRead]
    created_at: dt.datetime
    owner_id: uuid.UUID | None = None


class OfferCheckRead(_Model):
    blocked: bool
    checks: list[CheckRead]


class AttestationCreate(_Model):
    check_id: str
    evidence: str = Field(min_length=3, max_length=4000)
    evidence_ref: str = Field(default="", max_length=300)


class AttestationReview(_Model):
    accept: bool
    note: str = Field(default="", max_length=2000)


class AttestationRead(_Model):
    id: uuid.UUID
    offer_id: uuid.UUID
    check_id: str
    attested_on: dt.date
    evidence: str
    evidence_ref: str = ""
    review: str
    review_note: str
    reviewed_at: dt.datetime | None = None


class AttestationQueueItem(_Model):
    """One attestation in the review queue, with what the reviewer needs to decide."""

    attestation: AttestationRead
    offer_title: str
    offer_state: str
    check_title: str
    can_review: bool


class MatchRead(_Model):
    """A ranked worker–offer pair: `explanation` is one English line per factor,
    `explanation_messages` the same lines as msgids and typed values."""

    worker_id: uuid.UUID
    worker_ref: str
    offer_id: uuid.UUID
    offer_title: str
    score: float
    factors: dict[str, float]
    explanation: list[str]
    explanation_messages: list[CheckMessageRead] = Field(default_factory=list)


class RightsCardRead(_Model):
    offer_id: uuid.UUID
    language: str
    title: str
    lines: list[str]
    warning: str


class CredentialIn(_Model):
    qualification: str = Field(min_length=2, max_length=200)
    issuing_country: str = Field(pattern=r"^[A-Z]{3}$")
    isced_level: int = Field(ge=0, le=8)


class WorkerCreate(_Model):
    worker_ref: str = Field(min_length=3, max_length=40)
    isco: str = Field(pattern=r"^[0-9]{4}$")
    skills: list[str] = Field(default_factory=list, max_length=50)
    years_experience: int = Field(default=0, ge=0, le=80)
    languages: dict[str, Literal["A1", "A2", "B1", "B2", "C1", "C2", "native"]] = Field(
        default_factory=dict
    )
    credentials: list[CredentialIn] = Field(default_factory=list)
    preferred_destinations: list[str] = Field(default_factory=list, max_length=20)
    available_from: dt.date
    birth_year: int = Field(ge=1900, le=2100)
    nationality: str = Field(pattern=r"^[A-Z]{3}$")
    consents_to_matching: bool = False
    person_id: uuid.UUID | None = None


class WorkerRead(_Model):
    id: uuid.UUID
    worker_ref: str
    isco: str
    skills: list[str]
    years_experience: int
    languages: dict[str, str]
    preferred_destinations: list[str]
    available_from: dt.date
    nationality: str
    consents_to_matching: bool
    pathway_outcomes: dict[str, str]


class RecognitionCreate(_Model):
    qualification: str = Field(min_length=2, max_length=200)
    issuing_country: str = Field(pattern=r"^[A-Z]{3}$")
    isced_level: int = Field(ge=0, le=8)
    isco: str = Field(pattern=r"^[0-9]{4}$")
    outcome: Literal["full", "partial", "conditional", "not_recognised"]
    conditions: str = Field(default="", max_length=2000)
    reason: str = Field(min_length=3, max_length=2000)


class RecognitionRead(_Model):
    id: uuid.UUID
    state: str
    credential_key: str
    qualification: str
    issuing_country: str
    isced_level: int
    isco: str
    outcome: str
    conditions: str
    reason: str
    decided_on: dt.date
    is_regulated: bool = False


class RegulatedOccupationCreate(_Model):
    isco: str = Field(pattern=r"^[0-9]{4}$")
    title: str = Field(min_length=2, max_length=200)
    authority: str = Field(min_length=2, max_length=200)
    source_url: str = Field(default="", max_length=500)


class RegulatedOccupationRead(_Model):
    state: str
    isco: str
    title: str
    authority: str
    source_url: str


Rate = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]
Years = Annotated[Decimal, Field(ge=0, le=80, allow_inf_nan=False)]


class SchemeIn(_Model):
    """A state's pension formula: rates are shares (0.40 is 40 %), years at most
    80, the reference wage below 10^20 (so every amount can be worked to the cent;
    one too large to keep is refused when it is saved)."""

    minimum_years: Years
    reference_wage: Annotated[Decimal, Field(ge=0, le=10**20, allow_inf_nan=False)]
    base_rate: Rate = Decimal(0)
    base_years: Years = Decimal(0)
    rate_per_year: Rate = Decimal(0)
    max_rate: Rate | None = None


class PeriodIn(_Model):
    state: str = Field(pattern=r"^[A-Z]{1,3}$")
    years: Decimal = Field(ge=0, le=80)
    scheme: SchemeIn


class TotalisationRequest(_Model):
    periods: list[PeriodIn] = Field(min_length=1, max_length=20)
    agreement: Literal["ibero_american", "caricom"] | None = None
    on: dt.date | None = None


class TotalisationSave(TotalisationRequest):
    """A computation to keep: the calculator's request, and whose periods they are
    (a person by id, a worker by id; both optional, never a name)."""

    person_id: uuid.UUID | None = None
    worker_id: uuid.UUID | None = None

    def computation(self) -> TotalisationRequest:
        return TotalisationRequest.model_validate(
            self.model_dump(exclude={"person_id", "worker_id"})
        )


class StateBenefitRead(_Model):
    state: str
    years: Decimal
    autonomous: Decimal | None
    theoretical: Decimal | None
    pro_rata: Decimal | None
    payable: Decimal
    basis: str
    explanation: list[str]


class TotalisationRead(_Model):
    """`explanation` is the English step-by-step text; `explanation_messages` the
    same steps as msgids and typed values (empty in computations saved before)."""

    agreement: str | None
    total_years: Decimal
    states: list[StateBenefitRead]
    total_payable: Decimal
    explanation: list[str]
    explanation_messages: list[CheckMessageRead] = Field(default_factory=list)


class SavedTotalisationRead(_Model):
    """A kept totalisation: who saved it and when, its inputs and result, the
    agreement and the rule version. The person is an id, never a name."""

    id: uuid.UUID
    person_id: uuid.UUID | None
    worker_id: uuid.UUID | None
    worker_ref: str = ""
    agreement: str | None
    rule_version: str
    saved_by: uuid.UUID | None
    saved_at: dt.datetime
    request: TotalisationRequest
    result: TotalisationRead


RegimeName = Literal[
    "visa_free", "evisa", "visa", "transit_visa", "humanitarian_visa", "suspended"
]


class EntryRegimeRead(_Model):
    """The entry regime in force for nationals of `nationality` entering
    `destination` (the published contract: exactly these six keys)."""

    nationality: str
    destination: str
    regime: RegimeName
    max_stay_days: int | None
    source_url: str
    valid_from: dt.date


class RegimeChangeRead(_Model):
    destination: str
    nationality: str
    previous: RegimeName
    regime: RegimeName
