"""Early-warning JSON routes under /api/v1/early-warning: alerts, their CAP 1.2 XML,
the Atom feed of current alerts, notices, alerts and counts received from peer
states, and response plans."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from puente.early_warning.rules import cap
from puente.early_warning.service import alerts as alert_service
from puente.early_warning.service import peers as peer_service
from puente.early_warning.service import plans as plan_service
from puente.identity import Actor, OrganisationRead
from puente.web.deps import DbSession, Require

router = APIRouter(prefix="/api/v1/early-warning", tags=["early-warning"])
AlertReader = Annotated[Actor, Depends(Require("alert:read"))]
PlanReader = Annotated[Actor, Depends(Require("plan:read"))]
PlanWriter = Annotated[Actor, Depends(Require("plan:write"))]
AlertWriter = Annotated[Actor, Depends(Require("alert:write"))]
FlowsReader = Annotated[Actor, Depends(Require("flows:read"))]


class AlertChange(BaseModel):
    """An Update (optionally with a new severity) or a Cancel of an alert."""

    note: str = Field(min_length=1, max_length=500)
    severity: cap.Severity | None = None


class TaskMove(BaseModel):
    """A task's new status and, optionally, the organisation it is assigned to
    (one of the plan's assignable organisations)."""

    status: str = Field(min_length=1, max_length=20)
    organisation_id: uuid.UUID | None = None


CAP_MEDIA_TYPE = "application/cap+xml"
ATOM_MEDIA_TYPE = "application/atom+xml"


ALERT_PAGE_SIZE = 50


@router.get("/alerts", response_model=alert_service.AlertPage)
def alerts(
    session: DbSession,
    actor: AlertReader,
    current: bool = False,
    limit: Annotated[
        int, Query(ge=1, le=200, description="Page size (default 50, at most 200)")
    ] = ALERT_PAGE_SIZE,
    offset: Annotated[
        int, Query(ge=0, le=10_000_000, description="Alerts to skip")
    ] = 0,
) -> alert_service.AlertPage:
    """Alerts, newest period first, one page at a time: `items` (each alert as
    before), `total` (on every page), `limit` and `offset`; the next page is at
    `offset + limit` while it is below `total`. `current=true` leaves out
    cancelled ones."""
    return alert_service.page_alerts(
        session, actor=actor, current_only=current, limit=limit, offset=offset
    )


@router.get(
    "/alerts.atom",
    response_class=Response,
    responses={200: {"content": {ATOM_MEDIA_TYPE: {}}}},
)
def alerts_atom(request: Request, session: DbSession, actor: AlertReader) -> Response:
    """Atom 1.0 feed of current alerts; each entry links the alert's CAP XML."""
    body = alert_service.atom_feed(session, actor=actor, base_url=str(request.base_url))
    return Response(body, media_type=ATOM_MEDIA_TYPE)


@router.get(
    "/alerts/{alert_id}.cap.xml",
    response_class=Response,
    responses={200: {"content": {CAP_MEDIA_TYPE: {}}}},
)
def alert_cap(session: DbSession, actor: AlertReader, alert_id: uuid.UUID) -> Response:
    """The alert's latest message as CAP 1.2 XML (one info block per language)."""
    body = alert_service.alert_cap_xml(session, actor=actor, alert_id=alert_id)
    return Response(body, media_type=CAP_MEDIA_TYPE)


@router.get("/alerts/{alert_id}", response_model=alert_service.AlertDetail)
def alert(
    session: DbSession, actor: AlertReader, alert_id: uuid.UUID
) -> alert_service.AlertDetail:
    """One alert: why it fired (trigger, condition, values) and its messages."""
    return alert_service.get_alert(session, actor=actor, alert_id=alert_id)


@router.post("/alerts/{alert_id}/update", response_model=alert_service.AlertDetail)
def update_alert(
    session: DbSession, actor: AlertWriter, alert_id: uuid.UUID, change: AlertChange
) -> alert_service.AlertDetail:
    """Send a CAP Update for the alert (e.g. a changed severity)."""
    alert_service.update_alert(
        session,
        actor=actor,
        alert_id=alert_id,
        note=change.note,
        severity=change.severity,
    )
    return alert_service.get_alert(session, actor=actor, alert_id=alert_id)


@router.post("/alerts/{alert_id}/cancel", response_model=alert_service.AlertDetail)
def cancel_alert(
    session: DbSession, actor: AlertWriter, alert_id: uuid.UUID, change: AlertChange
) -> alert_service.AlertDetail:
    """Send a CAP Cancel: the alert leaves the feed and the map."""
    alert_service.cancel_alert(
        session, actor=actor, alert_id=alert_id, note=change.note
    )
    return alert_service.get_alert(session, actor=actor, alert_id=alert_id)


@router.get("/peer-alerts", response_model=list[peer_service.PeerAlertRead])
def peer_alerts(
    session: DbSession, actor: AlertReader, current_only: bool = False
) -> list[peer_service.PeerAlertRead]:
    """CAP alerts received from peer states under an alerts agreement."""
    return peer_service.list_peer_alerts(
        session, actor=actor, current_only=current_only
    )


@router.get("/peer-series", response_model=list[peer_service.PeerSeriesRead])
def peer_series(
    session: DbSession, actor: FlowsReader
) -> list[peer_service.PeerSeriesRead]:
    """Monthly counts peer states shared under a statistics agreement (cells
    under five withheld at the source: null)."""
    return peer_service.list_peer_series(session, actor=actor)


@router.get("/notices", response_model=list[alert_service.NoticeRead])
def notices(session: DbSession, actor: AlertReader) -> list[alert_service.NoticeRead]:
    """The caller's unread alert notices."""
    return alert_service.unread_notices(session, actor=actor)


@router.post(
    "/alerts/{alert_id}/plan",
    response_model=plan_service.PlanDetail,
    status_code=201,
)
def activate_plan(
    session: DbSession, actor: PlanWriter, alert_id: uuid.UUID
) -> plan_service.PlanDetail:
    """Activate the response plan of an alert."""
    plan = plan_service.activate_plan(session, actor=actor, alert_id=alert_id)
    return plan_service.get_plan(session, actor=actor, plan_id=plan.id)


@router.get("/plans", response_model=list[plan_service.PlanSummary])
def plans(session: DbSession, actor: PlanReader) -> list[plan_service.PlanSummary]:
    return plan_service.list_plans(session, actor=actor)


@router.get("/plans/{plan_id}", response_model=plan_service.PlanDetail)
def plan(
    session: DbSession, actor: PlanReader, plan_id: uuid.UUID
) -> plan_service.PlanDetail:
    """A plan: sites, requirements, stock, pledges, gaps and tasks."""
    return plan_service.get_plan(session, actor=actor, plan_id=plan_id)


@router.get("/plans/{plan_id}/organisations", response_model=list[OrganisationRead])
def plan_organisations(
    session: DbSession, actor: PlanReader, plan_id: uuid.UUID
) -> list[OrganisationRead]:
    """Organisations the plan's tasks may be assigned to: the plan's tenant's, the
    responding country's and the regional hub's (never employers)."""
    return plan_service.assignable_organisations(session, actor=actor, plan_id=plan_id)


@router.post("/plans/{plan_id}/tasks/{task_id}", response_model=plan_service.TaskRead)
def move_task(
    session: DbSession,
    actor: PlanWriter,
    plan_id: uuid.UUID,
    task_id: uuid.UUID,
    move: TaskMove,
) -> plan_service.TaskRead:
    """Move a task (open, in_progress, done) and optionally reassign it."""
    plan_service.move_task(
        session,
        actor=actor,
        plan_id=plan_id,
        task_id=task_id,
        status=move.status,
        organisation_id=move.organisation_id,
    )
    plan = plan_service.get_plan(session, actor=actor, plan_id=plan_id)
    return next(task for task in plan.tasks if task.id == task_id)
