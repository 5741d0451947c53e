"""Commitments JSON routes under /api/v1/commitments: the commitments (by
state, kind, section, package, status), one with its evidence, status changes
with evidence, new deliverables and the action packages."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from puente.commitments import service
from puente.commitments.schemas import (
    CommitmentDetail,
    CommitmentRead,
    DeliverableCreate,
    PackageRead,
    StatusChange,
)
from puente.identity import Actor
from puente.web.deps import DbSession, Require

router = APIRouter(prefix="/api/v1/commitments", tags=["commitments"])
Reader = Annotated[Actor, Depends(Require("commitment:read"))]
Writer = Annotated[Actor, Depends(Require("commitment:write"))]


@router.get("", response_model=list[CommitmentRead])
def commitments(
    session: DbSession,
    actor: Reader,
    state: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    section: Annotated[str | None, Query(max_length=20)] = None,
    action_package: Annotated[str | None, Query(max_length=10)] = None,
    status: Annotated[str | None, Query(max_length=12)] = None,
) -> list[CommitmentRead]:
    return service.list_commitments(
        session,
        actor=actor,
        where=service.CommitmentFilter(
            state=state,
            kind=kind,
            section=section,
            action_package=action_package,
            status=status,
        ),
    )


@router.get("/packages", response_model=list[PackageRead])
def packages(actor: Reader) -> list[PackageRead]:
    return service.list_packages(actor=actor)


@router.get("/{commitment_id}", response_model=CommitmentDetail)
def commitment(
    session: DbSession, actor: Reader, commitment_id: uuid.UUID
) -> CommitmentDetail:
    return service.get_commitment(session, actor=actor, commitment_id=commitment_id)


@router.post("/{commitment_id}/status", response_model=CommitmentDetail)
def change_status(
    session: DbSession, actor: Writer, commitment_id: uuid.UUID, body: StatusChange
) -> CommitmentDetail:
    """Set the status (with evidence for in progress and fulfilled): the focal
    point of the commitment's state, or the hub's coordinator."""
    return service.change_status(
        session, actor=actor, commitment_id=commitment_id, change=body
    )


@router.post("/states/{state}", response_model=CommitmentDetail, status_code=201)
def add_deliverable(
    session: DbSession, actor: Writer, state: str, body: DeliverableCreate
) -> CommitmentDetail:
    """A new deliverable of the focal point's own state."""
    return service.add_deliverable(session, actor=actor, state=state[:3], data=body)
