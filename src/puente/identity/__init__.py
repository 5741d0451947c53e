"""Identity owns tenants (states and the hub), organisations, users, roles and
permissions, MFA, sessions and API tokens, and the visibility helper every tenant
query passes through. It does not own any domain data."""

from puente.identity.errors import SessionExpired
from puente.identity.models import Organisation, Tenant, User, UserSession
from puente.identity.permissions import (
    Actor,
    Role,
    Scope,
    Sensitivity,
    authorize,
    can,
    ceiling,
    system_actor,
    widest_scope,
)
from puente.identity.service import (
    OrganisationRead,
    actor_for,
    create_user,
    date_format_for,
    get_user_by_username,
    list_organisations,
    organisation_name,
    resolve_session,
    resolve_token,
    session_csrf_token,
)
from puente.identity.visibility import rls_scope, visible

__all__ = [
    "Actor",
    "Organisation",
    "OrganisationRead",
    "Role",
    "Scope",
    "Sensitivity",
    "SessionExpired",
    "Tenant",
    "User",
    "UserSession",
    "actor_for",
    "authorize",
    "can",
    "ceiling",
    "create_user",
    "date_format_for",
    "get_user_by_username",
    "list_organisations",
    "organisation_name",
    "resolve_session",
    "resolve_token",
    "rls_scope",
    "session_csrf_token",
    "system_actor",
    "visible",
    "widest_scope",
]
