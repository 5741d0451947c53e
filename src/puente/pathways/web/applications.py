"""The catalogue (by state and kind, open or closed) and applications: stages,
documents and decisions with reasons."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Final

from fastapi import Query, Request
from fastapi.responses import RedirectResponse, Response

from puente.core import i18n
from puente.core.errors import InvalidInput
from puente.core.i18n import N_, lazy_gettext
from puente.identity import Actor
from puente.pathways import service
from puente.pathways.rules.stages import STAGE_LABELS, STATUS_LABELS
from puente.pathways.schemas import ApplicationRead
from puente.pathways.web._common import (
    ApplicationWriter,
    Csrf,
    PathwayReader,
    form_text,
    router,
)
from puente.web import lists
from puente.web.deps import DbSession
from puente.web.templating import render

REASON_MAX = 2000


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
    everything = service.list_pathways(session, actor=actor, language=language)
    pathways = [
        p
        for p in everything
        if (not state or p.state == state)
        and (not kind or p.kind == kind)
        and (not open_only or p.is_open)
    ]
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


def _word(labels: Mapping[str, str], code: str) -> str:
    label = labels.get(code)
    return i18n.gettext(label) if label else ""


APPLICATION_COLUMNS: Final[tuple[lists.Column[ApplicationRead], ...]] = (
    lists.Column("pathway", lazy_gettext("Pathway"), lambda a: a.pathway_title),
    lists.Column("applicant", lazy_gettext("Applicant"), lambda a: a.applicant_ref),
    lists.Column(
        "stage", lazy_gettext("Stage"), lambda a: _word(STAGE_LABELS, a.stage)
    ),
    lists.Column(
        "status", lazy_gettext("Status"), lambda a: _word(STATUS_LABELS, a.status)
    ),
    lists.Column("created", lazy_gettext("Started"), lambda a: a.created_at),
)


@router.get("/applications")
def applications_page(
    request: Request,
    session: DbSession,
    actor: ApplicationWriter,
    status: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The applications the officer follows: search, sort, pages, a status
    filter in words, CSV and Excel."""
    status = status if status in STATUS_LABELS else ""
    query = lists.read_query(request, default_sort="created", default_dir="desc")
    rows = service.list_applications(
        session, actor=actor, status=status or None, limit=5000
    )
    listing = lists.build(
        rows,
        APPLICATION_COLUMNS,
        query,
        base_url="/pathways/applications",
        params={"status": status},
    )
    if query.export:
        return lists.export_response(
            listing,
            "pathway-applications",
            session=session,
            actor=actor,
            action="pathways:application:export",
            object_type="application",
        )
    return render(
        request,
        "pathways/applications.html",
        {
            "listing": listing,
            "status": status,
            "statuses": [(code, _word(STATUS_LABELS, code)) for code in STATUS_LABELS],
        },
    )


@router.post("/applications", dependencies=Csrf)
async def application_create(
    request: Request, session: DbSession, actor: ApplicationWriter
) -> Response:
    form = await request.form()
    screening = form_text(form, "screening_id", 80)
    try:
        screening_id = uuid.UUID(screening) if screening else None
    except ValueError as exc:
        raise InvalidInput(N_("The screening id is not valid.")) from exc
    created = service.apply_to_pathway(
        session,
        actor=actor,
        pathway_id=form_text(form, "pathway_id", 80),
        screening_id=screening_id,
    )
    return RedirectResponse(f"/pathways/applications/{created.id}", status_code=303)


def _application_view(
    request: Request,
    session: DbSession,
    actor: Actor,
    application_id: uuid.UUID,
    *,
    error: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    found = service.get_application(session, actor=actor, application_id=application_id)
    return render(
        request,
        "pathways/application.html",
        {"application": found, "error": error, "values": values or {}},
        status_code=422 if error else 200,
    )


@router.get("/applications/{application_id}")
def application_page(
    request: Request,
    session: DbSession,
    actor: ApplicationWriter,
    application_id: uuid.UUID,
) -> Response:
    return _application_view(request, session, actor, application_id)


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
        stage=form_text(form, "stage", 40),
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
    outcome = form_text(form, "outcome", 20)
    reason = form_text(form, "reason", REASON_MAX + 1)
    if outcome not in ("approved", "refused") or not 3 <= len(reason) <= REASON_MAX:
        return _application_view(
            request,
            session,
            actor,
            application_id,
            error=i18n.gettext(
                "Choose approved or refused and give a reason (3 to 2000 characters)."
            ),
            values={"outcome": outcome, "reason": reason},
        )
    service.decide_application(
        session,
        actor=actor,
        application_id=application_id,
        outcome=outcome,
        reason=reason,
    )
    return RedirectResponse(f"/pathways/applications/{application_id}", 303)
