"""Fair-recruitment checks ER-01…ER-24 on a job offer (research/03 §3.2).

Automatic checks run on the offer's data and block publication and matching when one
fails. Attested checks cannot be read from data: they return `needs_attestation`
until an attestation is recorded, and do not block by themselves. A destination
programme's obligations (`ProgrammeRules`) and the legal minimum wage come from the
signed catalogue, never from code.

Each title and reason is an English msgid (`N_`): the JSON API and the CLI give the
English text; a screen translates the title and renders the reason's messages with
their typed parameters (amounts, dates, codes) for the reader's locale.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final

from puente.core.i18n import N_
from puente.pathways.rules.catalogue import MinimumWage, ProgrammeRules
from puente.pathways.rules.messages import (
    Message,
    Param,
    ParamKind,
    amount,
    day,
    joined,
    money,
    number,
    say,
    term,
    text,
)
from puente.pathways.rules.offers import (
    COST_CATEGORIES,
    RECRUITMENT_FEE_CATEGORIES,
    Attestation,
    JobOffer,
    Payer,
)


class CheckKind(StrEnum):
    AUTOMATIC = "automatic"
    ATTESTED = "attested"


class CheckOutcome(StrEnum):
    PASS = "pass"  # noqa: S105 - a check result, not a password
    FAIL = "fail"
    NEEDS_ATTESTATION = "needs_attestation"


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


_PROTECTED = re.compile(
    r"\b(sex|gender|male|female|men only|women only|pregnan\w*|religio\w*|hiv|"
    r"marital|married|single|ethnic\w*|race|skin|sexo|hombres?|mujer(es)?|"
    r"embaraz\w*|religi[oó]n|casad[oa]s?|solter[oa]s?|etnia|raza|gravidez|"
    r"gr[aá]vida|homens|mulheres|enceinte|religieu\w*)\b",
    re.IGNORECASE,
)


def _contract_terms(o: JobOffer) -> tuple[tuple[str, object], ...]:
    """The mandatory terms of a written contract (ER-04), named as the form names
    them, with the offer's value of each."""
    return (
        ("employer_legal_id", o.employer_legal_id),
        ("worksite_address", o.worksite_address),
        ("isco", o.isco),
        ("tasks", o.tasks),
        ("wage_hourly", o.wage_hourly if o.wage_hourly > 0 else None),
        ("pay_frequency", o.pay_frequency),
        ("hours_week", o.hours_week),
        ("start_date", o.start_date),
        ("end_date", o.end_date),
        ("termination_terms", o.termination_terms),
        ("grievance_contact", o.grievance_contact),
    )


@dataclass(frozen=True, slots=True)
class _Context:
    offer: JobOffer
    programme: ProgrammeRules
    minimum_wage: MinimumWage | None
    today: date | None
    debarred: frozenset[str]


_Verdict = tuple[CheckOutcome, Message]
PASS, FAIL = CheckOutcome.PASS, CheckOutcome.FAIL


def _er01(c: _Context) -> _Verdict:
    worker_paid = [
        k for k in c.offer.costs if k.paid_by is Payer.WORKER and k.amount > 0
    ]
    if not worker_paid:
        return PASS, say(
            N_("The employer pays every recruitment fee and related cost.")
        )
    fees = [k for k in worker_paid if k.category in RECRUITMENT_FEE_CATEGORIES]
    costs = joined(money(k.amount, k.currency, k.category) for k in fees or worker_paid)
    if fees:
        return FAIL, say(
            N_(
                "The worker would pay a recruitment fee (%(costs)s); the employer "
                "must pay them."
            ),
            costs=costs,
        )
    return FAIL, say(
        N_(
            "The worker would pay recruitment-related costs (%(costs)s); the "
            "employer must pay them."
        ),
        costs=costs,
    )


def _er02(c: _Context) -> _Verdict:
    if c.offer.deposit_required or c.offer.bond_amount > 0:
        return FAIL, say(
            N_("The offer asks for a deposit or bond; deposits are prohibited.")
        )
    return PASS, say(N_("No deposit, bond or collateral is required."))


def _er03(c: _Context) -> _Verdict:
    for d in c.offer.deductions:
        if d.type in COST_CATEGORIES:
            return FAIL, say(
                N_("A wage deduction recovers a recruitment cost (%(cost)s)."),
                cost=term(d.type),
            )
        if not d.legal_basis:
            return FAIL, say(
                N_("The deduction %(deduction)s has no stated legal basis."),
                deduction=Param(ParamKind.QUOTED, d.type),
            )
    return PASS, say(N_("No wage deduction recovers recruitment costs."))


def _er04(c: _Context) -> _Verdict:
    missing = [name for name, value in _contract_terms(c.offer) if value in ("", None)]
    if missing:
        return FAIL, say(
            N_("The written contract lacks: %(terms)s."),
            terms=joined(term(name) for name in missing),
        )
    return PASS, say(N_("The written contract has every mandatory term."))


def _er05(c: _Context) -> _Verdict:
    offered = {c.offer.contract_language, *c.offer.contract_translations}
    uncovered = [lang for lang in c.offer.recruitment_languages if lang not in offered]
    if uncovered:
        return FAIL, say(
            N_("No contract in the workers' language: %(languages)s."),
            languages=joined(Param(ParamKind.LANGUAGE, lang) for lang in uncovered),
        )
    return PASS, say(
        N_(
            "The contract is in %(languages)s; each worker is also checked (native "
            "or B2) before matching."
        ),
        languages=joined(Param(ParamKind.LANGUAGE, lang) for lang in sorted(offered)),
    )


def _er06(c: _Context) -> _Verdict:
    days = c.offer.contract_delivery_days_before_departure
    if days is None or days < 7:
        return FAIL, say(
            N_("The contract must reach the worker at least 7 days before departure.")
        )
    return PASS, say(
        N_("The contract reaches the worker %(days)s days before departure."),
        days=number(days),
    )


def _er08(c: _Context) -> _Verdict:
    o = c.offer
    floors: list[Decimal] = []
    legal = c.minimum_wage
    if legal is not None and legal.currency == o.currency:
        floors.append(legal.hourly)
    if o.wage_floor_hourly is not None:
        floors.append(o.wage_floor_hourly)
    if not floors:
        return FAIL, say(
            N_(
                "No applicable wage floor is recorded for this job (legal minimum, "
                "prevailing or programme wage)."
            )
        )
    floor = max(floors)
    wage = money(o.wage_hourly, o.currency)
    if o.wage_hourly < floor:
        return FAIL, say(
            N_("The wage %(wage)s/h is below the floor %(floor)s."),
            wage=wage,
            floor=amount(floor, o.currency),
        )
    return PASS, say(
        N_("The wage %(wage)s/h meets the floor %(floor)s."),
        wage=wage,
        floor=amount(floor, o.currency),
    )


def _er10(c: _Context) -> _Verdict:
    if c.offer.employer_holds_documents:
        return FAIL, say(N_("The employer would hold workers' identity documents."))
    return PASS, say(N_("Workers keep their own passports and identity documents."))


def _er11(c: _Context) -> _Verdict:
    o = c.offer
    if o.resignation_penalty > 0:
        return FAIL, say(N_("The contract charges a penalty for resigning."))
    if o.requires_permission_to_change_employer:
        return FAIL, say(
            N_("The worker would need the employer's permission to change employer.")
        )
    if o.return_travel_paid_by is Payer.WORKER and c.programme.inbound_travel_employer:
        return FAIL, say(
            N_("The programme requires the employer to pay return travel.")
        )
    return PASS, say(
        N_("The worker is free to resign, change employer and return home.")
    )


def _er12(c: _Context) -> _Verdict:
    o, k = c.offer, c.offer.contract
    if k is None:
        return PASS, say(N_("The offer's terms are the contract's terms."))
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
        return FAIL, say(
            N_("The contract differs from the offer in: %(terms)s."),
            terms=joined(term(name) for name in diffs),
        )
    return PASS, say(N_("The contract matches the offer."))


def _er13(c: _Context) -> _Verdict:
    lic = c.offer.recruiter_licence
    if lic is None:
        return PASS, say(N_("Direct hire: no recruiter is involved."))
    if not lic.number:
        return FAIL, say(N_("The recruiter's licence number is missing."))
    if not lic.authority or lic.valid_to is None:
        # A bare licence number cannot be checked here: a reviewer confirms it.
        return CheckOutcome.NEEDS_ATTESTATION, say(
            N_(
                "Licence %(licence)s: the issuing authority and validity must be "
                "confirmed by a reviewer."
            ),
            licence=text(lic.number),
        )
    limit = c.today or c.offer.start_date
    if limit is not None and lic.valid_to < limit:
        return FAIL, say(
            N_("The recruiter's licence expired on %(date)s."),
            date=day(lic.valid_to),
        )
    return PASS, say(
        N_("Recruiter licensed by %(authority)s (%(licence)s)."),
        authority=text(lic.authority),
        licence=text(lic.number),
    )


def _er14(c: _Context) -> _Verdict:
    lic = c.offer.recruiter_licence
    if lic is not None and lic.number in c.debarred:
        return FAIL, say(N_("The recruiter is on a debarment list."))
    return PASS, say(N_("The recruiter is not on any debarment list checked."))


def _er15(c: _Context) -> _Verdict:
    if c.offer.iris_certified:
        return PASS, say(N_("IRIS-certified recruiter (shown to workers)."))
    return PASS, say(N_("Not IRIS-certified (informational only)."))


def _er17(c: _Context) -> _Verdict:
    if not c.offer.grievance_contact:
        return FAIL, say(N_("No grievance contact is given to workers."))
    if c.offer.grievance_cost > 0:
        return FAIL, say(N_("The grievance channel must be free for workers."))
    return PASS, say(N_("A free grievance channel is given."))


def _er18(c: _Context) -> _Verdict:
    o = c.offer
    per_month = {"weekly": 4, "biweekly": 2, "semimonthly": 2, "monthly": 1}
    if o.pay_method == "third_party":
        return FAIL, say(
            N_("Wages must be paid to the worker directly, not to a third party.")
        )
    if per_month.get(o.pay_frequency, 0) < c.programme.pay_times_per_month:
        return FAIL, say(N_("Pay is less frequent than the programme requires."))
    return PASS, say(
        N_("Pay is %(frequency)s, directly to the worker."),
        frequency=term(o.pay_frequency or "unspecified"),
    )


def _er19(c: _Context) -> _Verdict:
    needed = c.programme.hours_guarantee_ratio
    if needed is None:
        return PASS, say(N_("No programme hours guarantee applies."))
    got = c.offer.guaranteed_hours_ratio
    if got is None or got < needed:
        return FAIL, say(
            N_("The programme guarantees at least %(share)s of contract hours."),
            share=Param(ParamKind.PERCENT, str(needed)),
        )
    return PASS, say(
        N_("%(share)s of contract hours are guaranteed."),
        share=Param(ParamKind.PERCENT, str(got)),
    )


def _er20(c: _Context) -> _Verdict:
    o = c.offer
    if c.programme.free_housing and (
        not o.housing_provided or o.housing_cost_weekly > 0
    ):
        return FAIL, say(N_("The programme requires free housing."))
    if c.programme.inbound_travel_employer and o.inbound_travel_paid_by is Payer.WORKER:
        return FAIL, say(
            N_("The programme requires the employer to pay inbound travel.")
        )
    if o.housing_provided and o.housing_cost_weekly > 0:
        return PASS, say(
            N_("Housing costs the worker %(amount)s/week (disclosed)."),
            amount=amount(o.housing_cost_weekly, o.currency),
        )
    return PASS, say(N_("Housing and transport meet the programme's rules."))


def _er21(c: _Context) -> _Verdict:
    for req in c.offer.requirements:
        if _PROTECTED.search(req.text) and not req.legal_basis:
            return FAIL, say(
                N_("Requirement %(requirement)s uses a protected attribute."),
                requirement=Param(ParamKind.QUOTED, req.text),
            )
    return PASS, say(N_("No requirement discriminates on a protected attribute."))


def _er22(c: _Context) -> _Verdict:
    if c.offer.minimum_age < 18:
        return FAIL, say(N_("Cross-border recruitment is for workers aged 18 or over."))
    return PASS, say(
        N_("Workers must be at least %(age)s; checked per worker."),
        age=number(c.offer.minimum_age),
    )


def _er23(c: _Context) -> _Verdict:
    if not c.programme.labour_market_test:
        return PASS, say(N_("No labour-market test is required for this pathway."))
    test = c.offer.labour_market_test
    if test is None:
        return FAIL, say(
            N_("The programme requires a labour-market test (e.g. LMIA, DOL).")
        )
    if c.offer.start_date is not None and test.valid_to < c.offer.start_date:
        return FAIL, say(N_("The labour-market test expires before the job starts."))
    return PASS, say(
        N_("Labour-market test %(test)s %(reference)s."),
        test=text(test.type),
        reference=text(test.reference),
    )


def _er24(c: _Context) -> _Verdict:
    if not c.offer.privacy_notice_url:
        return FAIL, say(
            N_("A privacy notice is needed before workers' profiles are shared.")
        )
    return PASS, say(N_("Profiles are shared only with each worker's live consent."))


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
    programme: ProgrammeRules | None = None,
    minimum_wage: MinimumWage | None = None,
    attestations: Iterable[Attestation] = (),
    today: date | None = None,
    debarred_recruiters: Iterable[str] = (),
) -> OfferCheck:
    """Run ER-01…ER-24. `programme` is what the offer's pathway adds and
    `minimum_wage` the legal floor of the offer's state, both from the signed
    catalogue; `today` (optional) also checks the licence is valid now."""
    context = _Context(
        offer=offer,
        programme=programme or ProgrammeRules(),
        minimum_wage=minimum_wage,
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
                    say(
                        N_(
                            "Confirmed: attested by %(attested_by)s on %(date)s and "
                            "accepted by a reviewer."
                        ),
                        attested_by=text(a.attested_by),
                        date=day(a.attested_on),
                    ),
                )
        elif spec.id in attested:
            a = attested[spec.id]
            outcome = CheckOutcome.PASS
            messages = (
                say(
                    N_("Attested by %(attested_by)s on %(date)s."),
                    attested_by=text(a.attested_by),
                    date=day(a.attested_on),
                ),
            )
        else:
            outcome = CheckOutcome.NEEDS_ATTESTATION
            messages = (
                say(N_("Needs a signed attestation with evidence and a review.")),
            )
        reason = " ".join(m.english() for m in messages)
        results.append(
            CheckResult(spec.id, spec.title, spec.kind, outcome, reason, messages)
        )
    blocked = any(
        r.kind is CheckKind.AUTOMATIC and r.result is CheckOutcome.FAIL for r in results
    )
    return OfferCheck(blocked=blocked, checks=tuple(results))
