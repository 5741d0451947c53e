"""A protected person's nationalities bar disclosure toward those states (DP-1),
so an edit that replaces or removes one weakens a protection fact: it needs
`protection:withdraw_fact` like every withdrawal (issue 9), and writes nothing
when refused. Adding a nationality is allowed and re-runs the enforcement."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent

API = "/api/v1/protection"


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _person(client: TestClient, token: str) -> dict[str, Any]:
    body = {
        "given_name": "Ana",
        "family_name": f"Rivas {uuid.uuid4().hex[:6]}",
        "sex": "F",
        "birth_date": "1988",
        "nationality": "NIC",
        "other_nationalities": ["HND"],
    }
    response = client.post("/api/v1/people", json=body, headers=_h(token))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _protect(client: TestClient, token: str, person: str) -> None:
    put = client.put(
        f"{API}/people/{person}/profile",
        json={"claim_status": "pending", "expressed_fear": True},
        headers=_h(token),
    )
    assert put.status_code == 204, put.text


def _read(client: TestClient, token: str, person: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/people/{person}", headers=_h(token))
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def test_a_caseworker_cannot_replace_a_protected_persons_nationality(
    client: TestClient, token_for: Callable[[str], str]
) -> None:
    caseworker = token_for("caseworker.col")
    supervisor = token_for("supervisor.col")
    person = _person(client, caseworker)
    _protect(client, supervisor, person["id"])
    before = _read(client, caseworker, person["id"])
    changes: list[dict[str, Any]] = [
        {"nationality": "CRI"},
        {"nationality": None},
        {"other_nationalities": []},
        {"other_nationalities": ["CRI"]},
    ]
    for change in changes:
        refused = client.patch(
            f"/api/v1/people/{person['id']}",
            json={"expected_version": before["version"], **change},
            headers=_h(caseworker),
        )
        assert refused.status_code == 403, (change, refused.text)
        after = _read(client, caseworker, person["id"])
        assert after["nationality"] == "NIC"
        assert after["other_nationalities"] == ["HND"]
        assert after["version"] == before["version"]


def test_adding_a_nationality_is_allowed_and_reenforces(
    client: TestClient, token_for: Callable[[str], str], session: Session
) -> None:
    caseworker = token_for("caseworker.col")
    supervisor = token_for("supervisor.col")
    person = _person(client, caseworker)
    _protect(client, supervisor, person["id"])
    before = _read(client, caseworker, person["id"])
    added = client.patch(
        f"/api/v1/people/{person['id']}",
        json={
            "expected_version": before["version"],
            "other_nationalities": ["HND", "CRI"],
        },
        headers=_h(caseworker),
    )
    assert added.status_code == 200, added.text
    assert set(added.json()["other_nationalities"]) == {"HND", "CRI"}
    # The consular rule now sees CRI too: no notification toward it.
    session.expire_all()
    updates = session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_id == person["id"],
            AuditEvent.action == "people:person:update",
        )
    ).all()
    assert updates


def test_a_protection_officer_may_replace_it(
    client: TestClient, token_for: Callable[[str], str]
) -> None:
    caseworker = token_for("caseworker.col")
    supervisor = token_for("supervisor.col")
    person = _person(client, caseworker)
    _protect(client, supervisor, person["id"])
    before = _read(client, supervisor, person["id"])
    # Even for the role that may, a withdrawal without a reason writes nothing.
    for blank in ({}, {"change_reason": "   "}):
        refused = client.patch(
            f"/api/v1/people/{person['id']}",
            json={"expected_version": before["version"], "nationality": "CRI", **blank},
            headers=_h(supervisor),
        )
        assert refused.status_code == 422, refused.text
        assert "reason" in refused.text
        assert _read(client, supervisor, person["id"])["nationality"] == "NIC"
    done = client.patch(
        f"/api/v1/people/{person['id']}",
        json={
            "expected_version": before["version"],
            "nationality": "CRI",
            "change_reason": "Passport seen: the person is Costa Rican",
        },
        headers=_h(supervisor),
    )
    assert done.status_code == 200, done.text
    assert done.json()["nationality"] == "CRI"


def test_an_unprotected_persons_nationality_is_an_ordinary_edit(
    client: TestClient, token_for: Callable[[str], str]
) -> None:
    caseworker = token_for("caseworker.col")
    person = _person(client, caseworker)
    done = client.patch(
        f"/api/v1/people/{person['id']}",
        json={"expected_version": person["version"], "nationality": "CRI"},
        headers=_h(caseworker),
    )
    assert done.status_code == 200, done.text
    assert done.json()["nationality"] == "CRI"
