"""The composition root's error answers: every JSON error of the API is
`{"error", "code", "detail"}` with `detail` in the request's locale; HTML routes get
the error page. `code` is what clients branch on (STYLE §17)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import DataError

from puente.core import i18n
from puente.core.errors import DomainError

ERROR_KEYS = {"error", "code", "detail"}


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == ERROR_KEYS
    return body


class TestErrorShape:
    def test_401_names_its_code_and_answers_in_the_request_language(
        self, client: TestClient
    ) -> None:
        body = _error(client.get("/api/v1/me"), 401)
        assert body == {
            "error": "Unauthenticated",
            "code": "unauthenticated",
            "detail": "Authentication required.",
        }
        spanish = client.get("/api/v1/me", headers={"Accept-Language": "es-CO,es"})
        assert _error(spanish, 401)["detail"] == "Se requiere autenticación."
        assert spanish.headers["www-authenticate"] == "Bearer"

    def test_a_domain_error_carries_its_own_code(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = {"Authorization": f"Bearer {token_for('caseworker.col')}"}
        missing = f"/api/v1/people/{uuid.uuid4()}"
        body = _error(client.get(missing, headers=headers), 404)
        assert body["error"] == "PersonNotFound"
        assert body["code"] == "person_not_found"
        assert body["detail"] == "This person was not found."
        french = client.get(missing, headers={**headers, "Accept-Language": "fr"})
        with i18n.use_locale("fr"):
            expected = i18n.gettext("This person was not found.")
        assert expected != "This person was not found."
        assert _error(french, 404)["detail"] == expected

    def test_an_unknown_route_is_a_404_in_the_same_shape(
        self, client: TestClient
    ) -> None:
        body = _error(client.get("/api/v1/no-such-thing"), 404)
        assert body == {
            "error": "NotFound",
            "code": "not_found",
            "detail": "Not found.",
        }
        french = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "fr"})
        assert _error(french, 404)["detail"] == "Introuvable."

    def test_a_wrong_method_is_a_405_that_keeps_the_allow_header(
        self, client: TestClient
    ) -> None:
        response = client.delete("/api/v1/me")
        body = _error(response, 405)
        assert body["error"] == "MethodNotAllowed"
        assert body["code"] == "method_not_allowed"
        assert body["detail"] == "This method is not allowed here."
        assert "GET" in response.headers["allow"]

    def test_a_validation_error_names_the_fields(
        self, client: TestClient, token_for: Callable[[str], str]
    ) -> None:
        headers = {"Authorization": f"Bearer {token_for('caseworker.col')}"}
        response = client.post("/api/v1/people", json={"sex": "F"}, headers=headers)
        body = _error(response, 422)
        assert body["error"] == "InvalidInput"
        assert body["code"] == "invalid_input"
        assert any("given_name" in item["loc"] for item in body["detail"])

    def test_a_nul_character_is_refused_in_the_request_language(
        self, client: TestClient
    ) -> None:
        response = client.get(
            "/api/v1/me", params={"q": "a\x00b"}, headers={"Accept-Language": "es"}
        )
        body = _error(response, 422)
        assert body["code"] == "invalid_input"
        assert body["detail"][0]["loc"] == ["query"]
        with i18n.use_locale("es"):
            expected = i18n.gettext("NUL characters are not allowed.")
        assert expected != "NUL characters are not allowed."
        assert body["detail"][0]["msg"] == expected


class TestRefusalsOutsideTheRouters:
    """DataError and unexpected failures, raised by a route added for the test."""

    @pytest.fixture
    def raising_client(self, app: FastAPI) -> TestClient:
        def data_error() -> None:
            raise DataError("INSERT …", {}, Exception("value out of range"))

        def crash() -> None:
            raise RuntimeError("a secret fact that must not leak")

        def bare_domain_error() -> None:
            raise DomainError()

        app.add_api_route("/api/v1/test-data-error", data_error)
        app.add_api_route("/api/v1/test-crash", crash)
        app.add_api_route("/api/v1/test-domain-error", bare_domain_error)
        return TestClient(app, raise_server_exceptions=False)

    def test_a_value_the_database_refuses_is_a_422(
        self, raising_client: TestClient
    ) -> None:
        body = _error(raising_client.get("/api/v1/test-data-error"), 422)
        assert body["code"] == "invalid_input"
        assert body["detail"] == [{"loc": ["body"], "msg": "A value cannot be stored."}]

    def test_a_crash_is_a_500_in_the_same_shape_without_the_exception(
        self, raising_client: TestClient
    ) -> None:
        response = raising_client.get(
            "/api/v1/test-crash", headers={"Accept-Language": "es"}
        )
        body = _error(response, 500)
        assert body == {
            "error": "InternalError",
            "code": "internal_error",
            "detail": "Algo salió mal.",
        }
        assert "secret" not in response.text

    def test_a_bare_domain_error_is_a_400(self, raising_client: TestClient) -> None:
        body = _error(raising_client.get("/api/v1/test-domain-error"), 400)
        assert body["code"] == "domain_error"


class TestHtmlRoutes:
    def test_an_unknown_page_is_the_error_page_not_json(
        self, client: TestClient
    ) -> None:
        response = client.get("/no-such-page", headers={"Accept-Language": "es"})
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "No encontrado." in response.text
        assert response.headers["content-language"] == "es"


class TestOpenApi:
    def test_the_error_schema_requires_error_code_and_detail(
        self, client: TestClient
    ) -> None:
        spec = client.get("/api/v1/openapi.json").json()
        error = spec["components"]["schemas"]["Error"]
        assert error["required"] == ["error", "code", "detail"]
        assert error["properties"]["code"]["pattern"] == "^[a-z][a-z0-9_]*$"
        ref = {"$ref": "#/components/schemas/Error"}
        me = spec["paths"]["/api/v1/me"]["get"]["responses"]
        assert me["401"]["content"]["application/json"]["schema"] == ref
