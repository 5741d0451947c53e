"""HTML pages of the people module: list, registration with search before create,
family registration, person detail, edit with optimistic locking, and the
sensitive-information panel. Forms are parsed into the API's schemas and handed
to the service; templates run no queries."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from puente.core.errors import InvalidInput
from puente.core.i18n import gettext as _
from puente.core.i18n import lazy_gettext
from puente.core.inputs import whole_number
from puente.identity import Actor, can
from puente.people import service
from puente.people.duplicates import service as duplicates
from puente.people.errors import StaleEdit
from puente.people.schemas import (
    Candidate,
    ConsentIn,
    ContactKind,
    DocumentType,
    HouseholdRegistration,
    PersonCreate,
    PersonFilter,
    PersonRead,
    PersonUpdate,
    PointKind,
    Relationship,
    SearchQuery,
    SensitiveCreate,
    SensitiveKind,
)
from puente.web.deps import DbSession, Require
from puente.web.templating import DashboardCard, check_csrf, register_card, render

router = APIRouter(prefix="/people", include_in_schema=False)
Csrf = Depends(check_csrf)
Reader = Annotated[Actor, Depends(Require("person:read", web=True))]
Writer = Annotated[Actor, Depends(Require("person:write", web=True))]
CanWrite = Depends(Require("person:write", web=True))

register_card(
    DashboardCard(
        permission="person:write",
        title=lazy_gettext("People"),
        description=lazy_gettext(
            "Register people and families; search first so no one is registered twice."
        ),
        url="/people",
        icon="👥",
    )
)

MAX_FAMILY = 12
MEMBER_CANDIDATES = 5  # per member row: enough to recognise, few to read
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "sex",
    "birth_date",
    "nationality",
    "other_nationalities",
    "languages",
    "country_of_birth",
    "consent_to_tracing",
    "document_type",
    "document_number",
    "issuing_state",
    "phone",
)


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _codes(text: str) -> list[str]:
    return [
        part for part in text.replace(";", ",").replace(" ", ",").split(",") if part
    ]


def _person_payload(form: FormData, prefix: str = "") -> dict[str, Any]:
    """The registration fields of one person, as PersonCreate input."""

    def get(name: str) -> str:
        return _text(form, prefix + name)

    payload: dict[str, Any] = {
        "given_name": get("given_name"),
        "family_name": get("family_name"),
        "sex": get("sex") or "U",
        "birth_date": get("birth_date") or None,
        "nationality": get("nationality") or None,
        "other_nationalities": _codes(get("other_nationalities")),
        "languages": _codes(get("languages")),
        "country_of_birth": get("country_of_birth") or None,
        "consent_to_tracing": get("consent_to_tracing") in ("on", "true", "1"),
    }
    if get("document_number"):
        payload["documents"] = [
            {
                "document_type": get("document_type") or "other",
                "number": get("document_number"),
                "issuing_state": get("issuing_state") or None,
            }
        ]
    if get("phone"):
        payload["contacts"] = [{"kind": "phone", "value": get("phone")}]
    return payload


def _registration_payload(form: FormData) -> dict[str, Any]:
    return {
        "point_kind": _text(form, "point_kind") or "office",
        "place": _text(form, "place"),
    }


def _field_message(error: dict[str, Any]) -> str:
    location = [str(part) for part in error.get("loc", ())]
    if error.get("type") == "missing" or error.get("type") == "string_too_short":
        return _("This field is required.")
    if "birth_date" in location:
        return _("Write the birth date as YYYY, YYYY-MM or YYYY-MM-DD.")
    if any(
        name in location
        for name in ("nationality", "other_nationalities", "country_of_birth")
    ):
        return _("Use three-letter country codes, for example VEN.")
    if "languages" in location:
        return _("Use language codes, for example es, ht.")
    return _("Check this value.")


def _errors(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        field = next((p for p in location if p in PERSON_FIELDS), None)
        if field is None and location:
            field = {"documents": "document_number", "contacts": "phone"}.get(
                location[0], location[0]
            )
        found.setdefault(prefix + (field or "form"), _field_message(dict(error)))
    return found


def _choices() -> dict[str, Any]:
    return {
        "sexes": [
            ("F", _("Female")),
            ("M", _("Male")),
            ("X", _("Other")),
            ("U", _("Unknown")),
        ],
        "points": [(p.value, _point_label(p.value)) for p in PointKind],
        "document_types": [(d.value, _document_label(d.value)) for d in DocumentType],
        "relationships": [
            (r.value, _relationship_label(r.value)) for r in Relationship
        ],
        "sensitive_kinds": [
            (k.value, _sensitive_label(k.value)) for k in SensitiveKind
        ],
        "contact_kinds": [c.value for c in ContactKind],
    }


def _point_label(value: str) -> str:
    labels = {
        "border_post": _("Border post"),
        "shelter": _("Shelter"),
        "office": _("Office"),
        "sea_rescue": _("Sea rescue"),
        "detention": _("Detention"),
        "outreach": _("Outreach"),
    }
    return labels.get(value, value)


def _document_label(value: str) -> str:
    labels = {
        "passport": _("Passport"),
        "national_id": _("National identity card"),
        "birth_certificate": _("Birth certificate"),
        "unhcr_id": _("UNHCR registration"),
        "temporary_permit": _("Temporary permit"),
        "other": _("Other document"),
    }
    return labels.get(value, value)


def _relationship_label(value: str) -> str:
    labels = {
        "head": _("Head of household"),
        "spouse": _("Spouse or partner"),
        "child": _("Son or daughter"),
        "stepchild": _("Stepchild"),
        "parent": _("Father or mother"),
        "sibling": _("Brother or sister"),
        "grandchild": _("Grandchild"),
        "grandparent": _("Grandparent"),
        "nephew_niece": _("Nephew or niece"),
        "uncle_aunt": _("Uncle or aunt"),
        "other_relative": _("Other relative"),
        "not_related": _("Not related"),
    }
    return labels.get(value, value)


def _sensitive_label(value: str) -> str:
    labels = {
        "sogiesc": _("Sexual orientation, gender identity or expression (LGBTQI+)"),
        "indigenous": _("Indigenous people"),
        "afro_descendant": _("Afro-descendant"),
        "gbv": _("Gender-based violence"),
        "trafficking": _("Trafficking"),
        "health": _("Health"),
        "asylum_claim": _("Asylum claim"),
        "refugee_status": _("Refugee status"),
        "statelessness": _("Statelessness"),
        "feared_states": _("States the person fears (country codes)"),
    }
    return labels.get(value, value)


def _labels() -> dict[str, Any]:
    return {
        "point_label": _point_label,
        "document_label": _document_label,
        "relationship_label": _relationship_label,
        "sensitive_label": _sensitive_label,
    }


# --- list ---------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def list_page(request: Request, session: DbSession, actor: Reader) -> Response:
    params = request.query_params
    raw = {
        "name": params.get("name", "")[:100],
        "nationality": params.get("nationality") or None,
        "sex": params.get("sex") or None,
        "consent_to_tracing": True if params.get("tracing") == "yes" else None,
        "offset": whole_number(params.get("offset")) or 0,
    }
    errors: dict[str, str] = {}
    try:
        filters = PersonFilter.model_validate(raw)
    except ValidationError as exc:
        errors = _errors(exc)
        filters = PersonFilter()
    page = service.list_people(session, actor=actor, filters=filters)
    return render(
        request,
        "people/list.html",
        {
            "page": page,
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


def _search_query(form: FormData, prefix: str, limit: int) -> SearchQuery | None:
    """What a registration form has typed so far, as a search; None when too
    little is typed. A date still being typed (1985-0) searches by what is
    already a date (1985); a value that is not valid yet is left out."""

    def get(name: str) -> str:
        return _text(form, prefix + name)

    given, family = get("given_name")[:200], get("family_name")[:200]
    document = get("document_number")[:60]
    if len(given + family) < 2 and not document:
        return None
    optional: dict[str, str | None] = {
        "birth_date": get("birth_date")[:10] or None,
        "sex": get("sex") or None,
        "nationality": get("nationality") or None,
    }
    for _attempt in range(4):
        try:
            return SearchQuery(
                given_name=given,
                family_name=family,
                document_number=document,
                limit=limit,
                **optional,
            )
        except ValidationError as exc:
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else ""
                value = optional.get(field)
                if field == "birth_date" and value and len(value) > 4:
                    optional[field] = value[:7] if len(value) > 7 else value[:4]
                else:
                    optional[field] = None
    return SearchQuery(given_name=given, family_name=family, limit=limit)


def _search(
    session: Session,
    actor: Actor,
    form: FormData,
    prefix: str = "",
    *,
    screen: str = "person",
    limit: int = 10,
) -> list[Candidate] | None:
    """Candidates for what is typed (audited by the service); None: not searched."""
    query = _search_query(form, prefix, limit)
    if query is None:
        return None
    return service.search_before_registering(
        session, actor=actor, query=query, screen=screen
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


# --- households ---------------------------------------------------------------


def _member_rows(form: FormData | None, count: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for index in range(count):
        prefix = f"members-{index}-"
        row: dict[str, Any] = {"index": str(index)}
        if form is not None:
            for name in (
                *PERSON_FIELDS,
                "relationship",
                "is_caregiver",
                "is_separated",
                "link_to",
            ):
                row[name] = _text(form, prefix + name)
        rows.append(row)
    return rows


def _member_search(
    session: Session, actor: Actor, form: FormData, row: dict[str, Any]
) -> dict[str, Any]:
    """The row with its candidates (`searched` is False when too little is typed)."""
    found = _search(
        session,
        actor,
        form,
        f"members-{row['index']}-",
        screen="household",
        limit=MEMBER_CANDIDATES,
    )
    return {**row, "searched": found is not None, "candidates": found or []}


def _rows_with_candidates(
    session: Session, actor: Actor, form: FormData, count: int
) -> list[dict[str, Any]]:
    return [
        _member_search(session, actor, form, row) for row in _member_rows(form, count)
    ]


def _member_count(form: FormData) -> int:
    raw_count = _text(form, "member_count")
    return min(whole_number(raw_count) or 0, MAX_FAMILY)


@router.get("/households/new", response_class=HTMLResponse, dependencies=[CanWrite])
def new_household_form(request: Request) -> Response:
    count = request.query_params.get("members", "3")
    members = min(max(whole_number(count) or 3, 1), MAX_FAMILY)
    return render(
        request,
        "people/household_new.html",
        {
            "rows": _member_rows(None, members),
            "values": {},
            "errors": {},
            "max_family": MAX_FAMILY,
            **_choices(),
        },
    )


@router.get(
    "/households/member-row", response_class=HTMLResponse, dependencies=[CanWrite]
)
def member_row(request: Request) -> Response:
    """HTMX partial: one more member fieldset."""
    raw = request.query_params.get("index", "0")
    index = min(whole_number(raw) or 0, MAX_FAMILY - 1)
    return render(
        request,
        "people/_member_row.html",
        {"row": {"index": str(index)}, "errors": {}, "oob_next": index + 1,
         "max_family": MAX_FAMILY, **_choices()},
    )  # fmt: skip


@router.post(
    "/households/candidates",
    response_class=HTMLResponse,
    dependencies=[Csrf, CanWrite],
)
async def member_candidates(
    request: Request, session: DbSession, actor: Reader
) -> Response:
    """HTMX partial: likely existing records for one member row while the
    caseworker types (POST: names never go into a URL)."""
    form = await request.form()
    index = whole_number(_text(form, "search_member"))
    if index is None or index >= MAX_FAMILY:
        return Response(status_code=422)
    row = _member_rows(form, index + 1)[-1]
    return render(
        request,
        "people/_member_candidates.html",
        {"row": _member_search(session, actor, form, row)},
    )


@router.post("/households", dependencies=[Csrf])
async def register_household(
    request: Request, session: DbSession, actor: Writer
) -> Response:
    form = await request.form()
    count = _member_count(form)
    values = {"point_kind": _text(form, "point_kind"), "place": _text(form, "place")}
    if _text(form, "search_member"):
        # The Search button without JavaScript: show every row's candidates and
        # keep what was typed; nothing is saved.
        return render(
            request,
            "people/household_new.html",
            {
                "rows": _rows_with_candidates(session, actor, form, max(count, 1)),
                "values": values,
                "errors": {},
                "max_family": MAX_FAMILY,
                **_choices(),
            },
        )
    members: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    chosen: set[uuid.UUID] = set()
    for index in range(count):
        prefix = f"members-{index}-"
        if not (
            _text(form, prefix + "given_name") or _text(form, prefix + "family_name")
        ):
            continue  # an empty row is not a member
        member = {
            "person": _person_payload(form, prefix),
            "relationship": _text(form, prefix + "relationship") or "other_relative",
            "is_caregiver": _text(form, prefix + "is_caregiver") == "on",
            "is_separated": _text(form, prefix + "is_separated") == "on",
        }
        link = _text(form, prefix + "link_to")
        if link and link != "new":
            # "This is the same person": link the member to that record.
            try:
                link_to = uuid.UUID(link)
            except ValueError:
                errors["form"] = _("Check this value.")
            else:
                if link_to in chosen:
                    errors["form"] = _(
                        "The same registered person was chosen for two members."
                    )
                chosen.add(link_to)
                member["link_to"] = str(link_to)
        try:
            PersonCreate.model_validate(member["person"])
        except ValidationError as exc:
            errors.update(_errors(exc, prefix))
        members.append(member)
    if not members:
        errors["form"] = _("Register at least one member.")
    data: HouseholdRegistration | None = None
    if not errors:
        try:
            data = HouseholdRegistration.model_validate(
                {
                    "kind": _text(form, "kind") or "household",
                    "registration": _registration_payload(form),
                    "members": members,
                }
            )
        except ValidationError:
            errors["form"] = _("Check this value.")
    if data is None:
        return render(
            request,
            "people/household_new.html",
            {
                "rows": _rows_with_candidates(session, actor, form, max(count, 1)),
                "values": values,
                "errors": errors,
                "max_family": MAX_FAMILY,
                **_choices(),
            },
            status_code=422,
        )
    household = service.register_household(session, actor=actor, data=data)
    return RedirectResponse(
        f"/people/households/{household.id}?saved=1", status_code=303
    )


@router.get("/households/{household_id}", response_class=HTMLResponse)
def household_page(
    household_id: uuid.UUID, request: Request, session: DbSession, actor: Reader
) -> Response:
    household = service.get_household(session, actor=actor, household_id=household_id)
    return render(
        request,
        "people/household.html",
        {"household": household, **_labels()},
    )


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
    version_text = _text(form, "version")
    payload = _person_payload(form)
    payload.pop("documents", None)
    payload.pop("contacts", None)
    payload["expected_version"] = whole_number(version_text) or 0
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


def _sensitive_error(request: Request, message: str) -> Response:
    return render(
        request,
        "error.html",
        {"status": 422, "message": message},
        status_code=422,
    )


# --- duplicate review queue (people.duplicates) ---------------------------------

DuplicateReader = Annotated[Actor, Depends(Require("duplicate:review", web=True))]
DuplicateMerger = Annotated[Actor, Depends(Require("duplicate:merge", web=True))]
DuplicateScanner = Annotated[Actor, Depends(Require("duplicate:scan", web=True))]

register_card(
    DashboardCard(
        permission="duplicate:review",
        title=lazy_gettext("Possible duplicates"),
        description=lazy_gettext(
            "Review records that may be the same person, field by field; "
            "merge them or keep them apart. A merge can be undone."
        ),
        url="/people/duplicates/queue",
        icon="🔁",
    )
)


def _comparison_labels() -> dict[str, Any]:
    return {
        "field_labels": {
            "given_name": _("Given names"),
            "family_name": _("Family names"),
            "birth_date": _("Birth date"),
            "sex": _("Sex"),
            "nationality": _("Nationality or country of birth"),
        },
        "outcome_labels": {
            "match": _("Same"),
            "partial": _("Similar"),
            "mismatch": _("Different"),
            "blank": _("Not known on one of the records"),
        },
        "detail_labels": {
            "compatible": _("one date is less precise but fits the other"),
            "near": _("close: day and month swapped, or one year apart"),
            "swapped": _("given and family names written the other way round"),
        },
        "sex_labels": dict(_choices()["sexes"]),
    }


@router.get("/duplicates/queue", response_class=HTMLResponse)
def duplicate_queue_page(
    request: Request, session: DbSession, actor: DuplicateReader
) -> Response:
    """Possible duplicates, each with a field-by-field comparison in words."""
    params = request.query_params
    scanned = whole_number(params.get("count"), max_digits=6)
    merged = params.get("merged", "")
    return render(
        request,
        "people/duplicates.html",
        {
            "candidates": duplicates.list_duplicates(session, actor=actor),
            "can_merge": can(actor, "duplicate:merge"),
            "can_scan": can(actor, "duplicate:scan"),
            "notice": params.get("notice", "")[:20],
            "merged": merged if _is_uuid(merged) else "",
            "count": "" if scanned is None else str(scanned),
            **_comparison_labels(),
        },
    )


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@router.post("/duplicates/scan", dependencies=[Csrf])
def scan_duplicates_form(session: DbSession, actor: DuplicateScanner) -> Response:
    result = duplicates.find_duplicates(session, actor=actor)
    return RedirectResponse(
        f"/people/duplicates/queue?notice=scanned&count={result.candidates_new}",
        status_code=303,
    )


@router.post("/duplicates/{candidate_id}/merge", dependencies=[Csrf])
async def merge_duplicate_form(
    candidate_id: uuid.UUID,
    request: Request,
    session: DbSession,
    actor: DuplicateMerger,
) -> Response:
    form = await request.form()
    keep = _text(form, "keep")
    if not _is_uuid(keep):
        return _sensitive_error(request, _("Choose which record to keep."))
    merge = duplicates.merge_duplicate(
        session, actor=actor, candidate_id=candidate_id, keep_person_id=uuid.UUID(keep)
    )
    return RedirectResponse(
        f"/people/duplicates/queue?notice=merged&merged={merge.id}", status_code=303
    )


@router.post("/duplicates/{candidate_id}/distinct", dependencies=[Csrf])
def mark_distinct_form(
    candidate_id: uuid.UUID, session: DbSession, actor: DuplicateMerger
) -> Response:
    duplicates.mark_distinct(session, actor=actor, candidate_id=candidate_id)
    return RedirectResponse("/people/duplicates/queue?notice=distinct", status_code=303)


@router.post("/merges/{merge_id}/undo", dependencies=[Csrf])
def undo_merge_form(
    merge_id: uuid.UUID, session: DbSession, actor: DuplicateMerger
) -> Response:
    duplicates.undo_merge(session, actor=actor, merge_id=merge_id)
    return RedirectResponse("/people/duplicates/queue?notice=undone", status_code=303)
