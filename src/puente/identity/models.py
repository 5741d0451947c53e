"""Identity tables."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from puente.core.db import Base, TenantMixin, new_id, utcnow


class Tenant(Base):
    """A state (ISO 3166 alpha-3) or the regional hub (`HUB`)."""

    __tablename__ = "tenant"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))  # state | hub
    # The state's defaults, used until a user chooses (None: the node's default).
    default_locale: Mapped[str | None] = mapped_column(String(5))
    default_date_format: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Organisation(TenantMixin, Base):
    __tablename__ = "organisation"
    __table_args__ = (UniqueConstraint("tenant_code", "slug"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # ministry | un_agency | ngo | ...


class User(TenantMixin, Base):
    __tablename__ = "app_user"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisation.id")
    )
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[str] = mapped_column(String(300))  # comma list of Role values
    locale: Mapped[str | None] = mapped_column(String(5))
    date_format: Mapped[str | None] = mapped_column(String(10))  # short|medium|iso
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    mfa_enrolled_at: Mapped[dt.datetime | None]
    # Wrong TOTP codes since the last right one: counted apart from passwords and
    # never reset by a password, so logging in again does not buy more guesses.
    mfa_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    mfa_locked_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class UserSession(TenantMixin, Base):
    """A server-side login session; the cookie holds a token, the table its hash."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256(token)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    mfa_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    pending_totp: Mapped[bytes | None] = mapped_column(LargeBinary)
    ended_at: Mapped[dt.datetime | None]
    # The CSRF token of this session: drawn at every login and MFA step, sent back
    # by every unsafe form, HTMX call and cookie-authenticated API call.
    csrf_token: Mapped[str | None] = mapped_column(String(64))


class ApiToken(TenantMixin, Base):
    __tablename__ = "api_token"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class MfaResetRequest(TenantMixin, Base):
    """A request to reset a user's lost authenticator; a second admin decides."""

    __tablename__ = "mfa_reset_request"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(String(30))  # a code from RESET_REASONS
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(10), default="pending")


class LoginThrottle(Base):
    """Wrong passwords counted per login name, per source, and per name from one
    source. The key is a digest (`identity.throttle`): the table holds no name and
    no address, and a name that exists is counted exactly like one that does not."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The name's own digest on its counters (so a reset lifts them all).
    name_key: Mapped[str | None] = mapped_column(String(64), index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    blocked_until: Mapped[dt.datetime | None]
