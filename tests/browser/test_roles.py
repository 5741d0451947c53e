"""One job per role, done from the home page after login by clicking, choosing and
typing what a person knows: no address typed after login, no id typed (issue 11).

The admin (resets a user's authenticator) and the auditor (filters the audit log
and exports it) are in `test_admin_auditor.py`, under the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser
LogIn = Callable[[Any, str], None]


def choose_language(page: Any, name: str, code: str) -> None:
    """The language menu in the header, as a person uses it."""
    page.locator("#lang-select").select_option(label=name)
    with page.expect_navigation():
        page.locator("form.lang-form button").click()
    page.wait_for_selector(f"html[lang='{code}']")


def home_card(page: Any, url: str) -> None:
    """Follow a card of the home page."""
    page.wait_for_selector("main .cards")
    assert page.locator(f"main .cards a[href='{url}']").count() == 1, (
        page.url,
        page.locator("main").inner_text()[:500],
    )
    with page.expect_navigation():
        page.locator(f"main .cards a[href='{url}']").click()


def test_caseworker_registers_screens_opens_and_refers_in_spanish(
    page: Any, log_in: LogIn
) -> None:
    log_in(page, "caseworker.col")
    choose_language(page, "Español", "es")
    home_card(page, "/people")
    page.locator("#register-family-link").click()
    page.locator("#member-0-given_name").fill("Yolanda")
    page.locator("#member-0-family_name").fill("Robles Mora")
    page.locator("#member-0-sex").select_option(label="Femenino")
    page.locator("#member-0-birth_date").fill("1988-02-11")
    page.locator("#member-0-nationality").select_option(label="Venezuela")
    page.locator("#member-1-relationship").select_option(label="Hijo o hija")
    page.locator("#member-1-given_name").fill("Samuel")
    page.locator("#member-1-family_name").fill("Robles Mora")
    page.locator("#member-1-sex").select_option(label="Masculino")
    page.locator("#member-1-birth_date").fill("2015-07")
    page.locator("#member-1-nationality").select_option(label="Venezuela")
    page.locator("#member-1-is_separated").check()
    page.locator("#household-submit").click()
    page.wait_for_url(re.compile(r".*/people/households/[0-9a-f-]+(\?.*)?$"))
    # Screen the child from the family's page.
    row = page.locator("tr", has_text="Samuel")
    row.locator("a[id^='screen-']").click()
    page.locator("#q-is_child").check()
    page.locator("#q-is_separated").check()
    page.locator("#screening-submit").click()
    page.wait_for_load_state()
    flags = page.locator("#screening-flags").inner_text()
    assert "separated_child" not in flags
    page.locator("#open-case").click()
    page.wait_for_url(re.compile(r".*/protection/cases/[0-9a-f-]+(\?.*)?$"))
    assert page.locator("#done").get_attribute("data-done") == "opened"
    assert "Caso abierto" in page.locator("#done").inner_text()
    # Refer the case to a service chosen from the directory, with consent.
    page.locator("#refer-link").click()
    page.wait_for_load_state()
    page.locator("#service_id").select_option(
        label=page.locator("#service_id option", has_text="Fundación Refugio")
        .first.inner_text()
        .strip()
    )
    page.locator("#purpose").fill("Alojamiento seguro para la familia")
    page.locator("#share-specific_needs").check()
    page.locator("#consent").check()
    page.locator("#send-referral").click()
    page.wait_for_load_state()
    assert "Derivación enviada" in page.locator("#done").inner_text()
    assert (
        page.locator("#referral-list li")
        .first.inner_text()
        .startswith("Alojamiento seguro")
    )
    # Back home, the new case is in the caseload.
    page.locator("a[href='/']").first.click()
    assert page.locator("#home-work").is_visible()


def test_protection_officer_sees_a_return_blocked_in_portuguese(
    page: Any, log_in: LogIn
) -> None:
    log_in(page, "protection.col")
    choose_language(page, "Português", "pt")
    home_card(page, "/protection")
    # The person is found by name in the case list.
    page.locator("#list-q").fill("Daniela")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("#case-list tbody tr", has_text="Daniela").locator("a").first.click()
    page.wait_for_url(re.compile(r".*/protection/cases/[0-9a-f-]+.*"))
    page.locator("main a[href^='/protection/returns']").click()
    page.wait_for_load_state()
    assert "Daniela" in page.locator("#return-person").inner_text()
    page.locator("#destination").select_option(label="Venezuela")
    page.locator("#fact-expressed_fear").check()
    page.locator("#fact-torture_risk_found").check()
    page.locator("#evaluate-return").click()
    page.wait_for_url(re.compile(r".*/protection/returns/[0-9a-f-]+.*"))
    status = page.locator("#return-status").inner_text()
    assert "Bloqueada" in status
    checks = page.locator("#gate-checks").inner_text()
    assert "Risco de tortura" in checks
    assert "não cumprida" in checks
    assert "torture_risk" not in checks
    assert "expressed_fear" not in checks
    impossible = page.locator("#override-impossible").inner_text()
    assert "Risco de tortura" in impossible
    assert "[" not in impossible


def test_employer_publishes_an_offer_from_lists_in_english(
    page: Any, log_in: LogIn
) -> None:
    from puente.pathways.web.offers import OFFER_FIELDS

    log_in(page, "employer.can")
    home_card(page, "/pathways/offers")
    page.locator("a[href='/pathways/offers/new']").click()
    page.wait_for_load_state()
    page.locator("#title").fill("Orchard worker (browser)")
    typed = ("text", "number", "date")
    for name, _label, widget, example in OFFER_FIELDS:
        if name == "title":
            continue
        if widget in typed and example and not page.locator(f"#{name}").input_value():
            page.locator(f"#{name}").fill(example)
        elif widget in (
            "country",
            "subdivision",
            "currency",
            "pay_frequency",
            "language",
            "cefr",
        ):
            field = page.locator(f"#{name}")
            # chosen by the words the list shows
            label = field.locator(f"option[value='{example}']").inner_text().strip()
            field.select_option(label=label)
        elif widget == "languages":
            page.locator(f"#{name}-{example}").check()
    page.locator("#isco-q").fill("crop farm")
    page.locator("#isco-choices input[type=radio]").first.wait_for(timeout=10_000)
    page.locator("#isco-choices label", has_text="Crop farm").first.click()
    page.locator("#pathway_id-q").fill("seasonal agricultural")
    page.locator("#pathway_id-choices input[type=radio]").first.wait_for(timeout=10_000)
    page.locator("#pathway_id-choices label").first.click()
    page.locator("#worksite_address").fill("Road 12 North, Portage la Prairie, MB")
    page.locator("#lmt_reference").fill("LMIA-ROLES-1")
    page.get_by_role("button", name="Check and publish").click()
    page.wait_for_url("**/pathways/offers/*")
    assert "Published" in page.locator("#offer-status").inner_text()
    # The offer is in the list, its occupation in words.
    page.locator("a[href='/pathways/offers']").first.click()
    page.locator("#list-q").fill("orchard")
    page.locator("form.filters button[type=submit]").click()
    row = page.locator("#offer-list tbody tr", has_text="Orchard worker (browser)")
    assert row.count() == 1
    assert "9211" not in row.inner_text()
