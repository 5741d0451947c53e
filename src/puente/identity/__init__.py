"""Identity owns tenants (states and the hub), organisations, users, roles and
permissions, MFA, sessions and API tokens, and the visibility helper every tenant
query passes through. It does not own any domain data."""

from puente.identity.models import Organisation, Tenant, User, UserSession
from puente.identity.permissions import (
    Actor,
    Role,
    Scope,
    Sensitivity,
    authorize,
    can,
    system_actor,
)
from puente.identity.service import OrganisationRead, list_organisations
from puente.identity.visibility import rls_scope, visible

__all__ = [
    "Actor",
    "Organisation",
    "OrganisationRead",
    "Role",
    "Scope",
    "Sensitivity",
    "Tenant",
    "User",
    "UserSession",
    "authorize",
    "can",
    "list_organisations",
    "rls_scope",
    "system_actor",
    "visible",
]
