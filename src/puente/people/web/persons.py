"""People pages: list, registration with search before create, person detail,
edit with optimistic locking, and the sensitive-information panel."""

from __future__ import annotations

import uuid
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from puente.core.errors import InvalidInput, PermissionDenied
from puente.core.i18n import gettext as _
from puente.core.i18n import lazy_gettext
from puente.core.inputs import whole_number
from puente.identity import Actor, can
from puente.people import service
from puente.people.errors import StaleEdit
from puente.people.schemas import (
    ConsentIn,
    PersonCreate,
    PersonFilter,
    PersonRead,
    PersonSummary,
    PersonUpdate,
    SensitiveCreate,
)
from puente.people.web import remote_checks
from puente.people.web._forms import (
    PERSON_FIELDS,
    CanWrite,
    Csrf,
    Reader,
    Writer,
    _choices,
    _errors,
    _labels,
    _person_payload,
    _registration_payload,
    _search,
    _sensitive_error,
    _text,
)
from puente.reference import country_name
from puente.web import lists
from puente.web.deps import DbSession
from puente.web.templating import render

router = APIRouter(prefix="/people", include_in_schema=False)


# --- list ---------------------------------------------------------------------------


_SORTS: Final = {"registered": "registered", "name": "name", "birth": "birth"}
_EXPORT_MAX: Final = 10_000


def _sex_word(person: PersonSummary) -> str:
    return str(dict(_choices()["sexes"]).get(person.sex, ""))


def _columns() -> tuple[lists.Column[PersonSummary], ...]:
    return (
        lists.Column(
            "name",
            lazy_gettext("Name"),
            lambda p: f"{p.given_name} {p.family_name}".strip(),
        ),
        lists.Column("sex", lazy_gettext("Sex"), _sex_word, False),
        lists.Column("birth", lazy_gettext("Birth date"), lambda p: p.birth_date or ""),
        lists.Column(
            "nationality",
            lazy_gettext("Nationality"),
            lambda p: country_name(p.nationality) if p.nationality else "",
            False,
        ),
        lists.Column("registered", lazy_gettext("Registered"), lambda p: p.created_at),
    )


def _people(
    session: DbSession, actor: Actor, filters: PersonFilter, *, every: bool
) -> tuple[list[PersonSummary], int]:
    """One page of people, or (for an export) every match up to a bound."""
    if not every:
        page = service.list_people(session, actor=actor, filters=filters)
        return list(page.items), page.total
    rows: list[PersonSummary] = []
    total = 0
    offset = 0
    while offset < _EXPORT_MAX:
        chunk = filters.model_copy(update={"limit": 200, "offset": offset})
        page = service.list_people(session, actor=actor, filters=chunk)
        rows += page.items
        total = page.total
        offset += 200
        if offset >= page.total:
            break
    return rows, total


@router.get("", response_class=HTMLResponse)
def list_page(request: Request, session: DbSession, actor: Reader) -> Response:
    """People the reader's organisation registered: filters, sort by name, birth
    date or registration, pages, a count and CSV/XLSX (audited: names leave)."""
    params = request.query_params
    query = lists.read_query(request, default_sort="registered", default_dir="desc")
    columns = _columns()
    sort = lists.sort_key(query, columns)
    raw = {
        "name": params.get("name", "")[:100],
        "nationality": params.get("nationality") or None,
        "sex": params.get("sex") or None,
        "consent_to_tracing": True if params.get("tracing") == "yes" else None,
    }
    errors: dict[str, str] = {}
    try:
        filters = PersonFilter.model_validate(
            {
                **raw,
                "limit": lists.PER_PAGE,
                "offset": (query.page - 1) * lists.PER_PAGE,
                "sort": _SORTS.get(sort, "registered"),
                "descending": query.dir == "desc" if sort else True,
            }
        )
    except ValidationError as exc:
        errors = _errors(exc)
        filters = PersonFilter(limit=lists.PER_PAGE)
    rows, total = _people(session, actor, filters, every=bool(query.export))
    if not rows and total and query.page > 1 and not query.export:
        # A page past the end (an old link): show the last one.
        last = -(-total // lists.PER_PAGE)
        filters = filters.model_copy(update={"offset": (last - 1) * lists.PER_PAGE})
        rows, total = _people(session, actor, filters, every=False)
        query = lists.ListQuery(sort=query.sort, dir=query.dir, page=last)
    listing = lists.paged(
        rows,
        total,
        columns,
        query,
        base_url="/people",
        params={
            "name": raw["name"],
            "nationality": raw["nationality"],
            "sex": raw["sex"],
            "tracing": "yes" if raw["consent_to_tracing"] else "",
        },
    )
    if query.export and not errors:
        return lists.export_response(
            listing,
            "people",
            session=session,
            actor=actor,
            action="people:person:export",
            object_type="person",
        )
    return render(
        request,
        "people/list.html",
        {
            "listing": listing,
            "filters": raw,
            "errors": errors,
            "can_write": can(actor, "person:write"),
            **_choices(),
        },
        status_code=422 if errors else 200,
    )


# --- registration with search before create --------------------------------------


@router.get("/new", response_class=HTMLResponse, dependencies=[CanWrite])
def new_person_form(request: Request) -> Response:
    return render(
        request,
        "people/new.html",
        {"values": {}, "errors": {}, "candidates": [], **_choices()},
    )


@router.post("/candidates", response_class=HTMLResponse, dependencies=[Csrf])
async def candidates(request: Request, session: DbSession, actor: Reader) -> Response:
    """HTMX partial: likely existing records while the caseworker types."""
    form = await request.form()
    found = _search(session, actor, form) or []
    return render(
        request,
        "people/_candidates.html",
        {"candidates": found, "link_to": _text(form, "link_to")},
    )


@router.post("", dependencies=[Csrf])
async def register(request: Request, session: DbSession, actor: Writer) -> Response:
    form = await request.form()
    payload = _person_payload(form)
    payload["registration"] = _registration_payload(form)
    values = {
        name: _text(form, name) for name in (*PERSON_FIELDS, "point_kind", "place")
    }
    link = _text(form, "link_to")
    try:
        data = PersonCreate.model_validate(payload)
        link_to = uuid.UUID(link) if link and link != "new" else None
    except (ValidationError, ValueError) as exc:
        errors = _errors(exc) if isinstance(exc, ValidationError) else {}
        return render(
            request,
            "people/new.html",
            {
                "values": values,
                "errors": errors or {"form": _("Check this value.")},
                "candidates": _search(session, actor, form) or [],
                **_choices(),
            },
            status_code=422,
        )
    person, _created = service.link_or_confirm_new(
        session, actor=actor, data=data, link_to=link_to
    )
    return RedirectResponse(f"/people/{person.id}?saved=1", status_code=303)


# --- one person -----------------------------------------------------------------


@router.get("/{person_id}", response_class=HTMLResponse)
def person_page(
    person_id: uuid.UUID, request: Request, session: DbSession, actor: Reader
) -> Response:
    person = service.get_person(session, actor=actor, person_id=person_id)
    households = service.households_of(session, actor=actor, person_id=person_id)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "remote": remote_checks.panel_context(session, actor, person_id),
            "households": households,
            "can_write": can(actor, "person:write"),
            "can_read_sensitive": service.can_read_sensitive(actor),
            "saved": request.query_params.get("saved") == "1",
            **_labels(),
            **_choices(),
        },
    )


def _edit_values(person: PersonRead) -> dict[str, str]:
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "sex": person.sex,
        "birth_date": person.birth_date or "",
        "nationality": person.nationality or "",
        "other_nationalities": ", ".join(person.other_nationalities),
        "languages": ", ".join(person.languages),
        "country_of_birth": person.country_of_birth or "",
        "consent_to_tracing": "on" if person.consent_to_tracing else "",
    }


@router.get("/{person_id}/edit", response_class=HTMLResponse)
def edit_form(
    person_id: uuid.UUID, request: Request, session: DbSession, actor: Writer
) -> Response:
    person = service.get_person(session, actor=actor, person_id=person_id)
    return render(
        request,
        "people/edit.html",
        {
            "person": person,
            "values": _edit_values(person),
            "version": person.version,
            "errors": {},
            "conflict": None,
            **_choices(),
        },
    )


@router.post("/{person_id}/edit", dependencies=[Csrf])
async def edit(
    person_id: uuid.UUID, request: Request, session: DbSession, actor: Writer
) -> Response:
    form = await request.form()
    values = {name: _text(form, name) for name in PERSON_FIELDS}
    values["change_reason"] = _text(form, "change_reason")
    version_text = _text(form, "version")
    payload = _person_payload(form)
    payload.pop("documents", None)
    payload.pop("contacts", None)
    payload["expected_version"] = whole_number(version_text) or 0
    if values["change_reason"]:
        payload["change_reason"] = values["change_reason"]
    try:
        data = PersonUpdate.model_validate(payload)
    except ValidationError as exc:
        person = service.get_person(session, actor=actor, person_id=person_id)
        return render(
            request,
            "people/edit.html",
            {"person": person, "values": values, "version": version_text,
             "errors": _errors(exc), "conflict": None, **_choices()},
            status_code=422,
        )  # fmt: skip
    try:
        service.update_person(session, actor=actor, person_id=person_id, data=data)
    except StaleEdit as exc:
        # Keep what the caseworker typed, show what is stored now; nothing is lost.
        current = service.get_person(session, actor=actor, person_id=person_id)
        return render(
            request,
            "people/edit.html",
            {"person": current, "values": values, "version": current.version,
             "errors": {}, "conflict": exc.translated(),
             "current": _edit_values(current), **_choices()},
            status_code=409,
        )  # fmt: skip
    except (InvalidInput, PermissionDenied) as exc:
        # A protected person's origins: a reason is missing, or this role may not
        # withdraw a protection fact. Nothing was written; what was typed stays.
        session.rollback()
        person = service.get_person(session, actor=actor, person_id=person_id)
        return render(
            request,
            "people/edit.html",
            {"person": person, "values": values, "version": version_text,
             "errors": {"change_reason": exc.translated()}, "conflict": None,
             **_choices()},
            status_code=403 if isinstance(exc, PermissionDenied) else 422,
        )  # fmt: skip
    return RedirectResponse(f"/people/{person_id}?saved=1", status_code=303)


@router.get("/{person_id}/sensitive", response_class=HTMLResponse)
def sensitive_panel(
    person_id: uuid.UUID, request: Request, session: DbSession, actor: Reader
) -> Response:
    """HTMX partial: decrypted sensitive facts; each view is audited."""
    facts = service.read_sensitive(
        session, actor=actor, person_id=person_id, purpose="case_view"
    )
    return render(
        request,
        "people/_sensitive.html",
        {"facts": facts, **_labels()},
    )


@router.post("/{person_id}/sensitive", dependencies=[Csrf])
async def record_sensitive(
    person_id: uuid.UUID, request: Request, session: DbSession, actor: Writer
) -> Response:
    form = await request.form()
    if _text(form, "consent") != "on":
        return _sensitive_error(request, _("Ask for consent before recording this."))
    try:
        data = SensitiveCreate(
            attribute=_text(form, "attribute"),
            value=_text(form, "value"),
            consent=ConsentIn(
                given_by=_text(form, "given_by") or "subject",
                method=_text(form, "method") or "verbal",
                purpose="protection",
            ),
        )
    except ValidationError:
        return _sensitive_error(request, _("Check this value."))
    try:
        service.record_sensitive(
            session,
            actor=actor,
            person_id=person_id,
            attribute=data.attribute,
            value=data.value,
            consent=data.consent,
        )
    except InvalidInput as exc:
        return _sensitive_error(request, exc.translated())
    return RedirectResponse(f"/people/{person_id}?saved=1", status_code=303)
