"""The totalisation calculator (the worked example filled in) and the
computations an officer chose to keep, for a person or a worker, never a name."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Final

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from puente.core import i18n
from puente.core.errors import DomainError, InvalidInput, PermissionDenied
from puente.core.i18n import N_, lazy_gettext
from puente.identity import Actor, can
from puente.pathways import service
from puente.pathways.schemas import TotalisationRequest
from puente.pathways.web._common import (
    Csrf,
    PathwayReader,
    TotalisationKeeper,
    form_text,
    not_valid,
    router,
)
from puente.web.deps import DbSession
from puente.web.pickers import (
    PICK_FIELD,
    PickerState,
    picker_state,
    resolve_choice,
)
from puente.web.templating import render

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


_COLUMN_LABELS: Final = {
    "state": lazy_gettext("State"),
    "years": lazy_gettext("Years insured"),
    "minimum_years": lazy_gettext("Minimum years"),
    "reference_wage": lazy_gettext("Reference wage"),
    "base_rate": lazy_gettext("Base rate"),
    "base_years": lazy_gettext("Years in base"),
    "rate_per_year": lazy_gettext("Rate per extra year"),
    "agreement": lazy_gettext("Agreement"),
}


def _subject(form: FormData) -> dict[str, str]:
    return {
        "person_id": form_text(form, "person_id", 80),
        "worker_ref": form_text(form, "worker_ref", 80),
    }


def _invalid(error: ValidationError, rows_used: list[int]) -> tuple[str, str]:
    """The message naming the field of the first problem (its column and row, as
    the form shows them) and that input's id."""
    loc = error.errors(include_url=False)[0]["loc"]
    if len(loc) >= 3 and loc[0] == "periods" and isinstance(loc[1], int):
        row = rows_used[loc[1]] if loc[1] < len(rows_used) else 0
        key = str(loc[-1])
        label = f"{_COLUMN_LABELS.get(key, key)} {row + 1}"
        return not_valid(label), f"{key}_{row}"
    key = str(loc[0]) if loc else "agreement"
    return not_valid(_COLUMN_LABELS.get(key, key)), key


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


def _person_picker(
    session: DbSession, actor: Actor, form: Mapping[str, Any], *, search: bool = False
) -> PickerState | None:
    """The person the computation is for, picked by name; None for roles that may
    not read people (they name a worker by reference)."""
    if not can(actor, "person:read"):
        return None
    return picker_state(session, actor, "people", "person_id", form, search=search)


def _totalisation_view(
    request: Request,
    actor: Actor,
    *,
    person: PickerState | None = None,
    rows: list[dict[str, str]],
    subject: dict[str, str],
    agreement: str = "",
    result: object = None,
    error: str = "",
    invalid: str = "",
) -> Response:
    return render(
        request,
        "pathways/totalisation.html",
        {
            "rows": rows,
            "result": result,
            "error": error,
            "invalid": invalid,
            "agreement": agreement,
            "subject": subject,
            "person_picker": person.as_dict() if person is not None else None,
            "can_save": can(actor, TOTALISATION_PERMISSION),
        },
        status_code=422 if error else 200,
    )


@router.get("/totalisation")
def totalisation_page(
    request: Request,
    session: DbSession,
    actor: PathwayReader,
    person_id: str = "",
    worker_ref: str = "",
) -> Response:
    return _totalisation_view(
        request,
        actor,
        person=_person_picker(session, actor, {"person_id": person_id[:36]}),
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
    save = form_text(form, "action") == "save"
    if save and not can(actor, TOTALISATION_PERMISSION):
        raise PermissionDenied()
    rows = []
    periods = []
    rows_used = []
    for i in range(3):
        row = {
            k: form_text(form, f"{k}_{i}", 40)
            for k in ("state", "years", *_SCHEME_KEYS)
        }
        rows.append(row)
        if row["state"] and row["years"]:
            rows_used.append(i)
            periods.append(
                {
                    "state": row["state"].upper(),
                    "years": row["years"],
                    "scheme": {k: row[k] or "0" for k in _SCHEME_KEYS},
                }
            )
    agreement = form_text(form, "agreement", 40)
    subject = _subject(form)
    searching = form_text(form, PICK_FIELD, 40) == "person_id"
    person = _person_picker(session, actor, form, search=searching)
    if person is not None and person.value:
        subject["person_id"] = person.value  # chosen, and readable by the actor
    if searching:  # the no-JS "Search" button: the same form, with the choices
        return _totalisation_view(
            request,
            actor,
            person=person,
            rows=rows,
            subject=subject,
            agreement=agreement,
        )
    result = None
    error = invalid = ""
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
        error, invalid = _invalid(exc, rows_used)
    except PermissionDenied:
        raise
    except DomainError as exc:
        error = exc.translated()
    return _totalisation_view(
        request,
        actor,
        person=person,
        rows=rows,
        subject=subject,
        agreement=agreement,
        result=result,
        error=error,
        invalid=invalid,
    )


@router.get("/totalisation/saved")
def saved_totalisations_page(
    request: Request,
    session: DbSession,
    actor: TotalisationKeeper,
    worker_ref: str = "",
) -> Response:
    """Saved computations, newest first; for one person (picked by name, never
    typed by id) or one worker (by reference) when chosen. Without JavaScript the
    picker's "Search" button sends this form again with the choices listed."""
    params = request.query_params
    searching = params.get(PICK_FIELD, "") == "person_id"
    person = _person_picker(session, actor, params, search=searching)
    subject = {
        "person_id": person.value if person is not None else "",
        "worker_ref": worker_ref.strip()[:40],
    }
    error = ""
    saved = []
    typed = params.get("person_id", "")
    if person is not None and typed.strip() and not person.value:
        # An id sent by hand that is no one the officer may see.
        error = i18n.gettext("Choose the person from the list.")
    try:
        if error:
            raise InvalidInput()
        person_id, worker = _subject_ids(session, actor, subject)
        saved = service.list_totalisations(
            session, actor=actor, person_id=person_id, worker_id=worker
        )
    except PermissionDenied:
        raise
    except DomainError as exc:
        error = error or exc.translated()
    names: dict[str, str] = {}
    if person is not None:
        for found in {str(t.person_id) for t in saved if t.person_id}:
            chosen = resolve_choice(session, actor, "people", found)
            names[found] = chosen.label if chosen is not None else ""
    return render(
        request,
        "pathways/totalisations.html",
        {
            "saved": saved,
            "subject": subject,
            "error": error,
            "person_picker": person.as_dict() if person is not None else None,
            "names": names,
        },
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
