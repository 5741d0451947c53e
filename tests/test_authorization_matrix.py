"""Every route × every role: a role without the route's permission never succeeds,
and a refused request writes nothing (row counts of every table and the audit head
are the same before and after it).

Routes declare their permission through `Require(...)`; routes that need none are
listed in PUBLIC with the reason. A new route that declares nothing fails here.
The 403 / no-CSRF / 404-other-tenant checks on real objects are one generic class,
`RefusalChecks`, in `tests/test_refusals.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from puente.identity.models import User
from puente.identity.permissions import ROLE_GRANTS, Actor, Role, can
from puente.web.deps import Require
from puente.web.templating import check_csrf
from tests.conftest import CSRF
from tests.snapshots import snapshot

# Routes anyone may call, and why.
PUBLIC = {
    ("GET", "/healthz"): "liveness probe",
    ("GET", "/favicon.ico"): "the site icon (a static file)",
    ("GET", "/login"): "the login form",
    ("POST", "/login"): "logging in",
    ("POST", "/logout"): "ends whatever session the cookie names",
    ("POST", "/lang"): "remembers a language choice in a cookie",
    ("GET", "/mfa"): "needs a session that has not passed MFA yet",
    ("POST", "/mfa"): "needs a session that has not passed MFA yet",
    ("GET", "/mfa/enroll"): "needs a session that has not passed MFA yet",
    ("POST", "/mfa/enroll"): "needs a session that has not passed MFA yet",
    ("GET", "/api/v1/exchange/node"): "a node's state and public key, for its peers",
    ("POST", "/api/v1/exchange/envelopes"): (
        "a peer's envelope: authenticated by its Ed25519 signature, then checked "
        "against an active agreement before anything is stored"
    ),
}
SKIP_PATHS = ("/static", "/api/v1/openapi.json", "/api/v1/docs")


def _permissions(route: APIRoute) -> list[Require]:
    found: list[Require] = []

    def walk(dependant: Any) -> None:
        for dep in dependant.dependencies:
            if isinstance(dep.call, Require):
                found.append(dep.call)
            walk(dep)

    walk(route.dependant)
    return found


def all_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, inside included routers too (FastAPI keeps them nested)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from all_routes(nested.routes)
        elif isinstance(route, APIRoute):
            yield route


def _routes(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    for route in all_routes(app.routes):
        if route.path.startswith(SKIP_PATHS):
            continue
        for method in sorted((route.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, route.path, route


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)


def _user_for(session: Session, role: Role) -> str:
    usernames = session.scalars(
        select(
            User.username,
        ).where(User.roles == role.value)
    )
    name = usernames.first()
    if name is None:
        pytest.fail(f"no demo user has role {role}")
    return name


def test_every_route_declares_a_permission_or_is_public(app: FastAPI) -> None:
    undeclared = [
        (method, path)
        for method, path, route in _routes(app)
        if not _permissions(route) and (method, path) not in PUBLIC
    ]
    assert undeclared == []


def test_every_html_form_post_checks_csrf(app: FastAPI) -> None:
    def has_csrf(route: APIRoute) -> bool:
        stack = list(route.dependant.dependencies)
        while stack:
            dep = stack.pop()
            if dep.call is check_csrf:
                return True
            stack.extend(dep.dependencies)
        return False

    missing = [
        path
        for method, path, route in _routes(app)
        if method in {"POST", "PUT", "PATCH", "DELETE"}
        and not path.startswith("/api/")
        and not has_csrf(route)
    ]
    assert missing == []


def test_a_form_post_without_the_csrf_token_is_refused(
    client: TestClient,
    login_as: Callable[[TestClient, str], TestClient],
    sessions: sessionmaker[Session],
) -> None:
    login_as(client, "caseworker.col")
    before = snapshot(sessions)
    response = client.post("/logout", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert snapshot(sessions) == before  # the session row is still there


def test_every_form_post_without_the_csrf_token_is_refused_and_writes_nothing(
    app: FastAPI,
    client: TestClient,
    session: Session,
    sessions: sessionmaker[Session],
    login_as: Callable[[TestClient, str], TestClient],
) -> None:
    """Every HTML form POST, by a user whose role may call it, without the token."""
    unexpected: list[str] = []
    checked = 0
    logged_in: str | None = None
    for method, path, route in _routes(app):
        if method != "POST" or path.startswith("/api/"):
            continue
        required = _permissions(route)
        if not required:
            continue
        role = next(
            (r for r in Role if all(can(_actor(r), q.permission) for q in required)),
            None,
        )
        if role is None:
            continue
        username = _user_for(session, role)
        if username != logged_in:
            client.cookies.clear()
            login_as(client, username)
            logged_in = username
        before = snapshot(sessions)
        response = client.post(_fill(path), data={}, follow_redirects=False)
        checked += 1
        if response.status_code != 403:
            unexpected.append(f"{role} POST {path} -> {response.status_code}")
        elif snapshot(sessions) != before:
            unexpected.append(f"{role} POST {path} wrote while refused")
    assert checked >= 20
    assert unexpected == []


def _actor(role: Role) -> Actor:
    return Actor(None, role.value, "XXX", None, frozenset({role}))


def role_problems(
    client: TestClient,
    sessions: sessionmaker[Session],
    role: Role,
    token: str,
    routes: list[tuple[str, str, APIRoute]],
    expect: Callable[[Actor, str], bool] = can,
) -> tuple[list[str], int, int]:
    """Call each of `routes` as `role` (bearer token under /api/, the session of
    `client` elsewhere): a refused role must get 401/403 and write nothing, an
    allowed role must not be refused. `expect` says what is allowed (the real
    permission table; the mutation check passes the original while enforcement
    runs on a mutated copy). Returns (problems, checked, refused)."""
    unexpected: list[str] = []
    checked = refused = 0
    actor = Actor(None, role.value, "XXX", None, frozenset({role}))
    state = snapshot(sessions)
    for method, path, route in routes:
        required = _permissions(route)
        if not required:
            continue
        allowed = all(expect(actor, r.permission) for r in required)
        headers = (
            {"Authorization": f"Bearer {token}"} if path.startswith("/api/") else {}
        )
        response = client.request(
            method,
            _fill(path),
            headers=headers,
            data=CSRF if method != "GET" and not path.startswith("/api/") else None,
            follow_redirects=False,
        )
        checked += 1
        if not allowed and response.status_code not in (401, 403):
            unexpected.append(f"{role} {method} {path} -> {response.status_code}")
        if allowed and response.status_code in (401, 403):
            unexpected.append(f"{role} denied {method} {path}")
        after = snapshot(sessions)
        if not allowed:
            refused += 1
            if after != state:
                unexpected.append(f"{role} {method} {path} wrote while refused")
        state = after
    return unexpected, checked, refused


def test_matrix_every_route_every_role(
    app: FastAPI,
    client: TestClient,
    session: Session,
    sessions: sessionmaker[Session],
    login_as: Callable[[TestClient, str], TestClient],
    token_for: Callable[[str], str],
) -> None:
    unexpected: list[str] = []
    checked = refused = 0
    routes = list(_routes(app))
    for role in Role:
        username = _user_for(session, role)
        token = token_for(username)
        client.cookies.clear()
        login_as(client, username)
        problems, role_checked, role_refused = role_problems(
            client, sessions, role, token, routes
        )
        unexpected += problems
        checked += role_checked
        refused += role_refused
    assert checked >= len(Role)
    assert refused > 100
    assert unexpected == [], f"unexpected successes, denials or writes: {unexpected}"


def test_every_role_has_grants_and_mfa_covers_personal_data() -> None:
    from puente.identity.permissions import MFA_ROLES, Sensitivity

    for role in Role:
        assert ROLE_GRANTS[role], role
    for role, grants in ROLE_GRANTS.items():
        if any(g.ceiling >= Sensitivity.PERSONAL for g in grants):
            assert role in MFA_ROLES
