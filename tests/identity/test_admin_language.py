"""A state's administrator sets the state's default language; its users who have not
chosen one get it; a user's own choice comes first (issue 11)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.audit import AuditEvent
from puente.identity import service as identity
from puente.identity.models import Tenant, User
from tests.conftest import CSRF

Login = Callable[[TestClient, str], TestClient]


def _locale(session: Session, code: str) -> str | None:
    session.expire_all()
    tenant = session.get(Tenant, code)
    assert tenant is not None
    return tenant.default_locale


def test_the_admin_sets_the_default_and_users_without_a_choice_get_it(
    client: TestClient, login_as: Login, session: Session
) -> None:
    login_as(client, "admin")
    page = client.get("/admin/language")
    assert page.status_code == 200
    assert 'name="locale" value="pt"' in page.text
    saved = client.post("/admin/language", data={**CSRF, "locale": "pt"})
    assert saved.status_code == 200
    assert 'id="language-saved"' in saved.text
    assert _locale(session, "HUB") == "pt"
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "identity:tenant:language")
    ).all()
    assert actions
    # A hub user who never chose a language gets Portuguese at login.
    user = session.scalars(select(User).where(User.username == "analyst.hub")).one()
    user.locale = None
    assert identity.locale_for(session, user) == "pt"
    user.locale = "fr"  # a user's own choice comes first
    assert identity.locale_for(session, user) == "fr"


def test_an_unknown_language_is_refused_and_nothing_changes(
    client: TestClient, login_as: Login, session: Session
) -> None:
    before = _locale(session, "HUB")
    login_as(client, "admin")
    response = client.post("/admin/language", data={**CSRF, "locale": "xx"})
    assert response.status_code == 422
    assert 'id="language-error"' in response.text
    assert _locale(session, "HUB") == before


def test_other_roles_cannot_set_it(
    client: TestClient, login_as: Login, session: Session
) -> None:
    before = _locale(session, "COL")
    login_as(client, "caseworker.col")
    response = client.post("/admin/language", data={**CSRF, "locale": "fr"})
    assert response.status_code == 403
    assert _locale(session, "COL") == before
