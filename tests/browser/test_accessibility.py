"""WCAG 2.1 AA, checked with axe-core on the shell's pages in every language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_violations, forget_authenticator, remember_secret
from tests.crawl import crawl
from tests.roles import one_user_per_role

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
    forget_authenticator("protection.col")
    audit_page.goto("/login")
    audit_page.locator("#username").fill("protection.col")
    audit_page.locator("#password").fill("puente-demo-2026")
    audit_page.locator("#password").press("Enter")
    audit_page.wait_for_url("**/mfa/enroll")
    assert axe_violations(audit_page) == []
    import pyotp

    secret = audit_page.locator("#totp-secret").inner_text().strip()
    remember_secret(audit_page, "protection.col", secret)
    audit_page.locator("#code").fill(pyotp.TOTP(secret).now())
    audit_page.locator("#code").press("Enter")
    audit_page.wait_for_url("**/")
    assert axe_violations(audit_page) == []


# Every demo role (src/puente/demo.py), each in its own browser context.
ROLES = one_user_per_role()
MAX_PAGES = 25  # per role: every screen of the demo's shape, one of each kind


# Buttons and links of forms smaller than a fingertip (44 px high), visible ones.
SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    'form button, form a[href], form input[type=submit], form input[type=button]'))
  .filter(e => { const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.height < 43.5
      && getComputedStyle(e).visibility !== 'hidden'; })
  .map(e => e.tagName.toLowerCase() + " '" + (e.textContent || e.value || '').trim()
    .slice(0, 30) + "' " + Math.round(e.getBoundingClientRect().height) + ' px')"""


def layout_problems(page: Any) -> list[str]:
    """Sideways scroll (the page wider than the window) and form buttons or links
    smaller than a touch target, on the page as it is now."""
    problems = []
    overflow = page.evaluate(
        "document.scrollingElement.scrollWidth - window.innerWidth"
    )
    if overflow > 0:
        problems.append(f"scrolls sideways by {overflow} px")
    problems += [f"touch target too small: {t}" for t in page.evaluate(SMALL_TARGETS)]
    return problems


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_every_role_has_no_wcag_violations(
    audit_page: Any, log_in: Callable[[Any, str], None], username: str
) -> None:
    """Breadth-first by links from the home page; one page of each shape (ids
    replaced), at 375 px and 1280 px: axe-core finds nothing and nothing scrolls
    sideways."""
    log_in(audit_page, username)
    problems: list[str] = []

    def visit(url: str) -> list[str]:
        response = audit_page.goto(url)
        if response is None or "html" not in response.headers.get("content-type", ""):
            return []
        for width, height in ((375, 740), (1280, 900)):
            audit_page.set_viewport_size({"width": width, "height": height})
            problems.extend(f"{url} @{width}: {v}" for v in axe_violations(audit_page))
            problems.extend(f"{url} @{width}: {p}" for p in layout_problems(audit_page))
        hrefs: list[str] = audit_page.evaluate(
            "Array.from(document.querySelectorAll('a[href]'),"
            " a => a.getAttribute('href'))"
        )
        return hrefs

    seen = crawl(visit, max_pages=MAX_PAGES, one_per_shape=True)
    print("\n".join(problems))  # noqa: T201 - the list, when it fails
    assert len(seen) > 1, f"{username}: the home page links nowhere"
    assert problems == []
