"""The one helper every query of tenant data passes through (the first wall).

`visible(actor, stmt, Model, permission)` narrows a select to what the actor's widest
grant for that permission covers. `rls_scope(actor)` is what the database's row-level
security sees for the same unit of work (the second wall).
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, false

from puente.core.config import get_settings
from puente.core.db import SYSTEM_SCOPE, RlsScope
from puente.identity.permissions import ROLE_GRANTS, Actor, Scope, widest_scope

SelectT = TypeVar("SelectT", bound=Select[Any])


def visible(actor: Actor, stmt: SelectT, model: Any, permission: str) -> SelectT:
    """Filter `stmt` on `model` to the rows `actor` may see through `permission`."""
    if actor.is_system:
        return stmt
    if not get_settings().app_filter_enabled:
        return stmt  # only tests switch this off, to prove RLS stands alone
    scope = widest_scope(actor, permission)
    if scope is None:
        return stmt.where(false())
    if scope is Scope.REGION:
        return stmt
    stmt = stmt.where(model.tenant_code == actor.tenant_code)
    if scope is Scope.TENANT:
        return stmt
    if scope is Scope.ORGANISATION and hasattr(model, "organisation_id"):
        return stmt.where(model.organisation_id == actor.organisation_id)
    if scope is Scope.OWN and hasattr(model, "owner_id"):
        return stmt.where(model.owner_id == actor.user_id)
    return stmt


def rls_scope(actor: Actor) -> RlsScope:
    """What the database lets this actor's unit of work touch: their own tenant's
    rows, plus every tenant's *shared* rows (aggregates, catalogues, alerts) when a
    regional grant covers them. Person-level tables stay walled to the tenant."""
    if actor.is_system:
        return RlsScope(SYSTEM_SCOPE)
    regional = [
        grant
        for role in actor.roles
        for grant in ROLE_GRANTS.get(role, ())
        if grant.scope is Scope.REGION
    ]
    return RlsScope(
        actor.tenant_code,
        region_read=bool(regional),
        region_write=any(not g.permission.endswith(":read") for g in regional),
    )
