"""Identity JSON routes under /api/v1."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from puente.identity import service
from puente.identity.permissions import Actor
from puente.identity.schemas import MeRead
from puente.web.deps import DbSession, Require

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.get("/me", response_model=MeRead)
def me(
    session: DbSession, actor: Annotated[Actor, Depends(Require("me:read"))]
) -> MeRead:
    """Who the caller is: username, tenant, organisation and roles."""
    return MeRead(
        username=actor.username,
        tenant=actor.tenant_code,
        organisation=service.organisation_name(session, actor.organisation_id),
        roles=sorted(role.value for role in actor.roles),
    )
