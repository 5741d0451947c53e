"""The access log carries paths and parameter names, never query values
(issue 9, item 5): a search's names and document numbers reach no log line."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from puente.core.logging import (
    RedactQueryFilter,
    install_access_log_filter,
    redact_query,
    redact_target,
)

MARKER_NAME = "Zqxmarkername"
MARKER_DOC = "DOC7731MARK"


@pytest.fixture
def all_logs(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], str]]:
    """Everything written by structlog (stderr) and by any stdlib logger, but the
    test client's own (httpx logs the URL it sends: that is the caller's side)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    handler.addFilter(lambda record: not record.name.startswith("httpx"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)

    def captured() -> str:
        out, err = capsys.readouterr()
        return out + err + stream.getvalue()

    yield captured
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_a_search_leaves_no_name_or_document_in_any_log_line(
    client: TestClient,
    token_for: Callable[[str], str],
    login_as: Callable[[TestClient, str], TestClient],
    all_logs: Callable[[], str],
) -> None:
    headers = {"Authorization": f"Bearer {token_for('caseworker.col')}"}
    api = client.get(
        "/api/v1/people/search",
        params={"given_name": MARKER_NAME, "document_number": MARKER_DOC},
        headers=headers,
    )
    assert api.status_code == 200
    login_as(client, "caseworker.col")
    web = client.get("/people", params={"name": MARKER_NAME})
    assert web.status_code == 200
    unmatched = client.get(f"/nowhere/{MARKER_NAME}", params={"q": MARKER_DOC})
    assert unmatched.status_code == 404
    logs = all_logs()
    assert "given_name=*" in logs  # the access lines were written ...
    assert "[unmatched]" in logs
    assert MARKER_NAME not in logs  # ... without the values
    assert MARKER_DOC not in logs


def test_uvicorn_access_lines_are_redacted_too() -> None:
    """Someone serving with plain `uvicorn` and its access log on: the record
    uvicorn writes (`'%s - "%s %s HTTP/%s" %d'`, the path with its query as an
    argument) goes through our filter."""
    install_access_log_filter()
    logger = logging.getLogger("uvicorn.access")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        target = f"/api/v1/people/search?given_name={MARKER_NAME}&x=1"
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", target, "1.1", 200)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    line = stream.getvalue()
    assert "/api/v1/people/search?given_name=*&x=*" in line
    assert MARKER_NAME not in line


def test_puente_serve_turns_uvicorns_access_log_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import uvicorn

    from puente.cli import app

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert seen["access_log"] is False


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ""),
        ("given_name=Ana&page=2", "given_name=*&page=*"),
        ("q=Ana%20Mar%C3%ADa", "q=*"),
        ("Ana", "Ana=*"),
        ("n%C3%BAmero=1", "*=*"),
        ("a" * 41 + "=1", "*=*"),
        ("%ff%fe=%00", "*=*"),
    ],
)
def test_redact_query(query: str, expected: str) -> None:
    assert redact_query(query) == expected


def test_redact_target_and_filter_keep_paths_without_query() -> None:
    assert redact_target("/people") == "/people"
    record = logging.LogRecord("x", logging.INFO, "f", 1, "GET /a?name=Ana", None, None)
    RedactQueryFilter().filter(record)
    assert record.getMessage() == "GET /a?name=*"
