"""A person logs in, enrols MFA, switches to Spanish and sees their dashboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import forget_authenticator, remember_secret

pytestmark = pytest.mark.browser


def test_login_enrol_mfa_switch_to_spanish_see_dashboard(
    page: Any, log_in: Callable[[Any, str], None]
) -> None:
    forget_authenticator("admin")
    page.goto("/login")
    assert page.locator("h1").inner_text() == "Log in"
    page.locator("#username").fill("admin")
    page.locator("#password").fill("puente-demo-2026")
    page.keyboard.press("Enter")  # keyboard only
    page.wait_for_url("**/mfa/enroll")
    assert page.locator("svg").count() >= 1  # the QR code
    import pyotp

    secret = page.locator("#totp-secret").inner_text().strip()
    remember_secret(page, "admin", secret)
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("#code").press("Enter")
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "Dashboard"

    page.locator("#lang-select").select_option("es")
    page.locator("form.lang-form button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text() == "Panel"
    assert "Administrador/a" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Cerrar sesión").is_visible()


def test_skip_link_is_the_first_tab_stop(page: Any) -> None:
    page.goto("/login")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"


def test_wrong_password_shows_an_accessible_error(page: Any) -> None:
    page.goto("/login")
    page.locator("#username").fill("caseworker.mex")
    page.locator("#password").fill("wrong")
    page.locator("#password").press("Enter")
    error = page.get_by_role("alert")
    assert "Wrong username or password" in error.inner_text()
    assert page.locator("#username").get_attribute("aria-describedby") == "login-error"
