"""Error pages are pages of the app with no WCAG 2.1 AA violation and no horizontal
scroll at 375 and 1280 px. (The admin's and the auditor's jobs, under the same
checks, are in `test_roles.py` with every other role's.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import check_layout

pytestmark = pytest.mark.browser


def test_error_pages_have_no_violations(new_page: Callable[[], Any]) -> None:
    page = new_page()
    page.goto("/no/such/page")
    assert page.locator("h1").inner_text() == "This page does not exist"
    check_layout(page)
