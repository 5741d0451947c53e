"""The CSRF token is bound to the server session (issue 9, item 11).

A token from another session, or the pre-login token after login, is refused with
403 and nothing is written; a cookie-authenticated API change needs the session's
token in `X-CSRF-Token`; a request whose `Origin` is another site is refused.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from puente.core.config import Settings
from puente.identity import User, UserSession
from puente.people.models import Person

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
Login = Callable[[TestClient, str], TestClient]
USERNAME = "donor.can"
PERSON = {
    "given_name": "Ana",
    "family_name": "Csrf",
    "sex": "F",
    "birth_date": "1991-02-03",
    "nationality": "VEN",
}


def _page_token(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    found = CSRF_INPUT.search(page.text)
    assert found is not None
    return found[1]


def _login(client: TestClient, settings: Settings) -> str:
    """Log in through the form; returns the pre-login token the form carried."""
    before = _page_token(client, "/login")
    answer = client.post(
        "/login",
        data={
            "username": USERNAME,
            "password": settings.demo_password.get_secret_value(),
            "csrf_token": before,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return before


def _locale(session: Session) -> str | None:
    session.expire_all()
    user = session.scalars(select(User).where(User.username == USERNAME)).one()
    return user.locale


def _live_sessions(session: Session) -> int:
    session.expire_all()
    user = session.scalars(select(User).where(User.username == USERNAME)).one()
    return session.scalars(
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).one()


def _set_locale(session: Session, value: str | None) -> None:
    user = session.scalars(select(User).where(User.username == USERNAME)).one()
    user.locale = value
    session.commit()


def test_the_token_is_drawn_afresh_at_login(
    client: TestClient, settings: Settings
) -> None:
    before = _login(client, settings)
    after = _page_token(client, "/preferences")
    assert after != before


def test_the_pre_login_token_is_refused_after_login(
    client: TestClient, settings: Settings, session: Session
) -> None:
    _set_locale(session, None)
    before = _login(client, settings)
    refused = client.post(
        "/lang", data={"csrf_token": before, "lang": "pt"}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert "expired" in refused.text  # the app's page, in words
    assert _locale(session) is None  # nothing written
    live = _page_token(client, "/preferences")
    done = client.post(
        "/lang", data={"csrf_token": live, "lang": "pt"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert _locale(session) == "pt"


def test_a_token_from_another_session_is_refused(
    app: FastAPI, client: TestClient, settings: Settings, session: Session
) -> None:
    _set_locale(session, None)
    _login(client, settings)
    with TestClient(app, base_url="http://testserver") as other:
        _login(other, settings)
        theirs = _page_token(other, "/preferences")
    # Same user, another session: its token is not this session's.
    refused = client.post(
        "/lang", data={"csrf_token": theirs, "lang": "fr"}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert _locale(session) is None
    sessions = _live_sessions(session)
    logout = client.post("/logout", data={"csrf_token": theirs}, follow_redirects=False)
    assert logout.status_code == 403
    assert _live_sessions(session) == sessions  # the session was not ended


def test_a_request_from_another_site_is_refused_even_with_the_token(
    client: TestClient, settings: Settings, session: Session
) -> None:
    _set_locale(session, None)
    _login(client, settings)
    live = _page_token(client, "/preferences")
    refused = client.post(
        "/lang",
        data={"csrf_token": live, "lang": "pt"},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert _locale(session) is None
    same = client.post(
        "/lang",
        data={"csrf_token": live, "lang": "pt"},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert same.status_code == 303
    assert _locale(session) == "pt"


def _people(session: Session, family_name: str) -> int:
    session.expire_all()
    return session.scalars(
        select(func.count())
        .select_from(Person)
        .where(Person.family_name == family_name)
    ).one()


def test_the_api_with_the_session_cookie_needs_the_sessions_token(
    client: TestClient, login_as: Login, session: Session
) -> None:
    login_as(client, "caseworker.col")
    family = f"Csrf{uuid.uuid4().hex[:6]}"
    body = {**PERSON, "family_name": family}
    refused = client.post("/api/v1/people", json=body)
    assert refused.status_code == 403
    assert refused.json()["error"] == "CsrfRefused"
    wrong = client.post(
        "/api/v1/people", json=body, headers={"X-CSRF-Token": "another-token"}
    )
    assert wrong.status_code == 403
    assert _people(session, family) == 0
    done = client.post(
        "/api/v1/people", json=body, headers={"X-CSRF-Token": "test-csrf-token"}
    )
    assert done.status_code == 201, done.text
    assert _people(session, family) == 1
    # Reading with the cookie needs no token.
    assert client.get("/api/v1/people").status_code == 200


def test_bearer_tokens_need_no_csrf_token(
    client: TestClient, token_for: Callable[[str], str], session: Session
) -> None:
    family = f"Csrf{uuid.uuid4().hex[:6]}"
    done = client.post(
        "/api/v1/people",
        json={**PERSON, "family_name": family},
        headers={"Authorization": f"Bearer {token_for('caseworker.col')}"},
    )
    assert done.status_code == 201, done.text
    assert _people(session, family) == 1
