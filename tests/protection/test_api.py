"""The protection API contract: cases, returns (409 naming the failed checks),
tenant walls (404), optimistic locking (409)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient


def _person(client: TestClient, token: str, **extra: str) -> str:
    body = {
        "given_name": "Luis",
        "family_name": "Rondón",
        "sex": "M",
        "birth_date": "1985",
        "nationality": "VEN",
        **extra,
    }
    response = client.post(
        "/api/v1/people", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


class TestCasesApi:
    def test_open_a_case_and_another_tenant_gets_404(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        col = token_for("caseworker.col")
        pan = token_for("caseworker.pan")
        person = _person(client, col)
        created = client.post(
            "/api/v1/protection/cases",
            json={"person_id": person},
            headers={"Authorization": f"Bearer {col}"},
        )
        assert created.status_code == 201
        case_id = created.json()["id"]
        other = client.post(
            "/api/v1/protection/cases",
            json={"person_id": person},
            headers={"Authorization": f"Bearer {pan}"},
        )
        assert other.status_code == 404
        read = client.get(
            f"/api/v1/protection/cases/{case_id}",
            headers={"Authorization": f"Bearer {pan}"},
        )
        assert read.status_code == 404

    def test_a_stale_edit_answers_409(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        col = {"Authorization": f"Bearer {token_for('caseworker.col')}"}
        person = _person(client, col["Authorization"][7:])
        case = client.post(
            "/api/v1/protection/cases", json={"person_id": person}, headers=col
        ).json()
        first = client.patch(
            f"/api/v1/protection/cases/{case['id']}",
            json={"expected_version": case["version"], "summary": "one"},
            headers=col,
        )
        assert first.status_code == 200
        stale = client.patch(
            f"/api/v1/protection/cases/{case['id']}",
            json={"expected_version": case["version"], "summary": "two"},
            headers=col,
        )
        assert stale.status_code == 409
        assert stale.json()["error"] == "StaleCase"


class TestReturnsApi:
    def test_unaccompanied_child_without_bid_409_names_the_check(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        col = token_for("caseworker.col")
        sup = {"Authorization": f"Bearer {token_for('supervisor.col')}"}
        child = _person(client, col, birth_date="2012-03-04", nationality="GTM")
        decision = client.post(
            "/api/v1/protection/returns",
            json={
                "person_id": child,
                "destination": "GTM",
                "facts": {"is_unaccompanied_or_separated": True},
            },
            headers=sup,
        )
        assert decision.status_code == 201, decision.text
        body = decision.json()
        assert body["gate_passed"] is False
        assert "child_best_interests_determination" in body["failed_checks"]
        assert all(c["reason"] for c in body["checks"])
        approve = client.post(
            f"/api/v1/protection/returns/{body['id']}/approve", headers=sup
        )
        assert approve.status_code == 409
        error = approve.json()
        assert error["error"] == "ReturnBlocked"
        assert "child_best_interests_determination" in error["detail"]["failed_checks"]

    def test_the_unaccompanied_flag_of_the_request_reaches_the_gate(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        col = token_for("caseworker.col")
        sup = {"Authorization": f"Bearer {token_for('supervisor.col')}"}
        child = _person(client, col, birth_date="2013", nationality="HND")
        decision = client.post(
            "/api/v1/protection/returns",
            json={"person_id": child, "destination": "HND", "unaccompanied": True},
            headers=sup,
        )
        assert decision.status_code == 201, decision.text
        approve = client.post(
            f"/api/v1/protection/returns/{decision.json()['id']}/approve", headers=sup
        )
        assert approve.status_code == 409
        assert (
            "child_best_interests_determination"
            in approve.json()["detail"]["failed_checks"]
        )

    def test_another_tenants_person_answers_404(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        person = _person(client, token_for("caseworker.pan"))
        response = client.post(
            "/api/v1/protection/returns",
            json={"person_id": person, "destination": "VEN"},
            headers={"Authorization": f"Bearer {token_for('supervisor.col')}"},
        )
        assert response.status_code == 404
