"""Mutation check of the authorization matrix (issue 9; docs/security.md).

Deleting a permission check is, for the role it stopped, the same as that role
holding the permission with no limit. For every permission a route declares, on a
COPY of the permission table in which one role that lacks it is given it (region
scope, sensitive ceiling), the matrix routine (`role_problems`, the very loop of
`test_matrix_every_route_every_role`) is run with its expectations from the
original table and enforcement from the copy: it must report a problem. A
mutant that survives means a permission check the matrix cannot see.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from puente.identity import permissions
from puente.identity.permissions import (
    ROLE_GRANTS,
    Actor,
    Grant,
    Role,
    Scope,
    Sensitivity,
)
from tests.test_authorization_matrix import (
    _permissions,
    _routes,
    _user_for,
    role_problems,
)

ORIGINAL = {role: tuple(grants) for role, grants in ROLE_GRANTS.items()}


def _original_can(actor: Actor, permission: str) -> bool:
    everyone = permissions._EVERYONE
    return any(
        grant.permission == permission
        for role in actor.roles
        for grant in (*everyone, *ORIGINAL.get(role, ()))
    )


def _holds(role: Role, permission: str) -> bool:
    return _original_can(Actor(None, "m", "XXX", None, frozenset({role})), permission)


def _mutants(app: FastAPI) -> list[tuple[str, Role]]:
    """(permission, role): each permission routes declare, with a role that lacks
    it but holds every other permission of at least one route that declares it
    (else a second check would hide the deletion: an equivalent mutant)."""
    routes = [
        [req.permission for req in _permissions(route)]
        for _m, _p, route in _routes(app)
    ]
    declared = sorted({permission for needed in routes for permission in needed})
    found = []
    for permission in declared:
        candidates = [
            role
            for role in Role
            if not _holds(role, permission)
            and any(
                permission in needed
                and all(_holds(role, other) for other in needed if other != permission)
                for needed in routes
            )
        ]
        if candidates:
            found.append((permission, candidates[0]))
    return found


def test_deleting_any_one_permission_check_fails_the_matrix(
    app: FastAPI,
    client: TestClient,
    session: Session,
    sessions: sessionmaker[Session],
    login_as: Callable[[TestClient, str], TestClient],
    token_for: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mutants = _mutants(app)
    assert len(mutants) >= 20  # the routes declare many permissions
    routes = list(_routes(app))
    logged_in: dict[Role, str] = {}
    survivors = []
    for permission, role in mutants:
        copy = dict(ORIGINAL)
        copy[role] = (
            *copy[role],
            Grant(permission, Scope.REGION, Sensitivity.SENSITIVE),
        )
        monkeypatch.setattr(permissions, "ROLE_GRANTS", copy)
        username = _user_for(session, role)
        if role not in logged_in:
            logged_in[role] = token_for(username)
        client.cookies.clear()
        login_as(client, username)
        touched = [
            entry
            for entry in routes
            if any(req.permission == permission for req in _permissions(entry[2]))
        ]
        problems, checked, _refused = role_problems(
            client, sessions, role, logged_in[role], touched, expect=_original_can
        )
        assert checked == len(touched)
        if not problems:
            survivors.append(f"{permission} for {role}")
        monkeypatch.setattr(permissions, "ROLE_GRANTS", ORIGINAL)
    assert survivors == [], f"mutants the matrix does not see: {survivors}"


def test_the_unmutated_table_gives_no_problem_for_those_routes(
    app: FastAPI,
    client: TestClient,
    session: Session,
    sessions: sessionmaker[Session],
    login_as: Callable[[TestClient, str], TestClient],
    token_for: Callable[[str], str],
) -> None:
    """The control: without the mutation the same calls report nothing, so a
    problem above comes from the deleted check."""
    routes = list(_routes(app))
    for permission, role in _mutants(app)[:5]:
        username = _user_for(session, role)
        client.cookies.clear()
        login_as(client, username)
        touched = [
            entry
            for entry in routes
            if any(req.permission == permission for req in _permissions(entry[2]))
        ]
        problems, _checked, _refused = role_problems(
            client, sessions, role, token_for(username), touched, expect=_original_can
        )
        assert problems == []
