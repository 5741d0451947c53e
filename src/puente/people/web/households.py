"""Family registration: one form, one row per member, each searched before create."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from puente.core.i18n import gettext as _
from puente.core.inputs import whole_number
from puente.identity import Actor
from puente.people import service
from puente.people.schemas import (
    HouseholdRegistration,
    PersonCreate,
)
from puente.people.web._forms import (
    MAX_FAMILY,
    MEMBER_CANDIDATES,
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
    _text,
)
from puente.web.deps import DbSession
from puente.web.templating import render

router = APIRouter(prefix="/people", include_in_schema=False)


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
