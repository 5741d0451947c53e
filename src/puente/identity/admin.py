"""Administration use cases: users, organisations, password and authenticator resets.

Every write is authorized (`user:manage` in the user's tenant), audited with ids and
codes only (never a username, a reason's free text or a password), and a lost
authenticator is reset only when a *second* administrator approves the request.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Select, func, literal, select, update
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.db import utcnow
from puente.core.i18n import LOCALES, N_
from puente.identity import throttle
from puente.identity.errors import (
    NotYourself,
    OrganisationExists,
    OrganisationNotFound,
    ResetAlreadyDecided,
    ResetAlreadyPending,
    ResetRequestNotFound,
    SecondAdminRequired,
    UnknownChoice,
    UnknownRole,
    UserNotFound,
)
from puente.identity.models import (
    MfaResetRequest,
    Organisation,
    Tenant,
    User,
    UserSession,
)
from puente.identity.permissions import Actor, Role, authorize
from puente.identity.service import create_user, hash_password, reset_mfa
from puente.identity.visibility import visible

# Why an account is changed: codes (audited) with labels (shown).
RESET_REASONS: Final = {
    "lost_device": N_("The phone or device was lost or replaced"),
    "forgotten": N_("The person forgot the password"),
    "left_organisation": N_("The person left the organisation"),
    "security_incident": N_("Suspected misuse or security incident"),
    "returned": N_("The person is back at work"),
    "other": N_("Another reason, recorded on paper"),
}
ORGANISATION_KINDS: Final = {
    "ministry": N_("Government ministry or agency"),
    "un_agency": N_("United Nations agency"),
    "ngo": N_("Non-governmental organisation"),
    "secretariat": N_("Secretariat"),
    "employer": N_("Employer"),
    "donor": N_("Donor"),
    "other": N_("Other"),
}
PER_PAGE: Final = 25
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]?$")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,78}[a-z0-9]$")


def _reason(reason: str) -> str:
    if reason not in RESET_REASONS:
        raise UnknownChoice()
    return reason


def _roles(roles: list[str]) -> list[str]:
    for role in roles:
        if role not in Role.__members__.values():
            raise UnknownRole(role=role)
    return sorted(set(roles))


def get_user(session: Session, *, actor: Actor, user_id: uuid.UUID) -> User:
    """A user the admin may read (another tenant's users are simply not found)."""
    stmt = visible(actor, select(User).where(User.id == user_id), User, "user:read")
    user = session.scalars(stmt).one_or_none()
    if user is None:
        raise UserNotFound()
    authorize(actor, "user:read", tenant_code=user.tenant_code)
    return user


@dataclass(frozen=True)
class UserFilter:
    q: str = ""
    role: str = ""
    organisation_id: uuid.UUID | None = None
    active: bool | None = None


def _filtered(
    actor: Actor, stmt: Select[tuple[User]], f: UserFilter
) -> Select[tuple[User]]:
    stmt = visible(actor, stmt, User, "user:read")
    if f.q:
        stmt = stmt.where(User.username.ilike(f"%{_escape_like(f.q)}%", escape="\\"))
    if f.role:
        if f.role not in Role.__members__.values():
            raise UnknownChoice()
        # roles is a sorted comma list: match a whole item
        stmt = stmt.where(
            (literal(",") + User.roles + literal(",")).like(f"%,{f.role},%")
        )
    if f.organisation_id is not None:
        stmt = stmt.where(User.organisation_id == f.organisation_id)
    if f.active is not None:
        stmt = stmt.where(User.is_active.is_(f.active))
    return stmt


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_users(
    session: Session,
    *,
    actor: Actor,
    filters: UserFilter,
    page: int = 1,
    per_page: int | None = PER_PAGE,
) -> tuple[list[User], int]:
    """One page of the users the admin manages, by username, and the total count."""
    authorize(actor, "user:read")
    stmt = _filtered(actor, select(User), filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = stmt.order_by(User.username)
    if per_page is not None:
        stmt = stmt.limit(per_page).offset((max(page, 1) - 1) * per_page)
    return list(session.scalars(stmt)), total


def new_password() -> str:
    """A one-time password: 4 groups of 4 letters and digits, easy to read aloud."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join(
        "".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4)
    )


def add_user(
    session: Session,
    *,
    actor: Actor,
    username: str,
    roles: list[str],
    organisation_id: uuid.UUID | None,
    locale: str | None = None,
) -> tuple[User, str]:
    """Create a user in the admin's tenant; returns it and its one-time password."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise UnknownChoice()
    if organisation_id is not None:
        _organisation(session, actor=actor, organisation_id=organisation_id)
    password = new_password()
    user = create_user(
        session,
        actor=actor,
        username=username,
        password=password,
        tenant_code=actor.tenant_code,
        roles=_roles(roles),
        organisation_id=organisation_id,
        locale=locale,
    )
    return user, password


def update_user(
    session: Session,
    *,
    actor: Actor,
    user_id: uuid.UUID,
    roles: list[str],
    organisation_id: uuid.UUID | None,
) -> User:
    user = get_user(session, actor=actor, user_id=user_id)
    authorize(actor, "user:manage", tenant_code=user.tenant_code)
    wanted = _roles(roles)
    if user.id == actor.user_id and Role.ADMIN.value not in wanted:
        raise NotYourself()
    if organisation_id is not None:
        _organisation(session, actor=actor, organisation_id=organisation_id)
    before = user.roles
    user.roles = ",".join(wanted)
    user.organisation_id = organisation_id
    session.flush()
    audit.record(
        session,
        actor,
        "identity:user:update",
        tenant_code=user.tenant_code,
        object_type="user",
        object_id=user.id,
        roles=user.roles,
        roles_before=before,
        organisation_id=str(organisation_id) if organisation_id else None,
    )
    return user


def _end_sessions(session: Session, user: User) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def set_active(
    session: Session,
    *,
    actor: Actor,
    user_id: uuid.UUID,
    active: bool,
    reason: str,
) -> User:
    """Deactivate (ends every session) or reactivate an account, with a reason."""
    user = get_user(session, actor=actor, user_id=user_id)
    authorize(actor, "user:manage", tenant_code=user.tenant_code)
    if user.id == actor.user_id:
        raise NotYourself()
    user.is_active = active
    if not active:
        _end_sessions(session, user)
    audit.record(
        session,
        actor,
        "identity:user:reactivate" if active else "identity:user:deactivate",
        tenant_code=user.tenant_code,
        object_type="user",
        object_id=user.id,
        reason=_reason(reason),
    )
    return user


def reset_password(
    session: Session, *, actor: Actor, user_id: uuid.UUID, reason: str
) -> str:
    """A new one-time password (shown once, never stored in clear); ends sessions
    and lifts a lockout."""
    user = get_user(session, actor=actor, user_id=user_id)
    authorize(actor, "user:manage", tenant_code=user.tenant_code)
    if user.id == actor.user_id:
        raise NotYourself()
    password = new_password()
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    throttle.clear_name(session, user.username)
    _end_sessions(session, user)
    audit.record(
        session,
        actor,
        "identity:user:password_reset",
        tenant_code=user.tenant_code,
        object_type="user",
        object_id=user.id,
        reason=_reason(reason),
    )
    return password


# Authenticator resets (four eyes) ---------------------------------------------------


def request_mfa_reset(
    session: Session, *, actor: Actor, user_id: uuid.UUID, reason: str
) -> MfaResetRequest:
    user = get_user(session, actor=actor, user_id=user_id)
    authorize(actor, "user:manage", tenant_code=user.tenant_code)
    if user.id == actor.user_id:
        raise NotYourself()
    pending = session.scalars(
        select(MfaResetRequest.id).where(
            MfaResetRequest.user_id == user.id, MfaResetRequest.status == "pending"
        )
    ).first()
    if pending is not None:
        raise ResetAlreadyPending()
    assert actor.user_id is not None  # an admin is a user  # noqa: S101
    request = MfaResetRequest(
        tenant_code=user.tenant_code,
        user_id=user.id,
        requested_by=actor.user_id,
        reason=_reason(reason),
        status="pending",
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        actor,
        "identity:mfa_reset:request",
        tenant_code=user.tenant_code,
        object_type="user",
        object_id=user.id,
        request_id=str(request.id),
        reason=request.reason,
    )
    return request


def pending_mfa_resets(session: Session, *, actor: Actor) -> list[MfaResetRequest]:
    authorize(actor, "user:read")
    stmt = visible(
        actor,
        select(MfaResetRequest).where(MfaResetRequest.status == "pending"),
        MfaResetRequest,
        "user:read",
    )
    return list(session.scalars(stmt.order_by(MfaResetRequest.requested_at)))


def _pending_request(
    session: Session, actor: Actor, request_id: uuid.UUID
) -> MfaResetRequest:
    stmt = visible(
        actor,
        select(MfaResetRequest).where(MfaResetRequest.id == request_id),
        MfaResetRequest,
        "user:read",
    )
    request = session.scalars(stmt).one_or_none()
    if request is None:
        raise ResetRequestNotFound()
    authorize(actor, "user:manage", tenant_code=request.tenant_code)
    if request.status != "pending":
        raise ResetAlreadyDecided()
    return request


def reset_authenticator(session: Session, actor: Actor, user: User) -> None:
    """Clear a user's authenticator and MFA counters (identity's `reset_mfa`, which
    also ends their sessions) and the password lock, so they enrol anew."""
    reset_mfa(session, actor=actor, user_id=user.id)
    user.failed_logins = 0
    user.locked_until = None
    throttle.clear_name(session, user.username)


def decide_mfa_reset(
    session: Session, *, actor: Actor, request_id: uuid.UUID, approve: bool
) -> MfaResetRequest:
    """Approve (the authenticator is cleared) or refuse; never by the requester."""
    request = _pending_request(session, actor, request_id)
    if request.requested_by == actor.user_id:
        raise SecondAdminRequired()
    if request.user_id == actor.user_id:
        raise NotYourself()
    user = session.get(User, request.user_id)
    if user is None:
        raise UserNotFound()
    request.status = "approved" if approve else "refused"
    request.decided_by = actor.user_id
    request.decided_at = utcnow()
    if approve:
        reset_authenticator(session, actor, user)
    audit.record(
        session,
        actor,
        "identity:mfa_reset:approve" if approve else "identity:mfa_reset:refuse",
        tenant_code=request.tenant_code,
        object_type="user",
        object_id=user.id,
        request_id=str(request.id),
    )
    return request


# Organisations -----------------------------------------------------------------------


def _organisation(
    session: Session, *, actor: Actor, organisation_id: uuid.UUID
) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None or org.tenant_code != actor.tenant_code:
        raise OrganisationNotFound()
    return org


def tenant_organisations(session: Session, *, actor: Actor) -> list[Organisation]:
    """The organisations of the admin's own tenant, by name."""
    authorize(actor, "user:read")
    stmt = select(Organisation).where(Organisation.tenant_code == actor.tenant_code)
    return list(session.scalars(stmt.order_by(Organisation.name)))


def get_organisation(
    session: Session, *, actor: Actor, organisation_id: uuid.UUID
) -> Organisation:
    authorize(actor, "user:read")
    return _organisation(session, actor=actor, organisation_id=organisation_id)


def _slug_for(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-")
    return slug or "org"


def save_organisation(
    session: Session,
    *,
    actor: Actor,
    name: str,
    kind: str,
    organisation_id: uuid.UUID | None = None,
) -> Organisation:
    """Create (organisation_id None) or rename / re-kind an organisation."""
    authorize(actor, "user:manage", tenant_code=actor.tenant_code)
    name = " ".join(name.split())
    if not name or kind not in ORGANISATION_KINDS:
        raise UnknownChoice()
    if organisation_id is None:
        slug = _slug_for(name)
        taken = session.scalars(
            select(Organisation.id).where(
                Organisation.tenant_code == actor.tenant_code, Organisation.slug == slug
            )
        ).first()
        if taken is not None:
            raise OrganisationExists()
        org = Organisation(
            tenant_code=actor.tenant_code, slug=slug, name=name, kind=kind
        )
        session.add(org)
        action = "identity:organisation:create"
    else:
        org = _organisation(session, actor=actor, organisation_id=organisation_id)
        org.name = name
        org.kind = kind
        action = "identity:organisation:update"
    session.flush()
    audit.record(
        session,
        actor,
        action,
        tenant_code=org.tenant_code,
        object_type="organisation",
        object_id=org.id,
        kind=kind,
    )
    return org


# The state's defaults ----------------------------------------------------------------


def tenant_defaults(session: Session, *, actor: Actor) -> Tenant:
    """The admin's own state (or the hub) with its default language."""
    authorize(actor, "user:read")
    tenant = session.get(Tenant, actor.tenant_code)
    if tenant is None:
        raise UnknownChoice()
    return tenant


def set_tenant_locale(session: Session, *, actor: Actor, locale: str | None) -> Tenant:
    """Set the language its users get until they choose one (None: the node's).
    Needs `user:manage` in the tenant; audited with the code chosen."""
    authorize(actor, "user:manage", tenant_code=actor.tenant_code)
    if locale is not None and locale not in LOCALES:
        raise UnknownChoice()
    tenant = tenant_defaults(session, actor=actor)
    tenant.default_locale = locale
    session.flush()
    audit.record(
        session,
        actor,
        "identity:tenant:language",
        tenant_code=tenant.code,
        object_type="tenant",
        object_id=None,
        locale=locale or "",
    )
    return tenant
