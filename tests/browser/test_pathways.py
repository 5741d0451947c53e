"""Pathways in Chromium: a pathways officer screens a person in Portuguese and sees
eligible pathways with reasons; an employer publishes a compliant offer and sees
ranked workers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def _fill(page: Any, selector: str, value: str) -> None:
    """Type into a field, or choose from it when it is a list (countries)."""
    field = page.locator(selector)
    if field.evaluate("element => element.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)
    field.dispatch_event("change")
    page.wait_for_load_state("networkidle")


def test_officer_screens_a_person_in_portuguese(
    page: Any, log_in: Callable[[Any, str], None]
) -> None:
    log_in(page, "pathways.bra")
    page.goto("/pathways/screen")
    assert page.locator("html").get_attribute("lang") == "pt"
    _fill(page, "#fact_nationality", "VEN")
    _fill(page, "#fact_country_of_residence", "BRA")
    _fill(page, "#fact_date_of_entry", "2020-03-01")
    _fill(page, "#fact_age", "30")
    page.locator("#fact_has_criminal_record").select_option("false")
    page.wait_for_load_state("networkidle")
    page.locator("button[value=update]").click()
    page.wait_for_load_state()
    eligible = page.locator("[data-outcome=eligible]")
    eligible.first.wait_for(timeout=15_000)  # the re-screen answers asynchronously
    assert eligible.count() >= 1
    first = eligible.first.inner_text()
    assert "Elegível" in first
    assert page.locator("[data-outcome=eligible] .pw-reasons li").count() >= 1
    assert "Brasil" in page.locator(".pw-results").inner_text()


def test_employer_publishes_a_compliant_offer_and_sees_ranked_workers(
    page: Any, log_in: Callable[[Any, str], None]
) -> None:
    log_in(page, "employer.can")
    page.goto("/pathways/offers/new")
    assert page.locator("#employer_name").input_value() == (
        "Prairie Growers Co-operative"
    )
    from puente.pathways.web.offers import OFFER_FIELDS

    # The form starts empty (no demo values to publish by mistake): type the offer.
    assert page.locator("#title").input_value() == ""
    typed = ("text", "number", "date")
    for name, _label, widget, example in OFFER_FIELDS:
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
            page.locator(f"#{name}").select_option(example)
        elif widget == "languages":
            page.locator(f"#{name}-{example}").check()
    # Occupation and pathway are picked by words, by keyboard only: type, move
    # to the list with Tab and choose with the arrow keys.
    page.locator("#isco-q").focus()
    page.keyboard.type("crop farm")
    page.locator("#isco-choices input[type=radio]").first.wait_for(timeout=10_000)
    page.keyboard.press("Tab")  # the Search button
    page.keyboard.press("Tab")  # the first choice
    page.keyboard.press("Space")
    assert page.locator("#isco-choices input[value='9211']").is_checked()
    page.locator("#pathway_id-q").fill("seasonal agricultural")
    page.locator("#pathway_id-choices input[value='can-sawp']").click()
    page.locator("#worksite_address").fill("Road 12 North, Portage la Prairie, MB")
    page.locator("#lmt_reference").fill("LMIA-BROWSER-1")
    page.get_by_role("button", name="Check and publish").click()
    page.wait_for_url("**/pathways/offers/*")
    assert "Published" in page.locator("#offer-status").inner_text()
    assert page.locator("[data-result=fail]").count() == 0
    # The best-matched workers load after the page (a lazy panel).
    rows = page.locator("#matches tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 3
    assert "Occupation" in rows.first.inner_text()
