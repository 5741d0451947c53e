"""Export neutralisation, no-store on the API and `Secure` cookies by default
(issue 9, item 11)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from puente.app import create_app
from puente.core.config import Settings
from puente.core.tabular import neutralise, to_csv, to_xlsx
from puente.protection import service as protection_service

ALL_INTERFACES = ".".join(["0"] * 4)  # what a public server binds
FORMULA_LIKE = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\n=1",
    " =1",
    "|cmd",
    "＝1+1",
    "＋1",
    "－1",
    "＠x",
]


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_formula_like_starts_are_neutralised_everywhere(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert protection_service.neutralise(text) == "'" + text
    rows = list(csv.reader(io.StringIO(to_csv(["h"], [[text]]).decode("utf-8-sig"))))
    assert rows[1] == ["'" + text]
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(["h"], [[text]]))).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=1).value
    assert isinstance(cell, str)
    assert cell.startswith("'")  # (XML reads a CR back as a newline)


@pytest.mark.parametrize("text", ["Ana", "1990", "", "O'Neil", "a=b", "ｘ"])
def test_ordinary_text_is_kept(text: str) -> None:
    assert neutralise(text) == text


def test_numbers_stay_numbers_in_csv() -> None:
    assert to_csv(["n"], [[-5]]).decode("utf-8-sig").splitlines()[1] == "-5"


def test_api_answers_are_not_cached(
    client: TestClient, token_for: Callable[[str], str]
) -> None:
    headers = {"Authorization": f"Bearer {token_for('caseworker.col')}"}
    assert client.get("/api/v1/me", headers=headers).headers["cache-control"] == (
        "no-store"
    )
    assert client.get("/api/v1/me").headers["cache-control"] == "no-store"
    assert client.get("/login").headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("host", "configured", "secure"),
    [
        ("127.0.0.1", "auto", False),
        ("localhost", "auto", False),
        ("::1", "auto", False),
        (ALL_INTERFACES, "auto", True),
        ("puente.example.org", "auto", True),
        (ALL_INTERFACES, False, False),
        ("127.0.0.1", True, True),
    ],
)
def test_secure_cookies_by_default_outside_localhost(
    host: str, configured: bool | Literal["auto"], secure: bool, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/x.db",
        host=host,
        secure_cookies=configured,
        _env_file=None,
    )
    assert settings.cookies_secure is secure


def test_the_csrf_cookie_is_secure_when_served_beyond_loopback(
    settings: Settings, sessions: sessionmaker[Session]
) -> None:
    public = settings.model_copy(update={"host": ALL_INTERFACES})
    app = create_app(public, sessions)
    with TestClient(app) as client:
        cookie = client.get("/login").headers["set-cookie"]
    assert "secure" in cookie.lower()
