"""Pathways screens: the screening page (read over the officer's shoulder, five
languages, HTMX re-screen as facts are entered, plain form posts without JS), the
catalogue, applications, the employer's offers with each check's status in plain
words and the attestation forms, the reviewers' attestation queue, matched workers,
the rights card, and the totalisation calculator with its saved computations."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import ValidationError

from puente.core import i18n
from puente.core.errors import DomainError, InvalidInput, PermissionDenied
from puente.core.i18n import N_, lazy_gettext
from puente.identity import Actor, can
from puente.pathways import service
from puente.pathways.check_text import (
    check_reason,
    check_title,
    format_money,
    format_number,
    match_explanation,
    offer_status,
    totalisation_steps,
)
from puente.pathways.rules.facts import FACTS, INPUT_FACTS, LANGUAGES, FactType
from puente.pathways.rules.rights import OUTCOME_LABELS
from puente.pathways.schemas import (
    AttestationRead,
    CheckRead,
    OfferRead,
    TotalisationRequest,
)
from puente.web.deps import DbSession, Require
from puente.web.templating import DashboardCard, check_csrf, env, register_card, render

KIND_LABELS = {
    "labour": N_("Work"),
    "family": N_("Family"),
    "humanitarian": N_("Humanitarian"),
    "resettlement": N_("Resettlement"),
    "regularisation": N_("Regularisation"),
    "study": N_("Study"),
}


def _kind_label(kind: str) -> str:
    label = KIND_LABELS.get(kind)
    return i18n.gettext(label) if label else kind


env.filters["pathway_kind"] = _kind_label
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
FIRST_QUESTIONS: Final = 6
CORE_FACTS: Final = ("nationality", "country_of_residence", "date_of_entry", "age")

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


@router.get("/assets/pathways.css")
def stylesheet(_actor: PathwayReader) -> FileResponse:
    return FileResponse(ASSETS / "pathways.css", media_type="text/css")


# --- screening ---------------------------------------------------------------------


def _field(name: str, language: str, value: object) -> dict[str, Any]:
    spec = FACTS[name]
    ask = spec.ask.get(language, spec.ask["en"])
    if spec.type is FactType.BOOLEAN:
        widget = "boolean"
    elif spec.type in (FactType.ENUM, FactType.CEFR):
        widget = "select"
    elif spec.type in (FactType.INTEGER, FactType.ISCED):
        widget = "number"
    elif spec.type is FactType.DATE:
        widget = "date"
    else:
        widget = "text"
    if isinstance(value, list):
        shown = ", ".join(str(v) for v in value)
    elif isinstance(value, bool):
        shown = "true" if value else "false"
    else:
        shown = "" if value is None else str(value)
    return {
        "name": name,
        "label": ask[:1].upper() + ask[1:],
        "widget": widget,
        "values": list(spec.values),
        "value": shown,
        "example": spec.example.strip('"'),
        "minimum": spec.minimum,
        "maximum": spec.maximum,
    }


def _facts_from_form(form: Any) -> dict[str, object]:
    facts: dict[str, object] = {}
    for name in INPUT_FACTS:
        raw = form.get(f"fact_{name}")
        if not isinstance(raw, str) or not raw.strip():
            continue
        text = raw.strip()
        kind = FACTS[name].type
        if kind is FactType.BOOLEAN:
            facts[name] = text == "true"
        elif kind in (FactType.INTEGER, FactType.ISCED):
            try:
                facts[name] = int(text)
            except ValueError:
                facts[name] = text  # parse_facts names the field
        elif kind in (FactType.ISO3_LIST, FactType.TAG_LIST):
            items = [p.strip() for p in text.split(",") if p.strip()]
            facts[name] = (
                [p.upper() for p in items] if kind is FactType.ISO3_LIST else items
            )
        elif kind in (FactType.ISO3, FactType.SUBDIVISION):
            facts[name] = text.upper()
        else:
            facts[name] = text
    return facts


def _screening_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    facts: dict[str, object],
    language: str,
    *,
    store: bool = False,
    applicant_ref: str = "",
) -> Response:
    error = ""
    result = None
    try:
        result = service.screen_person(
            session,
            actor=actor,
            facts=facts,
            language=language,
            applicant_ref=applicant_ref,
            store=store,
        )
    except InvalidInput as exc:
        error = exc.translated()
    # The core questions stay in place; answered facts stay; then the few
    # unanswered questions that can still change an outcome, most useful first.
    shown = [*CORE_FACTS, *(n for n in INPUT_FACTS if n in facts)]
    questions = [q.fact for q in result.questions] if result else []
    upcoming = [q for q in questions if q not in shown][:FIRST_QUESTIONS]
    names = list(dict.fromkeys([*shown, *upcoming]))
    fields = [_field(n, language, facts.get(n)) for n in names]
    context = {
        "fields": fields,
        "result": result,
        "error": error,
        "language": language,
        "languages": LANGUAGES,
        "more_questions": max(0, len(questions) - len(upcoming)),
        "applicant_ref": applicant_ref,
        "labels": OUTCOME_LABELS[language],
        "can_apply": can(actor, "application:write"),
    }
    template = (
        "pathways/_screening.html"
        if request.headers.get("hx-request") == "true"
        else "pathways/screen.html"
    )
    return render(request, template, context, status_code=422 if error else 200)


@router.get("/screen")
def screen_page(
    request: Request, session: DbSession, actor: Screener, language: str = ""
) -> Response:
    lang = language if language in LANGUAGES else i18n.get_locale()
    return _screening_page(request, session, actor, {}, lang)


@router.post("/screen", dependencies=Csrf)
async def screen_post(
    request: Request, session: DbSession, actor: Screener
) -> Response:
    form = await request.form()
    language = str(form.get("language") or i18n.get_locale())
    lang = language if language in LANGUAGES else "en"
    store = form.get("action") == "save"
    ref = str(form.get("applicant_ref") or "")[:80]
    return _screening_page(
        request,
        session,
        actor,
        _facts_from_form(form),
        lang,
        store=store,
        applicant_ref=ref,
    )


# --- catalogue ---------------------------------------------------------------------


@router.get("/catalogue")
def catalogue_page(
    request: Request,
    session: DbSession,
    actor: PathwayReader,
    state: str = "",
    kind: str = "",
    open_only: bool = False,
) -> Response:
    language = i18n.get_locale()
    pathways = service.list_pathways(
        session,
        actor=actor,
        language=language,
        state=state or None,
        kind=kind or None,
        open_only=open_only,
    )
    everything = service.list_pathways(session, actor=actor, language=language)
    return render(
        request,
        "pathways/catalogue.html",
        {
            "pathways": pathways,
            "states": sorted({p.state for p in everything}),
            "kinds": sorted({p.kind for p in everything}),
            "state": state,
            "kind": kind,
            "open_only": open_only,
        },
    )


# --- applications ------------------------------------------------------------------


@router.get("/applications")
def applications_page(
    request: Request, session: DbSession, actor: ApplicationWriter
) -> Response:
    rows = service.list_applications(session, actor=actor)
    return render(request, "pathways/applications.html", {"applications": rows})


@router.post("/applications", dependencies=Csrf)
async def application_create(
    request: Request, session: DbSession, actor: ApplicationWriter
) -> Response:
    form = await request.form()
    screening = str(form.get("screening_id") or "")
    try:
        screening_id = uuid.UUID(screening) if screening else None
    except ValueError as exc:
        raise InvalidInput() from exc
    created = service.apply_to_pathway(
        session,
        actor=actor,
        pathway_id=str(form.get("pathway_id") or ""),
        screening_id=screening_id,
    )
    return RedirectResponse(f"/pathways/applications/{created.id}", status_code=303)


@router.get("/applications/{application_id}")
def application_page(
    request: Request,
    session: DbSession,
    actor: ApplicationWriter,
    application_id: uuid.UUID,
) -> Response:
    found = service.get_application(session, actor=actor, application_id=application_id)
    return render(request, "pathways/application.html", {"application": found})


@router.post("/applications/{application_id}/stage", dependencies=Csrf)
async def application_stage(
    request: Request,
    session: DbSession,
    actor: ApplicationWriter,
    application_id: uuid.UUID,
) -> Response:
    form = await request.form()
    service.advance_application(
        session,
        actor=actor,
        application_id=application_id,
        stage=str(form.get("stage") or ""),
    )
    return RedirectResponse(f"/pathways/applications/{application_id}", 303)


@router.post("/applications/{application_id}/decision", dependencies=Csrf)
async def application_decision(
    request: Request,
    session: DbSession,
    actor: ApplicationWriter,
    application_id: uuid.UUID,
) -> Response:
    form = await request.form()
    outcome = str(form.get("outcome") or "")
    reason = str(form.get("reason") or "").strip()
    if outcome not in ("approved", "refused") or len(reason) < 3:
        raise InvalidInput()
    service.decide_application(
        session,
        actor=actor,
        application_id=application_id,
        outcome=outcome,
        reason=reason,
    )
    return RedirectResponse(f"/pathways/applications/{application_id}", 303)


# --- offers ------------------------------------------------------------------------

# (name, label, widget, default) for the offer form; defaults model a compliant
# seasonal offer so an employer edits what differs.
OFFER_FIELDS: Final[tuple[tuple[str, Any, str, str], ...]] = (
    ("title", lazy_gettext("Job title"), "text", "Vegetable harvest worker"),
    ("isco", lazy_gettext("Occupation (ISCO-08 code)"), "text", "9211"),
    ("state", lazy_gettext("Country of the job (ISO3)"), "text", "CAN"),
    ("subdivision", lazy_gettext("Province or state (ISO 3166-2)"), "text", "CA-MB"),
    ("pathway_id", lazy_gettext("Pathway used"), "text", "can-sawp"),
    ("employer_name", lazy_gettext("Employer"), "text", ""),
    ("employer_legal_id", lazy_gettext("Employer legal id"), "text", ""),
    ("worksite_address", lazy_gettext("Worksite address"), "text", ""),
    ("tasks", lazy_gettext("Tasks"), "text", "Harvesting and packing vegetables"),
    ("wage_hourly", lazy_gettext("Hourly wage"), "number", "17.40"),
    ("wage_floor_hourly", lazy_gettext("Applicable wage floor"), "number", "17.40"),
    ("currency", lazy_gettext("Currency (ISO 4217)"), "text", "CAD"),
    ("hours_week", lazy_gettext("Hours per week"), "number", "40"),
    (
        "guaranteed_hours_ratio",
        lazy_gettext("Share of hours guaranteed"),
        "number",
        "0.75",
    ),
    ("pay_frequency", lazy_gettext("Pay frequency"), "text", "biweekly"),
    ("start_date", lazy_gettext("Start date"), "date", "2027-04-01"),
    ("end_date", lazy_gettext("End date"), "date", "2027-10-31"),
    ("contract_language", lazy_gettext("Contract language (ISO 639)"), "text", "es"),
    ("contract_translations", lazy_gettext("Contract translations"), "text", "en"),
    (
        "contract_delivery_days_before_departure",
        lazy_gettext("Days the contract reaches the worker before departure"),
        "number",
        "14",
    ),
    (
        "termination_terms",
        lazy_gettext("Termination terms"),
        "text",
        "Either party with 7 days' notice; return travel paid by the employer.",
    ),
    (
        "grievance_contact",
        lazy_gettext("Free grievance contact"),
        "text",
        "Manitoba Employment Standards 1-800-821-4307 (free, Spanish)",
    ),
    (
        "privacy_notice_url",
        lazy_gettext("Privacy notice address"),
        "text",
        "https://example.org/privacy",
    ),
    ("lmt_type", lazy_gettext("Labour-market test"), "text", "LMIA"),
    ("lmt_reference", lazy_gettext("Labour-market test reference"), "text", ""),
    ("lmt_valid_to", lazy_gettext("Labour-market test valid to"), "date", "2027-12-31"),
    ("skills", lazy_gettext("Skills asked for"), "text", "harvesting, packing"),
    ("required_language", lazy_gettext("Job language"), "text", "es"),
    ("required_cefr", lazy_gettext("Minimum level (CEFR)"), "text", "B1"),
    (
        "recruitment_fee",
        lazy_gettext("Recruitment fee charged to the worker"),
        "number",
        "0",
    ),
    ("travel_cost", lazy_gettext("Travel cost paid by the employer"), "number", "900"),
)
_NUMBERS: Final = {
    "wage_hourly",
    "wage_floor_hourly",
    "hours_week",
    "guaranteed_hours_ratio",
}


def _number(name: str, text: str) -> float:
    try:
        return float(Decimal(text))
    except InvalidOperation as exc:
        raise InvalidInput(
            "Invalid offer field %(field)s: %(problem)s",
            field=name,
            problem="expected a number",
        ) from exc


def offer_from_form(form: Any) -> dict[str, Any]:
    """The documented offer JSON from the employer's form."""
    values = {name: str(form.get(name) or "").strip() for name, *_ in OFFER_FIELDS}
    offer: dict[str, Any] = {}
    for name in (
        "title",
        "isco",
        "state",
        "subdivision",
        "pathway_id",
        "employer_name",
        "employer_legal_id",
        "worksite_address",
        "tasks",
        "currency",
        "pay_frequency",
        "start_date",
        "end_date",
        "contract_language",
        "termination_terms",
        "grievance_contact",
        "privacy_notice_url",
        "required_language",
        "required_cefr",
    ):
        if values[name]:
            offer[name] = values[name]
    for name in _NUMBERS:
        if values[name]:
            offer[name] = _number(name, values[name])
    days = values["contract_delivery_days_before_departure"]
    if days:
        offer["contract_delivery_days_before_departure"] = int(_number("days", days))
    offer["contract_translations"] = [
        p.strip() for p in values["contract_translations"].split(",") if p.strip()
    ]
    offer["recruitment_languages"] = [offer.get("contract_language", "es")]
    offer["skills"] = [p.strip() for p in values["skills"].split(",") if p.strip()]
    offer["pay_method"] = "worker_account"
    offer["housing_provided"] = form.get("housing_provided") == "on"
    offer["housing_cost_weekly"] = 0
    offer["recruiter_licence"] = None
    if values["lmt_reference"]:
        offer["labour_market_test"] = {
            "type": values["lmt_type"] or "LMIA",
            "reference": values["lmt_reference"],
            "valid_to": values["lmt_valid_to"],
        }
    costs = []
    fee = _number("recruitment_fee", values["recruitment_fee"] or "0")
    if fee > 0:
        costs.append(
            {
                "category": "recruitment_fee",
                "amount": fee,
                "currency": offer.get("currency", "USD"),
                "paid_by": "worker",
            }
        )
    travel = _number("travel_cost", values["travel_cost"] or "0")
    if travel > 0:
        costs.append(
            {
                "category": "travel",
                "amount": travel,
                "currency": offer.get("currency", "USD"),
                "paid_by": "employer",
            }
        )
    offer["costs"] = costs
    return offer


@router.get("/offers")
def offers_page(request: Request, session: DbSession, actor: OfferReader) -> Response:
    rows = service.list_offers(session, actor=actor)
    return render(
        request,
        "pathways/offers.html",
        {"offers": rows, "can_write": can(actor, "offer:write")},
    )


def _offer_form(
    request: Request, values: dict[str, str], error: str = "", status: int = 200
) -> Response:
    fields = [
        {"name": n, "label": label, "widget": w, "value": values.get(n, d)}
        for n, label, w, d in OFFER_FIELDS
    ]
    return render(
        request,
        "pathways/offer_new.html",
        {
            "fields": fields,
            "error": error,
            "housing": values.get("housing_provided", "on") == "on",
        },
        status_code=status,
    )


@router.get("/offers/new")
def offer_new(request: Request, session: DbSession, actor: OfferWriter) -> Response:
    return _offer_form(request, service.my_employer(session, actor=actor))


@router.post("/offers", dependencies=Csrf)
async def offer_create(
    request: Request, session: DbSession, actor: OfferWriter
) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        created = service.create_offer(
            session, actor=actor, data=offer_from_form(form), publish=True
        )
    except (DomainError, ValueError) as exc:
        message = exc.translated() if isinstance(exc, DomainError) else str(exc)
        return _offer_form(request, values, message, 422)
    return RedirectResponse(f"/pathways/offers/{created.id}", status_code=303)


# What the employer attests for each attested check, in plain words.
ATTEST_HINTS: Final = {
    "ER-07": lazy_gettext(
        "The contract the worker signs will be the one shown in this offer, with "
        "nothing changed on arrival."
    ),
    "ER-09": lazy_gettext(
        "Workers get the same pay and conditions as nationals doing the same work."
    ),
    "ER-16": lazy_gettext(
        "Workers get free information before departure: the job, the pay, their "
        "rights and where to get help."
    ),
    "ER-13": lazy_gettext(
        "The recruiter holds a valid licence: name the authority that issued it, "
        "until when it is valid, and where a reviewer can check it."
    ),
}
STATEMENT_MAX: Final = 4000
EVIDENCE_REF_MAX: Final = 300
REASON_MAX: Final = 2000


def check_statuses(
    checks: list[CheckRead], attestations: list[AttestationRead]
) -> list[dict[str, Any]]:
    """Each check with its status in plain words (a code the template words) and
    the attestation that status rests on, if any."""
    by_check: dict[str, list[AttestationRead]] = {}
    for a in attestations:
        by_check.setdefault(a.check_id, []).append(a)
    rows = []
    for check in checks:
        mine = by_check.get(check.id, [])
        pending = [a for a in mine if a.review == "pending"]
        accepted = [a for a in mine if a.review == "accepted"]
        rejected = sorted(
            (a for a in mine if a.review == "rejected"),
            key=lambda a: (a.reviewed_at is not None, a.reviewed_at),
        )
        shown: AttestationRead | None = None
        if check.result == "fail":
            status = "failed"
        elif check.kind == "attested" and check.result == "pass":
            status = "accepted"
            shown = accepted[-1] if accepted else None
        elif check.kind == "attested" and pending:
            status, shown = "awaiting_review", pending[-1]
        elif check.kind == "attested" and rejected:
            status, shown = "rejected", rejected[-1]
        elif check.kind == "attested":
            status = "needs_attestation"
        elif check.result == "needs_attestation" and pending:
            # An automatic check the data cannot decide (ER-13 with a bare
            # licence number): attested like the attested ones.
            status, shown = "awaiting_review", pending[-1]
        elif check.result == "needs_attestation" and rejected:
            status, shown = "rejected", rejected[-1]
        elif check.result == "needs_attestation":
            status = "needs_attestation"
        elif check.result == "pass" and accepted:
            status, shown = "accepted", accepted[-1]
        else:
            status = "passed"
        rows.append(
            {
                "check": check,
                "status": status,
                "attestation": shown,
                "can_attest": status in ("needs_attestation", "rejected"),
                "hint": ATTEST_HINTS.get(check.id, ""),
            }
        )
    return rows


def _offer_view(
    request: Request,
    session: DbSession,
    actor: Actor,
    offer_id: uuid.UUID,
    *,
    error: str = "",
    error_check: str = "",
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    found: OfferRead = service.get_offer(session, actor=actor, offer_id=offer_id)
    attestations = service.list_attestations(session, actor=actor, offer_id=offer_id)
    rows = check_statuses(found.checks, attestations)
    matches = []
    can_match = can(actor, "match:read") and found.status == "published"
    if can_match:
        matches = service.match_workers(session, actor=actor, offer_id=offer_id, k=10)
    return render(
        request,
        "pathways/offer.html",
        {
            "offer": found,
            "rows": rows,
            "waiting": sum(r["status"] == "needs_attestation" for r in rows),
            "can_attest": can(actor, "offer:write"),
            "is_reviewer": service.is_reviewer(actor),
            "matches": matches,
            "can_match": can_match,
            "languages": LANGUAGES,
            "names": i18n.LOCALE_NAMES,
            "error": error,
            "error_check": error_check,
            "error_inline": any(
                r["can_attest"] and r["check"].id == error_check for r in rows
            ),
            "values": values or {},
            "attested": request.query_params.get("attested", ""),
        },
        status_code=status,
    )


@router.get("/offers/{offer_id}")
def offer_page(
    request: Request, session: DbSession, actor: OfferReader, offer_id: uuid.UUID
) -> Response:
    return _offer_view(request, session, actor, offer_id)


@router.post("/offers/{offer_id}/attestations", dependencies=Csrf)
async def offer_attest(
    request: Request, session: DbSession, actor: OfferWriter, offer_id: uuid.UUID
) -> Response:
    """The employer's attestation of one attested check: a statement and an
    optional reference to the evidence; a reviewer then accepts or rejects it."""
    form = await request.form()
    check_id = str(form.get("check_id") or "").strip()
    statement = str(form.get("statement") or "").strip()
    evidence_ref = str(form.get("evidence_ref") or "").strip()
    values = {"statement": statement, "evidence_ref": evidence_ref}
    error = ""
    if len(statement) < 3 or len(statement) > STATEMENT_MAX:
        error = i18n.gettext("Write the statement you attest (3 to 4000 characters).")
    elif len(evidence_ref) > EVIDENCE_REF_MAX:
        error = i18n.gettext(
            "The evidence reference is too long (300 characters at most)."
        )
    else:
        try:
            service.record_attestation(
                session,
                actor=actor,
                offer_id=offer_id,
                check_id=check_id,
                evidence=statement,
                evidence_ref=evidence_ref,
            )
        except InvalidInput as exc:  # a check that is not attested
            error = exc.translated()
    if error:
        return _offer_view(
            request,
            session,
            actor,
            offer_id,
            error=error,
            error_check=check_id,
            values=values,
            status=422,
        )
    return RedirectResponse(
        f"/pathways/offers/{offer_id}?attested={check_id}#checks", status_code=303
    )


# --- attestation reviews -----------------------------------------------------------


def _queue_view(
    request: Request,
    session: DbSession,
    actor: Actor,
    *,
    error: str = "",
    error_id: str = "",
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    items = service.attestation_queue(session, actor=actor)
    return render(
        request,
        "pathways/attestations.html",
        {
            "items": items,
            "is_reviewer": service.is_reviewer(actor),
            "hints": ATTEST_HINTS,
            "error": error,
            "error_id": error_id,
            "error_inline": any(str(i.attestation.id) == error_id for i in items),
            "values": values or {},
            "reviewed": request.query_params.get("reviewed", ""),
        },
        status_code=status,
    )


@router.get("/attestations")
def attestations_page(
    request: Request, session: DbSession, actor: OfferReader
) -> Response:
    """Reviewers: the attestations of their tenant's offers waiting for a review.
    Employers: their own attestations still waiting."""
    return _queue_view(request, session, actor)


@router.post("/attestations/{attestation_id}/review", dependencies=Csrf)
async def attestation_review(
    request: Request,
    session: DbSession,
    actor: OfferReader,
    attestation_id: uuid.UUID,
) -> Response:
    """Accept or reject an attestation, with a reason (the employer reads it)."""
    form = await request.form()
    decision = str(form.get("decision") or "")
    reason = str(form.get("reason") or "").strip()
    if decision not in ("accept", "reject") or not 3 <= len(reason) <= REASON_MAX:
        return _queue_view(
            request,
            session,
            actor,
            error=i18n.gettext(
                "Choose accept or reject and give a reason (3 to 2000 characters)."
            ),
            error_id=str(attestation_id),
            values={"decision": decision, "reason": reason},
            status=422,
        )
    offer = service.review_attestation(
        session,
        actor=actor,
        attestation_id=attestation_id,
        accept=decision == "accept",
        note=reason,
    )
    outcome = "accepted" if decision == "accept" else "rejected"
    return RedirectResponse(
        f"/pathways/attestations?reviewed={outcome}&offer={offer.id}", status_code=303
    )


@router.get("/offers/{offer_id}/matches")
def matches_page(
    request: Request, session: DbSession, actor: MatchReader, offer_id: uuid.UUID
) -> Response:
    found = service.get_offer(session, actor=actor, offer_id=offer_id)
    matches = service.match_workers(session, actor=actor, offer_id=offer_id, k=20)
    return render(
        request, "pathways/matches.html", {"offer": found, "matches": matches}
    )


@router.get("/offers/{offer_id}/card")
def rights_page(
    request: Request,
    session: DbSession,
    actor: OfferReader,
    offer_id: uuid.UUID,
    language: str = "",
) -> Response:
    lang = language if language in LANGUAGES else i18n.get_locale()
    card = service.rights_card(session, actor=actor, offer_id=offer_id, language=lang)
    return render(
        request,
        "pathways/card.html",
        {"card": card, "languages": LANGUAGES, "names": i18n.LOCALE_NAMES},
    )


# --- totalisation ------------------------------------------------------------------

WORKED_EXAMPLE: Final = [
    {
        "state": "A",
        "years": "9",
        "minimum_years": "20",
        "reference_wage": "2000",
        "base_rate": "0.40",
        "base_years": "20",
        "rate_per_year": "0.02",
    },
    {
        "state": "B",
        "years": "13",
        "minimum_years": "15",
        "reference_wage": "1500",
        "base_rate": "0",
        "base_years": "0",
        "rate_per_year": "0.016",
    },
    {
        "state": "",
        "years": "",
        "minimum_years": "",
        "reference_wage": "",
        "base_rate": "",
        "base_years": "",
        "rate_per_year": "",
    },
]
TOTALISATION_PERMISSION: Final = "pathway:screen"  # keep a person's computation
_SCHEME_KEYS: Final = (
    "minimum_years",
    "reference_wage",
    "base_rate",
    "base_years",
    "rate_per_year",
)


def _subject(form: Any) -> dict[str, str]:
    return {
        "person_id": str(form.get("person_id") or "").strip(),
        "worker_ref": str(form.get("worker_ref") or "").strip(),
    }


def _subject_ids(
    session: DbSession, actor: Actor, subject: dict[str, str]
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The person id and worker id a form names (a worker by its reference)."""
    person_id = None
    if subject["person_id"]:
        try:
            person_id = uuid.UUID(subject["person_id"])
        except ValueError as exc:
            raise InvalidInput(N_("The person id is not valid.")) from exc
    worker_id = None
    if subject["worker_ref"]:
        worker_id = service.find_worker(
            session, actor=actor, worker_ref=subject["worker_ref"]
        ).id
    return person_id, worker_id


def _totalisation_view(
    request: Request,
    actor: Actor,
    *,
    rows: list[dict[str, str]],
    subject: dict[str, str],
    agreement: str = "",
    result: object = None,
    error: str = "",
) -> Response:
    return render(
        request,
        "pathways/totalisation.html",
        {
            "rows": rows,
            "result": result,
            "error": error,
            "agreement": agreement,
            "subject": subject,
            "can_save": can(actor, TOTALISATION_PERMISSION),
        },
        status_code=422 if error else 200,
    )


@router.get("/totalisation")
def totalisation_page(
    request: Request, actor: PathwayReader, person_id: str = "", worker_ref: str = ""
) -> Response:
    return _totalisation_view(
        request,
        actor,
        rows=WORKED_EXAMPLE,
        subject={"person_id": person_id[:36], "worker_ref": worker_ref[:40]},
    )


@router.post("/totalisation", dependencies=Csrf)
async def totalisation_post(
    request: Request, session: DbSession, actor: PathwayReader
) -> Response:
    """Calculate; with `action=save` (officers who may keep it), also save it
    for the person or worker named, and show the saved computation."""
    form = await request.form()
    save = form.get("action") == "save"
    if save and not can(actor, TOTALISATION_PERMISSION):
        raise PermissionDenied()
    rows = []
    periods = []
    for i in range(3):
        row = {
            k: str(form.get(f"{k}_{i}") or "").strip()
            for k in ("state", "years", *_SCHEME_KEYS)
        }
        rows.append(row)
        if row["state"] and row["years"]:
            periods.append(
                {
                    "state": row["state"].upper(),
                    "years": row["years"],
                    "scheme": {k: row[k] or "0" for k in _SCHEME_KEYS},
                }
            )
    agreement = str(form.get("agreement") or "")
    subject = _subject(form)
    result = None
    error = ""
    try:
        request_model = TotalisationRequest.model_validate(
            {"periods": periods, "agreement": agreement or None}
        )
        if save:
            person_id, worker_id = _subject_ids(session, actor, subject)
            saved = service.save_totalisation(
                session,
                actor=actor,
                request=request_model,
                person_id=person_id,
                worker_id=worker_id,
            )
            return RedirectResponse(
                f"/pathways/totalisation/saved/{saved.id}?saved=1", status_code=303
            )
        result = service.calculate_totalisation(
            session, actor=actor, request=request_model
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        error = ".".join(str(p) for p in first["loc"]) + ": " + first["msg"]
    except PermissionDenied:
        raise
    except DomainError as exc:
        error = exc.translated()
    return _totalisation_view(
        request,
        actor,
        rows=rows,
        subject=subject,
        agreement=agreement,
        result=result,
        error=error,
    )


@router.get("/totalisation/saved")
def saved_totalisations_page(
    request: Request,
    session: DbSession,
    actor: TotalisationKeeper,
    person_id: str = "",
    worker_ref: str = "",
) -> Response:
    """Saved computations, newest first; for one person or worker when named."""
    subject = {"person_id": person_id.strip(), "worker_ref": worker_ref.strip()}
    error = ""
    saved = []
    try:
        person, worker = _subject_ids(session, actor, subject)
        saved = service.list_totalisations(
            session, actor=actor, person_id=person, worker_id=worker
        )
    except PermissionDenied:
        raise
    except DomainError as exc:
        error = exc.translated()
    return render(
        request,
        "pathways/totalisations.html",
        {"saved": saved, "subject": subject, "error": error},
        status_code=422 if error else 200,
    )


@router.get("/totalisation/saved/{totalisation_id}")
def saved_totalisation_page(
    request: Request,
    session: DbSession,
    actor: TotalisationKeeper,
    totalisation_id: uuid.UUID,
) -> Response:
    found = service.get_totalisation(
        session, actor=actor, totalisation_id=totalisation_id
    )
    return render(
        request,
        "pathways/totalisation_saved.html",
        {
            "saved": found,
            "result": found.result,
            "just_saved": request.query_params.get("saved") == "1",
        },
    )
