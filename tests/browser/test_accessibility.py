"""WCAG 2.1 AA, checked with axe-core on the shell's pages in every language."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.browser.conftest import axe_violations, forget_authenticator, remember_secret

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
ROLES = (
    "caseworker.col",
    "protection.col",
    "supervisor.col",
    "pathways.col",
    "employer.can",
    "analyst.hub",
    "coordinator.hub",
    "focal_point.col",
    "donor.can",
    "auditor.hub",
    "admin",
    "investigator.col",
    "prosecutor.col",
)
MAX_PAGES = 25  # per role: every screen of the demo's shape, one of each kind
SKIP = re.compile(
    r"^/(api/|static/|logout|login|lang|mfa)|\.(csv|xlsx|xml|atom|json|pdf|png|svg)$"
    r"|/(cap|export|exports|download)(/|$)"
)
LIST_LINKS = re.compile(r"(^|&)(export|download|sort|dir|page)=")
SAME_SHAPE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


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


def _links(page: Any) -> list[str]:
    hrefs: list[str] = page.evaluate(
        "Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href'))"
    )
    out = []
    for href in hrefs:
        url, _fragment = urldefrag(href)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/"):
            continue
        if SKIP.search(parts.path) or LIST_LINKS.search(parts.query):
            continue
        out.append(url)
    return out


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_every_role_has_no_wcag_violations(
    audit_page: Any, log_in: Callable[[Any, str], None], username: str
) -> None:
    """Breadth-first by links from the home page; one page of each shape (ids
    replaced), at 375 px and 1280 px: axe-core finds nothing and nothing scrolls
    sideways."""
    log_in(audit_page, username)
    queue: list[str] = ["/"]
    seen: set[str] = set()
    shapes: set[str] = set()
    problems: list[str] = []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        shape = SAME_SHAPE.sub("{id}", url)
        if url in seen or shape in shapes:
            continue
        seen.add(url)
        shapes.add(shape)
        response = audit_page.goto(url)
        if response is None or "html" not in response.headers.get("content-type", ""):
            continue
        for width, height in ((375, 740), (1280, 900)):
            audit_page.set_viewport_size({"width": width, "height": height})
            problems += [f"{url} @{width}: {v}" for v in axe_violations(audit_page)]
            problems += [f"{url} @{width}: {p}" for p in layout_problems(audit_page)]
        queue += [link for link in _links(audit_page) if link not in seen]
    print("\n".join(problems))  # noqa: T201 - the list, when it fails
    assert len(seen) > 1, f"{username}: the home page links nowhere"
    assert problems == []
