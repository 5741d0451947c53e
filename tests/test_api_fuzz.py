"""Schemathesis over the whole JSON API: generated requests never cause a server
error, and responses match the documented schema (research/07 §6: 0 server errors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)


@pytest.mark.slow
@pytest.mark.parametrize("username", ["supervisor.col", "analyst.hub"])
def test_api_never_fails_with_a_server_error(
    app: FastAPI, token_for: Callable[[str], str], username: str
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {token_for(username)}"}
    # An Err here (an operation the schema cannot describe) fails the test too.
    operations = [cast(Any, result).ok() for result in schema.get_all_operations()]
    assert operations
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=20,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            # Generous: a loaded CI machine can take seconds on an analytic page.
            response = case.call(headers=headers, timeout=60)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text}")
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # collect every failing operation, not just the first
            failures.append(
                f"{operation.method.upper()} {operation.path}: "
                f"{str(exc).splitlines()[0]}"
            )
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("value", [str(2**63), "-1", "1e309", "x"])
def test_extreme_query_values_never_cause_a_server_error(
    app: FastAPI, client: Any, token_for: Callable[[str], str], value: str
) -> None:
    """Every integer or number query parameter of every GET, set to an extreme."""
    headers = {"Authorization": f"Bearer {token_for('supervisor.col')}"}
    spec = client.get("/api/v1/openapi.json").json()
    tried = 0
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        for parameter in get.get("parameters", []):
            kinds = {
                parameter.get("schema", {}).get("type"),
                *(s.get("type") for s in parameter.get("schema", {}).get("anyOf", [])),
            }
            if parameter["in"] == "query" and kinds & {"integer", "number"}:
                response = client.get(
                    path, params={parameter["name"]: value}, headers=headers
                )
                tried += 1
                assert response.status_code < 500, (path, parameter["name"], value)
    assert tried > 0


def test_nul_characters_are_refused_not_a_server_error(
    client: Any, token_for: Callable[[str], str], backend: str
) -> None:
    """PostgreSQL text cannot hold NUL: every string query parameter of every
    GET given one gets 422 (found by the fuzzer on GET /api/v1/protection/cases),
    and a JSON string with one is never a server error."""
    headers = {"Authorization": f"Bearer {token_for('supervisor.col')}"}
    spec = client.get("/api/v1/openapi.json").json()
    tried = 0
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if not get or "{" in path:
            continue
        for parameter in get.get("parameters", []):
            kinds = {
                parameter.get("schema", {}).get("type"),
                *(s.get("type") for s in parameter.get("schema", {}).get("anyOf", [])),
            }
            if parameter["in"] == "query" and "string" in kinds:
                response = client.get(
                    path, params={parameter["name"]: "a\x00b"}, headers=headers
                )
                tried += 1
                assert response.status_code == 422, (path, parameter["name"])
                assert response.json()["error"] == "InvalidInput"
    assert tried > 0
    writer = {"Authorization": f"Bearer {token_for('caseworker.col')}"}
    person = {"given_name": "Ana", "family_name": "Pérez Nul", "sex": "F"}
    assert client.post("/api/v1/people", json=person, headers=writer).status_code == 201
    person["given_name"] = "Ana\u0000"
    created = client.post("/api/v1/people", json=person, headers=writer)
    if backend == "postgresql":
        assert created.status_code == 422, created.text
        assert created.json()["error"] == "InvalidInput"
    else:  # SQLite stores it; the point is no server error
        assert created.status_code < 500, created.text
