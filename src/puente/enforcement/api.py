"""Enforcement JSON routes under /api/v1/enforcement: networks, entities, links,
their analysis, agreements, sharing and what other states shared."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from puente.core.i18n import gettext
from puente.enforcement import service
from puente.enforcement._common import Walled
from puente.enforcement.errors import NoEnforcementAgreement
from puente.enforcement.schemas import (
    AgreementCreate,
    EntityCreate,
    EntityRead,
    LinkCreate,
    NetworkCreate,
    NetworkRead,
    ShareCreate,
    SharedRead,
)
from puente.identity import Actor
from puente.web.deps import DbSession

router = APIRouter(prefix="/api/v1/enforcement", tags=["enforcement"])
Reader = Annotated[Actor, Depends(Walled("enforcement:read"))]
Writer = Annotated[Actor, Depends(Walled("enforcement:write"))]
Sharer = Annotated[Actor, Depends(Walled("enforcement:share"))]


def network_read(view: service.NetworkView) -> NetworkRead:
    names = {str(e.id): e.label for e in view.entities}
    return NetworkRead(
        id=view.network.id,
        name=view.network.name,
        summary=view.network.summary,
        entities=[
            EntityRead(
                id=e.id,
                kind=e.kind,
                label=e.label,
                detail=e.detail,
                degree=round(view.degree.get(str(e.id), 0.0), 4),
                betweenness=round(view.betweenness.get(str(e.id), 0.0), 4),
            )
            for e in view.entities
        ],
        links=[
            {
                "source_id": str(k.source_id),
                "target_id": str(k.target_id),
                "relation": k.relation,
            }
            for k in view.links
        ],
        components=[sorted(names[n] for n in part) for part in view.components],
    )


@router.post("/networks", response_model=NetworkRead, status_code=201)
def create_network(
    body: NetworkCreate, session: DbSession, actor: Writer
) -> NetworkRead:
    row = service.create_network(
        session, actor=actor, name=body.name, summary=body.summary
    )
    return network_read(service.get_network(session, actor=actor, network_id=row.id))


@router.get("/networks/{network_id}", response_model=NetworkRead)
def read_network(
    network_id: uuid.UUID, session: DbSession, actor: Reader
) -> NetworkRead:
    return network_read(
        service.get_network(session, actor=actor, network_id=network_id)
    )


@router.post(
    "/networks/{network_id}/entities", response_model=EntityRead, status_code=201
)
def add_entity(
    network_id: uuid.UUID, body: EntityCreate, session: DbSession, actor: Writer
) -> EntityRead:
    row = service.add_entity(
        session, actor=actor, network_id=network_id, **body.model_dump()
    )
    return EntityRead(
        id=row.id,
        kind=row.kind,
        label=row.label,
        detail=row.detail,
        degree=0.0,
        betweenness=0.0,
    )


@router.post(
    "/networks/{network_id}/links", response_model=NetworkRead, status_code=201
)
def add_link(
    network_id: uuid.UUID, body: LinkCreate, session: DbSession, actor: Writer
) -> NetworkRead:
    service.add_link(session, actor=actor, network_id=network_id, **body.model_dump())
    return network_read(
        service.get_network(session, actor=actor, network_id=network_id)
    )


@router.post("/agreements", status_code=201)
def create_agreement(
    body: AgreementCreate, session: DbSession, actor: Sharer
) -> dict[str, str]:
    row = service.create_agreement(session, actor=actor, **body.model_dump())
    return {"id": str(row.id), "partner_state": row.partner_state}


@router.post("/networks/{network_id}/share", response_model=None, status_code=201)
def share(
    network_id: uuid.UUID, body: ShareCreate, session: DbSession, actor: Sharer
) -> dict[str, str] | JSONResponse:
    """403 `NoEnforcementAgreement` unless both states have an agreement in force;
    the refusal is logged all the same."""
    row = service.share_network(
        session,
        actor=actor,
        network_id=network_id,
        recipient_state=body.recipient_state,
    )
    if row is None:
        return JSONResponse(
            {
                "error": "NoEnforcementAgreement",
                "message": gettext(NoEnforcementAgreement.message),
            },
            status_code=403,
        )
    return {"id": str(row.id), "recipient_state": row.recipient_state}


@router.get("/received", response_model=list[SharedRead])
def received(session: DbSession, actor: Reader) -> list[SharedRead]:
    return [
        SharedRead(
            id=r.id,
            sender_state=r.tenant_code,
            agreement_ref=r.agreement_ref,
            network_name=r.network_name,
            report=r.report,
            shared_at=r.shared_at,
        )
        for r in service.received_reports(session, actor=actor)
    ]
