"""Protection screens for referrals, the service directory and tracing."""

from __future__ import annotations

import datetime as dt
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from puente.core.errors import InvalidInput
from puente.core.i18n import _, lazy_gettext
from puente.identity import Actor, can
from puente.protection import service
from puente.protection.schemas import ReferralRecord
from puente.protection.service._people import person_labels
from puente.protection.service.referrals import SERVICE_TYPES, SHAREABLE_FIELDS
from puente.protection.service.tracing import RELATIONSHIPS
from puente.protection.web._shared import (
    REFERRAL_STATUS,
    CaseReader,
    CaseWriter,
    Csrf,
    Referrer,
    _date,
    _labels,
    _see,
    _text,
    _uuid,
)
from puente.reference import ENDORSING_STATES, country_name
from puente.web import lists
from puente.web.deps import DbSession
from puente.web.pickers import PickerState, fill_pickers, picker_state
from puente.web.templating import render

router = APIRouter(prefix="/protection", include_in_schema=False)


@router.get("/cases/{case_id}/refer", response_class=HTMLResponse)
def referral_form(
    case_id: uuid.UUID, request: Request, session: DbSession, actor: Referrer
) -> Response:
    case = service.get_case(session, actor=actor, case_id=case_id)
    return render(
        request,
        "protection/refer.html",
        {
            "case": case,
            "services": service.list_services(session, actor=actor),
            "shareable": SHAREABLE_FIELDS,
            "default_until": (
                dt.datetime.now(dt.UTC).date() + dt.timedelta(days=90)
            ).isoformat(),
            **_labels(),
        },
    )


@router.post("/cases/{case_id}/refer", dependencies=[Csrf])
async def refer(
    case_id: uuid.UUID, request: Request, session: DbSession, actor: Referrer
) -> Response:
    form = await request.form()
    service_id = _uuid(_text(form, "service_id"))
    until = _date(_text(form, "consent_until"))
    if service_id is None or until is None or _text(form, "consent") != "yes":
        from puente.protection.errors import ConsentMissing

        raise ConsentMissing()
    service.refer_case(
        session,
        actor=actor,
        case_id=case_id,
        service_id=service_id,
        purpose=_text(form, "purpose"),
        shared_fields=[str(v) for v in form.getlist("shared_fields")],
        consent_given_by=_text(form, "consent_given_by") or None,
        consent_until=until,
    )
    return _see(f"/protection/cases/{case_id}?done=referred#referrals")


def _status(referral: ReferralRecord) -> str:
    return str(REFERRAL_STATUS.get(referral.status, referral.status))


INBOX_COLUMNS: tuple[lists.Column[ReferralRecord], ...] = (
    lists.Column("purpose", lazy_gettext("Purpose"), lambda r: r.purpose),
    lists.Column("status", lazy_gettext("Status"), _status),
    lists.Column("consent", lazy_gettext("Consent until"), lambda r: r.consent_until),
    lists.Column("sent", lazy_gettext("Sent"), lambda r: r.sent_at),
)


@router.get("/referrals", response_class=HTMLResponse)
def referral_inbox(request: Request, session: DbSession, actor: Referrer) -> Response:
    query = lists.read_query(request, default_sort="sent", default_dir="desc")
    listing = lists.build(
        service.referral_inbox(session, actor=actor),
        INBOX_COLUMNS,
        query,
        base_url="/protection/referrals",
    )
    if query.export:
        return lists.export_response(
            listing,
            "referrals",
            session=session,
            actor=actor,
            action="protection:referral:export",
            object_type="referral",
        )
    return render(request, "protection/inbox.html", {"listing": listing, **_labels()})


@router.get("/referrals/{referral_id}", response_class=HTMLResponse)
def referral_detail(
    referral_id: uuid.UUID, request: Request, session: DbSession, actor: Referrer
) -> Response:
    referral, is_recipient, is_sender = service.get_referral(
        session, actor=actor, referral_id=referral_id
    )
    view = None
    if is_recipient and referral.consent_revoked_at is None:
        view = service.read_referral(session, actor=actor, referral_id=referral_id)
    return render(
        request,
        "protection/referral.html",
        {
            "referral": referral,
            "view": view,
            "is_recipient": is_recipient,
            "is_sender": is_sender,
            **_labels(),
        },
    )


@router.post("/referrals/{referral_id}/{action}", dependencies=[Csrf])
async def referral_action(
    referral_id: uuid.UUID,
    action: str,
    request: Request,
    session: DbSession,
    actor: Referrer,
) -> Response:
    form = await request.form()
    if action == "revoke-consent":
        service.revoke_referral_consent(session, actor=actor, referral_id=referral_id)
    else:
        target = {"accept": "accepted", "decline": "declined", "complete": "completed"}
        if action not in target:
            raise InvalidInput()
        service.respond_to_referral(
            session,
            actor=actor,
            referral_id=referral_id,
            target=target[action],
            reason=_text(form, "reason"),
        )
    return _see(f"/protection/referrals/{referral_id}")


@router.get("/services", response_class=HTMLResponse)
def directory(
    request: Request,
    session: DbSession,
    actor: CaseReader,
    service_type: str = "",
    state: str = "",
    language: str = "",
) -> Response:
    entries = service.list_services(
        session,
        actor=actor,
        service_type=service_type or None,
        state=state or None,
        language=language or None,
    )
    return render(
        request,
        "protection/services.html",
        {
            "entries": entries,
            "service_types": SERVICE_TYPES,
            "filters": {
                "service_type": service_type,
                "state": state,
                "language": language,
            },
            **_labels(),
        },
    )


# --- tracing ----------------------------------------------------------------------


_TRACING_FIELDS = (
    "relationship",
    "sought_given_name",
    "sought_family_name",
    "sought_sex",
    "sought_birth_date",
    "last_seen_place",
    "last_seen_on",
    "search_state",
)


def _tracing_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    chooser: PickerState,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "protection/tracing.html",
        {
            "requests": service.list_tracing_requests(session, actor=actor),
            "person_picker": chooser.as_dict(),
            "relationships": RELATIONSHIPS,
            "search_states": [
                (code, country_name(code))
                for code in ENDORSING_STATES
                if code != actor.tenant_code
            ],
            "can_write": can(actor, "case:write"),
            "values": values or {},
            "errors": errors or {},
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/tracing", response_class=HTMLResponse)
def tracing(
    request: Request, session: DbSession, actor: CaseReader, person_id: str = ""
) -> Response:
    chooser = picker_state(
        session,
        actor,
        "people",
        "requester_person_id",
        {"requester_person_id": person_id},
    )
    return _tracing_page(request, session, actor, chooser)


@router.post("/tracing", dependencies=[Csrf])
async def create_tracing(
    request: Request, session: DbSession, actor: CaseWriter
) -> Response:
    form = await request.form()
    pickers, searching = fill_pickers(
        session, actor, form, {"requester_person_id": "people"}
    )
    chooser = pickers["requester_person_id"]
    values = {name: _text(form, name)[:200] for name in _TRACING_FIELDS}
    if searching:  # the no-JS "Search" button: the same form, with the choices
        return _tracing_page(request, session, actor, chooser, values=values)
    requester = _uuid(chooser.value)
    errors: dict[str, str] = {}
    if requester is None:
        errors["requester_person_id"] = _("Find the person by name and choose them.")
    else:
        try:
            view = service.create_tracing_request(
                session,
                actor=actor,
                requester_person_id=requester,
                relationship=values["relationship"],
                sought_given_name=values["sought_given_name"],
                sought_family_name=values["sought_family_name"],
                sought_sex=values["sought_sex"] or None,
                sought_birth_date=values["sought_birth_date"] or None,
                last_seen_place=values["last_seen_place"],
                last_seen_on=_date(values["last_seen_on"]),
                search_state=values["search_state"][:3] or None,
            )
        except InvalidInput as exc:
            errors["form"] = exc.translated()
        else:
            return _see(f"/protection/tracing/{view.request.id}")
    return _tracing_page(
        request,
        session,
        actor,
        chooser,
        values=values,
        errors=errors,
        status_code=422,
    )


@router.get("/tracing/{request_id}", response_class=HTMLResponse)
def tracing_detail(
    request_id: uuid.UUID, request: Request, session: DbSession, actor: CaseReader
) -> Response:
    import json

    view = service.get_tracing_request(session, actor=actor, request_id=request_id)
    people = person_labels(session, actor, [m.person_id for m in view.matches])
    return render(
        request,
        "protection/tracing_detail.html",
        {
            "view": view,
            "people": people,
            "comparisons": {m.id: json.loads(m.comparison) for m in view.matches},
            "remote": service.remote_matches(
                session, actor=actor, request_id=request_id
            ),
            "can_write": can(actor, "case:write"),
            **_labels(),
        },
    )


@router.post("/tracing/{request_id}/candidates/{match_id}", dependencies=[Csrf])
async def decide_remote_candidate(
    request_id: uuid.UUID,
    match_id: uuid.UUID,
    request: Request,
    session: DbSession,
    actor: CaseWriter,
) -> Response:
    form = await request.form()
    decision = _text(form, "decision")
    if decision not in ("confirm", "reject"):
        raise InvalidInput()
    service.decide_remote_match(
        session,
        actor=actor,
        request_id=request_id,
        match_id=match_id,
        confirm=decision == "confirm",
    )
    return _see(f"/protection/tracing/{request_id}")


# --- returns -----------------------------------------------------------------------
