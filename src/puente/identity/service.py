"""Identity use cases: users, passwords, lockout, sessions, MFA, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

import pyotp
import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core import audit
from puente.core.config import get_settings
from puente.core.crypto import decrypt_field, encrypt_field, get_keyring
from puente.core.db import utcnow
from puente.identity import throttle
from puente.identity.errors import (
    AccountLocked,
    InvalidCredentials,
    InvalidTotp,
    LoginThrottled,
    MfaLocked,
    SessionExpired,
    UnknownChoice,
    UnknownRole,
    UserExists,
    UserNotFound,
)
from puente.identity.models import ApiToken, Organisation, Tenant, User, UserSession
from puente.identity.permissions import Actor, Role, authorize

log = structlog.get_logger(__name__)
_hasher = PasswordHasher()  # argon2id with the library's current parameters
# A hash to verify against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
TOTP_STEP = 30


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        tenant_code=user.tenant_code,
        organisation_id=user.organisation_id,
        roles=frozenset(Role(r) for r in user.roles.split(",") if r),
    )


def get_user_by_username(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise UserNotFound()
    return user


def create_user(
    session: Session,
    *,
    actor: Actor,
    username: str,
    password: str,
    tenant_code: str,
    roles: list[str],
    organisation_id: uuid.UUID | None = None,
    locale: str | None = None,
) -> User:
    """Create a user; needs `user:manage` in the user's tenant."""
    authorize(actor, "user:manage", tenant_code=tenant_code)
    for role in roles:
        if role not in Role.__members__.values():
            raise UnknownRole(role=role)
    if session.scalars(select(User.id).where(User.username == username)).first():
        raise UserExists()
    user = User(
        username=username,
        password_hash=hash_password(password),
        tenant_code=tenant_code,
        roles=",".join(sorted(roles)),
        organisation_id=organisation_id,
        locale=locale,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "identity:user:create",
        tenant_code=tenant_code,
        object_type="user",
        object_id=user.id,
    )
    return user


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    source: str = "unknown",
    now: dt.datetime | None = None,
) -> User:
    """Check a password, throttled by name and by source (`identity.throttle`).

    A name that exists and one that does not go through the same steps in the
    same order — the throttle's read, one argon2 verification, the counters and
    an audit row on failure — and a blocked name is answered like a wrong
    password, so neither the answer nor its timing tells a guesser whether the
    account exists. A blocked source gets `LoginThrottled` before any of it.
    """
    now = now or utcnow()
    keys = throttle.keys_for(username, source)
    verdict = throttle.check(session, keys, now)
    if verdict.source_blocked:
        raise LoginThrottled(
            minutes=max(1, -(-verdict.retry_after_seconds // 60)),
            retry_after=verdict.retry_after_seconds,
        )
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    known = user is not None and user.is_active
    stored = user.password_hash if user is not None and known else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
        right = known
    except (VerificationError, InvalidHashError):
        right = False
    if right and not verdict.name_blocked and user is not None:
        throttle.record_success(session, keys)
        user.failed_logins = 0
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        return user
    throttle.record_failure(session, keys, now)
    audit.record(
        session,
        None,
        "identity:login:locked" if verdict.name_blocked else "identity:login:fail",
        tenant_code=user.tenant_code if user is not None else "HUB",
        object_type="user" if user is not None else "login_name",
        object_id=user.id if user is not None else None,
    )
    if verdict.name_blocked and user is not None:
        log.info("login_name_blocked", user_id=str(user.id))
    raise InvalidCredentials()


# Sessions -------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionToken:
    token: str
    record: UserSession


def start_session(session: Session, user: User) -> SessionToken:
    """A fresh session (a new id at every login: no fixation)."""
    token = secrets.token_urlsafe(32)
    record = UserSession(
        id=_sha256(token),
        user_id=user.id,
        tenant_code=user.tenant_code,
        csrf_token=secrets.token_urlsafe(32),
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor_for(user),
        "identity:session:start",
        object_type="user",
        object_id=user.id,
    )
    return SessionToken(token, record)


def rotate_session(session: Session, record: UserSession) -> SessionToken:
    """Replace the session id, keeping its state (after MFA)."""
    token = secrets.token_urlsafe(32)
    fresh = UserSession(
        id=_sha256(token),
        user_id=record.user_id,
        tenant_code=record.tenant_code,
        created_at=record.created_at,
        last_seen_at=utcnow(),
        mfa_passed=record.mfa_passed,
        pending_totp=record.pending_totp,
        csrf_token=secrets.token_urlsafe(32),
    )
    record.ended_at = utcnow()
    session.add(fresh)
    session.flush()
    return SessionToken(token, fresh)


def resolve_session(
    session: Session, token: str, *, now: dt.datetime | None = None
) -> tuple[UserSession, User]:
    """The live session for a cookie token; ends it past the idle or absolute limit."""
    now = now or utcnow()
    settings = get_settings()
    record = session.get(UserSession, _sha256(token))
    if record is None or record.ended_at is not None:
        raise SessionExpired()
    idle = dt.timedelta(minutes=settings.session_idle_minutes)
    absolute = dt.timedelta(hours=settings.session_absolute_hours)
    if now - record.last_seen_at > idle or now - record.created_at > absolute:
        record.ended_at = now
        raise SessionExpired()
    user = session.get(User, record.user_id)
    if user is None or not user.is_active:
        raise SessionExpired()
    if now - record.last_seen_at >= _touch_every(idle):
        # Written at most once a minute: most requests (every GET) stay read-only.
        record.last_seen_at = now
    return record, user


def _touch_every(idle: dt.timedelta) -> dt.timedelta:
    """How stale `last_seen_at` may be before a request writes it again: a
    minute, or half the idle limit when that is shorter, so a person active
    more often than the idle limit minus this is never logged out."""
    return min(dt.timedelta(minutes=1), idle / 2)


def session_csrf_token(session: Session, token: str) -> str | None:
    """The CSRF token kept with the session of a cookie token; None when the
    cookie names no session that has not ended (the caller then falls back to the
    pre-login token). Idle and absolute limits are left to `resolve_session`, so a
    page and the check that follows it agree on the token."""
    record = session.get(UserSession, _sha256(token))
    if record is None or record.ended_at is not None:
        return None
    if record.csrf_token is None:  # a session started before tokens were kept
        record.csrf_token = secrets.token_urlsafe(32)
        session.flush()
    return record.csrf_token


def end_session(session: Session, token: str) -> None:
    record = session.get(UserSession, _sha256(token))
    if record is not None and record.ended_at is None:
        record.ended_at = utcnow()
        audit.record(
            session,
            None,
            "identity:session:end",
            tenant_code=record.tenant_code,
            object_type="user",
            object_id=record.user_id,
        )


# MFA ------------------------------------------------------------------------------


def _seal(user: User, column: str, secret: str) -> bytes:
    return encrypt_field(
        get_keyring(),
        tenant=user.tenant_code,
        table="app_user",
        column=column,
        row_id=str(user.id),
        value=secret,
    )


def _open(user: User, column: str, blob: bytes) -> str:
    return decrypt_field(
        get_keyring(),
        tenant=user.tenant_code,
        table="app_user",
        column=column,
        row_id=str(user.id),
        blob=blob,
    )


def begin_enrolment(record: UserSession, user: User) -> str:
    """A new TOTP secret, held (encrypted) on the session until confirmed."""
    secret = pyotp.random_base32()
    record.pending_totp = _seal(user, "pending_totp", secret)
    return secret


def pending_secret(record: UserSession, user: User) -> str | None:
    if record.pending_totp is None:
        return None
    return _open(user, "pending_totp", record.pending_totp)


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Puente")


ASCII_DIGITS: Final = frozenset("0123456789")


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    code = code.strip().replace(" ", "")
    # ASCII digits only: `str.isdigit` also takes '²' and fullwidth digits, which
    # `compare_digest` cannot compare (a TypeError, once a 500).
    if not code or not set(code) <= ASCII_DIGITS:
        return None
    current = int(now.timestamp()) // TOTP_STEP
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm_enrolment(
    session: Session,
    record: UserSession,
    user: User,
    code: str,
    *,
    now: dt.datetime | None = None,
) -> None:
    now = now or utcnow()
    secret = pending_secret(record, user)
    step = _matching_step(secret, code, now) if secret else None
    if user.mfa_locked_at is not None:
        raise MfaLocked()
    if secret is None or step is None:
        _register_mfa_failure(session, user, now)
        raise InvalidTotp()
    user.mfa_failures = 0
    user.totp_secret = _seal(user, "totp_secret", secret)
    user.totp_last_step = step
    user.mfa_enrolled_at = now
    record.pending_totp = None
    record.mfa_passed = True
    audit.record(
        session,
        actor_for(user),
        "identity:mfa:enrol",
        object_type="user",
        object_id=user.id,
    )


def verify_totp(
    session: Session,
    record: UserSession,
    user: User,
    code: str,
    *,
    now: dt.datetime | None = None,
) -> None:
    """Check a TOTP code; a code whose time step was already used is refused."""
    now = now or utcnow()
    if user.locked_until and user.locked_until > now:
        raise AccountLocked()
    if user.mfa_locked_at is not None:
        raise MfaLocked()
    if user.totp_secret is None:
        raise InvalidTotp()
    step = _matching_step(_open(user, "totp_secret", user.totp_secret), code, now)
    if step is None or step <= user.totp_last_step:
        _register_mfa_failure(session, user, now)
        raise InvalidTotp()
    user.totp_last_step = step
    user.mfa_failures = 0
    record.mfa_passed = True
    audit.record(
        session,
        actor_for(user),
        "identity:mfa:pass",
        object_type="user",
        object_id=user.id,
    )


def _register_mfa_failure(session: Session, user: User, now: dt.datetime) -> None:
    """Count a wrong code; only a right code or `reset_mfa` clears the count (a
    right password does not). Past the threshold MFA locks until an
    administrator resets it."""
    user.mfa_failures += 1
    if (
        user.mfa_failures >= get_settings().mfa_lockout_threshold
        and user.mfa_locked_at is None
    ):
        user.mfa_locked_at = now
        log.info("mfa_locked", user_id=str(user.id))
        audit.record(
            session,
            None,
            "identity:mfa:lock",
            tenant_code=user.tenant_code,
            object_type="user",
            object_id=user.id,
        )
    audit.record(
        session,
        None,
        "identity:mfa:fail",
        tenant_code=user.tenant_code,
        object_type="user",
        object_id=user.id,
    )


def reset_mfa(
    session: Session,
    *,
    actor: Actor,
    user_id: uuid.UUID,
    now: dt.datetime | None = None,
) -> User:
    """Clear a user's authenticator and MFA counters (a lost phone, an MFA lock);
    needs `user:manage` in the user's tenant. The user's live sessions end, so the
    next login enrols a new authenticator."""
    now = now or utcnow()
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound()
    authorize(actor, "user:manage", tenant_code=user.tenant_code)
    user.totp_secret = None
    user.totp_last_step = 0
    user.mfa_enrolled_at = None
    user.mfa_failures = 0
    user.mfa_locked_at = None
    live = session.scalars(
        select(UserSession).where(
            UserSession.user_id == user.id, UserSession.ended_at.is_(None)
        )
    )
    for record in live:
        record.ended_at = now
        record.mfa_passed = False
        record.pending_totp = None
    audit.record(
        session,
        actor,
        "identity:mfa:reset",
        tenant_code=user.tenant_code,
        object_type="user",
        object_id=user.id,
    )
    return user


# API tokens -----------------------------------------------------------------------


def issue_token(session: Session, *, actor: Actor, username: str) -> str:
    """A new bearer token for `username`; only its hash is stored."""
    user = get_user_by_username(session, username)
    authorize(actor, "user:manage", tenant_code=user.tenant_code)
    token = "pnt_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id, tenant_code=user.tenant_code, token_hash=_sha256(token)
        )
    )
    session.flush()
    audit.record(
        session,
        actor,
        "identity:token:issue",
        tenant_code=user.tenant_code,
        object_type="user",
        object_id=user.id,
    )
    return token


def resolve_token(session: Session, token: str) -> User:
    record = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == _sha256(token))
    ).one_or_none()
    if record is None or record.revoked_at is not None:
        raise InvalidCredentials()
    user = session.get(User, record.user_id)
    if user is None or not user.is_active:
        raise InvalidCredentials()
    record.last_used_at = utcnow()
    return user


def organisation_name(
    session: Session, organisation_id: uuid.UUID | None
) -> str | None:
    if organisation_id is None:
        return None
    org = session.get(Organisation, organisation_id)
    return org.name if org else None


# Organisations --------------------------------------------------------------------

REGIONAL_TENANT_KINDS: Final = frozenset({"hub"})
# Kinds that never take assigned work: a company recruiting workers is not a
# responder, and handing it tasks would hand it operational information.
NOT_ASSIGNABLE_KINDS: Final = frozenset({"employer"})


class OrganisationRead(BaseModel):
    """An organisation as a picker shows it (directory data, no person)."""

    id: uuid.UUID
    name: str
    tenant_code: str
    kind: str
    is_regional: bool


def list_organisations(
    session: Session,
    *,
    actor: Actor,
    tenant_codes: Collection[str] | None = None,
) -> list[OrganisationRead]:
    """Organisations `actor` may assign work to, regional ones first, then by
    tenant and name.

    The rule: the organisations of `tenant_codes` (default: the actor's own tenant)
    plus those of the regional hub (tenant kind `hub`), which serve every state;
    never an employer (`NOT_ASSIGNABLE_KINDS`). Another state's organisations are
    only offered when the caller names that state, e.g. a response plan names its
    own tenant and the country it responds in. The caller authorizes the work
    itself (e.g. `plan:write`); row-level security still applies, so on PostgreSQL
    only organisations of tenants the unit of work can read are listed.
    """
    wanted = set(tenant_codes) if tenant_codes is not None else {actor.tenant_code}
    regional = set(
        session.scalars(
            select(Tenant.code).where(Tenant.kind.in_(REGIONAL_TENANT_KINDS))
        )
    )
    rows = session.scalars(
        select(Organisation).where(
            Organisation.tenant_code.in_(wanted | regional),
            Organisation.kind.not_in(NOT_ASSIGNABLE_KINDS),
        )
    )
    found = [
        OrganisationRead(
            id=org.id,
            name=org.name,
            tenant_code=org.tenant_code,
            kind=org.kind,
            is_regional=org.tenant_code in regional,
        )
        for org in rows
    ]
    return sorted(
        found, key=lambda org: (not org.is_regional, org.tenant_code, org.name)
    )


# Preferences ----------------------------------------------------------------------


def locale_for(session: Session, user: User) -> str | None:
    """The user's language, else their state's default (None: the node's)."""
    if user.locale:
        return user.locale
    tenant = session.get(Tenant, user.tenant_code)
    return tenant.default_locale if tenant else None


def date_format_for(session: Session, user: User) -> str | None:
    """The user's date format, else their state's default."""
    if user.date_format:
        return user.date_format
    tenant = session.get(Tenant, user.tenant_code)
    return tenant.default_date_format if tenant else None


def save_preferences(
    session: Session,
    user: User,
    *,
    locale: str | None,
    date_format: str | None,
    locales: Collection[str],
    date_formats: Collection[str],
) -> None:
    """Remember a user's own choices (None: back to the state's default)."""
    if locale is not None and locale not in locales:
        raise UnknownChoice()
    if date_format is not None and date_format not in date_formats:
        raise UnknownChoice()
    user.locale = locale
    user.date_format = date_format
    audit.record(
        session,
        actor_for(user),
        "identity:user:preferences",
        object_type="user",
        object_id=user.id,
        locale=locale,
        date_format=date_format,
    )
