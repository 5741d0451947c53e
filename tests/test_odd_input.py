"""Odd input is a 4xx in the documented shape, never a 500 (issue 9, item 10):
superscript, fullwidth and 5,000-digit numbers in forms and query parameters,
out-of-range datetimes, lone surrogates and deeply nested JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import CSRF

PERSON = {
    "given_name": "Ana",
    "family_name": "Pérez",
    "sex": "F",
    "birth_date": "1990-05-17",
    "nationality": "VEN",
}
ODD_NUMBERS = ["²", "1" * 5000, "１２", "-1", "1e3", "٣"]
FAR_DATETIMES = ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"]


def _auth(token_for: Callable[[str], str], username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(username)}"}


def _documented(response: Any) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error", "code", "detail"}, body


def _person(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post("/api/v1/people", json=PERSON, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize("raw", FAR_DATETIMES)
def test_far_datetimes_in_json_are_4xx(
    client: TestClient, token_for: Callable[[str], str], raw: str
) -> None:
    headers = _auth(token_for, "caseworker.col")
    response = client.post(
        "/api/v1/people",
        json={**PERSON, "registration": {"registered_at": raw}},
        headers=headers,
    )
    _documented(response)
    person_id = _person(client, headers)
    response = client.post(
        "/api/v1/protection/consular",
        json={"person_id": person_id, "wish": "notify", "detained_at": raw},
        headers=headers,
    )
    _documented(response)


def test_a_lone_surrogate_in_json_is_4xx(
    client: TestClient, token_for: Callable[[str], str]
) -> None:
    headers = {**_auth(token_for, "caseworker.col"), "content-type": "application/json"}
    body = (
        '{"given_name": "A\\ud800na", "family_name": "P", "sex": "F",'
        ' "nationality": "VEN"}'
    )
    response = client.post("/api/v1/people", content=body, headers=headers)
    _documented(response)
    assert response.status_code == 422


def test_a_paired_surrogate_is_a_character(
    client: TestClient, token_for: Callable[[str], str]
) -> None:
    headers = {**_auth(token_for, "caseworker.col"), "content-type": "application/json"}
    body = (
        '{"given_name": "Ana \\ud83d\\ude00", "family_name": "P", "sex": "F",'
        ' "nationality": "VEN"}'
    )
    response = client.post("/api/v1/people", content=body, headers=headers)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_is_4xx_in_the_documented_shape(
    client: TestClient, token_for: Callable[[str], str], depth: int
) -> None:
    headers = {**_auth(token_for, "caseworker.col"), "content-type": "application/json"}
    body = "[" * depth + "]" * depth
    response = client.post("/api/v1/people", content=body, headers=headers)
    _documented(response)


@pytest.mark.parametrize("raw", ODD_NUMBERS)
def test_odd_numbers_in_query_parameters_are_not_500(
    client: TestClient,
    token_for: Callable[[str], str],
    login_as: Callable[[TestClient, str], TestClient],
    raw: str,
) -> None:
    headers = _auth(token_for, "caseworker.col")
    api = client.get("/api/v1/people", params={"offset": raw}, headers=headers)
    assert api.status_code in (200, 422), api.text
    if api.status_code == 422:
        _documented(api)
    login_as(client, "caseworker.col")
    for url, params in [
        ("/people", {"offset": raw}),
        ("/people/households/new", {"members": raw}),
        ("/people/households/member-row", {"index": raw}),
        ("/people/duplicates/queue", {"count": raw}),
    ]:
        response = client.get(url, params=params)
        assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize("raw", ODD_NUMBERS)
def test_odd_numbers_in_form_fields_are_not_500(
    client: TestClient,
    token_for: Callable[[str], str],
    login_as: Callable[[TestClient, str], TestClient],
    raw: str,
) -> None:
    person_id = _person(client, _auth(token_for, "caseworker.col"))
    login_as(client, "caseworker.col")
    for url, data in [
        ("/people/households/candidates", {"search_member": raw}),
        ("/people/households", {"member_count": raw}),
        (f"/people/{person_id}/edit", {"version": raw, **PERSON}),
    ]:
        response = client.post(url, data={**CSRF, **data}, follow_redirects=False)
        assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize(
    "error",
    [
        UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"),
        OverflowError("date value out of range"),
    ],
)
def test_unstorable_values_past_validation_are_422_not_500(
    app: Any, error: Exception
) -> None:
    """The safety net behind the schemas: a driver that cannot encode a value or
    date arithmetic that overflows answers 422 in the documented shape."""

    def boom() -> None:
        raise error

    app.add_api_route("/api/v1/_odd_probe", boom, methods=["POST"])
    app.add_api_route("/_odd_probe", boom, methods=["POST"])
    with TestClient(app, raise_server_exceptions=False) as probe:
        response = probe.post("/api/v1/_odd_probe")
        _documented(response)
        assert response.status_code == 422
        assert probe.post("/_odd_probe").status_code == 422
