"""WCAG 2.1 AA, checked with axe-core on the shell's pages in every language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "es", "pt", "fr", "ht"])
def test_login_page_has_no_wcag_violations(audit_page: Any, lang: str) -> None:
    audit_page.goto("/login")
    audit_page.locator("#lang-select").select_option(lang)
    audit_page.locator("form.lang-form button").click()
    audit_page.wait_for_load_state()
    assert audit_page.locator("html").get_attribute("lang") == lang
    assert axe_violations(audit_page) == []


def test_dashboard_and_mfa_pages_have_no_wcag_violations(
    audit_page: Any, log_in: Callable[[Any, str], None]
) -> None:
    audit_page.goto("/login")
    audit_page.locator("#username").fill("protection.col")
    audit_page.locator("#password").fill("puente-demo-2026")
    audit_page.locator("#password").press("Enter")
    audit_page.wait_for_url("**/mfa/enroll")
    assert axe_violations(audit_page) == []
    import pyotp

    secret = audit_page.locator("#totp-secret").inner_text().strip()
    audit_page.locator("#code").fill(pyotp.TOTP(secret).now())
    audit_page.locator("#code").press("Enter")
    audit_page.wait_for_url("**/")
    assert axe_violations(audit_page) == []
