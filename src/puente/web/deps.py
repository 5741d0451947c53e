"""Request dependencies: the unit of work, the acting user and route permissions.

`Require("resource:action")` both checks and *declares* a route's permission, so
`tests/test_authorization_matrix.py` can walk every route × every role.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import structlog
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from puente.core.db import SYSTEM_SCOPE, RlsScope, set_tenant_scope
from puente.core.errors import PermissionDenied, Unauthenticated
from puente.identity import User, UserSession
from puente.identity import service as identity_service
from puente.identity.errors import SessionExpired
from puente.identity.permissions import Actor, can
from puente.identity.visibility import rls_scope

SESSION_COOKIE = "puente_session"


def get_db(request: Request) -> Iterator[Session]:
    """One unit of work per request: commit on success, roll back on error."""
    session: Session = request.app.state.session_factory()
    # Authentication reads users across tenants; the scope narrows to the actor's
    # tenants as soon as the actor is known (`_bind_actor`).
    session.info["tenant_scope"] = RlsScope(SYSTEM_SCOPE)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_db)]


class LoginRequired(Exception):
    """Raised on web routes without a session: `app.py` redirects to /login."""

    def __init__(self, target: str = "/login") -> None:
        super().__init__(target)
        self.target = target


def _bind_actor(request: Request, session: Session, actor: Actor) -> Actor:
    set_tenant_scope(session, rls_scope(actor))
    request.state.actor = actor
    structlog.contextvars.bind_contextvars(actor_id=str(actor.user_id))
    return actor


def _session_user(
    request: Request, session: Session
) -> tuple[UserSession, User] | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return identity_service.resolve_session(session, token)
    except SessionExpired:
        return None


def optional_session_user(
    request: Request, session: Session
) -> tuple[UserSession, User] | None:
    """The live session and user of this request, if any (no redirect)."""
    return _session_user(request, session)


def api_actor(request: Request, session: DbSession) -> Actor:
    """The caller of a JSON route: a bearer token, or a session that passed MFA."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = identity_service.resolve_token(session, header[7:].strip())
        return _bind_actor(request, session, identity_service.actor_for(user))
    found = _session_user(request, session)
    if found is None:
        raise Unauthenticated()
    record, user = found
    actor = identity_service.actor_for(user)
    if actor.needs_mfa and not record.mfa_passed:
        raise Unauthenticated()
    return _bind_actor(request, session, actor)


def web_session(request: Request, session: DbSession) -> tuple[UserSession, User]:
    found = _session_user(request, session)
    if found is None:
        raise LoginRequired()
    return found


def web_actor(request: Request, session: DbSession) -> Actor:
    """The user of an HTML route; sends them to log in or to MFA when needed."""
    record, user = web_session(request, session)
    actor = identity_service.actor_for(user)
    if actor.needs_mfa and not record.mfa_passed:
        raise LoginRequired("/mfa" if user.totp_secret else "/mfa/enroll")
    # Dependencies run in worker threads: the format travels on the request and
    # `render` applies it where the page is drawn.
    request.state.date_format = identity_service.date_format_for(session, user)
    return _bind_actor(request, session, actor)


CurrentActor = Annotated[Actor, Depends(api_actor)]
WebActor = Annotated[Actor, Depends(web_actor)]


class Require:
    """A route dependency that needs `permission` (and declares it for the matrix)."""

    def __init__(self, permission: str, *, web: bool = False) -> None:
        self.permission = permission
        self.web = web

    def __call__(self, request: Request, session: DbSession) -> Actor:
        actor = web_actor(request, session) if self.web else api_actor(request, session)
        if not can(actor, self.permission):
            raise PermissionDenied()
        return actor
