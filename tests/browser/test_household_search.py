"""A caseworker registering a family searches before creating, for every member:
typing a member's name shows the person already registered under that member, the
caseworker picks "this is the same person" with the keyboard, saves, and the member
is linked to the existing record instead of being registered twice."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser


def _register_alone(page: Any) -> str:
    """Register the man alone, as at a border post, through the single-person page."""
    page.goto("/people/new")
    page.locator("#given_name").fill("Wilmer")
    page.locator("#family_name").fill("Quezada Zambrano")
    page.locator("#sex").select_option("M")
    page.locator("#birth_date").fill("1985-03-02")
    page.locator("#nationality").select_option(label="Venezuela")
    page.locator("#link-new").check()
    page.locator("#register-submit").click()
    page.wait_for_url(re.compile(r".*/people/[0-9a-f-]{36}(\?.*)?$"))
    return str(page.url).split("?", 1)[0].rsplit("/", 1)[1]


def test_member_typed_at_the_shelter_is_linked_to_the_registered_person(
    audit_page: Any, log_in: Callable[[Any, str], None]
) -> None:
    page = audit_page  # CSP bypassed so that axe-core can run on the page too
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, "caseworker.col")
    person_id = _register_alone(page)

    page.goto("/people/households/new")
    page.locator("#member-0-given_name").fill("Yuleisy")
    page.locator("#member-0-family_name").fill("Quezada Zambrano")
    page.locator("#member-0-sex").select_option("F")
    page.locator("#member-0-birth_date").fill("1987")
    page.locator("#member-1-relationship").select_option("spouse")
    page.locator("#member-1-sex").select_option("M")
    # Typed key by key, with other spellings and only the year and month of birth.
    page.locator("#member-1-given_name").press_sequentially("Wílmer", delay=40)
    page.locator("#member-1-family_name").press_sequentially(
        "Kesada Sambrano", delay=40
    )
    page.locator("#member-1-birth_date").press_sequentially("1985-03", delay=40)

    results = page.locator("#member-1-candidates")
    assert results.get_attribute("aria-live") == "polite"
    choice = page.locator(f"#member-1-link-{person_id}")
    choice.wait_for(state="visible", timeout=10_000)
    assert "Quezada Zambrano" in results.inner_text()
    # The other rows searched for their own member only.
    assert page.locator(f"#member-2-link-{person_id}").count() == 0
    assert axe_violations(page) == []

    # "This is the same person", chosen with the keyboard.
    choice.focus()
    page.keyboard.press("Space")
    assert choice.is_checked()
    assert not page.locator("#member-1-link-new").is_checked()

    page.locator("#household-submit").click()
    page.wait_for_url(re.compile(r".*/people/households/[0-9a-f-]+(\?.*)?$"))
    members = page.locator("#household-members tbody tr")
    assert members.count() == 2
    linked = page.locator(f"#household-members a[href='/people/{person_id}']")
    assert linked.count() == 1
    # One Wilmer, not two: the name shown is the record's, not what was typed.
    assert linked.inner_text().strip() == "Wilmer Quezada Zambrano"
    assert "Kesada" not in page.locator("#household-members").inner_text()
    assert errors == [], f"JavaScript errors: {errors}"
