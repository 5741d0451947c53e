"""The employer's offers with each check's status in plain words and the
attestation forms, the reviewers' attestation queue, matched workers and the
worker's rights card."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Final

from babel.numbers import get_currency_name
from fastapi import Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from puente.core import i18n
from puente.core.errors import DomainError, InvalidInput
from puente.core.i18n import lazy_gettext
from puente.identity import Actor, can
from puente.pathways import service
from puente.pathways.errors import OfferError
from puente.pathways.rules.facts import LANGUAGES
from puente.pathways.schemas import AttestationRead, CheckRead, OfferRead
from puente.pathways.service.text import offer_status
from puente.pathways.web._common import (
    Csrf,
    MatchReader,
    OfferReader,
    OfferWriter,
    form_text,
    not_valid,
    router,
    whole_number,
)
from puente.reference import country_name
from puente.reference.languages import language_name, language_options
from puente.reference.occupations import fold, occupation_label
from puente.reference.subdivisions import subdivision_options
from puente.web import lists
from puente.web.deps import DbSession
from puente.web.lazy import wants_lazy
from puente.web.pickers import PickerState, empty_pickers, fill_pickers
from puente.web.templating import render

# (name, label, widget, example) for the offer form. The examples model a compliant
# seasonal offer; tests post them as values. A new offer starts empty so that one
# click cannot publish a fake offer: people see `OFFER_HINTS` ("e.g. ..."), in their
# language, and pick codes (occupation, pathway, country, language) from lists.
OFFER_FIELDS: Final[tuple[tuple[str, Any, str, str], ...]] = (
    ("title", lazy_gettext("Job title"), "text", "Vegetable harvest worker"),
    ("isco", lazy_gettext("Occupation"), "occupation", "9211"),
    ("state", lazy_gettext("Country of the job"), "country", "CAN"),
    ("subdivision", lazy_gettext("Province or state"), "subdivision", "CA-MB"),
    ("pathway_id", lazy_gettext("Pathway used"), "pathway", "can-sawp"),
    ("employer_name", lazy_gettext("Employer"), "text", ""),
    ("employer_legal_id", lazy_gettext("Employer legal id"), "text", ""),
    ("worksite_address", lazy_gettext("Worksite address"), "text", ""),
    ("tasks", lazy_gettext("Tasks"), "text", "Harvesting and packing vegetables"),
    ("wage_hourly", lazy_gettext("Hourly wage"), "number", "17.40"),
    ("wage_floor_hourly", lazy_gettext("Applicable wage floor"), "number", "17.40"),
    ("currency", lazy_gettext("Currency"), "currency", "CAD"),
    ("hours_week", lazy_gettext("Hours per week"), "number", "40"),
    (
        "guaranteed_hours_ratio",
        lazy_gettext("Share of hours guaranteed"),
        "number",
        "0.75",
    ),
    ("pay_frequency", lazy_gettext("Pay frequency"), "pay_frequency", "biweekly"),
    ("start_date", lazy_gettext("Start date"), "date", "2027-04-01"),
    ("end_date", lazy_gettext("End date"), "date", "2027-10-31"),
    ("contract_language", lazy_gettext("Contract language"), "language", "es"),
    ("contract_translations", lazy_gettext("Contract translations"), "languages", "en"),
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
    ("required_language", lazy_gettext("Job language"), "language", "es"),
    ("required_cefr", lazy_gettext("Minimum level (CEFR)"), "cefr", "B1"),
    (
        "recruitment_fee",
        lazy_gettext("Recruitment fee charged to the worker"),
        "number",
        "0",
    ),
    ("travel_cost", lazy_gettext("Travel cost paid by the employer"), "number", "900"),
)
# What a person sees as "e.g. ..." under a typed field, in their language.
OFFER_HINTS: Final[dict[str, Any]] = {
    "title": lazy_gettext("Vegetable harvest worker"),
    "tasks": lazy_gettext("Harvesting and packing vegetables"),
    "termination_terms": lazy_gettext(
        "Either party with 7 days' notice; return travel paid by the employer."
    ),
    "grievance_contact": lazy_gettext(
        "Labour standards office, free phone line, in Spanish"
    ),
    "privacy_notice_url": "https://example.org/privacy",
    "skills": lazy_gettext("harvesting, packing"),
    "lmt_type": lazy_gettext("LMIA"),
}
PICKED: Final = {"isco": "occupations", "pathway_id": "pathways"}
PAY_FREQUENCIES: Final = {
    "weekly": lazy_gettext("Every week"),
    "biweekly": lazy_gettext("Every two weeks"),
    "semimonthly": lazy_gettext("Twice a month"),
    "monthly": lazy_gettext("Every month"),
}
CEFR_LEVELS: Final = {
    "A1": lazy_gettext("A1 (beginner)"),
    "A2": lazy_gettext("A2 (elementary)"),
    "B1": lazy_gettext("B1 (intermediate)"),
    "B2": lazy_gettext("B2 (upper intermediate)"),
    "C1": lazy_gettext("C1 (advanced)"),
    "C2": lazy_gettext("C2 (proficient)"),
}
# The currencies of the endorsing states (and the euro), named by Babel.
CURRENCIES: Final = (
    "ARS", "BBD", "BZD", "BRL", "CAD", "CLP", "COP", "CRC", "USD", "GTQ", "HTG",
    "HNL", "JMD", "MXN", "PAB", "PYG", "PEN", "UYU", "EUR",
)  # fmt: skip
TRANSLATION_LANGUAGES: Final = ("en", "es", "pt", "fr", "ht")
_LABELS: Final = {name: label for name, label, *_ in OFFER_FIELDS}
_NUMBERS: Final = (
    "wage_hourly",
    "wage_floor_hourly",
    "hours_week",
    "guaranteed_hours_ratio",
)


def offer_values(form: FormData) -> dict[str, str]:
    """Every field as typed or chosen; the translations (checkboxes) as one list."""
    values = {name: form_text(form, name, 2000) for name, *_ in OFFER_FIELDS}
    chosen = [v for v in form.getlist("contract_translations") if isinstance(v, str)]
    values["contract_translations"] = ",".join(p.strip() for p in chosen)[:2000]
    return values


def offer_from_form(form: FormData) -> dict[str, Any]:
    """The documented offer JSON from the employer's form. Numbers stay as typed:
    the offer schema reads them and names the field when one is not a number."""
    values = offer_values(form)
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
        *_NUMBERS,
    ):
        if values[name]:
            offer[name] = values[name]
    days = values["contract_delivery_days_before_departure"]
    if days:
        number = whole_number(days)
        offer["contract_delivery_days_before_departure"] = (
            days if number is None else number
        )
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
    currency = offer.get("currency", "USD")
    costs = []
    if values["recruitment_fee"] not in ("", "0"):
        costs.append(
            {
                "category": "recruitment_fee",
                "amount": values["recruitment_fee"],
                "currency": currency,
                "paid_by": "worker",
            }
        )
    if values["travel_cost"] not in ("", "0"):
        costs.append(
            {
                "category": "travel",
                "amount": values["travel_cost"],
                "currency": currency,
                "paid_by": "employer",
            }
        )
    offer["costs"] = costs
    return offer


def form_field(field: str, offer: dict[str, Any]) -> str:
    """The form field an offer error is about: `costs[0].amount` is the fee or the
    travel cost the form turned into that cost, `labour_market_test.valid_to` the
    test's date."""
    top = field.split(".")[0].split("[")[0]
    if top == "costs" and field.startswith("costs["):
        index = whole_number(field[len("costs[") :].split("]")[0])
        costs = offer.get("costs", [])
        if index is not None and index < len(costs):
            fee = costs[index]["category"] == "recruitment_fee"
            return "recruitment_fee" if fee else "travel_cost"
    if top == "labour_market_test":
        return "lmt_valid_to" if field.endswith("valid_to") else "lmt_reference"
    if top == "recruitment_languages":
        return "contract_language"
    return top


OFFER_STATUSES: Final = ("draft", "published", "blocked")


def _offer_status(offer: OfferRead) -> str:
    return i18n.gettext("Blocked") if offer.blocked else offer_status(offer.status)


OFFER_COLUMNS: Final[tuple[lists.Column[OfferRead], ...]] = (
    lists.Column("title", lazy_gettext("Offer"), lambda o: o.title),
    lists.Column(
        "isco", lazy_gettext("Occupation"), lambda o: occupation_label(o.isco)
    ),
    lists.Column("country", lazy_gettext("Country"), lambda o: country_name(o.state)),
    lists.Column("status", lazy_gettext("Status"), _offer_status),
    lists.Column("created", lazy_gettext("Created"), lambda o: o.created_at),
)


@router.get("/offers")
def offers_page(
    request: Request,
    session: DbSession,
    actor: OfferReader,
    status: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    status = status if status in OFFER_STATUSES else ""
    query = lists.read_query(request, default_sort="created", default_dir="desc")
    rows = service.list_offers(session, actor=actor, status=status or None, limit=5000)
    listing = lists.build(
        rows,
        OFFER_COLUMNS,
        query,
        base_url="/pathways/offers",
        params={"status": status},
    )
    if query.export:
        return lists.export_response(listing, "job-offers")
    return render(
        request,
        "pathways/offers.html",
        {
            "listing": listing,
            "status": status,
            "statuses": [(s, offer_status(s)) for s in OFFER_STATUSES],
            "can_write": can(actor, "offer:write"),
            "occupation": occupation_label,
        },
    )


def _options(widget: str) -> list[tuple[str, str]]:
    """(code, words) pairs of a select or checkbox widget, in the reader's language."""
    locale = i18n.get_locale()
    if widget == "pay_frequency":
        return [(code, str(label)) for code, label in PAY_FREQUENCIES.items()]
    if widget == "cefr":
        return [(code, str(label)) for code, label in CEFR_LEVELS.items()]
    if widget == "currency":
        names = [
            (code, get_currency_name(code, locale=_babel(locale)))
            for code in CURRENCIES
        ]
        return sorted(names, key=lambda pair: fold(pair[1]))
    if widget == "language":
        return language_options(locale)
    if widget == "languages":
        return [(code, language_name(code, locale)) for code in TRANSLATION_LANGUAGES]
    return []


def _babel(locale: str) -> str:
    # CLDR has no Haitian Creole currency names: French is the nearest.
    return "fr" if locale.startswith("ht") else locale


def _offer_form(
    request: Request,
    values: dict[str, str],
    pickers: dict[str, PickerState],
    error: str = "",
    status: int = 200,
    *,
    invalid: str = "",
) -> Response:
    fields = [
        {
            "name": n,
            "label": label,
            "widget": w,
            "value": values.get(n, ""),
            "values": values.get(n, "").split(","),
            "hint": OFFER_HINTS.get(n, ""),
            "invalid": n == invalid,
            "options": _options(w),
            "picker": pickers[n].as_dict() if n in pickers else None,
        }
        for n, label, w, _example in OFFER_FIELDS
    ]
    return render(
        request,
        "pathways/offer_new.html",
        {
            "fields": fields,
            "error": error,
            "housing": values.get("housing_provided", "on") == "on",
            "subdivisions": subdivision_options(),
        },
        status_code=status,
    )


@router.get("/offers/new")
def offer_new(request: Request, session: DbSession, actor: OfferWriter) -> Response:
    values = service.my_employer(session, actor=actor)
    return _offer_form(request, values, empty_pickers(PICKED))


@router.post("/offers", dependencies=Csrf)
async def offer_create(
    request: Request, session: DbSession, actor: OfferWriter
) -> Response:
    form = await request.form()
    values = offer_values(form)
    values["housing_provided"] = "on" if form.get("housing_provided") == "on" else ""
    pickers, searching = fill_pickers(session, actor, form, PICKED)
    if searching:  # the no-JS "Search" button: the same form, with the choices
        return _offer_form(request, values, pickers)
    offer = offer_from_form(form)
    try:
        created = service.create_offer(session, actor=actor, data=offer, publish=True)
    except OfferError as exc:
        field = form_field(exc.field, offer)
        label = _LABELS.get(field, field)
        return _offer_form(
            request, values, pickers, not_valid(label), 422, invalid=field
        )
    except DomainError as exc:
        return _offer_form(request, values, pickers, exc.translated(), 422)
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
    # Matching is the heavy part: after the page, when scripts run (web/lazy.py).
    lazy_matches = can_match and wants_lazy(request)
    if can_match and not lazy_matches:
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
            "lazy_matches": lazy_matches,
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
    check_id = form_text(form, "check_id", 20)
    statement = form_text(form, "statement", STATEMENT_MAX + 1)
    evidence_ref = form_text(form, "evidence_ref", EVIDENCE_REF_MAX + 1)
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
    decision = form_text(form, "decision", 20)
    reason = form_text(form, "reason", REASON_MAX + 1)
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


@router.get("/offers/{offer_id}/matches/panel")
def matches_panel(
    request: Request, session: DbSession, actor: MatchReader, offer_id: uuid.UUID
) -> Response:
    """The offer page's best-matched workers alone, fetched after the page."""
    matches = service.match_workers(session, actor=actor, offer_id=offer_id, k=10)
    return render(request, "pathways/_matches_panel.html", {"matches": matches})


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
