"""Authorization in one place.

A role grants actions on resources with a scope (own, organisation, tenant, region)
and a sensitivity ceiling (public, internal, personal, sensitive). Every service call
checks `authorize`; routes declare the permission they need so that the authorization
matrix test can walk them all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from puente.core.errors import PermissionDenied


class Role(StrEnum):
    CASEWORKER = "caseworker"
    PROTECTION_OFFICER = "protection_officer"
    SUPERVISOR = "supervisor"
    PATHWAYS_OFFICER = "pathways_officer"
    EMPLOYER = "employer"
    ANALYST = "analyst"
    COORDINATOR = "coordinator"
    FOCAL_POINT = "focal_point"
    DONOR = "donor"
    AUDITOR = "auditor"
    ADMIN = "admin"
    INVESTIGATOR = "investigator"
    PROSECUTOR_LIAISON = "prosecutor_liaison"


class Scope(IntEnum):
    OWN = 1
    ORGANISATION = 2
    TENANT = 3
    REGION = 4


class Sensitivity(IntEnum):
    PUBLIC = 0
    INTERNAL = 1
    PERSONAL = 2
    SENSITIVE = 3


@dataclass(frozen=True)
class Grant:
    permission: str  # "resource:action"
    scope: Scope
    ceiling: Sensitivity


def _g(permission: str, scope: Scope, ceiling: Sensitivity) -> Grant:
    return Grant(permission, scope, ceiling)


S = Sensitivity.PUBLIC
INTERNAL = Sensitivity.INTERNAL
P = Sensitivity.PERSONAL
X = Sensitivity.SENSITIVE
OWN, ORG, TEN, REG = Scope.OWN, Scope.ORGANISATION, Scope.TENANT, Scope.REGION

_EVERYONE = (_g("dashboard:view", OWN, INTERNAL), _g("me:read", OWN, P))

ROLE_GRANTS: dict[Role, tuple[Grant, ...]] = {
    Role.CASEWORKER: (
        _g("person:read", ORG, P),
        _g("person:write", ORG, P),
        _g("case:read", ORG, P),
        _g("case:write", ORG, P),
        _g("referral:write", ORG, P),
        _g("export:cases", OWN, P),
        _g("duplicate:review", ORG, P),
        _g("duplicate:merge", ORG, P),
    ),
    Role.PROTECTION_OFFICER: (
        _g("person:read", TEN, X),
        _g("person:write", TEN, X),
        _g("case:read", TEN, X),
        _g("case:write", TEN, X),
        _g("case:approve", TEN, X),
        _g("referral:write", TEN, X),
        _g("return:decide", TEN, X),
        _g("protection:withdraw_fact", TEN, X),
        _g("export:cases", TEN, X),
        _g("duplicate:review", TEN, X),
        _g("duplicate:merge", TEN, X),
        _g("duplicate:scan", TEN, X),
    ),
    Role.SUPERVISOR: (
        _g("person:read", TEN, X),
        _g("person:write", TEN, X),
        _g("case:read", TEN, X),
        _g("case:write", TEN, X),
        _g("case:approve", TEN, X),
        _g("referral:write", TEN, X),
        _g("return:decide", TEN, X),
        _g("protection:withdraw_fact", TEN, X),
        _g("export:cases", TEN, X),
        _g("duplicate:review", TEN, X),
        _g("duplicate:merge", TEN, X),
        _g("duplicate:scan", TEN, X),
    ),
    Role.PATHWAYS_OFFICER: (
        _g("person:read", TEN, P),
        _g("pathway:read", REG, S),
        _g("pathway:screen", TEN, P),
        _g("application:write", TEN, P),
        _g("offer:read", REG, INTERNAL),
        _g("worker:read", TEN, P),
    ),
    Role.EMPLOYER: (
        _g("pathway:read", REG, S),
        _g("offer:read", OWN, INTERNAL),
        _g("offer:write", OWN, INTERNAL),
        _g("match:read", OWN, INTERNAL),
    ),
    Role.ANALYST: (
        _g("flows:read", REG, INTERNAL),
        _g("flows:import", TEN, INTERNAL),
        _g("alert:read", REG, INTERNAL),
        _g("trigger:read", REG, S),
        _g("plan:read", REG, INTERNAL),
        _g("financing:read", REG, S),
        _g("coordination:read", REG, S),
        _g("commitment:read", REG, S),
        _g("pathway:statistics", REG, S),
        _g("return:statistics", REG, S),
    ),
    Role.COORDINATOR: (
        _g("flows:read", REG, INTERNAL),
        _g("alert:read", REG, INTERNAL),
        _g("alert:write", REG, INTERNAL),
        _g("trigger:read", REG, S),
        _g("trigger:propose", REG, S),
        _g("plan:read", REG, INTERNAL),
        _g("plan:write", REG, INTERNAL),
        _g("financing:read", REG, S),
        _g("financing:write", TEN, S),
        _g("financing:import", TEN, S),
        _g("coordination:read", REG, S),
        _g("coordination:write", TEN, S),
        _g("commitment:read", REG, S),
        _g("pathway:statistics", REG, S),
        _g("return:statistics", REG, S),
        _g("commitment:write", TEN, INTERNAL),
    ),
    Role.FOCAL_POINT: (
        _g("flows:read", TEN, INTERNAL),
        _g("alert:read", REG, INTERNAL),
        _g("trigger:read", REG, S),
        _g("trigger:adopt", TEN, S),
        _g("pathway:read", REG, S),
        _g("pathway:publish", TEN, S),
        _g("commitment:read", REG, S),
        _g("pathway:statistics", REG, S),
        _g("return:statistics", REG, S),
        _g("commitment:write", TEN, INTERNAL),
        _g("financing:read", REG, S),
        _g("coordination:read", REG, S),
        _g("agreement:read", TEN, INTERNAL),
        _g("agreement:sign", TEN, INTERNAL),
        _g("exchange:log", TEN, INTERNAL),
    ),
    Role.DONOR: (
        _g("financing:read", REG, S),
        _g("financing:pledge", TEN, S),
        _g("plan:read", REG, INTERNAL),
        _g("commitment:read", REG, S),
        _g("pathway:statistics", REG, S),
        _g("return:statistics", REG, S),
        _g("coordination:read", REG, S),
    ),
    Role.AUDITOR: (
        _g("audit:read", TEN, INTERNAL),
        _g("audit:verify", REG, INTERNAL),
        # Read-only over the responsibility-sharing modules (money, 5W, commitments).
        _g("financing:read", REG, S),
        _g("coordination:read", REG, S),
        _g("commitment:read", REG, S),
        _g("pathway:statistics", REG, S),
        _g("return:statistics", REG, S),
        _g("agreement:read", TEN, INTERNAL),
        _g("exchange:log", TEN, INTERNAL),
    ),
    # Enforcement's own roles: its walled module only, nothing of people,
    # protection or pathways (research/07 separation of purposes).
    Role.INVESTIGATOR: (
        _g("enforcement:read", TEN, X),
        _g("enforcement:write", TEN, X),
        _g("enforcement:share", TEN, X),
    ),
    Role.PROSECUTOR_LIAISON: (
        _g("enforcement:read", TEN, X),
        _g("enforcement:share", TEN, X),
    ),
    Role.ADMIN: (
        _g("user:read", TEN, INTERNAL),
        _g("user:manage", TEN, INTERNAL),
        _g("audit:verify", REG, INTERNAL),
    ),
}

# Roles that can read personal data, and the privileged roles, must pass MFA before
# they see anything.
MFA_ROLES = frozenset(
    role
    for role, grants in ROLE_GRANTS.items()
    if any(grant.ceiling >= Sensitivity.PERSONAL for grant in grants)
) | {Role.ADMIN, Role.AUDITOR}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user (via session or token) or the system."""

    user_id: uuid.UUID | None
    username: str
    tenant_code: str
    organisation_id: uuid.UUID | None
    roles: frozenset[Role] = field(default_factory=frozenset)
    is_system: bool = False

    def grants(self, permission: str) -> list[Grant]:
        return [
            grant
            for role in self.roles
            for grant in (*_EVERYONE, *ROLE_GRANTS.get(role, ()))
            if grant.permission == permission
        ]

    @property
    def needs_mfa(self) -> bool:
        return bool(self.roles & MFA_ROLES)


def system_actor(tenant_code: str = "HUB") -> Actor:
    return Actor(None, "system", tenant_code, None, frozenset(), is_system=True)


def can(actor: Actor, permission: str) -> bool:
    """Whether any of the actor's roles grants `permission` at some scope."""
    return actor.is_system or bool(actor.grants(permission))


def authorize(
    actor: Actor,
    permission: str,
    *,
    tenant_code: str | None = None,
    organisation_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    sensitivity: Sensitivity = Sensitivity.INTERNAL,
) -> Grant | None:
    """Raise PermissionDenied unless a grant covers the target and its sensitivity."""
    if actor.is_system:
        return None
    for grant in sorted(actor.grants(permission), key=lambda g: -g.scope):
        if grant.ceiling < sensitivity:
            continue
        if _in_scope(actor, grant.scope, tenant_code, organisation_id, owner_id):
            return grant
    raise PermissionDenied()


def _in_scope(
    actor: Actor,
    scope: Scope,
    tenant_code: str | None,
    organisation_id: uuid.UUID | None,
    owner_id: uuid.UUID | None,
) -> bool:
    if scope is Scope.REGION:
        return True
    if tenant_code is not None and tenant_code != actor.tenant_code:
        return False
    if scope is Scope.TENANT:
        return True
    if scope is Scope.ORGANISATION:
        return organisation_id is None or organisation_id == actor.organisation_id
    return owner_id is None or owner_id == actor.user_id


def widest_scope(actor: Actor, permission: str) -> Scope | None:
    grants = actor.grants(permission)
    return max((g.scope for g in grants), default=None)


def ceiling(actor: Actor, permission: str) -> Sensitivity:
    """The highest sensitivity the actor may see through `permission`."""
    if actor.is_system:
        return Sensitivity.SENSITIVE
    return max(
        (g.ceiling for g in actor.grants(permission)), default=Sensitivity.PUBLIC
    )
