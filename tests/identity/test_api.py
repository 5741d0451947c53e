"""The JSON API contract of the foundation."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_me_with_a_token_names_the_tenant(
    client: TestClient, token_for: Callable[[str], str]
) -> None:
    token = token_for("caseworker.col")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "caseworker.col"
    assert body["tenant"] == "COL"
    assert body["roles"] == ["caseworker"]
    assert body["organisation"] == "Migración Colombia"


def test_me_without_a_token_is_401(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"] == "Unauthenticated"


def test_me_with_a_bad_token_is_401(client: TestClient) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer pnt_x"})
    assert response.status_code == 401


def test_openapi_is_served_under_api_v1(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/me" in spec["paths"]


def test_security_headers_on_every_page(client: TestClient) -> None:
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
