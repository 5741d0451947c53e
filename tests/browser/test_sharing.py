"""Responsibility sharing in a real browser: a donor reading English finds the
gap chart of a response plan from the home page; Colombia's focal point, in
Spanish, marks one of Colombia's commitments in progress with its evidence.
Every page on the way is checked with axe-core (WCAG 2.1 AA) at 1280 and 375
pixels wide."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser
WIDTHS = (1280, 375)


def _accessible_at_every_width(page: Any) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], f"{page.url} at {width} px"
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 1, f"{page.url} scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_donor_sees_the_gap_chart_of_a_plan(
    audit_page: Any, log_in: Callable[[Any, str], None]
) -> None:
    page = audit_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, "donor.can")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Funding and gaps").click()
    page.wait_for_load_state()
    _accessible_at_every_width(page)
    page.get_by_role("link", name="Venezuela, 2023").click()
    page.wait_for_load_state()
    chart = page.locator("#gap-by-country")
    page.wait_for_selector("#gap-by-country[data-rendered]")
    assert chart.get_attribute("data-rendered") == "true"
    svg = chart.locator("svg")
    assert svg.get_attribute("role") == "img"
    assert "funding and gap by country" in (svg.get_attribute("aria-label") or "")
    assert chart.locator("svg text", has_text="Colombia").count() >= 1
    # the same figures as a table beside the chart
    assert page.locator("table", has_text="Colombia").count() >= 1
    _accessible_at_every_width(page)
    assert errors == []


def test_a_focal_point_marks_a_commitment_in_progress_in_spanish(
    audit_page: Any, log_in: Callable[[Any, str], None]
) -> None:
    page = audit_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, "focal_point.col")
    page.locator("#lang-select").select_option("es")
    page.locator("form.lang-form button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("link", name="Los compromisos de su estado").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == "Compromisos: Colombia"
    _accessible_at_every_width(page)
    page.get_by_role("link", name="Dirigir el paquete de acción").first.click()
    page.wait_for_load_state()
    _accessible_at_every_width(page)

    # without evidence the form refuses and keeps what was chosen
    page.get_by_label("En curso").check()
    page.get_by_role("button", name="Guardar el estado").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").inner_text().startswith("Dé un enlace o una nota")
    assert page.get_by_label("En curso").is_checked()

    page.get_by_label("Enlace a la evidencia").fill(
        "https://www.cancilleria.gov.co/declaracion-los-angeles"
    )
    page.get_by_label("Qué pasó").fill(
        "Colombia coordinó la primera reunión del paquete en 2023."
    )
    page.get_by_role("button", name="Guardar el estado").click()
    page.wait_for_load_state()
    status = page.get_by_role("status")
    assert "Guardado: el compromiso ahora está En curso." in status.inner_text()
    evidence = page.locator("#evidence-h + ul")
    assert "coordinó la primera reunión" in evidence.inner_text()
    assert evidence.get_by_role(
        "link", name="https://www.cancilleria.gov.co/declaracion-los-angeles"
    ).is_visible()
    _accessible_at_every_width(page)
    # the next step leads back to Colombia's list, where the status shows
    page.get_by_role("link", name="volver a los compromisos de Colombia").click()
    page.wait_for_load_state()
    item = page.locator("li", has_text="Dirigir el paquete de acción").first
    assert "En curso" in item.inner_text()
    assert errors == []


SHARING_PAGES = (
    "/financing",
    "/financing/plans/RMRP-2023?year=2023",
    "/financing/flows",
    "/financing/flows/new",
    "/financing/import",
    "/financing/burden",
    "/financing/burden/COL",
    "/financing/fair-share",
    "/financing/instruments",
    "/financing/response-plans",
    "/coordination",
    "/coordination/new",
    "/coordination/import",
    "/commitments",
    "/commitments/states/USA",
    "/commitments/packages/AP2",
    "/commitments/states/HTI/new",
)
FIRST_LINK_ON = {
    "/financing/flows": "table a[href^='/financing/flows/']",
    "/financing/response-plans": "table a[href^='/financing/response-plans/']",
    "/coordination": "table a[href^='/coordination/reports/']",
    "/commitments/states/USA": "li a[href^='/commitments/']",
}


def test_every_sharing_page_meets_wcag_at_both_widths(
    audit_page: Any, log_in: Callable[[Any, str], None]
) -> None:
    page = audit_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, "coordinator.hub")
    for path in SHARING_PAGES:
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, path
        if page.locator("div.chart").count():
            page.wait_for_selector("div.chart[data-rendered]")
            assert page.locator("div.chart[data-rendered='failed']").count() == 0
        _accessible_at_every_width(page)
        selector = FIRST_LINK_ON.get(path)
        if selector and page.locator(selector).count():
            page.locator(selector).first.click()
            page.wait_for_load_state()
            _accessible_at_every_width(page)
    assert errors == []
