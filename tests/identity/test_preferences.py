"""Language and date format remembered per user; the state's default until chosen."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from puente.core.config import Settings
from puente.identity import Tenant, User
from tests.conftest import CSRF

Login = Callable[[TestClient, str], TestClient]


def _user(session: Session, username: str) -> User:
    session.expire_all()
    return session.scalars(select(User).where(User.username == username)).one()


def _login_form(client: TestClient, settings: Settings, username: str) -> str | None:
    """Log in through the form; returns the language cookie the answer sets."""
    client.cookies.set("puente_csrf", "test-csrf-token")
    response = client.post(
        "/login",
        data={
            **CSRF,
            "username": username,
            "password": settings.demo_password.get_secret_value(),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    return response.cookies.get("puente_lang")


def test_the_language_chosen_is_kept_at_the_next_login(
    client: TestClient,
    app: object,
    login_as: Login,
    session: Session,
    settings: Settings,
) -> None:
    login_as(client, "donor.can")
    client.post("/lang", data={**CSRF, "lang": "pt", "next": "/"})
    assert _user(session, "donor.can").locale == "pt"
    with TestClient(app, base_url="http://testserver") as other:  # type: ignore[arg-type]
        other.cookies.set("puente_lang", "en")  # another device, another language
        assert _login_form(other, settings, "donor.can") == "pt"


def test_the_states_default_applies_until_the_user_chooses(
    client: TestClient, login_as: Login, session: Session, settings: Settings
) -> None:
    user = _user(session, "donor.can")
    user.locale = None
    tenant = session.get(Tenant, "CAN")
    assert tenant is not None
    tenant.default_locale = "fr"
    tenant.default_date_format = "iso"
    session.commit()
    assert _login_form(client, settings, "donor.can") == "fr"
    login_as(client, "donor.can")
    page = client.get("/preferences")
    assert page.status_code == 200
    assert '<option value="" selected' not in page.text  # nothing chosen yet
    assert "2026-12-05" in page.text


def test_preferences_are_saved_and_applied(
    client: TestClient, login_as: Login, session: Session
) -> None:
    login_as(client, "auditor.hub")
    saved = client.post(
        "/preferences",
        data={**CSRF, "locale": "ht", "date_format": "long"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.cookies.get("puente_lang") == "ht"
    user = _user(session, "auditor.hub")
    assert (user.locale, user.date_format) == ("ht", "long")
    client.cookies.set("puente_lang", "ht")
    log = client.get("/audit").text
    assert " M12 " not in log
    from puente.core.dates import HT_MONTHS

    assert any(f" {m} 20" in log for m in HT_MONTHS)
    bad = client.post("/preferences", data={**CSRF, "locale": "xx"})
    assert bad.status_code == 422
    assert _user(session, "auditor.hub").locale == "ht"
