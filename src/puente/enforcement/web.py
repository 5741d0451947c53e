"""Enforcement screens: the state's networks, one network with its entities,
links, analysis and a server-rendered graph (SVG, no script), sharing with
another state under an agreement, and what other states shared."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from puente.core.i18n import lazy_gettext
from puente.enforcement import service
from puente.enforcement._common import Walled
from puente.enforcement.rules import network as analysis
from puente.identity import Actor, can
from puente.reference import ENDORSING_STATES
from puente.web.deps import DbSession
from puente.web.templating import DashboardCard, check_csrf, register_card, render

router = APIRouter(prefix="/enforcement", include_in_schema=False)
Reader = Annotated[Actor, Depends(Walled("enforcement:read", web=True))]
Writer = Annotated[Actor, Depends(Walled("enforcement:write", web=True))]
Sharer = Annotated[Actor, Depends(Walled("enforcement:share", web=True))]
Csrf = [Depends(check_csrf)]

register_card(
    DashboardCard(
        "enforcement:read",
        lazy_gettext("Smuggling and trafficking networks"),
        lazy_gettext(
            "Record networks, see who is central, and share reports with another "
            "state under an enforcement agreement."
        ),
        "/enforcement",
        "⛓",
    )
)
KINDS = (
    "route",
    "modus_operandi",
    "vehicle",
    "phone_number",
    "financial_flow",
    "organisation",
)


@router.get("")
def home(request: Request, session: DbSession, actor: Reader) -> Response:
    return render(
        request,
        "enforcement/home.html",
        {
            "networks": service.list_networks(session, actor=actor),
            "received": service.received_reports(session, actor=actor),
            "endorsers": ENDORSING_STATES,
            "may_write": can(actor, "enforcement:write"),
            "may_share": can(actor, "enforcement:share"),
        },
    )


@router.post("/networks", dependencies=Csrf)
async def create_network(
    request: Request, session: DbSession, actor: Writer
) -> Response:
    form = await request.form()
    name = str(form.get("name") or "").strip()
    if not name:
        return RedirectResponse("/enforcement?error=name", status_code=303)
    row = service.create_network(
        session, actor=actor, name=name, summary=str(form.get("summary") or "")
    )
    return RedirectResponse(f"/enforcement/networks/{row.id}", status_code=303)


@router.get("/networks/{network_id}")
def network_page(
    request: Request, session: DbSession, actor: Reader, network_id: uuid.UUID
) -> Response:
    view = service.get_network(session, actor=actor, network_id=network_id)
    placed = analysis.circle_layout(
        [str(e.id) for e in view.entities], view.betweenness
    )
    where = {p.id: p for p in placed}
    labels = {str(e.id): e.label for e in view.entities}
    return render(
        request,
        "enforcement/network.html",
        {
            "view": view,
            "kinds": KINDS,
            "nodes": [(p, labels[p.id]) for p in placed],
            "edges": [
                (where[str(k.source_id)], where[str(k.target_id)]) for k in view.links
            ],
            "labels": labels,
            "components": [sorted(labels[n] for n in part) for part in view.components],
            "shared": request.query_params.get("shared", ""),
            "refused": request.query_params.get("refused", ""),
            "endorsers": ENDORSING_STATES,
            "may_write": can(actor, "enforcement:write"),
            "may_share": can(actor, "enforcement:share"),
        },
    )


@router.post("/networks/{network_id}/entities", dependencies=Csrf)
async def add_entity(
    request: Request, session: DbSession, actor: Writer, network_id: uuid.UUID
) -> Response:
    form = await request.form()
    kind, label = str(form.get("kind") or ""), str(form.get("label") or "").strip()
    if kind in KINDS and label:
        service.add_entity(
            session,
            actor=actor,
            network_id=network_id,
            kind=kind,
            label=label,
            detail=str(form.get("detail") or ""),
        )
    return RedirectResponse(f"/enforcement/networks/{network_id}", status_code=303)


@router.post("/networks/{network_id}/links", dependencies=Csrf)
async def add_link(
    request: Request, session: DbSession, actor: Writer, network_id: uuid.UUID
) -> Response:
    form = await request.form()
    try:
        source = uuid.UUID(str(form.get("source_id")))
        target = uuid.UUID(str(form.get("target_id")))
    except ValueError:
        return RedirectResponse(f"/enforcement/networks/{network_id}", 303)
    service.add_link(
        session,
        actor=actor,
        network_id=network_id,
        source_id=source,
        target_id=target,
        relation=str(form.get("relation") or ""),
    )
    return RedirectResponse(f"/enforcement/networks/{network_id}", status_code=303)


@router.post("/networks/{network_id}/share", dependencies=Csrf)
async def share(
    request: Request, session: DbSession, actor: Sharer, network_id: uuid.UUID
) -> Response:
    form = await request.form()
    state = str(form.get("recipient_state") or "")[:3].upper()
    row = service.share_network(
        session, actor=actor, network_id=network_id, recipient_state=state
    )
    outcome = "shared" if row is not None else "refused"
    return RedirectResponse(
        f"/enforcement/networks/{network_id}?{outcome}={state}", status_code=303
    )


@router.post("/agreements", dependencies=Csrf)
async def agreement(request: Request, session: DbSession, actor: Sharer) -> Response:
    form = await request.form()
    try:
        until = dt.date.fromisoformat(str(form.get("valid_until")))
    except ValueError:
        return RedirectResponse("/enforcement?error=date", status_code=303)
    state = str(form.get("partner_state") or "")[:3].upper()
    reference = str(form.get("reference") or "").strip()
    if len(state) == 3 and state.isalpha() and reference:
        service.create_agreement(
            session,
            actor=actor,
            partner_state=state,
            reference=reference,
            valid_until=until,
        )
    return RedirectResponse("/enforcement", status_code=303)
