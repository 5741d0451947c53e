"""Fair-recruitment checks ER-01…ER-24 on a job offer (research/03 §3.2).

Automatic checks run on the offer's data and block publication and matching when one
fails. Attested checks cannot be read from data: they return `needs_attestation`
until an attestation is recorded, and do not block by themselves.

Each title and reason is an English msgid (`N_`): the JSON API and the CLI give the
English text; a screen translates the title and renders the reason's messages with
their typed parameters (amounts, dates, codes) for the reader's locale.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

from puente.core.errors import InvalidInput
from puente.core.i18n import N_


class OfferError(InvalidInput):
    """A job-offer document is malformed; `field` names the offending key."""

    message = "Invalid offer field %(field)s: %(problem)s"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(field=field, problem=problem)
        self.field = field
        self.problem = problem


class CheckKind(StrEnum):
    AUTOMATIC = "automatic"
    ATTESTED = "attested"


class CheckOutcome(StrEnum):
    PASS = "pass"  # noqa: S105 - a check result, not a password
    FAIL = "fail"
    NEEDS_ATTESTATION = "needs_attestation"


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
_ISO3 = re.compile(r"^[A-Z]{3}$")
_ISO4217 = re.compile(r"^[A-Z]{3}$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_ISCO = re.compile(r"^[0-9]{4}$")


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


class ParamKind(StrEnum):
    """How a value in a reason is shown; the English text shows it as recorded."""

    TEXT = "text"  # as written: licence numbers, references, authorities
    QUOTED = "quoted"  # the employer's own words, in quotes
    NUMBER = "number"  # a decimal or whole number
    MONEY = "money"  # `value` in `currency`; of cost category `term` when given
    AMOUNT = "amount"  # `value` in `currency`; the English text gives the number alone
    PERCENT = "percent"  # a ratio: 0.75 is 75%
    DATE = "date"  # ISO 8601
    TERM = "term"  # a code with a label in TERM_LABELS
    LANGUAGE = "language"  # an ISO 639 code
    LIST = "list"  # `items`, joined
    PERIOD = "period"  # `value` years insured in the state `term` (totalisation)
    SUM = "sum"  # `items` added up: joined by " + " in every language


@dataclass(frozen=True, slots=True)
class Param:
    """A typed value in a reason; `items` only in a LIST or a SUM (of plain params)."""

    kind: ParamKind
    value: str = ""
    currency: str = ""
    term: str = ""
    items: tuple[Param, ...] = ()

    def english(self) -> str:
        """The value as the English reason shows it (the API's and CLI's text)."""
        if self.kind is ParamKind.QUOTED:
            return repr(self.value)
        if self.kind is ParamKind.MONEY:
            amount = f"{self.value} {self.currency}"
            return f"{self.term} {amount}" if self.term else amount
        if self.kind is ParamKind.PERCENT:
            return f"{Decimal(self.value):.0%}"
        if self.kind is ParamKind.LIST:
            return ", ".join(item.english() for item in self.items)
        if self.kind is ParamKind.PERIOD:
            return f"{self.value} ({self.term})"
        if self.kind is ParamKind.SUM:
            return " + ".join(item.english() for item in self.items)
        return self.value

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"kind": self.kind.value, "value": self.value}
        if self.currency:
            data["currency"] = self.currency
        if self.term:
            data["term"] = self.term
        if self.kind in (ParamKind.LIST, ParamKind.SUM):
            data["items"] = [item.to_json() for item in self.items]
        return data


@dataclass(frozen=True, slots=True)
class Message:
    """One sentence of a reason: an English msgid with named `%(name)s`
    placeholders and the typed values that fill them."""

    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def english(self) -> str:
        if not self.params:
            return self.msgid
        return self.msgid % {name: p.english() for name, p in self.params.items()}

    def to_json(self) -> dict[str, object]:
        return {
            "msgid": self.msgid,
            "params": {name: p.to_json() for name, p in self.params.items()},
        }


def _say(msgid: str, **params: Param) -> Message:
    return Message(msgid, params)


def _text(value: object) -> Param:
    return Param(ParamKind.TEXT, str(value))


def _number(value: Decimal | int) -> Param:
    return Param(ParamKind.NUMBER, str(value))


def _money(amount: Decimal, currency: str, term: str = "") -> Param:
    return Param(ParamKind.MONEY, str(amount), currency=currency, term=term)


def _amount(amount: Decimal, currency: str) -> Param:
    return Param(ParamKind.AMOUNT, str(amount), currency=currency)


def _day(value: date) -> Param:
    return Param(ParamKind.DATE, value.isoformat())


def _joined(items: Iterable[Param]) -> Param:
    return Param(ParamKind.LIST, items=tuple(items))


# Labels of the codes a reason names (TERM params), translated where shown.
TERM_LABELS: Final[Mapping[str, str]] = {
    # cost categories (ER-01, ER-03)
    "recruitment_fee": N_("recruitment fee"),
    "recruitment_service": N_("recruitment service"),
    "medical": N_("medical costs"),
    "insurance": N_("insurance"),
    "skills_test": N_("skills test"),
    "training": N_("training"),
    "equipment": N_("equipment"),
    "travel": N_("travel"),
    "lodging": N_("lodging"),
    "documents_visa": N_("documents and visa"),
    "admin": N_("administrative costs"),
    "other": N_("other costs"),
    # contract terms (ER-04), as the offer form names them
    "employer_legal_id": N_("Employer legal id"),
    "worksite_address": N_("Worksite address"),
    "isco": N_("Occupation (ISCO-08 code)"),
    "tasks": N_("Tasks"),
    "wage_hourly": N_("Hourly wage"),
    "pay_frequency": N_("Pay frequency"),
    "hours_week": N_("Hours per week"),
    "start_date": N_("Start date"),
    "end_date": N_("End date"),
    "termination_terms": N_("Termination terms"),
    "grievance_contact": N_("Free grievance contact"),
    # what an offer and its contract may disagree on (ER-12)
    "wage": N_("wage"),
    "hours": N_("hours"),
    "occupation": N_("occupation"),
    "place": N_("place"),
    # pay frequencies (ER-18)
    "weekly": N_("weekly"),
    "biweekly": N_("every two weeks"),
    "semimonthly": N_("twice a month"),
    "monthly": N_("monthly"),
    "unspecified": N_("unspecified"),
}


def _term(code: str) -> Param:
    return Param(ParamKind.TERM, code)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's result. `title` is the English title (an msgid); `reason` the
    English reason, its `reason_messages` joined: they let a screen translate it."""

    id: str
    title: str
    kind: CheckKind
    result: CheckOutcome
    reason: str
    reason_messages: tuple[Message, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind.value,
            "result": self.result.value,
            "reason": self.reason,
            "reason_messages": [m.to_json() for m in self.reason_messages],
        }


@dataclass(frozen=True, slots=True)
class OfferCheck:
    """All 24 results. `blocked` when any automatic check failed."""

    blocked: bool
    checks: tuple[CheckResult, ...]

    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.result is CheckOutcome.FAIL)

    def to_json(self) -> dict[str, object]:
        return {"blocked": self.blocked, "checks": [c.to_json() for c in self.checks]}


@dataclass(frozen=True, slots=True)
class ProgrammeRules:
    """Obligations a destination programme adds on top of the ILO checks."""

    pay_times_per_month: int = 1
    hours_guarantee_ratio: Decimal | None = None
    free_housing: bool = False
    labour_market_test: bool = False
    inbound_travel_employer: bool = False


PROGRAMME_RULES: Final[Mapping[str, ProgrammeRules]] = {
    "usa-h2a": ProgrammeRules(
        pay_times_per_month=2,
        hours_guarantee_ratio=Decimal("0.75"),
        free_housing=True,
        labour_market_test=True,
        inbound_travel_employer=True,
    ),
    "usa-h2b": ProgrammeRules(
        pay_times_per_month=2,
        hours_guarantee_ratio=Decimal("0.75"),
        labour_market_test=True,
        inbound_travel_employer=True,
    ),
    "can-sawp": ProgrammeRules(
        hours_guarantee_ratio=Decimal("0.75"),
        free_housing=True,
        labour_market_test=True,
    ),
    "can-tfwp-agricultural": ProgrammeRules(labour_market_test=True),
}
LEGAL_MINIMUM_HOURLY: Final[Mapping[str, tuple[str, Decimal]]] = {
    "USA": ("USD", Decimal("7.25")),  # federal minimum; states and AEWR may be higher
}
"""Statutory floors known to the rules; others come from `wage_floor_hourly`."""

_PROTECTED = re.compile(
    r"\b(sex|gender|male|female|men only|women only|pregnan\w*|religio\w*|hiv|"
    r"marital|married|single|ethnic\w*|race|skin|sexo|hombres?|mujer(es)?|"
    r"embaraz\w*|religi[oó]n|casad[oa]s?|solter[oa]s?|etnia|raza|gravidez|"
    r"gr[aá]vida|homens|mulheres|enceinte|religieu\w*)\b",
    re.IGNORECASE,
)
_CONTRACT_FIELDS: Final = (
    "employer_legal_id",
    "worksite_address",
    "isco",
    "tasks",
    "wage_hourly",
    "pay_frequency",
    "hours_week",
    "start_date",
    "end_date",
    "termination_terms",
    "grievance_contact",
)


@dataclass(frozen=True, slots=True)
class _Context:
    offer: JobOffer
    programme: ProgrammeRules
    today: date | None
    debarred: frozenset[str]


_Verdict = tuple[CheckOutcome, Message]
PASS, FAIL = CheckOutcome.PASS, CheckOutcome.FAIL


def _er01(c: _Context) -> _Verdict:
    worker_paid = [
        k for k in c.offer.costs if k.paid_by is Payer.WORKER and k.amount > 0
    ]
    if not worker_paid:
        return PASS, _say(
            N_("The employer pays every recruitment fee and related cost.")
        )
    fees = [k for k in worker_paid if k.category in RECRUITMENT_FEE_CATEGORIES]
    costs = _joined(
        _money(k.amount, k.currency, k.category) for k in fees or worker_paid
    )
    if fees:
        return FAIL, _say(
            N_(
                "The worker would pay a recruitment fee (%(costs)s); the employer "
                "must pay them."
            ),
            costs=costs,
        )
    return FAIL, _say(
        N_(
            "The worker would pay recruitment-related costs (%(costs)s); the "
            "employer must pay them."
        ),
        costs=costs,
    )


def _er02(c: _Context) -> _Verdict:
    if c.offer.deposit_required or c.offer.bond_amount > 0:
        return FAIL, _say(
            N_("The offer asks for a deposit or bond; deposits are prohibited.")
        )
    return PASS, _say(N_("No deposit, bond or collateral is required."))


def _er03(c: _Context) -> _Verdict:
    for d in c.offer.deductions:
        if d.type in COST_CATEGORIES:
            return FAIL, _say(
                N_("A wage deduction recovers a recruitment cost (%(cost)s)."),
                cost=_term(d.type),
            )
        if not d.legal_basis:
            return FAIL, _say(
                N_("The deduction %(deduction)s has no stated legal basis."),
                deduction=Param(ParamKind.QUOTED, d.type),
            )
    return PASS, _say(N_("No wage deduction recovers recruitment costs."))


def _er04(c: _Context) -> _Verdict:
    o = c.offer
    missing = [
        name
        for name in _CONTRACT_FIELDS
        if getattr(o, name) in ("", None)
        or (name == "wage_hourly" and o.wage_hourly <= 0)
    ]
    if missing:
        return FAIL, _say(
            N_("The written contract lacks: %(terms)s."),
            terms=_joined(_term(name) for name in missing),
        )
    return PASS, _say(N_("The written contract has every mandatory term."))


def _er05(c: _Context) -> _Verdict:
    offered = {c.offer.contract_language, *c.offer.contract_translations}
    uncovered = [lang for lang in c.offer.recruitment_languages if lang not in offered]
    if uncovered:
        return FAIL, _say(
            N_("No contract in the workers' language: %(languages)s."),
            languages=_joined(Param(ParamKind.LANGUAGE, lang) for lang in uncovered),
        )
    return PASS, _say(
        N_(
            "The contract is in %(languages)s; each worker is also checked (native "
            "or B2) before matching."
        ),
        languages=_joined(Param(ParamKind.LANGUAGE, lang) for lang in sorted(offered)),
    )


def _er06(c: _Context) -> _Verdict:
    days = c.offer.contract_delivery_days_before_departure
    if days is None or days < 7:
        return FAIL, _say(
            N_("The contract must reach the worker at least 7 days before departure.")
        )
    return PASS, _say(
        N_("The contract reaches the worker %(days)s days before departure."),
        days=_number(days),
    )


def _er08(c: _Context) -> _Verdict:
    o = c.offer
    floors: list[Decimal] = []
    legal = LEGAL_MINIMUM_HOURLY.get(o.state)
    if legal and legal[0] == o.currency:
        floors.append(legal[1])
    if o.wage_floor_hourly is not None:
        floors.append(o.wage_floor_hourly)
    if not floors:
        return FAIL, _say(
            N_(
                "No applicable wage floor is recorded for this job (legal minimum, "
                "prevailing or programme wage)."
            )
        )
    floor = max(floors)
    wage = _money(o.wage_hourly, o.currency)
    if o.wage_hourly < floor:
        return FAIL, _say(
            N_("The wage %(wage)s/h is below the floor %(floor)s."),
            wage=wage,
            floor=_amount(floor, o.currency),
        )
    return PASS, _say(
        N_("The wage %(wage)s/h meets the floor %(floor)s."),
        wage=wage,
        floor=_amount(floor, o.currency),
    )


def _er10(c: _Context) -> _Verdict:
    if c.offer.employer_holds_documents:
        return FAIL, _say(N_("The employer would hold workers' identity documents."))
    return PASS, _say(N_("Workers keep their own passports and identity documents."))


def _er11(c: _Context) -> _Verdict:
    o = c.offer
    if o.resignation_penalty > 0:
        return FAIL, _say(N_("The contract charges a penalty for resigning."))
    if o.requires_permission_to_change_employer:
        return FAIL, _say(
            N_("The worker would need the employer's permission to change employer.")
        )
    if o.return_travel_paid_by is Payer.WORKER and c.programme.inbound_travel_employer:
        return FAIL, _say(
            N_("The programme requires the employer to pay return travel.")
        )
    return PASS, _say(
        N_("The worker is free to resign, change employer and return home.")
    )


def _er12(c: _Context) -> _Verdict:
    o, k = c.offer, c.offer.contract
    if k is None:
        return PASS, _say(N_("The offer's terms are the contract's terms."))
    diffs = [
        name
        for name, a, b in (
            ("wage", o.wage_hourly, k.wage_hourly),
            ("hours", o.hours_week, k.hours_week),
            ("occupation", o.isco, k.isco),
            ("place", o.state, k.state),
        )
        if a != b
    ]
    if diffs:
        return FAIL, _say(
            N_("The contract differs from the offer in: %(terms)s."),
            terms=_joined(_term(name) for name in diffs),
        )
    return PASS, _say(N_("The contract matches the offer."))


def _er13(c: _Context) -> _Verdict:
    lic = c.offer.recruiter_licence
    if lic is None:
        return PASS, _say(N_("Direct hire: no recruiter is involved."))
    if not lic.number:
        return FAIL, _say(N_("The recruiter's licence number is missing."))
    if not lic.authority or lic.valid_to is None:
        # A bare licence number cannot be checked here: a reviewer confirms it.
        return CheckOutcome.NEEDS_ATTESTATION, _say(
            N_(
                "Licence %(licence)s: the issuing authority and validity must be "
                "confirmed by a reviewer."
            ),
            licence=_text(lic.number),
        )
    limit = c.today or c.offer.start_date
    if limit is not None and lic.valid_to < limit:
        return FAIL, _say(
            N_("The recruiter's licence expired on %(date)s."),
            date=_day(lic.valid_to),
        )
    return PASS, _say(
        N_("Recruiter licensed by %(authority)s (%(licence)s)."),
        authority=_text(lic.authority),
        licence=_text(lic.number),
    )


def _er14(c: _Context) -> _Verdict:
    lic = c.offer.recruiter_licence
    if lic is not None and lic.number in c.debarred:
        return FAIL, _say(N_("The recruiter is on a debarment list."))
    return PASS, _say(N_("The recruiter is not on any debarment list checked."))


def _er15(c: _Context) -> _Verdict:
    if c.offer.iris_certified:
        return PASS, _say(N_("IRIS-certified recruiter (shown to workers)."))
    return PASS, _say(N_("Not IRIS-certified (informational only)."))


def _er17(c: _Context) -> _Verdict:
    if not c.offer.grievance_contact:
        return FAIL, _say(N_("No grievance contact is given to workers."))
    if c.offer.grievance_cost > 0:
        return FAIL, _say(N_("The grievance channel must be free for workers."))
    return PASS, _say(N_("A free grievance channel is given."))


def _er18(c: _Context) -> _Verdict:
    o = c.offer
    per_month = {"weekly": 4, "biweekly": 2, "semimonthly": 2, "monthly": 1}
    if o.pay_method == "third_party":
        return FAIL, _say(
            N_("Wages must be paid to the worker directly, not to a third party.")
        )
    if per_month.get(o.pay_frequency, 0) < c.programme.pay_times_per_month:
        return FAIL, _say(N_("Pay is less frequent than the programme requires."))
    return PASS, _say(
        N_("Pay is %(frequency)s, directly to the worker."),
        frequency=_term(o.pay_frequency or "unspecified"),
    )


def _er19(c: _Context) -> _Verdict:
    needed = c.programme.hours_guarantee_ratio
    if needed is None:
        return PASS, _say(N_("No programme hours guarantee applies."))
    got = c.offer.guaranteed_hours_ratio
    if got is None or got < needed:
        return FAIL, _say(
            N_("The programme guarantees at least %(share)s of contract hours."),
            share=Param(ParamKind.PERCENT, str(needed)),
        )
    return PASS, _say(
        N_("%(share)s of contract hours are guaranteed."),
        share=Param(ParamKind.PERCENT, str(got)),
    )


def _er20(c: _Context) -> _Verdict:
    o = c.offer
    if c.programme.free_housing and (
        not o.housing_provided or o.housing_cost_weekly > 0
    ):
        return FAIL, _say(N_("The programme requires free housing."))
    if c.programme.inbound_travel_employer and o.inbound_travel_paid_by is Payer.WORKER:
        return FAIL, _say(
            N_("The programme requires the employer to pay inbound travel.")
        )
    if o.housing_provided and o.housing_cost_weekly > 0:
        return PASS, _say(
            N_("Housing costs the worker %(amount)s/week (disclosed)."),
            amount=_amount(o.housing_cost_weekly, o.currency),
        )
    return PASS, _say(N_("Housing and transport meet the programme's rules."))


def _er21(c: _Context) -> _Verdict:
    for req in c.offer.requirements:
        if _PROTECTED.search(req.text) and not req.legal_basis:
            return FAIL, _say(
                N_("Requirement %(requirement)s uses a protected attribute."),
                requirement=Param(ParamKind.QUOTED, req.text),
            )
    return PASS, _say(N_("No requirement discriminates on a protected attribute."))


def _er22(c: _Context) -> _Verdict:
    if c.offer.minimum_age < 18:
        return FAIL, _say(
            N_("Cross-border recruitment is for workers aged 18 or over.")
        )
    return PASS, _say(
        N_("Workers must be at least %(age)s; checked per worker."),
        age=_number(c.offer.minimum_age),
    )


def _er23(c: _Context) -> _Verdict:
    if not c.programme.labour_market_test:
        return PASS, _say(N_("No labour-market test is required for this pathway."))
    test = c.offer.labour_market_test
    if test is None:
        return FAIL, _say(
            N_("The programme requires a labour-market test (e.g. LMIA, DOL).")
        )
    if c.offer.start_date is not None and test.valid_to < c.offer.start_date:
        return FAIL, _say(N_("The labour-market test expires before the job starts."))
    return PASS, _say(
        N_("Labour-market test %(test)s %(reference)s."),
        test=_text(test.type),
        reference=_text(test.reference),
    )


def _er24(c: _Context) -> _Verdict:
    if not c.offer.privacy_notice_url:
        return FAIL, _say(
            N_("A privacy notice is needed before workers' profiles are shared.")
        )
    return PASS, _say(N_("Profiles are shared only with each worker's live consent."))


@dataclass(frozen=True, slots=True)
class CheckSpec:
    id: str
    title: str
    kind: CheckKind
    principles: str
    evaluate: Callable[[_Context], _Verdict] | None = field(default=None, repr=False)


_A, _T = CheckKind.AUTOMATIC, CheckKind.ATTESTED
CHECKS: Final[tuple[CheckSpec, ...]] = (
    CheckSpec(
        "ER-01", N_("No worker-paid recruitment fees"), _A, "ILO GP7; IRIS P1", _er01
    ),
    CheckSpec(
        "ER-02", N_("No deposits, bonds or collateral"), _A, "ILO fee definition", _er02
    ),
    CheckSpec(
        "ER-03", N_("No fee recovery through deductions"), _A, "ILO GP7; H-2A", _er03
    ),
    CheckSpec("ER-04", N_("Complete written contract"), _A, "ILO GP8; Dhaka 2", _er04),
    CheckSpec(
        "ER-05",
        N_("Contract in a language the worker understands"),
        _A,
        "ILO GP8",
        _er05,
    ),
    CheckSpec("ER-06", N_("Contract delivered before departure"), _A, "ILO GP8", _er06),
    CheckSpec("ER-07", N_("No contract substitution"), _T, "ILO GP8"),
    CheckSpec(
        "ER-08",
        N_("Wage at least the applicable floor"),
        _A,
        "ILO GP2; H-2A AEWR",
        _er08,
    ),
    CheckSpec("ER-09", N_("Equal treatment with nationals"), _T, "Dhaka A; ILO GP1"),
    CheckSpec(
        "ER-10",
        N_("No retention of identity documents"),
        _A,
        "ILO GP11; Dhaka 4",
        _er10,
    ),
    CheckSpec(
        "ER-11",
        N_("Free to resign, change employer and return"),
        _A,
        "ILO GP12; Dhaka 10",
        _er11,
    ),
    CheckSpec("ER-12", N_("Offer and contract agree"), _A, "ILO GP9", _er12),
    CheckSpec("ER-13", N_("Licensed recruiter"), _A, "ILO GP5; IRIS", _er13),
    CheckSpec("ER-14", N_("Recruiter not debarred"), _A, "ILO GP5", _er14),
    CheckSpec("ER-15", N_("Ethical-recruitment certification"), _A, "IRIS", _er15),
    CheckSpec("ER-16", N_("Free pre-departure information"), _T, "ILO GP10"),
    CheckSpec("ER-17", N_("Free grievance channel"), _A, "ILO GP13; IRIS P5", _er17),
    CheckSpec("ER-18", N_("Regular, direct pay"), _A, "Dhaka 5; H-2A", _er18),
    CheckSpec("ER-19", N_("Hours guarantee"), _A, "H-2A ¾ guarantee; SAWP", _er19),
    CheckSpec(
        "ER-20", N_("Housing and transport meet the programme"), _A, "H-2A; SAWP", _er20
    ),
    CheckSpec(
        "ER-21", N_("Non-discriminatory requirements"), _A, "ILO GP1; Dhaka A", _er21
    ),
    CheckSpec("ER-22", N_("Minimum age"), _A, "ILO GP1", _er22),
    CheckSpec(
        "ER-23", N_("Labour-market test where required"), _A, "ILO GP2; LMIA", _er23
    ),
    CheckSpec("ER-24", N_("Data-sharing consent"), _A, "IRIS P4", _er24),
)


def check_offer(
    offer: JobOffer,
    *,
    attestations: Iterable[Attestation] = (),
    today: date | None = None,
    debarred_recruiters: Iterable[str] = (),
) -> OfferCheck:
    """Run ER-01…ER-24. `today` (optional) also checks the licence is valid now."""
    context = _Context(
        offer=offer,
        programme=PROGRAMME_RULES.get(offer.pathway_id, ProgrammeRules()),
        today=today,
        debarred=frozenset(debarred_recruiters),
    )
    attested = {a.check_id: a for a in attestations}
    results: list[CheckResult] = []
    for spec in CHECKS:
        messages: tuple[Message, ...]
        if spec.evaluate is not None:
            outcome, message = spec.evaluate(context)
            messages = (message,)
            if outcome is CheckOutcome.NEEDS_ATTESTATION and spec.id in attested:
                # An automatic check that cannot decide from the data (ER-13
                # with a bare licence number) passes once a reviewer accepted
                # an attestation for it.
                a = attested[spec.id]
                outcome = CheckOutcome.PASS
                messages += (
                    _say(
                        N_(
                            "Confirmed: attested by %(attested_by)s on %(date)s and "
                            "accepted by a reviewer."
                        ),
                        attested_by=_text(a.attested_by),
                        date=_day(a.attested_on),
                    ),
                )
        elif spec.id in attested:
            a = attested[spec.id]
            outcome = CheckOutcome.PASS
            messages = (
                _say(
                    N_("Attested by %(attested_by)s on %(date)s."),
                    attested_by=_text(a.attested_by),
                    date=_day(a.attested_on),
                ),
            )
        else:
            outcome = CheckOutcome.NEEDS_ATTESTATION
            messages = (
                _say(N_("Needs a signed attestation with evidence and a review.")),
            )
        reason = " ".join(m.english() for m in messages)
        results.append(
            CheckResult(spec.id, spec.title, spec.kind, outcome, reason, messages)
        )
    blocked = any(
        r.kind is CheckKind.AUTOMATIC and r.result is CheckOutcome.FAIL for r in results
    )
    return OfferCheck(blocked=blocked, checks=tuple(results))


# --- parsing -----------------------------------------------------------------------

_OFFER_KEYS: Final = frozenset(JobOffer.__dataclass_fields__)


def parse_offer(data: Mapping[str, object]) -> JobOffer:
    """Parse the documented offer JSON; errors name the field."""
    if not isinstance(data, Mapping):
        raise OfferError("(document)", "an offer must be a JSON object")
    unknown = sorted(set(data) - _OFFER_KEYS)
    if unknown:
        raise OfferError(unknown[0], "unknown field; see docs/pathways-offers.md")
    for required in (
        "title",
        "isco",
        "state",
        "wage_hourly",
        "currency",
        "hours_week",
        "contract_language",
        "recruiter_licence",
    ):
        if required not in data:
            raise OfferError(required, "is required (use null for no recruiter)")
    values: dict[str, object] = {}
    for name, raw in data.items():
        values[name] = _parse_field(name, raw)
    return JobOffer(**values)  # type: ignore[arg-type]


def _parse_field(name: str, raw: object) -> object:
    if name in ("isco",):
        return _match(name, raw, _ISCO, "a 4-digit ISCO-08 code")
    if name == "state":
        return _match(name, raw, _ISO3, "an ISO 3166-1 alpha-3 code")
    if name == "currency":
        return _match(name, raw, _ISO4217, "an ISO 4217 code")
    if name == "contract_language":
        return _match(name, raw, _LANG, "an ISO 639 language code")
    if name in ("contract_translations", "recruitment_languages"):
        return tuple(_match(name, x, _LANG, "ISO 639 codes") for x in _list(name, raw))
    if name in ("skills",):
        return tuple(_string(name, x) for x in _list(name, raw))
    if name in (
        "wage_hourly",
        "hours_week",
        "housing_cost_weekly",
        "bond_amount",
        "resignation_penalty",
        "grievance_cost",
    ):
        return _decimal(name, raw)
    if name in ("wage_floor_hourly", "guaranteed_hours_ratio"):
        return None if raw is None else _decimal(name, raw)
    if name in ("start_date", "end_date"):
        return None if raw is None else _date(name, raw)
    if name in ("contract_delivery_days_before_departure",):
        return None if raw is None else _int(name, raw)
    if name in ("minimum_age", "positions"):
        return _int(name, raw)
    if name in (
        "housing_provided",
        "deposit_required",
        "employer_holds_documents",
        "requires_permission_to_change_employer",
        "iris_certified",
    ):
        if not isinstance(raw, bool):
            raise OfferError(name, "expected true or false")
        return raw
    if name in ("inbound_travel_paid_by", "return_travel_paid_by"):
        return _payer(name, raw)
    if name == "pay_frequency" and raw not in PAY_FREQUENCIES:
        raise OfferError(name, f"expected one of {', '.join(PAY_FREQUENCIES)}")
    if name == "pay_method" and raw not in PAY_METHODS:
        raise OfferError(name, f"expected one of {', '.join(PAY_METHODS)}")
    if name == "costs":
        return tuple(_cost(i, x) for i, x in enumerate(_list(name, raw)))
    if name == "deductions":
        return tuple(_deduction(i, x) for i, x in enumerate(_list(name, raw)))
    if name == "requirements":
        return tuple(
            Requirement(
                _string(name, _obj(name, x).get("text")),
                str(_obj(name, x).get("legal_basis") or ""),
            )
            for x in _list(name, raw)
        )
    if name == "recruiter_licence":
        if raw is None:
            return None
        if isinstance(raw, str):  # a licence number alone
            return RecruiterLicence(number=_string(name, raw))
        obj = _obj(name, raw)
        return RecruiterLicence(
            number=_string(f"{name}.number", obj.get("number")),
            authority=_string(f"{name}.authority", obj.get("authority")),
            valid_to=_date(f"{name}.valid_to", obj.get("valid_to")),
        )
    if name == "labour_market_test":
        if raw is None:
            return None
        obj = _obj(name, raw)
        return LabourMarketTest(
            type=_string(f"{name}.type", obj.get("type")),
            reference=_string(f"{name}.reference", obj.get("reference")),
            valid_to=_date(f"{name}.valid_to", obj.get("valid_to")),
        )
    if name == "contract":
        if raw is None:
            return None
        obj = _obj(name, raw)
        return ContractTerms(
            wage_hourly=_decimal(f"{name}.wage_hourly", obj.get("wage_hourly")),
            hours_week=_decimal(f"{name}.hours_week", obj.get("hours_week")),
            isco=_match(f"{name}.isco", obj.get("isco"), _ISCO, "a 4-digit code"),
            state=_match(f"{name}.state", obj.get("state"), _ISO3, "an ISO3 code"),
        )
    return _string(name, raw, allow_empty=True)


def _cost(i: int, raw: object) -> Cost:
    where = f"costs[{i}]"
    obj = _obj(where, raw)
    category = _string(f"{where}.category", obj.get("category"))
    if category not in COST_CATEGORIES:
        raise OfferError(
            f"{where}.category", f"expected one of {sorted(COST_CATEGORIES)}"
        )
    return Cost(
        category=category,
        amount=_decimal(f"{where}.amount", obj.get("amount")),
        currency=_match(f"{where}.currency", obj.get("currency"), _ISO4217, "ISO 4217"),
        paid_by=_payer(f"{where}.paid_by", obj.get("paid_by")),
    )


def _deduction(i: int, raw: object) -> Deduction:
    where = f"deductions[{i}]"
    obj = _obj(where, raw)
    return Deduction(
        type=_string(f"{where}.type", obj.get("type")),
        amount=_decimal(f"{where}.amount", obj.get("amount")),
        legal_basis=str(obj.get("legal_basis") or ""),
    )


def _payer(name: str, raw: object) -> Payer:
    try:
        return Payer(str(raw))
    except ValueError:
        raise OfferError(name, 'expected "worker" or "employer"') from None


def _obj(name: str, raw: object) -> Mapping[str, object]:
    if not isinstance(raw, Mapping):
        raise OfferError(name, "expected an object")
    return raw


def _list(name: str, raw: object) -> list[object]:
    if not isinstance(raw, list):
        raise OfferError(name, "expected a list")
    return raw


def _string(name: str, raw: object, *, allow_empty: bool = False) -> str:
    if not isinstance(raw, str) or (not raw and not allow_empty):
        raise OfferError(name, "expected a non-empty string")
    return raw


def _match(name: str, raw: object, pattern: re.Pattern[str], what: str) -> str:
    if not isinstance(raw, str) or not pattern.match(raw):
        raise OfferError(name, f"expected {what}")
    return raw


def _decimal(name: str, raw: object) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise OfferError(name, "expected a number")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise OfferError(name, "expected a number") from None
    if not value.is_finite() or value < 0:
        raise OfferError(name, "expected a non-negative number")
    return value


def _int(name: str, raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise OfferError(name, "expected a non-negative whole number")
    return raw


def _date(name: str, raw: object) -> date:
    try:
        return date.fromisoformat(str(raw)) if isinstance(raw, str) else _no_date(name)
    except ValueError:
        raise OfferError(name, "expected a date as YYYY-MM-DD") from None


def _no_date(name: str) -> date:
    raise OfferError(name, "expected a date as YYYY-MM-DD")
