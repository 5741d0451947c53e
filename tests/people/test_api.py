"""The people JSON API: the contract of issue 4, tenant walls, 409 and 422."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

PERSON = {
    "given_name": "María José",
    "family_name": "García Márquez",
    "sex": "F",
    "birth_date": "1990-05-17",
    "nationality": "VEN",
}


def _auth(token_for: Callable[[str], str], username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(username)}"}


def _create(
    client: TestClient, headers: dict[str, str], **extra: Any
) -> dict[str, Any]:
    response = client.post("/api/v1/people", json={**PERSON, **extra}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


class TestTenantWall:
    def test_readable_by_supervisor_and_404_to_another_tenant(
        self, client: TestClient, token_for: Callable[[str], str], backend: str
    ) -> None:
        created = _create(client, _auth(token_for, "caseworker.col"))
        person_id = created["id"]
        assert created["tenant_code"] == "COL"
        supervisor = client.get(
            f"/api/v1/people/{person_id}", headers=_auth(token_for, "supervisor.col")
        )
        assert supervisor.status_code == 200
        assert supervisor.json()["family_name"] == "García Márquez"
        other = client.get(
            f"/api/v1/people/{person_id}", headers=_auth(token_for, "caseworker.pan")
        )
        assert other.status_code == 404
        assert other.json()["error"] == "PersonNotFound"

    def test_another_tenant_cannot_edit_or_read_sensitive(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        person_id = _create(client, _auth(token_for, "caseworker.col"))["id"]
        pan = _auth(token_for, "caseworker.pan")
        patch = client.patch(
            f"/api/v1/people/{person_id}",
            json={"expected_version": 1, "given_name": "X"},
            headers=pan,
        )
        assert patch.status_code == 404
        sensitive = client.get(f"/api/v1/people/{person_id}/sensitive", headers=pan)
        assert sensitive.status_code == 404


class TestContract:
    def test_partial_birth_dates(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = _auth(token_for, "caseworker.col")
        year = _create(client, headers, birth_date="1988")
        assert (year["birth_date"], year["birth_precision"]) == ("1988", "year")
        month = _create(client, headers, birth_date="1988-02")
        assert (month["birth_date"], month["birth_precision"]) == ("1988-02", "month")

    def test_bad_input_names_the_field(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = _auth(token_for, "caseworker.col")
        for field, value in (
            ("birth_date", "1990-13-01"),
            ("birth_date", "2999"),
            ("nationality", "VENEZUELA"),
            ("sex", "female"),
        ):
            response = client.post(
                "/api/v1/people", json={**PERSON, field: value}, headers=headers
            )
            assert response.status_code == 422, (field, value)
            locations = [e["loc"] for e in response.json()["detail"]]
            assert any(field in loc for loc in locations), locations
        missing = {k: v for k, v in PERSON.items() if k != "family_name"}
        response = client.post("/api/v1/people", json=missing, headers=headers)
        assert response.status_code == 422
        assert any("family_name" in e["loc"] for e in response.json()["detail"])

    def test_unknown_fields_are_refused(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        response = client.post(
            "/api/v1/people",
            json={**PERSON, "tenant_code": "PAN"},
            headers=_auth(token_for, "caseworker.col"),
        )
        assert response.status_code == 422

    def test_analyst_may_not_register(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        response = client.post(
            "/api/v1/people", json=PERSON, headers=_auth(token_for, "analyst.hub")
        )
        assert response.status_code == 403


class TestOptimisticLocking:
    def test_stale_version_is_409_and_loses_nothing(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = _auth(token_for, "caseworker.col")
        person = _create(client, headers)
        url = f"/api/v1/people/{person['id']}"
        first = client.patch(
            url, json={"expected_version": 1, "given_name": "Maria"}, headers=headers
        )
        assert first.status_code == 200
        assert first.json()["version"] == 2
        stale = client.patch(
            url, json={"expected_version": 1, "family_name": "Pérez"}, headers=headers
        )
        assert stale.status_code == 409
        assert stale.json()["error"] == "StaleEdit"
        current = client.get(url, headers=headers).json()
        assert current["given_name"] == "Maria"
        assert current["family_name"] == "García Márquez"
        assert current["version"] == 2


class TestSearch:
    def test_search_finds_variants_with_a_partial_date(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = _auth(token_for, "caseworker.col")
        person = _create(client, headers, family_name="García Márquez Zz")
        response = client.get(
            "/api/v1/people/search",
            params={"q": "Maria Jose Garcia Marquez Zz", "birth_date": "1990"},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        ids = [c["person_id"] for c in response.json()]
        assert person["id"] in ids
        first = response.json()[ids.index(person["id"])]
        assert {f["field"] for f in first["fields"]} >= {"given_name", "birth_date"}

    def test_search_bad_date_is_422(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        response = client.get(
            "/api/v1/people/search",
            params={"q": "Maria", "birth_date": "19x0"},
            headers=_auth(token_for, "caseworker.col"),
        )
        assert response.status_code == 422
        assert any("birth_date" in e["loc"] for e in response.json()["detail"])


class TestHouseholds:
    def test_register_a_family_in_one_call(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = _auth(token_for, "caseworker.col")
        body = {
            "registration": {"point_kind": "border_post", "place": "Necoclí"},
            "members": [
                {"person": PERSON, "relationship": "head", "is_caregiver": True},
                {
                    "person": {**PERSON, "given_name": "Luis", "sex": "M",
                               "birth_date": "2015"},
                    "relationship": "child",
                },
            ],
        }  # fmt: skip
        response = client.post(
            "/api/v1/people/households/register", json=body, headers=headers
        )
        assert response.status_code == 201, response.text
        household = response.json()
        assert len(household["members"]) == 2
        relationships = {m["relationship"] for m in household["members"]}
        assert relationships == {"head", "child"}
        other = client.get(
            f"/api/v1/people/households/{household['id']}",
            headers=_auth(token_for, "caseworker.pan"),
        )
        assert other.status_code == 404


def test_api_search_is_audited_without_the_name(
    client: TestClient, session: Session, token_for: Callable[[str], str]
) -> None:
    from sqlalchemy import select

    from puente.core.audit import AuditEvent

    headers = _auth(token_for, "caseworker.col")
    found = client.get(
        "/api/v1/people/search",
        params={"q": "Zacarías Quintero", "birth_date": "1971"},
        headers=headers,
    )
    assert found.status_code == 200
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "people:person:search")
    ).all()
    assert events, "the API search wrote no audit event"
    last = events[-1]
    details = json.loads(last.details)
    assert details["screen"] == "api"
    assert details["by"] == "name,birth_date"
    assert "Zacar" not in last.details
    assert "1971" not in last.details
