"""Protection screens for return decisions, consular notification and exports."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from puente.core.errors import DomainError, InvalidInput
from puente.core.i18n import _
from puente.core.inputs import plausible_moment
from puente.identity import Actor, can
from puente.protection import service
from puente.protection.service._people import person_label
from puente.protection.web._shared import (
    WISH_LABELS,
    CaseReader,
    CaseWriter,
    Csrf,
    Exporter,
    ReturnDecider,
    _labels,
    _see,
    _text,
    _uuid,
)
from puente.web.deps import DbSession, Require
from puente.web.pickers import PickerState, fill_pickers, picker_state
from puente.web.templating import render

router = APIRouter(prefix="/protection", include_in_schema=False)


_RETURN_FACT_FIELDS = (
    "expressed_fear",
    "fear_claim_decided",
    "torture_risk_assessed",
    "torture_risk_found",
    "guardian_appointed",
    "child_heard",
    "caregiver_confirmed",
    "nationality_confirmed_by_destination",
    "consular_step_completed",
    "travel_document_available",
    "readmission_accepted",
    "fit_to_travel",
    "family_unity_respected",
)


def _returns_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    person_id: uuid.UUID | None,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    chooser: PickerState | None = None,
) -> Response:
    if chooser is None:
        chosen = {"person_id": str(person_id)} if person_id is not None else {}
        chooser = picker_state(session, actor, "people", "person_id", chosen)
    person = None
    if person_id is not None:
        try:
            person = person_label(session, actor, person_id)
        except DomainError:
            person = None
    return render(
        request,
        "protection/returns.html",
        {
            "decisions": service.list_returns(session, actor=actor),
            "person": person,
            "person_id": str(person_id) if person is not None else "",
            "fact_fields": _RETURN_FACT_FIELDS,
            "person_picker": chooser.as_dict(),
            "values": values or {},
            "errors": errors or {},
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/returns", response_class=HTMLResponse)
def returns(
    request: Request, session: DbSession, actor: ReturnDecider, person_id: str = ""
) -> Response:
    return _returns_page(request, session, actor, _uuid(person_id))


@router.post("/returns", dependencies=[Csrf])
async def request_return(
    request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    form = await request.form()
    pickers, searching = fill_pickers(session, actor, form, {"person_id": "people"})
    person_id = _uuid(pickers["person_id"].value)
    destination = _text(form, "destination").upper()
    facts = {name: _text(form, name) == "yes" for name in _RETURN_FACT_FIELDS}
    values: dict[str, Any] = {"destination": destination, **facts}
    errors: dict[str, str] = {}
    if searching:  # the no-JS "Search" button: the same form, with the choices
        return _returns_page(
            request,
            session,
            actor,
            person_id,
            values=values,
            chooser=pickers["person_id"],
        )
    if person_id is None:
        errors["person_id"] = _("Find the person by name and choose them.")
    if len(destination) != 3:
        errors["destination"] = _("Choose the country of destination.")
    if not errors and person_id is not None:
        try:
            view = service.request_return(
                session,
                actor=actor,
                person_id=person_id,
                destination=destination,
                facts=facts,
            )
        except DomainError as exc:
            errors["form"] = exc.translated()
        else:
            return _see(f"/protection/returns/{view.decision.id}")
    # Everything typed and ticked comes back, with the message beside its field.
    return _returns_page(
        request,
        session,
        actor,
        person_id,
        values=values,
        errors=errors,
        status_code=422,
        chooser=pickers["person_id"],
    )


def _return_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    decision_id: uuid.UUID,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    view = service.get_return(session, actor=actor, decision_id=decision_id)
    return render(
        request,
        "protection/return.html",
        {
            "view": view,
            "error": error,
            "return_case": service.return_case_for_decision(
                session, actor=actor, decision_id=decision_id
            ),
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/returns/{decision_id}", response_class=HTMLResponse)
def return_detail(
    decision_id: uuid.UUID, request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    return _return_page(request, session, actor, decision_id)


@router.post("/returns/{decision_id}/approve", dependencies=[Csrf])
def approve_return(
    decision_id: uuid.UUID, request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    from puente.protection.errors import ReturnBlocked

    try:
        service.approve_return(session, actor=actor, decision_id=decision_id)
    except ReturnBlocked:
        return _return_page(
            request,
            session,
            actor,
            decision_id,
            error=_("This return cannot be approved: the checks marked as failed "
                    "block it."),
            status_code=409,
        )  # fmt: skip
    return _see(f"/protection/returns/{decision_id}")


@router.post("/returns/{decision_id}/override", dependencies=[Csrf])
async def sign_override(
    decision_id: uuid.UUID, request: Request, session: DbSession, actor: ReturnDecider
) -> Response:
    form = await request.form()
    service.sign_return_override(
        session,
        actor=actor,
        decision_id=decision_id,
        authority=_text(form, "authority"),
        legal_basis=_text(form, "legal_basis"),
    )
    return _see(f"/protection/returns/{decision_id}")


# --- consular ---------------------------------------------------------------------


def _consular_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    chooser: PickerState,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M")
    return render(
        request,
        "protection/consular.html",
        {
            "rows": service.list_consular(session, actor=actor),
            "person_picker": chooser.as_dict(),
            "wishes": list(WISH_LABELS),
            "can_write": can(actor, "case:write"),
            "now": now,
            "values": values or {"detained_at": now},
            "errors": errors or {},
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/consular", response_class=HTMLResponse)
def consular(
    request: Request, session: DbSession, actor: CaseReader, person_id: str = ""
) -> Response:
    chooser = picker_state(
        session, actor, "people", "person_id", {"person_id": person_id}
    )
    return _consular_page(request, session, actor, chooser)


@router.post("/consular", dependencies=[Csrf])
async def record_consular(
    request: Request, session: DbSession, actor: CaseWriter
) -> Response:
    form = await request.form()
    pickers, searching = fill_pickers(session, actor, form, {"person_id": "people"})
    chooser = pickers["person_id"]
    values = {
        "detained_at": _text(form, "detained_at")[:40],
        "wish": _text(form, "wish"),
    }
    if searching:  # the no-JS "Search" button: the same form, with the choices
        return _consular_page(request, session, actor, chooser, values=values)
    person_id = _uuid(chooser.value)
    detained = plausible_moment(values["detained_at"])
    errors: dict[str, str] = {}
    if person_id is None:
        errors["person_id"] = _("Find the person by name and choose them.")
    if detained is None:
        errors["detained_at"] = _("Give the date and time of detention.")
    if person_id is not None and detained is not None:
        try:
            service.record_consular_wish(
                session,
                actor=actor,
                person_id=person_id,
                wish=values["wish"],
                detained_at=detained,
            )
        except InvalidInput as exc:
            errors["form"] = exc.translated()
        else:
            return _see("/protection/consular")
    return _consular_page(
        request,
        session,
        actor,
        chooser,
        values=values,
        errors=errors,
        status_code=422,
    )


# --- exports -----------------------------------------------------------------------


@router.get(
    "/exports",
    response_class=HTMLResponse,
    dependencies=[Depends(Require("export:cases", web=True))],
)
def export_form(request: Request) -> Response:
    return render(request, "protection/export.html", {"error": None, **_labels()})


@router.post("/exports", dependencies=[Csrf])
async def export(request: Request, session: DbSession, actor: Exporter) -> Response:
    form = await request.form()
    file = service.export_cases(
        session,
        actor=actor,
        fmt=_text(form, "format") or "csv",
        password=_text(form, "password") or None,
        encrypt=True,
    )
    return Response(
        file.content,
        media_type=file.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )
