"""Duplicate checks with other states on the person page: each state's answer
in words ("possibly already registered in Panama, high likelihood"), never a
name or a code; the caseworker may mark a candidate as the same person. While a
check waits, the panel refreshes itself for a bounded time: registration never
waits for another state."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from puente.core.db import utcnow
from puente.identity import Actor, can
from puente.people import service
from puente.people.schemas import RemoteCheckRead
from puente.people.web._forms import Csrf, Reader, Writer, _text
from puente.web.deps import DbSession
from puente.web.templating import render

router = APIRouter(prefix="/people", include_in_schema=False)

# How long the panel keeps asking for an answer on its own (then: reload).
REFRESH_FOR: Final = dt.timedelta(minutes=2)


def panel_context(
    session: DbSession, actor: Actor, person_id: uuid.UUID
) -> dict[str, object]:
    checks = service.remote_checks(session, actor=actor, person_id=person_id)
    return {
        "person_id": person_id,
        "checks": checks,
        "refresh": _waiting(checks),
        "can_write": can(actor, "person:write"),
    }


def _waiting(checks: list[RemoteCheckRead]) -> bool:
    now = utcnow()
    return any(
        c.status != "answered" and now - c.requested_at < REFRESH_FOR for c in checks
    )


@router.get("/{person_id}/remote-checks", response_class=HTMLResponse)
def remote_checks_panel(
    person_id: uuid.UUID, request: Request, session: DbSession, actor: Reader
) -> Response:
    """HTMX partial: the checks with other states, refreshed while waiting."""
    return render(
        request,
        "people/_remote_checks.html",
        panel_context(session, actor, person_id),
    )


@router.post("/{person_id}/remote-checks", dependencies=[Csrf])
def check_again(person_id: uuid.UUID, session: DbSession, actor: Writer) -> Response:
    service.request_duplicate_check(session, actor=actor, person_id=person_id)
    return RedirectResponse(f"/people/{person_id}#remote-checks", status_code=303)


@router.post("/{person_id}/remote-checks/{candidate_id}", dependencies=[Csrf])
async def decide(
    person_id: uuid.UUID,
    candidate_id: uuid.UUID,
    request: Request,
    session: DbSession,
    actor: Writer,
) -> Response:
    form = await request.form()
    service.decide_remote_candidate(
        session,
        actor=actor,
        person_id=person_id,
        candidate_id=candidate_id,
        same_person=_text(form, "same_person") == "1",
    )
    return RedirectResponse(f"/people/{person_id}#remote-checks", status_code=303)
