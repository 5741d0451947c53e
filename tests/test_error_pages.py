"""Every HTML error is a page of the app in the reader's language; /api stays JSON."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.conftest import CSRF

Login = Callable[[TestClient, str], TestClient]


def _is_app_page(text: str) -> bool:
    return "<html" in text and 'href="/"' in text and text.strip()[:1] != "{"


@pytest.mark.parametrize("lang", ["en", "es", "pt", "fr", "ht"])
def test_unknown_url_is_a_page_in_the_readers_language(
    client: TestClient, login_as: Login, lang: str
) -> None:
    login_as(client, "admin")
    client.cookies.set("puente_lang", lang)
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert _is_app_page(page.text)
    assert f'lang="{lang}"' in page.text


def test_malformed_id_is_a_404_page_not_json(
    client: TestClient, login_as: Login
) -> None:
    login_as(client, "admin")
    page = client.get("/admin/users/not-a-uuid")
    assert page.status_code == 404
    assert _is_app_page(page.text)


def test_bad_query_value_is_a_422_page_naming_the_field(
    client: TestClient, login_as: Login
) -> None:
    login_as(client, "admin")
    page = client.get("/admin/users", params={"page": "abc"})
    assert page.status_code == 422
    assert _is_app_page(page.text)
    assert "page" in page.text


def test_forbidden_and_conflict_are_pages(client: TestClient, login_as: Login) -> None:
    login_as(client, "caseworker.col")
    assert _is_app_page(client.get("/audit").text)


def test_a_5_mb_paste_is_a_413_page_and_json_under_api(
    client: TestClient, login_as: Login
) -> None:
    login_as(client, "admin")
    big = "x" * (5 * 1024 * 1024)
    page = client.post(
        "/admin/organisations/new", data={**CSRF, "name": big, "kind": "ngo"}
    )
    assert page.status_code == 413
    assert _is_app_page(page.text)
    assert "2 MB" in page.text
    api = client.post(
        "/api/v1/people",
        content=b"{" + b" " * (12 * 1024 * 1024) + b"}",
        headers={"content-type": "application/json"},
    )
    assert api.status_code == 413
    assert api.json()["code"] == "payload_too_large"


def test_api_errors_stay_json(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_server_error_is_a_page_in_the_readers_language(
    app: object, login_as: Login
) -> None:
    from fastapi import FastAPI

    assert isinstance(app, FastAPI)

    @app.get("/boom-for-test")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        client.cookies.set("puente_lang", "fr")
        page = client.get("/boom-for-test")
    assert page.status_code == 500
    assert "<html" in page.text
    assert 'lang="fr"' in page.text
    assert "boom" not in page.text.lower().replace("boom-for-test", "")
