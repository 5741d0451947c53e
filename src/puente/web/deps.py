"""Request dependencies: the unit of work, the acting user and route permissions.

`Require("resource:action")` both checks and *declares* a route's permission, so
`tests/test_authorization_matrix.py` can walk every route × every role.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Annotated
from urllib.parse import urlsplit

import structlog
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from puente import identity
from puente.core.db import SYSTEM_SCOPE, RlsScope, set_tenant_scope
from puente.core.errors import PermissionDenied, Unauthenticated, WriteQueueFull
from puente.core.i18n import N_
from puente.identity import Actor, SessionExpired, User, UserSession, can, rls_scope

SESSION_COOKIE = "puente_session"
log = structlog.get_logger(__name__)


class CsrfRefused(PermissionDenied):
    message = N_("The form has expired. Reload the page and try again.")


class RequestTurn:
    """Embedded node (SQLite): requests take their database turn in arrival order,
    waiting on the event loop, not in a worker thread (waiting threads would starve
    the pool that the turn's holder needs). A request that waits longer than
    `sqlite_write_wait_seconds`, or finds `sqlite_max_waiting_writers` already
    waiting, is answered 503 with Retry-After before anything is written."""

    def __init__(self, wait_seconds: float, max_waiting: int) -> None:
        self.wait_seconds = wait_seconds
        self.max_waiting = max_waiting
        self.waiting = 0
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __aenter__(self) -> None:
        loop = asyncio.get_running_loop()
        if self._lock is None or (self._loop is not loop and not self._lock.locked()):
            self._lock = asyncio.Lock()  # FIFO; one per serving loop (test clients)
            self._loop = loop
        if self.waiting >= self.max_waiting:
            raise WriteQueueFull()
        self.waiting += 1
        try:
            await asyncio.wait_for(self._lock.acquire(), self.wait_seconds)
        except TimeoutError as exc:
            raise WriteQueueFull() from exc
        finally:
            self.waiting -= 1

    async def __aexit__(self, *_exc: object) -> None:
        assert self._lock is not None  # noqa: S101 - entered first
        self._lock.release()


async def database_turn(request: Request) -> AsyncIterator[None]:
    turn: RequestTurn | None = getattr(request.app.state, "request_turn", None)
    if turn is None:
        yield
        return
    async with turn:
        yield


def get_db(
    request: Request, _turn: Annotated[None, Depends(database_turn)]
) -> Iterator[Session]:
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


# `scope="function"`: the unit of work commits before the response is sent, so an
# acknowledged write is a committed write (a crash after the answer loses nothing).
DbSession = Annotated[Session, Depends(get_db, scope="function")]


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
        found = identity.resolve_session(session, token)
    except SessionExpired:
        return None
    # The page drawn for this request carries its session's CSRF token.
    request.state.csrf_token = identity.session_csrf_token(session, token)
    return found


def optional_session_user(
    request: Request, session: Session
) -> tuple[UserSession, User] | None:
    """The live session and user of this request, if any (no redirect)."""
    return _session_user(request, session)


def api_actor(request: Request, session: DbSession) -> Actor:
    """The caller of a JSON route: a bearer token, or a session that passed MFA."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = identity.resolve_token(session, header[7:].strip())
        return _bind_actor(request, session, identity.actor_for(user))
    found = _session_user(request, session)
    if found is None:
        raise Unauthenticated()
    record, user = found
    actor = identity.actor_for(user)
    if actor.needs_mfa and not record.mfa_passed:
        raise Unauthenticated()
    if request.method not in SAFE_METHODS:
        # A browser sends the cookie to any site's request: a cookie-authenticated
        # change needs the session's token in the header (bearer tokens do not).
        _check_api_csrf(request, record)
    return _bind_actor(request, session, actor)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _check_api_csrf(request: Request, record: UserSession) -> None:
    sent = request.headers.get("x-csrf-token", "")
    expected = record.csrf_token or ""
    source = request.headers.get("origin") or request.headers.get("referer")
    foreign = source is not None and (
        urlsplit(source).netloc != request.headers.get("host", "")
    )
    if (
        foreign
        or not expected
        or not sent
        or not secrets.compare_digest(expected.encode(), sent.encode())
    ):
        log.info("csrf_refused", channel="api")
        raise CsrfRefused()


def web_session(request: Request, session: DbSession) -> tuple[UserSession, User]:
    found = _session_user(request, session)
    if found is None:
        raise LoginRequired()
    return found


def web_actor(request: Request, session: DbSession) -> Actor:
    """The user of an HTML route; sends them to log in or to MFA when needed."""
    record, user = web_session(request, session)
    actor = identity.actor_for(user)
    if actor.needs_mfa and not record.mfa_passed:
        raise LoginRequired("/mfa" if user.totp_secret else "/mfa/enroll")
    # Dependencies run in worker threads: the format travels on the request and
    # `render` applies it where the page is drawn.
    request.state.date_format = identity.date_format_for(session, user)
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
