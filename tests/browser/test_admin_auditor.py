"""Admin and auditor, from the home page by clicks and typing only; every page
they see has no WCAG 2.1 AA violation and no horizontal scroll at 375 and 1280 px."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser
LogIn = Callable[[Any, str], None]


@pytest.fixture
def new_page(chromium: Any, live_server: str) -> Iterator[Callable[[], Any]]:
    """Fresh browser contexts (one per person) that let axe-core in."""
    contexts: list[Any] = []

    def make() -> Any:
        context = chromium.new_context(
            base_url=live_server, bypass_csp=True, accept_downloads=True
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def check_layout(page: Any) -> None:
    """axe-core finds nothing and nothing scrolls sideways, on a phone and a desk."""
    for width, height in ((375, 740), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        assert axe_violations(page) == [], (page.url, width)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (page.url, width, overflow)


def test_admin_resets_a_users_authenticator(
    new_page: Callable[[], Any], log_in: LogIn
) -> None:
    # The auditor has set up an authenticator (and then loses the phone).
    auditor = new_page()
    log_in(auditor, "auditor.hub")
    assert auditor.url.endswith("/")

    # A first administrator creates a second one, then asks for the reset.
    first = new_page()
    log_in(first, "admin2")
    first.locator("main a[href='/admin/users']").click()
    check_layout(first)
    first.locator("a[href='/admin/users/new']").click()
    check_layout(first)
    first.locator("#username").fill("admin.tres")
    first.locator("#role-admin").check()
    first.locator("form[action='/admin/users/new'] button[type=submit]").click()
    password = first.locator("#one-time-password").inner_text().strip()
    check_layout(first)
    first.locator("main a[href='/admin/users']").click()
    first.locator("#f-q").fill("auditor")
    first.locator(".filters button").click()
    first.get_by_role("link", name="auditor.hub").click()
    check_layout(first)
    first.locator("#mfa-reason").select_option("lost_device")
    first.locator("#mfa-reason-confirm").check()
    first.locator("form[action$='/mfa-reset'] button").click()
    assert first.locator(".alert-ok").is_visible()
    first.locator("a[href='/admin/mfa-resets']").first.click()
    # the requester cannot approve their own request
    assert first.locator("button[value='approve']").count() == 0
    check_layout(first)

    # The second administrator logs in with the one-time password and approves.
    second = new_page()
    second.goto("/login")
    second.locator("#username").fill("admin.tres")
    second.locator("#password").fill(password)
    second.locator("form[action='/login'] button[type=submit]").click()
    second.wait_for_url("**/mfa/enroll")
    secret = second.locator("#totp-secret").inner_text().strip()
    second.locator("#code").fill(pyotp.TOTP(secret).now())
    second.locator("form[action='/mfa/enroll'] button[type=submit]").click()
    second.wait_for_url("**/")
    second.locator("main a[href='/admin/users']").click()
    second.locator("a[href='/admin/mfa-resets']").first.click()
    second.locator("button[value='approve']").click()
    assert second.locator(".alert-ok").is_visible()
    check_layout(second)

    # The auditor's next login asks for a new authenticator.
    again = new_page()
    again.goto("/login")
    again.locator("#username").fill("auditor.hub")
    again.locator("#password").fill("puente-demo-2026")
    again.locator("form[action='/login'] button[type=submit]").click()
    again.wait_for_url("**/mfa/enroll")


def test_auditor_filters_the_audit_log_and_exports_it(
    new_page: Callable[[], Any], log_in: LogIn, tmp_path: Path
) -> None:
    page = new_page()
    log_in(page, "auditor.hub")
    page.locator("main a[href='/audit']").click()
    check_layout(page)
    page.locator("#f-who").select_option(label="auditor.hub")
    page.locator("#f-action").select_option(label="Logged in")
    page.locator(".filters button").click()
    rows = page.locator("tbody tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        assert cells.nth(2).inner_text() == "auditor.hub"
        assert cells.nth(3).inner_text() == "Logged in"
    check_layout(page)
    with page.expect_download() as download:
        page.locator("a[download]").click()
    target = tmp_path / "audit.csv"
    download.value.save_as(target)
    table = list(csv.reader(io.StringIO(target.read_text("utf-8-sig"))))
    assert table[0][:4] == ["Event number", "When (UTC)", "Who", "What"]
    assert len(table) == rows.count() + 1
    assert {row[3] for row in table[1:]} == {"Logged in"}
    page.locator("a[href='/audit/verify']").first.click()
    assert "intact" in page.locator("#chain-result").inner_text()
    check_layout(page)
    page.locator("a[href='/preferences']").click()
    check_layout(page)


def test_error_pages_have_no_violations(new_page: Callable[[], Any]) -> None:
    page = new_page()
    page.goto("/no/such/page")
    assert page.locator("h1").inner_text() == "This page does not exist"
    check_layout(page)
